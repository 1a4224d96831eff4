#ifndef GNP_SHORTSOLVE_HPP
#define GNP_SHORTSOLVE_HPP

#include "Gnp_DistributedOperator.hpp"

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace Gnp {

/// A right preconditioner for shortFlexibleGmres: z = M(v) for a (localRows, 1)
/// float64 block; a collective.
using BlockPreconditioner = std::function<torch::Tensor(const torch::Tensor&)>;

/// The relative residuals r_1..r_k after each of k iterations of flexible GMRES
/// (x₀ = 0, no restart) on Â x = b, b this rank's rows as a (localRows, 1)
/// float64 block, with M as right preconditioner (null: none). Why: what a
/// preconditioner is for is how fast FGMRES converges with it, and a few
/// iterations on one right-hand side measure that directly (training's
/// validation solve). Dot products are exact sums and every row is computed
/// alone, so the residuals are the same to the last bit on any number of ranks.
/// After an exact solution (a breakdown) the residual stays at the one reached.
std::vector<double> shortFlexibleGmres(const DistributedOperator& A, const torch::Tensor& b, int iterations,
                                       const BlockPreconditioner& M = nullptr);

/// Σ log10 r_i over the residuals (each floored at 1e-16): the Iter-AUC of those
/// iterations (docs/method.md section 6), lower for faster convergence.
double residualArea(const std::vector<double>& residuals);

} // namespace Gnp

#endif
