#include "Gnp_LayerFunctions.hpp"

#include "Gnp_Float64Gradients.hpp"
#include "Gnp_GlobalSums.hpp"
#include "Gnp_SparseProduct.hpp"
#include "kernels/Gnp_BatchNormRelu.hpp"
#include "kernels/Gnp_ChunkedSums.hpp"
#include "kernels/Gnp_ExactSum.hpp"
#include "kernels/Gnp_RowGemm.hpp"

#include <torch/custom_class.h>

#include <cmath>
#include <cstring>

namespace Gnp {
namespace {

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
torch::Tensor rowProduct(const torch::Tensor& x, const torch::Tensor& B, const torch::Tensor& bias, bool relu = false,
                         float* xMaxima = nullptr) {
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
std::vector<std::vector<double>> globalColumnMaxima(const Communicator& comm, std::vector<std::vector<double>> local) {
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
    if (relu)
      ctx->save_for_backward({x, weight, bias, y});
    else
      ctx->save_for_backward({x, weight, bias});
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
      std::vector<float> m(out);
      kernels::reluGradientAndMaxima(g.data_ptr<float>(), y.data_ptr<float>(), gm.data_ptr<float>(), g.size(0), out,
                                     m.data());
      gMax.assign(m.begin(), m.end());
      g = gm;
    } else {
      gMax = columnMaxima(g.data_ptr<float>(), g.size(0), out);
    }
    Float64Gradients& sums = *gradientsOf(ctx);
    const torch::Tensor x2 = rowsOf(x);
    const auto bounds = globalColumnMaxima(sums.comm(), {gMax, inputMaxima(ctx, x2)});
    return {denseBackward(g, bounds[0], x, bounds[1], weight, bias, sums),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor()};
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
    kernels::rowGemm2(ax.data_ptr<float>(), waT.data_ptr<float>(), static_cast<int>(ax.size(1)), x2.data_ptr<float>(),
                      wcT.data_ptr<float>(), static_cast<int>(x2.size(1)), bias.data_ptr<float>(), y.data_ptr<float>(),
                      x2.size(0), static_cast<int>(wa.size(0)), training ? xMax.data() : nullptr);
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
    const auto bounds =
        globalColumnMaxima(sums.comm(), {columnMaxima(g.data_ptr<float>(), g.size(0), out),
                                         columnMaxima(atg.data_ptr<float>(), atg.size(0), out), inputMaxima(ctx, x2)});
    // Both biases are added to y as they are: each gets Σ g.
    sums.add(ba, parameterGradients(g, bounds[0], x, bounds[2], wc, bc, sums));
    parameterGradients(atg, bounds[1], x, bounds[2], wa, torch::Tensor(), sums);
    torch::Tensor dx = torch::empty_like(x2);
    const torch::Tensor wac = wa.contiguous(), wcc = wc.contiguous();
    kernels::rowGemm2(atg.data_ptr<float>(), wac.data_ptr<float>(), out, g.data_ptr<float>(), wcc.data_ptr<float>(),
                      out, nullptr, dx.data_ptr<float>(), x2.size(0), static_cast<int>(x2.size(1)));
    return {dx.view(x.sizes()), torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor(),    torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

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
  kernels::batchNormRelu(x.data_ptr<float>(), y.data_ptr<float>(), x.size(0), static_cast<int>(F), m.data(),
                         scale.data(), b.data());
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
    kernels::batchNormReluMaxima(xp, yp, gp, rows, static_cast<int>(F), m.data(), r.data(), sg, sgx);
    allReduceMaxInPlace(*comm, sgx, static_cast<int>(2 * F));
    std::vector<double> origin(2 * F);
    for (std::int64_t k = 0; k < 2 * F; ++k) sgx[k] = origin[k] = exact::start(sgx[k], globalRows);
    kernels::batchNormReluSums(xp, yp, gp, rows, static_cast<int>(F), m.data(), r.data(), sg, sgx);
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
    kernels::batchNormReluInputGradient(xp, yp, gp, gx.data_ptr<float>(), rows, static_cast<int>(F), m.data(), r.data(),
                                        scale.data(), meanG.data(), meanGxhat.data());
    return {gx,
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor()};
  }
};

} // namespace

torch::Tensor denseLayer(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                         Float64Gradients* grads, bool relu, bool training) {
  return DenseFunction::apply(x, weight, bias, grads, relu, training);
}

torch::Tensor graphConvolution(const torch::Tensor& x, const torch::Tensor& wa, const torch::Tensor& ba,
                               const torch::Tensor& wc, const torch::Tensor& bc, const DistributedOperator* A,
                               Float64Gradients* grads, bool training) {
  return GraphConvolutionFunction::apply(x, wa, ba, wc, bc, A, grads, training);
}

torch::Tensor batchNormReluTraining(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                    const torch::Tensor& mean, const torch::Tensor& rstd, double globalRows,
                                    const Communicator* comm, Float64Gradients* grads) {
  return BatchNormReluFunction::apply(x, weight, bias, mean, rstd, globalRows, comm, grads);
}

torch::Tensor batchNormReluInference(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& rstd,
                                     const torch::Tensor& weight, const torch::Tensor& bias) {
  return batchNormRelu(x, mean, rstd, weight, bias);
}

} // namespace Gnp
