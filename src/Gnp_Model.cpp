#include "Gnp_Model.hpp"

#include "Gnp_SparseProduct.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <torch/custom_class.h>

#include <cmath>
#include <cstring>

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

// gw += Σ_r g_rᵀ x_r and gb += Σ_r g_r over the rows r of row-major blocks
// g (rows x out) and x (rows x in), in float64: products of float32 numbers are
// exact in float64, so only the order of the sums matters, and it is the row
// order. Hand-written instead of converting both blocks to float64 for a DGEMM
// (two extra passes plus packing, ~20% of a step). For the usual widths the
// accumulators of OB outputs stay in registers over a block of rows; compiled
// for AVX2 and for the baseline, chosen when the library loads.
template <int IN, int OB>
__attribute__((target_clones("avx2", "default"))) void outerProductSumsFixed(
    const float* __restrict g, const float* __restrict x, std::int64_t rows, int out, double* __restrict gw,
    double* __restrict gb) {
  constexpr std::int64_t rowBlock = 128; // a block of g and x stays in cache across the output blocks
  for (std::int64_t r0 = 0; r0 < rows; r0 += rowBlock) {
    const std::int64_t r1 = std::min(rows, r0 + rowBlock);
    for (int o0 = 0; o0 + OB <= out; o0 += OB) {
      double acc[OB][IN], accb[OB];
      for (int k = 0; k < OB; ++k) {
        for (int i = 0; i < IN; ++i) acc[k][i] = gw[static_cast<std::size_t>(o0 + k) * IN + i];
        accb[k] = gb[o0 + k];
      }
      for (std::int64_t r = r0; r < r1; ++r) {
        double xr[IN];
        for (int i = 0; i < IN; ++i) xr[i] = x[r * IN + i];
        for (int k = 0; k < OB; ++k) {
          const double go = g[r * out + o0 + k];
          for (int i = 0; i < IN; ++i) acc[k][i] += go * xr[i];
          accb[k] += go;
        }
      }
      for (int k = 0; k < OB; ++k) {
        for (int i = 0; i < IN; ++i) gw[static_cast<std::size_t>(o0 + k) * IN + i] = acc[k][i];
        gb[o0 + k] = accb[k];
      }
    }
  }
}

__attribute__((target_clones("avx2", "default"))) void outerProductSumsAnyWidth(
    const float* __restrict g, const float* __restrict x, std::int64_t rows, int out, int in,
    double* __restrict gw, double* __restrict gb) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (int o = 0; o < out; ++o) {
      const double go = g[r * out + o];
      for (int i = 0; i < in; ++i) gw[static_cast<std::size_t>(o) * in + i] += go * x[r * in + i];
      gb[o] += go;
    }
}

void outerProductSums(const float* g, const float* x, std::int64_t rows, int out, int in, double* gw, double* gb) {
  if (in == 16 && out % 2 == 0) return outerProductSumsFixed<16, 2>(g, x, rows, out, gw, gb);
  if (in == 32) return outerProductSumsFixed<32, 1>(g, x, rows, out, gw, gb);
  if (in == 1 && out % 8 == 0) return outerProductSumsFixed<1, 8>(g, x, rows, out, gw, gb);
  outerProductSumsAnyWidth(g, x, rows, out, in, gw, gb);
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
    const torch::Tensor g = grads[0].reshape({-1, weight.size(0)}).contiguous();
    const torch::Tensor x2 = x.reshape({-1, x.size(-1)}).contiguous();
    torch::Tensor gw = torch::zeros({weight.size(0), weight.size(1)}, torch::kFloat64);
    torch::Tensor gb = torch::zeros({weight.size(0)}, torch::kFloat64);
    outerProductSums(g.data_ptr<float>(), x2.data_ptr<float>(), g.size(0), static_cast<int>(g.size(1)),
                     static_cast<int>(x2.size(1)), gw.data_ptr<double>(), gb.data_ptr<double>());
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

  __attribute__((target_clones("avx2", "default"))) static void forward(int width, const float* x, float* y, std::int64_t rows, const float* m, const float* scale,
                      const float* b) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], sc[capacity], bb[capacity];
    std::copy(m, m + F, mm), std::copy(scale, scale + F, sc), std::copy(b, b + F, bb);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) y[i * F + f] = std::max(0.0f, (x[i * F + f] - mm[f]) * sc[f] + bb[f]);
  }
  // Σg and Σg·x̂ in float64, g the gradient behind the ReLU.
  __attribute__((target_clones("avx2", "default"))) static void sums(int width, const float* x, const float* y, const float* g, std::int64_t rows, const float* m,
                   const float* r, double* sumG, double* sumGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity];
    double sg[capacity], sgx[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr);
    std::fill(sg, sg + F, 0.0), std::fill(sgx, sgx + F, 0.0);
    if constexpr (FixedF > 0 && FixedF % 8 == 0) {
      // The same arithmetic as the loop below, in explicit 8-wide vectors (GCC
      // left the loop scalar, and it was ~9% of a step).
      using f8 = float __attribute__((vector_size(32)));
      using d4 = double __attribute__((vector_size(32)));
      constexpr int chunks = FixedF / 8;
      f8 m8[chunks], r8[chunks];
      d4 accG[chunks][2] = {}, accGX[chunks][2] = {};
      std::memcpy(m8, mm, sizeof m8), std::memcpy(r8, rr, sizeof r8);
      const f8 zero = {};
      for (std::int64_t i = 0; i < rows; ++i)
        for (int c = 0; c < chunks; ++c) {
          f8 gv, yv, xv;
          std::memcpy(&gv, g + i * F + 8 * c, sizeof gv);
          std::memcpy(&yv, y + i * F + 8 * c, sizeof yv);
          std::memcpy(&xv, x + i * F + 8 * c, sizeof xv);
          const f8 gi = yv > zero ? gv : zero;
          const f8 gix = gi * ((xv - m8[c]) * r8[c]);
          accG[c][0] += __builtin_convertvector(__builtin_shufflevector(gi, gi, 0, 1, 2, 3), d4);
          accG[c][1] += __builtin_convertvector(__builtin_shufflevector(gi, gi, 4, 5, 6, 7), d4);
          accGX[c][0] += __builtin_convertvector(__builtin_shufflevector(gix, gix, 0, 1, 2, 3), d4);
          accGX[c][1] += __builtin_convertvector(__builtin_shufflevector(gix, gix, 4, 5, 6, 7), d4);
        }
      for (int c = 0; c < chunks; ++c)
        for (int h = 0; h < 2; ++h)
          for (int l = 0; l < 4; ++l) sumG[8 * c + 4 * h + l] = accG[c][h][l], sumGxhat[8 * c + 4 * h + l] = accGX[c][h][l];
      return;
    }
    // Each row's terms in float32 (the same on any number of ranks), their sums in
    // float64.
    float gi[capacity], gix[capacity];
    for (std::int64_t i = 0; i < rows; ++i) {
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f]; // both loads unconditional: vectorisable
        gi[f] = yv > 0.0f ? gv : 0.0f;
        gix[f] = gi[f] * ((x[i * F + f] - mm[f]) * rr[f]);
      }
      for (int f = 0; f < F; ++f) {
        sg[f] += gi[f];
        sgx[f] += gix[f];
      }
    }
    std::copy(sg, sg + F, sumG), std::copy(sgx, sgx + F, sumGxhat);
  }
  __attribute__((target_clones("avx2", "default"))) static void inputGradient(int width, const float* x, const float* y, const float* g, float* gx, std::int64_t rows,
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
  return it != grads_.end() ? it->second : torch::zeros(parameter.sizes(), torch::kFloat64);
}

DenseImpl::DenseImpl(int in, int out, Float64Gradients& grads) : grads_(&grads) {
  // torch::nn::Linear's initialisation: U(-1/√in, 1/√in) for weight and bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
}

torch::Tensor DenseImpl::forward(const torch::Tensor& x) {
  return DenseFunction::apply(x, weight, bias, grads_);
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
    : A_(&A), grads_(std::make_unique<Float64Gradients>()) {
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
  // A zero column maps to zero (the guard of docs/method.md section 2).
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
