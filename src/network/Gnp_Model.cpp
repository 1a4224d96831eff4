#include "Gnp_Model.hpp"

#include "Gnp_GlobalSums.hpp"
#include "Gnp_LayerFunctions.hpp"
#include "kernels/Gnp_ChunkedSums.hpp"
#include "kernels/Gnp_ExactSum.hpp"

#include <cmath>
#include <limits>

namespace Gnp {
namespace {

constexpr double batchNormEps = 1e-5;
constexpr double batchNormMomentum = 0.1;

} // namespace

DenseImpl::DenseImpl(const DenseOptions& o, Float64Gradients& grads) : grads_(&grads), relu_(o.relu) {
  // torch::nn::Linear's initialisation: U(-1/√in, 1/√in) for weight and bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(o.in));
  weight = register_parameter("weight", torch::empty({o.out, o.in}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::empty({o.out}).uniform_(-bound, bound));
}

torch::Tensor DenseImpl::forward(const torch::Tensor& x) {
  return denseLayer(x, weight, bias, grads_, relu_, is_training());
}

MlpImpl::MlpImpl(const MlpOptions& o, Float64Gradients& grads) {
  int width = o.in;
  for (int i = 0; i < o.linearLayers; ++i) {
    const bool last = i + 1 == o.linearLayers;
    const int next = last ? o.out : o.hidden;
    layers_.push_back(
        register_module(std::to_string(2 * i), Dense(DenseOptions{width, next, !last || o.finalRelu}, grads)));
    width = next;
  }
}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
  for (auto& layer : layers_) x = layer->forward(x);
  return x;
}

GlobalBatchNormImpl::GlobalBatchNormImpl(int features, const Communicator& comm, Float64Gradients& grads)
    : comm_(&comm), grads_(&grads) {
  weight = register_parameter("weight", torch::ones({features}));
  bias = register_parameter("bias", torch::zeros({features}));
  running_mean = register_buffer("running_mean", torch::zeros({features}));
  running_var = register_buffer("running_var", torch::ones({features}));
}

torch::Tensor GlobalBatchNormImpl::forward(const torch::Tensor& x, int group, double globalRows) {
  if (!is_training()) {
    if (torch::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad() || bias.requires_grad()))
      return torch::relu((x - running_mean) * torch::rsqrt(running_var + batchNormEps) * weight + bias);
    // An apply: the running statistics in the training pass's one fused loop
    // (the torch expression above makes five passes over the block).
    return batchNormReluInference(x.contiguous(), running_mean, torch::rsqrt(running_var + batchNormEps), weight, bias);
  }

  const torch::Tensor xc = x.contiguous();
  const float* xp = xc.data_ptr<float>();
  const std::int64_t rows = xc.size(0);
  const int F = static_cast<int>(xc.size(1));
  if (!(globalRows > 0.0)) {
    const double localRows = static_cast<double>(rows);
    comm_->sumAll(&localRows, &globalRows, 1);
  }
  // Global statistics as exact sums (kernels/Gnp_ChunkedSums.hpp): the same on
  // any number of ranks. The columns' global ranges bound the terms of both
  // sums, so the variance needs no pass of its own for its bound.
  std::vector<float> lo(F, std::numeric_limits<float>::infinity()), hi(F, -std::numeric_limits<float>::infinity());
  kernels::columnRange(xp, rows, F, lo.data(), hi.data());
  std::vector<double> range(2 * F);
  for (int f = 0; f < F; ++f) range[f] = hi[f], range[F + f] = -static_cast<double>(lo[f]);
  allReduceMaxInPlace(*comm_, range.data(), 2 * F);
  const double count = kernels::depositCount(globalRows, group);
  auto exactSums = [&](const std::vector<double>& bounds, const float* shift, bool square) {
    torch::Tensor sums = torch::empty({F}, torch::kFloat64);
    double* acc = sums.data_ptr<double>();
    std::vector<double> origin(F);
    for (int f = 0; f < F; ++f) acc[f] = origin[f] = exact::start(kernels::depositBound(bounds[f], group), count);
    kernels::columnDeposits(xp, rows, F, group, shift, square, acc);
    for (int f = 0; f < F; ++f) acc[f] -= origin[f];
    allReduceSumInPlace(*comm_, sums); // exact: every rank's sums lie on the common grids
    return sums;
  };
  std::vector<double> bounds(F);
  for (int f = 0; f < F; ++f) bounds[f] = std::max(range[f], range[F + f]);
  const torch::Tensor mean64 = exactSums(bounds, nullptr, false) / globalRows;
  const torch::Tensor mean32 = mean64.to(torch::kFloat32);
  const float* m = mean32.data_ptr<float>();
  for (int f = 0; f < F; ++f) {
    const double spread = std::max(range[f] - m[f], range[F + f] + m[f]); // max |x − m| over the range
    bounds[f] = spread * spread;
  }
  const torch::Tensor var64 = exactSums(bounds, m, true) / globalRows;
  {
    torch::NoGradGuard noGrad;
    const double unbias = globalRows > 1.0 ? globalRows / (globalRows - 1.0) : 1.0;
    running_mean.mul_(1.0 - batchNormMomentum).add_(batchNormMomentum * mean32);
    running_var.mul_(1.0 - batchNormMomentum).add_(batchNormMomentum * unbias * var64.to(torch::kFloat32));
  }
  return batchNormReluTraining(xc, weight, bias, mean32, torch::rsqrt(var64 + batchNormEps).to(torch::kFloat32),
                               globalRows, comm_, grads_);
}

ResGcnImpl::ResGcnImpl(const Options& options, const DistributedOperator& A)
    : A_(&A), grads_(std::make_unique<Float64Gradients>(A.comm())) {
  const int e = options.embedding;
  encoder_ = register_module("encoder", Mlp(MlpOptions{1, options.hidden, e, options.mlpLayers, true}, *grads_));
  decoder_ = register_module("decoder", Mlp(MlpOptions{e, options.hidden, 1, options.mlpLayers, false}, *grads_));
  for (int l = 0; l < options.layers; ++l) {
    const std::string suffix = std::to_string(l);
    convolutions_.push_back(register_module("convolution" + suffix, Dense(DenseOptions{e, e}, *grads_)));
    skips_.push_back(register_module("skip" + suffix, Dense(DenseOptions{e, e}, *grads_)));
    norms_.push_back(register_module("norm" + suffix, GlobalBatchNorm(e, A.comm(), *grads_)));
  }
}

void ResGcnImpl::zeroOutput() {
  torch::NoGradGuard noGrad;
  decoder_->last()->weight.zero_();
  decoder_->last()->bias.zero_();
}

torch::Tensor ResGcnImpl::forward(const torch::Tensor& b) {
  const std::int64_t rows = b.size(0), columns = b.size(1);

  // Scale each column to unit RMS over all ranks: M(αr) = αM(r) by construction.
  const double globalRows = static_cast<double>(A_->globalRows());
  const torch::Tensor sumSquares = globalColumnSums(A_->comm(), b.detach().to(torch::kFloat64).square(), globalRows);
  grads_->setGlobalRows(globalRows * static_cast<double>(columns)); // the dense layers' rows
  const torch::Tensor scale = torch::sqrt(sumSquares / static_cast<double>(A_->globalRows())).to(torch::kFloat32);
  const torch::Tensor nonzero = scale > 0;
  const torch::Tensor safeScale = torch::where(nonzero, scale, torch::ones_like(scale));

  torch::Tensor x = encoder_->forward((b / safeScale).unsqueeze(-1)); // rows x B x e
  const std::int64_t e = x.size(2);
  for (std::size_t l = 0; l < convolutions_.size(); ++l) {
    // The convolution's and the skip's Dense layers hold the parameters.
    const torch::Tensor pre = graphConvolution(x, convolutions_[l]->weight, convolutions_[l]->bias, skips_[l]->weight,
                                               skips_[l]->bias, A_, grads_.get(), is_training());
    x = norms_[l]
            ->forward(pre.view({rows * columns, e}), static_cast<int>(columns), grads_->globalRows())
            .view({rows, columns, e});
  }
  const torch::Tensor z = decoder_->forward(x).squeeze(-1);
  // A zero column maps to zero (the guard of docs/method.md section 2).
  return z * (safeScale * nonzero.to(torch::kFloat32));
}

std::int64_t ResGcnImpl::parameterCount() const {
  std::int64_t count = 0;
  for (const auto& p : parameters()) count += p.numel();
  return count;
}

std::vector<std::pair<std::string, torch::Tensor>> namedState(torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> all;
  for (const auto& item : module.named_parameters()) all.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers()) all.emplace_back(item.key(), item.value());
  return all;
}

std::vector<NamedTensor> namedTensors(torch::nn::Module& module) {
  std::vector<NamedTensor> out;
  for (const auto& [name, tensor] : namedState(module)) {
    const torch::Tensor t = tensor.detach().to(torch::kFloat32).contiguous();
    out.push_back({name, t.sizes().vec(), std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel())});
  }
  return out;
}

void broadcastFromRoot(torch::nn::Module& module, const Communicator& comm) {
  if (comm.size() == 1) return;
  torch::NoGradGuard noGrad;
  auto share = [&](torch::Tensor t) {
    torch::Tensor c = t.contiguous();
    comm.broadcast(c.data_ptr<float>(), static_cast<int>(c.numel()));
    t.copy_(c);
  };
  for (auto& p : module.parameters()) share(p);
  for (auto& b : module.buffers()) share(b);
}

} // namespace Gnp
