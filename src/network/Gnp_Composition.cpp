#include "Gnp_Composition.hpp"

namespace Gnp {

torch::Tensor applyBase(const BlockOperator& base, const torch::Tensor& v) {
  const torch::Tensor x = v.to(torch::kFloat64).contiguous();
  torch::Tensor y = torch::empty_like(x);
  base(x.data_ptr<double>(), y.data_ptr<double>(), static_cast<int>(x.size(1)));
  return y;
}

torch::Tensor applyMatrix(const DistributedOperator& A, const torch::Tensor& v) {
  return applyBase([&](const double* X, double* Y, int columns) { A.apply(X, Y, columns, false); }, v);
}

torch::Tensor preconditionerOutput(ResGcn& model, const DistributedOperator& A, const BlockOperator& base,
                                   Composition composition, const CoarseSpace& coarse, const torch::Tensor& v) {
  const auto oneLevel = [&](const torch::Tensor& r) {
    if (model.is_empty()) return base ? applyBase(base, r) : r.to(torch::kFloat64);
    if (!base) return model->forward(r.to(torch::kFloat32)).to(torch::kFloat64);
    const torch::Tensor p = applyBase(base, r);
    const torch::Tensor input = composition == Composition::Multiplicative ? r - applyMatrix(A, p) : r;
    return model->forward(input.to(torch::kFloat32)).to(torch::kFloat64) + p;
  };
  return coarse.around(oneLevel, v);
}

} // namespace Gnp
