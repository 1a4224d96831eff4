#include "Gnp_SparseProduct.hpp"

#include <torch/custom_class.h>

#include <stdexcept>

namespace Gnp {
namespace {

const auto registerOperatorHolder = torch::class_<OperatorHolder>("gnp", "OperatorHolder");

torch::Tensor applyOperator(const DistributedOperator& A, const torch::Tensor& X, bool transpose) {
  if (X.dim() != 2 || X.size(0) != A.localRows())
    throw std::invalid_argument("Gnp::sparseProduct: expected a tensor of shape (" + std::to_string(A.localRows()) +
                                ", C)");
  const torch::Tensor x = X.contiguous();
  torch::Tensor y = torch::empty_like(x);
  const int columns = static_cast<int>(x.size(1));
  if (x.scalar_type() == torch::kFloat32)
    A.apply(x.data_ptr<float>(), y.data_ptr<float>(), columns, transpose);
  else if (x.scalar_type() == torch::kFloat64)
    A.apply(x.data_ptr<double>(), y.data_ptr<double>(), columns, transpose);
  else
    throw std::invalid_argument("Gnp::sparseProduct: tensors must be float32 or float64");
  return y;
}

class SparseProductFunction : public torch::autograd::Function<SparseProductFunction> {
public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& X,
                               const DistributedOperator* A) {
    ctx->saved_data["A"] = c10::make_intrusive<OperatorHolder>(A);
    return applyOperator(*A, X, false);
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto* A = ctx->saved_data["A"].toCustomClass<OperatorHolder>()->op;
    return {applyOperator(*A, grads[0], true), torch::Tensor()};
  }
};

} // namespace

torch::Tensor sparseProduct(const DistributedOperator& A, const torch::Tensor& X) {
  return SparseProductFunction::apply(X, &A);
}

} // namespace Gnp
