#include "Gnp_CoarseSpace.hpp"

#include "Gnp_Composition.hpp"
#include "Gnp_GlobalSums.hpp"

#include <stdexcept>

namespace Gnp {
namespace {

// X c for X (rows, k) and c (k, B), float64, row by row in a fixed order: a
// BLAS product's rounding of a row may depend on how many rows it is handed,
// and so on the number of ranks (kernels/Gnp_RowGemm.hpp).
torch::Tensor rowTimes(const torch::Tensor& X, const torch::Tensor& c) {
  const torch::Tensor cc = c.contiguous();
  const std::int64_t rows = X.size(0);
  const int k = static_cast<int>(X.size(1)), B = static_cast<int>(cc.size(1));
  torch::Tensor y = torch::zeros({rows, B}, torch::kFloat64);
  const double *x = X.data_ptr<double>(), *cp = cc.data_ptr<double>();
  double* yp = y.data_ptr<double>();
  for (std::int64_t r = 0; r < rows; ++r)
    for (int j = 0; j < k; ++j)
      for (int b = 0; b < B; ++b) yp[r * B + b] += x[r * k + j] * cp[j * B + b];
  return y;
}

} // namespace

CoarseSpace::CoarseSpace(const DistributedOperator& A, torch::Tensor Z, torch::Tensor W, Coarse where)
    : A_(&A), Z_(Z.to(torch::kFloat64).contiguous()), W_(W.to(torch::kFloat64).contiguous()), where_(where) {
  if (Z_.dim() != 2 || Z_.sizes() != W_.sizes() || Z_.size(0) != A.localRows())
    throw std::invalid_argument("Gnp::CoarseSpace: Z and W must both be (local rows, k) blocks");
  if (where == Coarse::None) throw std::invalid_argument("Gnp::CoarseSpace: say where it joins M1 (first or last)");
  wBounds_ = std::vector<double>(W_.size(1), 0.0);
  if (W_.size(0) > 0) {
    const torch::Tensor m = W_.abs().amax(0);
    for (int j = 0; j < static_cast<int>(W_.size(1)); ++j) wBounds_[j] = m[j].item<double>();
  }
  allReduceMaxInPlace(A.comm(), wBounds_.data(), static_cast<int>(wBounds_.size()));
}

torch::Tensor CoarseSpace::coefficients(const torch::Tensor& v) const {
  return globalInnerProducts(A_->comm(), W_, wBounds_, v, static_cast<double>(A_->globalRows()));
}

torch::Tensor CoarseSpace::solve(const torch::Tensor& v) const { return rowTimes(Z_, coefficients(v)); }

torch::Tensor CoarseSpace::deflate(const torch::Tensor& v) const {
  return v.to(torch::kFloat64) - rowTimes(W_, coefficients(v));
}

torch::Tensor CoarseSpace::around(const OneLevel& oneLevel, const torch::Tensor& v) const {
  if (empty()) return oneLevel(v);
  if (where_ == Coarse::First) {
    // Â Z Wᵀ v = W Wᵀ v: what the coarse solve leaves costs no product with Â.
    const torch::Tensor c = coefficients(v);
    return rowTimes(Z_, c) + oneLevel(v.to(torch::kFloat64) - rowTimes(W_, c));
  }
  const torch::Tensor y = oneLevel(v);
  return y + solve(v.to(torch::kFloat64) - applyMatrix(*A_, y));
}

} // namespace Gnp
