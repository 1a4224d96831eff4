#include "Gnp_Float64Gradients.hpp"

namespace Gnp {

void Float64Gradients::add(const torch::Tensor& parameter, const torch::Tensor& grad64) {
  auto [it, inserted] = grads_.emplace(parameter.unsafeGetTensorImpl(), grad64);
  if (!inserted) it->second = it->second + grad64;
}

torch::Tensor Float64Gradients::get(const torch::Tensor& parameter) const {
  const auto it = grads_.find(parameter.unsafeGetTensorImpl());
  return it != grads_.end() ? it->second : torch::zeros(parameter.sizes(), torch::kFloat64);
}

} // namespace Gnp
