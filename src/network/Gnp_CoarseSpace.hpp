#ifndef GNP_COARSESPACE_HPP
#define GNP_COARSESPACE_HPP

#include "Gnp_DistributedOperator.hpp"
#include "Gnp_Options.hpp"

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace Gnp {

/// The second level of a two-level GNP (docs/method.md section 7): k
/// directions Z with W = Â Z orthonormal, so that the coarse solve Z Wᵀ r is
/// the minimal-residual (Petrov–Galerkin, E = Wᵀ Â Z = I) correction from
/// span(Z), exact for r in range(W). Every product over rows is an exact sum:
/// the same on any number of ranks. Empty: no coarse space.
class CoarseSpace {
public:
  /// A one-level preconditioner M₁ on (localRows, B) float64 blocks.
  using OneLevel = std::function<torch::Tensor(const torch::Tensor&)>;

  /// No coarse space.
  CoarseSpace() = default;
  /// Z and W: (localRows, k) float64 blocks of this rank's rows, W = Â Z with
  /// orthonormal columns; `where`: Coarse::First or Coarse::Last.
  CoarseSpace(const DistributedOperator& A, torch::Tensor Z, torch::Tensor W, Coarse where);

  /// Whether there is no coarse space.
  bool empty() const { return A_ == nullptr; }
  /// k, the number of directions (0 when empty).
  int dimension() const { return empty() ? 0 : static_cast<int>(Z_.size(1)); }
  /// Where it joins M₁.
  Coarse where() const { return where_; }

  /// Z Wᵀ v, the coarse solve.
  torch::Tensor solve(const torch::Tensor& v) const;
  /// v − W Wᵀ v = v − Â Z Wᵀ v: what the coarse solve leaves of v.
  torch::Tensor deflate(const torch::Tensor& v) const;
  /// The two-level M(v) around M₁ (Options::coarse); M₁(v) when empty.
  torch::Tensor around(const OneLevel& oneLevel, const torch::Tensor& v) const;

private:
  torch::Tensor coefficients(const torch::Tensor& v) const;

  const DistributedOperator* A_ = nullptr;
  torch::Tensor Z_, W_;
  std::vector<double> wBounds_; ///< each column's largest |W| entry over all ranks
  Coarse where_ = Coarse::None;
};

} // namespace Gnp

#endif
