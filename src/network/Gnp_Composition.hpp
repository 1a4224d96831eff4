#ifndef GNP_COMPOSITION_HPP
#define GNP_COMPOSITION_HPP

#include "Gnp_CoarseSpace.hpp"
#include "Gnp_DistributedOperator.hpp"
#include "Gnp_Model.hpp"

namespace Gnp {

/// M₁ = P + N: the preconditioner the network N makes with its base P, for v a
/// (localRows, B) float64 block. Without a base (P empty) M₁(v) = N(v), the
/// network's float32 output; with one, P v + N(v) (additive) or
/// P v + N(v − Â P v) (multiplicative). Then the coarse space around M₁, if
/// any. An empty `model` is N ≡ 0: M₁ = P, or the identity without a base (GNP
/// where no network helps). What an apply applies and what the validation
/// solve scores; a collective.
torch::Tensor preconditionerOutput(ResGcn& model, const DistributedOperator& A, const BlockOperator& base,
                                   Composition composition, const CoarseSpace& coarse, const torch::Tensor& v);

/// P v for v a (localRows, B) block, in float64.
torch::Tensor applyBase(const BlockOperator& base, const torch::Tensor& v);

/// Â v for v a (localRows, B) block, in float64.
torch::Tensor applyMatrix(const DistributedOperator& A, const torch::Tensor& v);

} // namespace Gnp

#endif
