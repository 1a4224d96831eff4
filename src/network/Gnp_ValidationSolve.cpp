#include "Gnp_ValidationSolve.hpp"

#include "Gnp_Composition.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_ShortSolve.hpp"

namespace Gnp {

ValidationSolve::ValidationSolve(const Options& options, const DistributedOperator& A, BlockOperator base,
                                 CoarseSpace coarse)
    : options_(options), A_(&A), base_(std::move(base)), coarse_(std::move(coarse)) {
  const std::int64_t rows = A.localRows();
  const auto& gids = A.globalRowIndices();
  torch::Tensor x = torch::empty({rows, 1}, torch::kFloat64);
  b_ = torch::empty({rows, 1}, torch::kFloat64);
  auto xa = x.accessor<double, 2>();
  // Column index −1: no training batch's Gaussian column draws these numbers.
  for (std::int64_t i = 0; i < rows; ++i)
    xa[i][0] = gaussian(options.seed, GaussianSampleStream, key, gids[i], ~std::uint64_t(0));
  A.apply(x.data_ptr<double>(), b_.data_ptr<double>(), 1, false);
}

double ValidationSolve::score(ResGcn& model) const {
  const BlockPreconditioner M = [&](const torch::Tensor& v) {
    return preconditionerOutput(model, *A_, base_, options_.composition, coarse_, v);
  };
  return inInferenceMode(model,
                         [&] { return residualArea(shortFlexibleGmres(*A_, b_, options_.validationIterations, M)); });
}

double ValidationSolve::scoreWithoutNetwork() const { return residualArea(residualsWithoutNetwork()); }

std::vector<double> ValidationSolve::residualsWithoutNetwork() const {
  ResGcn none{nullptr};
  const BlockPreconditioner M = [&](const torch::Tensor& v) {
    return preconditionerOutput(none, *A_, base_, options_.composition, coarse_, v);
  };
  return shortFlexibleGmres(*A_, b_, options_.validationIterations, M);
}

double ValidationSolve::unpreconditionedScore() const {
  return residualArea(shortFlexibleGmres(*A_, b_, options_.validationIterations));
}

std::vector<double> ValidationSolve::baseResiduals() const {
  BlockPreconditioner P;
  if (base_) P = [&](const torch::Tensor& v) { return applyBase(base_, v); };
  return shortFlexibleGmres(*A_, b_, options_.validationIterations, P);
}

} // namespace Gnp
