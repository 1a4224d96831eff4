#include "Gnp_Model.hpp"

#include "Gnp_SparseProduct.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <torch/custom_class.h>

#include <cmath>

namespace Gnp {
namespace {

constexpr double batchNormEps = 1e-5;
constexpr double batchNormMomentum = 0.1;

struct GradientsHolder : torch::CustomClassHolder {
  explicit GradientsHolder(Float64Gradients* g) : grads(g) {}
  Float64Gradients* grads;
};
const auto registerGradientsHolder = torch::class_<GradientsHolder>("gnp", "GradientsHolder");
struct CommHolder : torch::CustomClassHolder {
  explicit CommHolder(const Teuchos::Comm<int>* c) : comm(c) {}
  const Teuchos::Comm<int>* comm;
};
const auto registerCommHolder = torch::class_<CommHolder>("gnp", "BatchNormCommHolder");

// A small float32 tensor's values, as a local copy the compiler knows is not aliased.
std::vector<float> values(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

Float64Gradients* gradientsOf(torch::autograd::AutogradContext* ctx) {
  return ctx->saved_data["grads"].toCustomClass<GradientsHolder>()->grads;
}

// y = x Wᵀ + b over the last dimension of x.
class DenseFunction : public torch::autograd::Function<DenseFunction> {
public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias, Float64Gradients* grads) {
    ctx->save_for_backward({x, weight, bias});
    ctx->saved_data["grads"] = c10::make_intrusive<GradientsHolder>(grads);
    std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = weight.size(0);
    return torch::addmm(bias, x.reshape({-1, x.size(-1)}), weight.t()).view(shape);
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1], &bias = saved[2];
    const torch::Tensor g = grads[0].reshape({-1, weight.size(0)});
    const torch::Tensor g64 = g.to(torch::kFloat64);
    const torch::Tensor gw = g64.t().mm(x.reshape({-1, x.size(-1)}).to(torch::kFloat64));
    const torch::Tensor gb = g64.sum(0);
    gradientsOf(ctx)->add(weight, gw);
    gradientsOf(ctx)->add(bias, gb);
    return {g.mm(weight).view(x.sizes()), gw.to(torch::kFloat32), gb.to(torch::kFloat32), torch::Tensor()};
  }
};

// The loops of BatchNormReluFunction over a row-major (rows, F) block. The
// usual widths are template parameters so that the per-feature arrays live in
// registers and the compiler vectorises across features (with a runtime width
// it kept the float64 accumulators in memory, one scalar at a time);
// FixedF = 0 serves any width up to the validated maximum of 4096.
template <int FixedF>
struct BatchNormReluKernels {
  static constexpr int capacity = FixedF > 0 ? FixedF : 4096;

  static void forward(int width, const float* x, float* y, std::int64_t rows, const float* m, const float* scale,
                      const float* b) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], sc[capacity], bb[capacity];
    std::copy(m, m + F, mm), std::copy(scale, scale + F, sc), std::copy(b, b + F, bb);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) y[i * F + f] = std::max(0.0f, (x[i * F + f] - mm[f]) * sc[f] + bb[f]);
  }
  // Σg and Σg·x̂ in float64, g the gradient behind the ReLU.
  static void sums(int width, const float* x, const float* y, const float* g, std::int64_t rows, const float* m,
                   const float* r, double* sumG, double* sumGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity];
    double sg[capacity], sgx[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr);
    std::fill(sg, sg + F, 0.0), std::fill(sgx, sgx + F, 0.0);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f]; // both loads unconditional: vectorisable
        const float gi = yv > 0.0f ? gv : 0.0f;
        sg[f] += gi;
        sgx[f] += static_cast<double>(gi) * ((x[i * F + f] - mm[f]) * rr[f]);
      }
    std::copy(sg, sg + F, sumG), std::copy(sgx, sgx + F, sumGxhat);
  }
  static void inputGradient(int width, const float* x, const float* y, const float* g, float* gx, std::int64_t rows,
                            const float* m, const float* r, const float* scale, const float* meanG,
                            const float* meanGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity], sc[capacity], mg[capacity], mgx[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr), std::copy(scale, scale + F, sc);
    std::copy(meanG, meanG + F, mg), std::copy(meanGxhat, meanGxhat + F, mgx);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f]; // both loads unconditional: vectorisable
        const float gi = yv > 0.0f ? gv : 0.0f;
        gx[i * F + f] = sc[f] * (gi - mg[f] - (x[i * F + f] - mm[f]) * rr[f] * mgx[f]);
      }
  }
};

#define GNP_BATCHNORM_KERNEL(F, CALL)                  \
  switch (F) {                                         \
    case 16: BatchNormReluKernels<16>::CALL; break;    \
    case 32: BatchNormReluKernels<32>::CALL; break;    \
    default: BatchNormReluKernels<0>::CALL; break;     \
  }

// Training-mode batch normalisation followed by ReLU, given the global
// statistics: y = max(0, (x − mean) · rstd · w + b) per feature, in float32,
// fused into hand-written loops over the (rows, features) block (torch's
// separate elementwise kernels made ~15 passes over it per layer and step).
// The backward needs the global sums Σg and Σg·x̂; they and the parameter
// gradients are accumulated in float64 (see Float64Gradients).
class BatchNormReluFunction : public torch::autograd::Function<BatchNormReluFunction> {
public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& mean,
                               const torch::Tensor& rstd, double globalRows, const Teuchos::Comm<int>* comm,
                               Float64Gradients* grads) {
    const std::int64_t rows = x.size(0), F = x.size(1);
    torch::Tensor y = torch::empty_like(x);
    const std::vector<float> m = values(mean), r = values(rstd), w = values(weight), b = values(bias);
    std::vector<float> scale(F);
    for (std::int64_t f = 0; f < F; ++f) scale[f] = r[f] * w[f];
    GNP_BATCHNORM_KERNEL(F, forward(static_cast<int>(F), x.data_ptr<float>(), y.data_ptr<float>(), rows, m.data(),
                                    scale.data(), b.data()))
    ctx->save_for_backward({x, y, weight, bias, mean, rstd});
    ctx->saved_data["grads"] = c10::make_intrusive<GradientsHolder>(grads);
    ctx->saved_data["comm"] = c10::make_intrusive<CommHolder>(comm);
    ctx->saved_data["rows"] = globalRows;
    return y;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &y = saved[1], &weight = saved[2], &bias = saved[3];
    const torch::Tensor &mean = saved[4], &rstd = saved[5];
    const torch::Tensor gy = grads[0].contiguous();
    const std::int64_t rows = x.size(0), F = x.size(1);
    const float *xp = x.data_ptr<float>(), *yp = y.data_ptr<float>(), *gp = gy.data_ptr<float>();
    const std::vector<float> m = values(mean), r = values(rstd), w = values(weight);

    torch::Tensor sums = torch::empty({2 * F}, torch::kFloat64);
    double *sgx = sums.data_ptr<double>(), *sg = sgx + F;
    GNP_BATCHNORM_KERNEL(F, sums(static_cast<int>(F), xp, yp, gp, rows, m.data(), r.data(), sg, sgx))
    const torch::Tensor gw = sums.narrow(0, 0, F).clone(), gb = sums.narrow(0, F, F).clone();
    gradientsOf(ctx)->add(weight, gw);
    gradientsOf(ctx)->add(bias, gb);
    const auto* comm = ctx->saved_data["comm"].toCustomClass<CommHolder>()->comm;
    allReduceSumInPlace(*comm, sums);

    const double globalRows = ctx->saved_data["rows"].toDouble();
    std::vector<float> meanG(F), meanGxhat(F), scale(F);
    for (std::int64_t f = 0; f < F; ++f) {
      meanGxhat[f] = static_cast<float>(sgx[f] / globalRows);
      meanG[f] = static_cast<float>(sg[f] / globalRows);
      scale[f] = w[f] * r[f];
    }
    torch::Tensor gx = torch::empty_like(x);
    GNP_BATCHNORM_KERNEL(F, inputGradient(static_cast<int>(F), xp, yp, gp, gx.data_ptr<float>(), rows, m.data(),
                                          r.data(), scale.data(), meanG.data(), meanGxhat.data()))
    return {gx, gw.to(torch::kFloat32), gb.to(torch::kFloat32), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

torch::nn::Sequential mlp(int in, int hidden, int out, int linearLayers, bool finalRelu, Float64Gradients& grads) {
  torch::nn::Sequential net;
  int width = in;
  for (int i = 0; i < linearLayers; ++i) {
    const bool last = i + 1 == linearLayers;
    const int next = last ? out : hidden;
    net->push_back(Dense(width, next, grads));
    if (!last || finalRelu) net->push_back(torch::nn::ReLU());
    width = next;
  }
  return net;
}

} // namespace

void Float64Gradients::add(const torch::Tensor& parameter, const torch::Tensor& grad64) {
  auto [it, inserted] = grads_.emplace(parameter.unsafeGetTensorImpl(), grad64);
  if (!inserted) it->second = it->second + grad64;
}

torch::Tensor Float64Gradients::get(const torch::Tensor& parameter) const {
  const auto it = grads_.find(parameter.unsafeGetTensorImpl());
  if (it != grads_.end()) return it->second;
  if (parameter.grad().defined()) return parameter.grad().to(torch::kFloat64);
  return torch::zeros(parameter.sizes(), torch::kFloat64);
}

DenseImpl::DenseImpl(int in, int out, Float64Gradients& grads) : grads_(&grads) {
  // torch::nn::Linear's initialisation: U(-1/√in, 1/√in) for weight and bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
}

torch::Tensor DenseImpl::forward(const torch::Tensor& x) {
  return grads_->dense() ? DenseFunction::apply(x, weight, bias, grads_)
                         : torch::nn::functional::linear(x, weight, bias);
}

GlobalBatchNormImpl::GlobalBatchNormImpl(int features, const Teuchos::Comm<int>& comm, Float64Gradients& grads)
    : comm_(&comm), grads_(&grads) {
  weight = register_parameter("weight", torch::ones({features}));
  bias = register_parameter("bias", torch::zeros({features}));
  running_mean = register_buffer("running_mean", torch::zeros({features}));
  running_var = register_buffer("running_var", torch::ones({features}));
}

torch::Tensor GlobalBatchNormImpl::forward(const torch::Tensor& x) {
  if (!is_training())
    return torch::relu((x - running_mean) * torch::rsqrt(running_var + batchNormEps) * weight + bias);

  const torch::Tensor xc = x.contiguous();
  const double rows = static_cast<double>(xc.size(0));
  double globalRows = 0.0;
  Teuchos::reduceAll<int, double>(*comm_, Teuchos::REDUCE_SUM, 1, &rows, &globalRows);
  // Global statistics, summed in float64 (see Float64Gradients).
  torch::Tensor mean64, var64;
  {
    torch::NoGradGuard noGrad;
    mean64 = xc.sum(0, false, torch::kFloat64);
    allReduceSumInPlace(*comm_, mean64);
    mean64 /= globalRows;
    var64 = (xc - mean64.to(torch::kFloat32)).square().sum(0, false, torch::kFloat64);
    allReduceSumInPlace(*comm_, var64);
    var64 /= globalRows;
    const double unbias = globalRows > 1.0 ? globalRows / (globalRows - 1.0) : 1.0;
    running_mean.mul_(1.0 - batchNormMomentum).add_(batchNormMomentum * mean64.to(torch::kFloat32));
    running_var.mul_(1.0 - batchNormMomentum).add_(batchNormMomentum * unbias * var64.to(torch::kFloat32));
  }
  return BatchNormReluFunction::apply(xc, weight, bias, mean64.to(torch::kFloat32),
                                      torch::rsqrt(var64 + batchNormEps).to(torch::kFloat32), globalRows, comm_,
                                      grads_);
}

ResGcnImpl::ResGcnImpl(const Options& options, const DistributedOperator& A)
    : A_(&A), grads_(std::make_unique<Float64Gradients>(options.float64GradientSums)) {
  const int e = options.embedding;
  encoder_ = register_module("encoder", mlp(1, options.hidden, e, options.mlpLayers, true, *grads_));
  decoder_ = register_module("decoder", mlp(e, options.hidden, 1, options.mlpLayers, false, *grads_));
  for (int l = 0; l < options.layers; ++l) {
    const std::string suffix = std::to_string(l);
    convolutions_.push_back(register_module("convolution" + suffix, Dense(e, e, *grads_)));
    skips_.push_back(register_module("skip" + suffix, Dense(e, e, *grads_)));
    norms_.push_back(register_module("norm" + suffix, GlobalBatchNorm(e, A.comm(), *grads_)));
  }
}

torch::Tensor ResGcnImpl::forward(const torch::Tensor& b) {
  const std::int64_t rows = b.size(0), columns = b.size(1);

  // Scale each column to unit RMS over all ranks: M(αr) = αM(r) by construction.
  torch::Tensor sumSquares = b.detach().to(torch::kFloat64).square().sum(0).contiguous();
  allReduceSumInPlace(A_->comm(), sumSquares);
  const torch::Tensor scale =
      torch::sqrt(sumSquares / static_cast<double>(A_->globalRows())).to(torch::kFloat32);
  const torch::Tensor nonzero = scale > 0;
  const torch::Tensor safeScale = torch::where(nonzero, scale, torch::ones_like(scale));

  torch::Tensor x = encoder_->forward((b / safeScale).unsqueeze(-1)); // rows x B x e
  const std::int64_t e = x.size(2);
  for (std::size_t l = 0; l < convolutions_.size(); ++l) {
    const torch::Tensor ax = sparseProduct(*A_, x.reshape({rows, columns * e})).view({rows, columns, e});
    const torch::Tensor pre = convolutions_[l]->forward(ax) + skips_[l]->forward(x);
    x = norms_[l]->forward(pre.view({rows * columns, e})).view({rows, columns, e});
  }
  const torch::Tensor z = decoder_->forward(x).squeeze(-1);
  // A zero column maps to zero (the guard of METHOD.md section 2).
  return z * (safeScale * nonzero.to(torch::kFloat32));
}

std::int64_t ResGcnImpl::parameterCount() const {
  std::int64_t count = 0;
  for (const auto& p : parameters()) count += p.numel();
  return count;
}

void broadcastFromRoot(torch::nn::Module& module, const Teuchos::Comm<int>& comm) {
  if (comm.getSize() == 1) return;
  torch::NoGradGuard noGrad;
  auto share = [&](torch::Tensor t) {
    torch::Tensor c = t.contiguous();
    Teuchos::broadcast<int, float>(comm, 0, static_cast<int>(c.numel()), c.data_ptr<float>());
    t.copy_(c);
  };
  for (auto& p : module.parameters()) share(p);
  for (auto& b : module.buffers()) share(b);
}

} // namespace Gnp
