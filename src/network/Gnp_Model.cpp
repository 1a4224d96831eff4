#include "Gnp_Model.hpp"

#include "Gnp_GlobalSums.hpp"
#include "Gnp_SparseProduct.hpp"
#include "kernels/Gnp_ExactSum.hpp"
#include "kernels/Gnp_ChunkedSums.hpp"
#include "kernels/Gnp_RowGemm.hpp"

#include <torch/custom_class.h>

#include <cmath>
#include <cstring>
#include <limits>

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
  explicit CommHolder(const Communicator* c) : comm(c) {}
  const Communicator* comm;
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

// The largest |entry| in each column of a row-major (rows, width) block.
std::vector<double> columnMaxima(const float* a, std::int64_t rows, int width) {
  std::vector<float> m(width, 0.0f);
  kernels::columnAbsMaxima(a, rows, width, m.data());
  return std::vector<double>(m.begin(), m.end());
}

// g taken through a ReLU whose output is y (g where y > 0, else 0), written to
// gm, and the largest magnitude in each of its columns: the backward's mask
// and the exact sums' bounds in one pass.
__attribute__((target_clones("avx2", "default"))) std::vector<double> reluGradientAndMaxima(
    const float* __restrict g, const float* __restrict y, float* __restrict gm, std::int64_t rows, int width) {
  std::vector<float> m(width, 0.0f);
  if (width % 8 == 0 && width <= 64) {
    // Eight columns to a vector (GCC leaves the runtime-width loop scalar).
    using f8 = float __attribute__((vector_size(32)));
    using i8 = int __attribute__((vector_size(32)));
    const int chunks = width / 8;
    f8 acc[8] = {};
    const f8 zero = {};
    for (std::int64_t r = 0; r < rows; ++r)
      for (int k = 0; k < chunks; ++k) {
        f8 v, yv;
        std::memcpy(&v, g + r * width + 8 * k, sizeof v);
        std::memcpy(&yv, y + r * width + 8 * k, sizeof yv);
        v = yv > zero ? v : zero;
        std::memcpy(gm + r * width + 8 * k, &v, sizeof v);
        const f8 a = (f8)((i8)v & 0x7fffffff); // |v|
        acc[k] = a > acc[k] ? a : acc[k];
      }
    std::memcpy(m.data(), acc, sizeof(float) * width);
  } else {
    for (std::int64_t r = 0; r < rows; ++r)
      for (int c = 0; c < width; ++c) {
        const float v = y[r * width + c] > 0.0f ? g[r * width + c] : 0.0f;
        gm[r * width + c] = v;
        m[c] = std::max(m[c], std::abs(v));
      }
  }
  return std::vector<double>(m.begin(), m.end());
}

// The maxima of a forward pass's input block that the product took on the way
// (saved under "xMax"), or else taken now.
std::vector<double> inputMaxima(torch::autograd::AutogradContext* ctx, const torch::Tensor& x2) {
  const auto it = ctx->saved_data.find("xMax");
  if (it != ctx->saved_data.end()) return it->second.toDoubleVector();
  return columnMaxima(x2.data_ptr<float>(), x2.size(0), static_cast<int>(x2.size(1)));
}

// Keeps the input maxima a forward pass's product took, when the backward will need them.
void saveInputMaxima(torch::autograd::AutogradContext* ctx, const std::vector<float>& m) {
  if (!m.empty()) ctx->saved_data["xMax"] = std::vector<double>(m.begin(), m.end());
}

// x·B (+ bias, then ReLU if relu) for x (rows, K) and B (K, N), float32, each
// row computed alone (kernels/Gnp_RowGemm.hpp: BLAS would round a row by how
// many rows it gets).
// xMaxima: null, or x's column maxima (kernels::rowGemm).
torch::Tensor rowProduct(const torch::Tensor& x, const torch::Tensor& B, const torch::Tensor& bias,
                         bool relu = false, float* xMaxima = nullptr) {
  const torch::Tensor xc = x.contiguous(), Bc = B.contiguous();
  torch::Tensor y = torch::empty({xc.size(0), Bc.size(1)}, xc.options());
  kernels::rowGemm(xc.data_ptr<float>(), Bc.data_ptr<float>(), bias.defined() ? bias.data_ptr<float>() : nullptr,
                   y.data_ptr<float>(), xc.size(0), static_cast<int>(Bc.size(0)), static_cast<int>(Bc.size(1)), relu,
                   xMaxima);
  return y;
}


// x as a (rows, features) block.
torch::Tensor rowsOf(const torch::Tensor& x) { return x.reshape({-1, x.size(-1)}).contiguous(); }

// The largest |entry| of each column of each block, over all ranks (one
// all-reduce): the bounds of the exact sums' terms.
std::vector<std::vector<double>> globalColumnMaxima(const Communicator& comm,
                                                    std::vector<std::vector<double>> local) {
  std::vector<double> all;
  for (const auto& m : local) all.insert(all.end(), m.begin(), m.end());
  allReduceMaxInPlace(comm, all.data(), static_cast<int>(all.size()));
  std::size_t offset = 0;
  for (auto& m : local) {
    std::copy(all.begin() + offset, all.begin() + offset + m.size(), m.begin());
    offset += m.size();
  }
  return local;
}

// The parameter gradients of a dense layer y = x Wᵀ + b given g = dL/dy (rows
// x out, contiguous, already through the layer's ReLU) and the global maxima
// of |g| per output and of |x| per input, added as exact sums to `sums`; the
// bias's is also returned. With an undefined bias only the weight's is added.
//
// The custom functions hand autograd no parameter gradient: the float64 sums
// are the gradient (see Float64Gradients), and the trainer writes their
// all-reduced value into .grad(), which autograd would otherwise accumulate
// into for nothing.
torch::Tensor parameterGradients(const torch::Tensor& g, const std::vector<double>& gMax, const torch::Tensor& x,
                                 const std::vector<double>& xMax, const torch::Tensor& weight,
                                 const torch::Tensor& bias, Float64Gradients& sums) {
  const torch::Tensor x2 = rowsOf(x);
  const int out = static_cast<int>(g.size(1)), in = static_cast<int>(x2.size(1));
  // Rows (r, c) of one matrix row r, c the batch's columns, form a group.
  const int group = x.dim() == 3 ? static_cast<int>(x.size(1)) : 1;
  // The exact sums' grids, from bounds on their terms: max|g_o|·max|x_i| for
  // the weight, max|g_o| for the bias.
  std::vector<double> bounds(gMax);
  bounds.insert(bounds.end(), xMax.begin(), xMax.end());
  torch::Tensor gw = torch::empty({out, in}, torch::kFloat64), gb = torch::empty({out}, torch::kFloat64);
  double *w = gw.data_ptr<double>(), *b = gb.data_ptr<double>();
  std::vector<double> origin(static_cast<std::size_t>(out) * in + out);
  const double count = kernels::depositCount(sums.globalRows(), group);
  for (int k = 0; k < out; ++k) {
    for (int i = 0; i < in; ++i)
      origin[k * in + i] = exact::start(kernels::depositBound(bounds[k] * bounds[out + i], group), count);
    origin[static_cast<std::size_t>(out) * in + k] = exact::start(kernels::depositBound(bounds[k], group), count);
  }
  std::copy(origin.begin(), origin.begin() + out * in, w);
  std::copy(origin.begin() + out * in, origin.end(), b);
  kernels::gradientDeposits(g.data_ptr<float>(), x2.data_ptr<float>(), g.size(0), out, in, group, w, b);
  for (int k = 0; k < out * in; ++k) w[k] -= origin[k]; // exact: one binade
  for (int k = 0; k < out; ++k) b[k] -= origin[out * in + k];
  sums.add(weight, gw);
  if (bias.defined()) sums.add(bias, gb);
  return gb;
}

// The backward of a dense layer: its parameter gradients (above) and dL/dx.
torch::Tensor denseBackward(const torch::Tensor& g, const std::vector<double>& gMax, const torch::Tensor& x,
                             const std::vector<double>& xMax, const torch::Tensor& weight, const torch::Tensor& bias,
                             Float64Gradients& sums) {
  parameterGradients(g, gMax, x, xMax, weight, bias, sums);
  return rowProduct(g, weight, torch::Tensor()).view(x.sizes());
}

// y = x Wᵀ + b over the last dimension of x, optionally followed by a ReLU.
class DenseFunction : public torch::autograd::Function<DenseFunction> {
public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias, Float64Gradients* grads,
                               bool relu, bool training) {
    ctx->saved_data["grads"] = c10::make_intrusive<GradientsHolder>(grads);
    std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = weight.size(0);
    std::vector<float> xMax(training ? x.size(-1) : 0);
    torch::Tensor y =
        rowProduct(x.reshape({-1, x.size(-1)}), weight.t(), bias, relu, training ? xMax.data() : nullptr).view(shape);
    saveInputMaxima(ctx, xMax);
    // With the ReLU, its output says where the gradient passes (the next layer
    // keeps the same tensor as its input: no extra memory).
    if (relu) ctx->save_for_backward({x, weight, bias, y});
    else ctx->save_for_backward({x, weight, bias});
    return y;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1], &bias = saved[2];
    const int out = static_cast<int>(weight.size(0));
    torch::Tensor g = grads[0].reshape({-1, out}).contiguous();
    std::vector<double> gMax;
    if (saved.size() == 4) { // through the ReLU, and the maxima in the same pass
      const torch::Tensor y = saved[3].reshape({-1, out}).contiguous();
      torch::Tensor gm = torch::empty_like(g);
      gMax = reluGradientAndMaxima(g.data_ptr<float>(), y.data_ptr<float>(), gm.data_ptr<float>(), g.size(0), out);
      g = gm;
    } else {
      gMax = columnMaxima(g.data_ptr<float>(), g.size(0), out);
    }
    Float64Gradients& sums = *gradientsOf(ctx);
    const torch::Tensor x2 = rowsOf(x);
    const auto bounds = globalColumnMaxima(sums.comm(), {gMax, inputMaxima(ctx, x2)});
    return {denseBackward(g, bounds[0], x, bounds[1], weight, bias, sums), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// A graph layer's convolution plus its skip connection, y = (Â x) Waᵀ + ba +
// x Wcᵀ + bc over the last dimension of x (rows, B, e), Â applied to each of
// the B·e columns: one product pass (kernels::rowGemm2) instead of two
// products and a sum.
//
// Â x is not kept for the backward pass: the convolution's weight gradient
// Σ_i (Â x)_iᵀ g_i equals Σ_j x_jᵀ (Âᵀ g)_j, and Âᵀ g is what the input's
// gradient needs anyway, dL/dx = (Âᵀ g) Wa + g Wc. One sparse product in each
// direction as before, and about a fifth less memory per step (a block of
// the layer's width per layer; docs/performance.md, "Where it stands").
class GraphConvolutionFunction : public torch::autograd::Function<GraphConvolutionFunction> {
public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& wa,
                               const torch::Tensor& ba, const torch::Tensor& wc, const torch::Tensor& bc,
                               const DistributedOperator* A, Float64Gradients* grads, bool training) {
    ctx->saved_data["grads"] = c10::make_intrusive<GradientsHolder>(grads);
    ctx->saved_data["A"] = c10::make_intrusive<OperatorHolder>(A);
    ctx->save_for_backward({x, wa, ba, wc, bc});
    const torch::Tensor x2 = rowsOf(x);
    const torch::Tensor ax = torch::empty_like(x2);
    A->apply(x2.data_ptr<float>(), ax.data_ptr<float>(), static_cast<int>(x.size(1) * x.size(2)), false);
    const torch::Tensor waT = wa.t().contiguous(), wcT = wc.t().contiguous(), bias = (ba + bc).contiguous();
    torch::Tensor y = torch::empty({x2.size(0), wa.size(0)}, x.options());
    std::vector<float> xMax(training ? x2.size(1) : 0);
    kernels::rowGemm2(ax.data_ptr<float>(), waT.data_ptr<float>(), static_cast<int>(ax.size(1)),
                      x2.data_ptr<float>(), wcT.data_ptr<float>(), static_cast<int>(x2.size(1)),
                      bias.data_ptr<float>(), y.data_ptr<float>(), x2.size(0), static_cast<int>(wa.size(0)),
                      training ? xMax.data() : nullptr);
    saveInputMaxima(ctx, xMax);
    return y.view({x.size(0), x.size(1), wa.size(0)});
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &wa = saved[1], &ba = saved[2], &wc = saved[3], &bc = saved[4];
    const auto* A = ctx->saved_data["A"].toCustomClass<OperatorHolder>()->op;
    const int out = static_cast<int>(wa.size(0));
    const torch::Tensor g = grads[0].reshape({-1, out}).contiguous();
    torch::Tensor atg = torch::empty_like(g);
    A->apply(g.data_ptr<float>(), atg.data_ptr<float>(), static_cast<int>(x.size(1)) * out, true);
    Float64Gradients& sums = *gradientsOf(ctx);
    const torch::Tensor x2 = rowsOf(x);
    // The bounds of all sums in one all-reduce.
    const auto bounds = globalColumnMaxima(sums.comm(), {columnMaxima(g.data_ptr<float>(), g.size(0), out),
                                                         columnMaxima(atg.data_ptr<float>(), atg.size(0), out),
                                                         inputMaxima(ctx, x2)});
    // Both biases are added to y as they are: each gets Σ g.
    sums.add(ba, parameterGradients(g, bounds[0], x, bounds[2], wc, bc, sums));
    parameterGradients(atg, bounds[1], x, bounds[2], wa, torch::Tensor(), sums);
    torch::Tensor dx = torch::empty_like(x2);
    const torch::Tensor wac = wa.contiguous(), wcc = wc.contiguous();
    kernels::rowGemm2(atg.data_ptr<float>(), wac.data_ptr<float>(), out, g.data_ptr<float>(), wcc.data_ptr<float>(),
                      out, nullptr, dx.data_ptr<float>(), x2.size(0), static_cast<int>(x2.size(1)));
    return {dx.view(x.sizes()), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor()};
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
  // The largest |g| and |g·x̂| per feature (g the gradient behind the ReLU),
  // computed as sums() computes its terms: the bounds of the exact sums.
  __attribute__((target_clones("avx2", "default"))) static void maxima(int width, const float* x, const float* y, const float* g, std::int64_t rows, const float* m,
                   const float* r, double* maxG, double* maxGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity], mg[capacity], mgx[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr);
    std::fill(mg, mg + F, 0.0f), std::fill(mgx, mgx + F, 0.0f);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f];
        const float gi = yv > 0.0f ? gv : 0.0f;
        mg[f] = std::max(mg[f], std::abs(gi));
        mgx[f] = std::max(mgx[f], std::abs(gi * ((x[i * F + f] - mm[f]) * rr[f])));
      }
    std::copy(mg, mg + F, maxG), std::copy(mgx, mgx + F, maxGxhat);
  }
  // Σg and Σg·x̂ as exact sums (kernels/Gnp_ExactSum.hpp): sumG and sumGxhat
  // come in holding the start values and leave holding start plus sum.
  __attribute__((target_clones("avx2", "default"))) static void sums(int width, const float* x, const float* y, const float* g, std::int64_t rows, const float* m,
                   const float* r, double* sumG, double* sumGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr);
    if constexpr (FixedF > 0 && FixedF % 8 == 0) {
      // Explicit 8-wide vectors (GCC left the loop scalar, and it was ~9% of a step).
      using f8 = float __attribute__((vector_size(32)));
      using exact::Double4;
      constexpr int chunks = FixedF / 8;
      f8 m8[chunks], r8[chunks];
      Double4 accG[chunks][2], accGX[chunks][2];
      std::memcpy(m8, mm, sizeof m8), std::memcpy(r8, rr, sizeof r8);
      std::memcpy(accG, sumG, sizeof accG), std::memcpy(accGX, sumGxhat, sizeof accGX);
      const f8 zero = {};
      for (std::int64_t i = 0; i < rows; ++i)
        for (int c = 0; c < chunks; ++c) {
          f8 gv, yv, xv;
          std::memcpy(&gv, g + i * F + 8 * c, sizeof gv);
          std::memcpy(&yv, y + i * F + 8 * c, sizeof yv);
          std::memcpy(&xv, x + i * F + 8 * c, sizeof xv);
          const f8 gi = yv > zero ? gv : zero;
          const f8 gix = gi * ((xv - m8[c]) * r8[c]);
          exact::deposit(accG[c][0], __builtin_convertvector(__builtin_shufflevector(gi, gi, 0, 1, 2, 3), Double4));
          exact::deposit(accG[c][1], __builtin_convertvector(__builtin_shufflevector(gi, gi, 4, 5, 6, 7), Double4));
          exact::deposit(accGX[c][0], __builtin_convertvector(__builtin_shufflevector(gix, gix, 0, 1, 2, 3), Double4));
          exact::deposit(accGX[c][1], __builtin_convertvector(__builtin_shufflevector(gix, gix, 4, 5, 6, 7), Double4));
        }
      std::memcpy(sumG, accG, sizeof accG), std::memcpy(sumGxhat, accGX, sizeof accGX);
      return;
    }
    // Each row's terms in float32 (the same on any number of ranks), their sums exact.
    double sg[capacity], sgx[capacity];
    std::copy(sumG, sumG + F, sg), std::copy(sumGxhat, sumGxhat + F, sgx);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f];
        const float gi = yv > 0.0f ? gv : 0.0f;
        sg[f] = exact::deposit(sg[f], gi);
        sgx[f] = exact::deposit(sgx[f], gi * ((x[i * F + f] - mm[f]) * rr[f]));
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

// max(0, (x − mean) · rstd · w + b) per feature of a contiguous (rows, F)
// block, in one pass (BatchNormReluKernels::forward); the scale rstd · w is
// taken once per feature, in float32.
torch::Tensor batchNormRelu(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& rstd,
                            const torch::Tensor& weight, const torch::Tensor& bias) {
  const std::int64_t F = x.size(1);
  torch::Tensor y = torch::empty_like(x);
  const std::vector<float> m = values(mean), r = values(rstd), w = values(weight), b = values(bias);
  std::vector<float> scale(F);
  for (std::int64_t f = 0; f < F; ++f) scale[f] = r[f] * w[f];
  GNP_BATCHNORM_KERNEL(F, forward(static_cast<int>(F), x.data_ptr<float>(), y.data_ptr<float>(), x.size(0),
                                  m.data(), scale.data(), b.data()))
  return y;
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
                               const torch::Tensor& rstd, double globalRows, const Communicator* comm,
                               Float64Gradients* grads) {
    const torch::Tensor y = batchNormRelu(x, mean, rstd, weight, bias);
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

    const auto* comm = ctx->saved_data["comm"].toCustomClass<CommHolder>()->comm;
    const double globalRows = ctx->saved_data["rows"].toDouble();
    // Exact sums (kernels/Gnp_ExactSum.hpp): bounds over all ranks, start
    // values, the deposits, then the start values taken off again.
    torch::Tensor sums = torch::empty({2 * F}, torch::kFloat64);
    double *sgx = sums.data_ptr<double>(), *sg = sgx + F;
    GNP_BATCHNORM_KERNEL(F, maxima(static_cast<int>(F), xp, yp, gp, rows, m.data(), r.data(), sg, sgx))
    allReduceMaxInPlace(*comm, sgx, static_cast<int>(2 * F));
    std::vector<double> origin(2 * F);
    for (std::int64_t k = 0; k < 2 * F; ++k) sgx[k] = origin[k] = exact::start(sgx[k], globalRows);
    GNP_BATCHNORM_KERNEL(F, sums(static_cast<int>(F), xp, yp, gp, rows, m.data(), r.data(), sg, sgx))
    for (std::int64_t k = 0; k < 2 * F; ++k) sgx[k] -= origin[k];
    gradientsOf(ctx)->add(weight, sums.narrow(0, 0, F).clone());
    gradientsOf(ctx)->add(bias, sums.narrow(0, F, F).clone());
    allReduceSumInPlace(*comm, sums); // exact: every rank's sums lie on the common grids

    std::vector<float> meanG(F), meanGxhat(F), scale(F);
    for (std::int64_t f = 0; f < F; ++f) {
      meanGxhat[f] = static_cast<float>(sgx[f] / globalRows);
      meanG[f] = static_cast<float>(sg[f] / globalRows);
      scale[f] = w[f] * r[f];
    }
    torch::Tensor gx = torch::empty_like(x);
    GNP_BATCHNORM_KERNEL(F, inputGradient(static_cast<int>(F), xp, yp, gp, gx.data_ptr<float>(), rows, m.data(),
                                          r.data(), scale.data(), meanG.data(), meanGxhat.data()))
    return {gx, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};


} // namespace

void Float64Gradients::add(const torch::Tensor& parameter, const torch::Tensor& grad64) {
  auto [it, inserted] = grads_.emplace(parameter.unsafeGetTensorImpl(), grad64);
  if (!inserted) it->second = it->second + grad64;
}

torch::Tensor Float64Gradients::get(const torch::Tensor& parameter) const {
  const auto it = grads_.find(parameter.unsafeGetTensorImpl());
  return it != grads_.end() ? it->second : torch::zeros(parameter.sizes(), torch::kFloat64);
}

DenseImpl::DenseImpl(int in, int out, Float64Gradients& grads, bool relu) : grads_(&grads), relu_(relu) {
  // torch::nn::Linear's initialisation: U(-1/√in, 1/√in) for weight and bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
}

torch::Tensor DenseImpl::forward(const torch::Tensor& x) {
  return DenseFunction::apply(x, weight, bias, grads_, relu_, is_training());
}

MlpImpl::MlpImpl(int in, int hidden, int out, int linearLayers, bool finalRelu, Float64Gradients& grads) {
  int width = in;
  for (int i = 0; i < linearLayers; ++i) {
    const bool last = i + 1 == linearLayers;
    const int next = last ? out : hidden;
    layers_.push_back(register_module(std::to_string(2 * i), Dense(width, next, grads, !last || finalRelu)));
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
    return batchNormRelu(x.contiguous(), running_mean, torch::rsqrt(running_var + batchNormEps), weight, bias);
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
  return BatchNormReluFunction::apply(xc, weight, bias, mean32,
                                      torch::rsqrt(var64 + batchNormEps).to(torch::kFloat32), globalRows, comm_,
                                      grads_);
}

ResGcnImpl::ResGcnImpl(const Options& options, const DistributedOperator& A)
    : A_(&A), grads_(std::make_unique<Float64Gradients>(A.comm())) {
  const int e = options.embedding;
  encoder_ = register_module("encoder", Mlp(1, options.hidden, e, options.mlpLayers, true, *grads_));
  decoder_ = register_module("decoder", Mlp(e, options.hidden, 1, options.mlpLayers, false, *grads_));
  for (int l = 0; l < options.layers; ++l) {
    const std::string suffix = std::to_string(l);
    convolutions_.push_back(register_module("convolution" + suffix, Dense(e, e, *grads_)));
    skips_.push_back(register_module("skip" + suffix, Dense(e, e, *grads_)));
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
  const torch::Tensor scale =
      torch::sqrt(sumSquares / static_cast<double>(A_->globalRows())).to(torch::kFloat32);
  const torch::Tensor nonzero = scale > 0;
  const torch::Tensor safeScale = torch::where(nonzero, scale, torch::ones_like(scale));

  torch::Tensor x = encoder_->forward((b / safeScale).unsqueeze(-1)); // rows x B x e
  const std::int64_t e = x.size(2);
  for (std::size_t l = 0; l < convolutions_.size(); ++l) {
    // The convolution's and the skip's Dense layers hold the parameters.
    const torch::Tensor pre = GraphConvolutionFunction::apply(x, convolutions_[l]->weight, convolutions_[l]->bias,
                                                              skips_[l]->weight, skips_[l]->bias, A_, grads_.get(),
                                                              is_training());
    x = norms_[l]->forward(pre.view({rows * columns, e}), static_cast<int>(columns), grads_->globalRows())
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
