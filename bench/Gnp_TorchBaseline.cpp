#include "Gnp_TorchBaseline.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <stdexcept>
#include <string>

namespace Gnp {
namespace Bench {
namespace {

constexpr int kBatch = 16, kEmbedding = 16, kHidden = 32, kLayers = 8;

double cpuNow() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

template <class F>
Timing timeMedian(int repetitions, F f) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < repetitions; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpuNow();
    f();
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(cpuNow() - c0);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

torch::nn::Sequential mlp(int in, int out, bool lastRelu) {
  torch::nn::Sequential s(torch::nn::Linear(in, kHidden), torch::nn::ReLU(), torch::nn::Linear(kHidden, kHidden),
                          torch::nn::ReLU(), torch::nn::Linear(kHidden, kHidden), torch::nn::ReLU(),
                          torch::nn::Linear(kHidden, out));
  if (lastRelu) s->push_back(torch::nn::ReLU());
  return s;
}

struct ResGconvImpl : torch::nn::Module {
  ResGconvImpl()
      : W(register_module("W", torch::nn::Linear(kEmbedding, kEmbedding))),
        U(register_module("U", torch::nn::Linear(kEmbedding, kEmbedding))),
        bn(register_module("bn", torch::nn::BatchNorm1d(kEmbedding))) {}
  // x: (n·B, 16), rows node-major; Â acts on the (n, B·16) view.
  torch::Tensor forward(const torch::Tensor& A, const torch::Tensor& x, std::int64_t n) {
    const auto ax = torch::mm(A, x.view({n, -1})).view({-1, kEmbedding});
    return torch::relu(bn(W(ax) + U(x)));
  }
  torch::nn::Linear W, U;
  torch::nn::BatchNorm1d bn;
};
TORCH_MODULE(ResGconv);

struct NetworkImpl : torch::nn::Module {
  NetworkImpl()
      : encoder(register_module("encoder", mlp(1, kEmbedding, true))),
        decoder(register_module("decoder", mlp(kEmbedding, 1, false))) {
    for (int l = 0; l < kLayers; ++l) layers.push_back(register_module("layer" + std::to_string(l), ResGconv()));
  }
  // r: (n, B). The scale-equivariant network of docs/method.md section 2.
  torch::Tensor forward(const torch::Tensor& A, const torch::Tensor& r) {
    const std::int64_t n = r.size(0), B = r.size(1);
    const auto scale = (r.norm(2, 0, true) / std::sqrt(static_cast<double>(n))).clamp_min(1e-30);
    auto x = encoder->forward((r / scale).reshape({n * B, 1}));
    for (auto& layer : layers) x = layer->forward(A, x, n);
    return decoder->forward(x).view({n, B}) * scale;
  }
  torch::nn::Sequential encoder, decoder;
  std::vector<ResGconv> layers;
};
TORCH_MODULE(Network);

// Â as a coalesced sparse COO tensor (float32).
torch::Tensor sparseMatrix(const CsrMatrix& csr) {
  const std::int64_t n = csr.rows, nnz = static_cast<std::int64_t>(csr.values.size());
  auto rows = torch::empty({nnz}, torch::kLong), cols = torch::empty({nnz}, torch::kLong);
  std::int64_t* row = rows.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) std::fill(row + csr.rowPtr[i], row + csr.rowPtr[i + 1], i);
  std::copy(csr.colInd.begin(), csr.colInd.end(), cols.data_ptr<std::int64_t>());
  const auto values = torch::from_blob(const_cast<float*>(csr.values.data()), {nnz}, torch::kFloat32).clone();
  return torch::sparse_coo_tensor(torch::stack({rows, cols}), values, {n, n}).coalesce();
}

// The package's name of the baseline's parameter or buffer `name`: the MLPs'
// names are the same, a graph layer's "layerL.W" / "layerL.U" / "layerL.bn" are
// the package's "convolutionL" / "skipL" / "normL".
std::string packageName(const std::string& name) {
  const std::string prefix = "layer";
  if (name.compare(0, prefix.size(), prefix) != 0) return name;
  const auto dot = name.find('.'), second = name.find('.', dot + 1);
  const std::string layer = name.substr(prefix.size(), dot - prefix.size()),
                    part = name.substr(dot + 1, second - dot - 1);
  const std::string rest = name.substr(second);
  if (part == "W") return "convolution" + layer + rest;
  if (part == "U") return "skip" + layer + rest;
  if (part == "bn") return "norm" + layer + rest;
  throw std::logic_error("baseline: no package name for " + name);
}

void loadState(torch::nn::Module& net, const std::vector<NamedTensor>& state) {
  torch::NoGradGuard noGrad;
  auto copy = [&](const std::string& name, torch::Tensor& target) {
    const std::string wanted = packageName(name);
    const auto it = std::find_if(state.begin(), state.end(), [&](const NamedTensor& t) { return t.name == wanted; });
    if (it == state.end()) throw std::invalid_argument("baseline: the package's state has no tensor " + wanted);
    if (it->shape != target.sizes().vec())
      throw std::invalid_argument("baseline: the package's tensor " + wanted + " has another shape");
    target.copy_(torch::from_blob(const_cast<float*>(it->values.data()), it->shape, torch::kFloat32));
  };
  for (auto& item : net.named_parameters()) copy(item.key(), item.value());
  for (auto& item : net.named_buffers())
    if (item.key().find("num_batches_tracked") == std::string::npos) copy(item.key(), item.value());
}

// The baseline's L1 loss mean |Â M(b) − b| on right-hand sides b (n x 16,
// row-major float64, rounded to float32 first as the package rounds them).
torch::Tensor l1Loss(Network& net, const torch::Tensor& A, const std::vector<double>& b64, std::int64_t rows,
                     torch::ScalarType type) {
  if (static_cast<std::int64_t>(b64.size()) != rows * kBatch)
    throw std::invalid_argument("baseline: a batch of right-hand sides must have n x 16 entries");
  const auto b =
      torch::from_blob(const_cast<double*>(b64.data()), {rows, kBatch}, torch::kFloat64).to(torch::kFloat32).to(type);
  return (torch::mm(A, net->forward(A, b)) - b).abs().mean();
}

} // namespace

std::vector<NamedTensor> baselineGradients(const CsrMatrix& csr, const std::vector<NamedTensor>& initial,
                                           const std::vector<double>& rightHandSides, bool float64) {
  const auto type = float64 ? torch::kFloat64 : torch::kFloat32;
  const auto A = sparseMatrix(csr).to(type);
  Network net;
  loadState(*net, initial);
  net->to(type);
  net->train();
  l1Loss(net, A, rightHandSides, csr.rows, type).backward();
  std::vector<NamedTensor> out;
  for (const auto& item : net->named_parameters()) {
    const torch::Tensor g = item.value().grad().to(torch::kFloat32).contiguous();
    NamedTensor t{packageName(item.key()), g.sizes().vec(), {}};
    t.values.assign(g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<double> baselineTrainingLosses(const CsrMatrix& csr, const std::vector<NamedTensor>& initial,
                                           double learningRate, int steps,
                                           const std::function<std::vector<double>(int)>& rightHandSides,
                                           bool float64) {
  const auto type = float64 ? torch::kFloat64 : torch::kFloat32;
  const auto A = sparseMatrix(csr).to(type);
  Network net;
  loadState(*net, initial);
  net->to(type);
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(learningRate));
  net->train();
  std::vector<double> losses;
  for (int step = 0; step < steps; ++step) {
    adam.zero_grad();
    const auto loss = l1Loss(net, A, rightHandSides(step), csr.rows, type);
    losses.push_back(loss.item<double>());
    loss.backward();
    adam.step();
  }
  return losses;
}

BaselineTimings timeTorchBaseline(const CsrMatrix& csr, int steps, int applies) {
  torch::manual_seed(0);
  const std::int64_t n = csr.rows;
  const auto A = sparseMatrix(csr);
  Network net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  BaselineTimings t;
  net->train();
  t.step = timeMedian(steps, [&] {
    const auto x = torch::randn({n, kBatch});
    const auto b = torch::mm(A, x);
    adam.zero_grad();
    const auto loss = (torch::mm(A, net->forward(A, b)) - b).abs().mean();
    loss.backward();
    adam.step();
  });
  net->eval();
  torch::NoGradGuard noGrad;
  const auto r1 = torch::randn({n, 1}), r16 = torch::randn({n, kBatch});
  t.apply1 = timeMedian(applies, [&] { net->forward(A, r1); });
  t.apply16 = timeMedian(std::max(1, applies / 4), [&] { net->forward(A, r16); });
  return t;
}

double sgemmGflops() {
  const int m = 2048;
  const auto a = torch::randn({m, m}), b = torch::randn({m, m});
  torch::mm(a, b); // warm up
  const Timing t = timeMedian(5, [&] { torch::mm(a, b); });
  return 2.0 * m * m * m / t.cpu / 1e9;
}

double trainingStepFlops(std::int64_t rows, std::int64_t entries, int batch) {
  const double mlp = 2.0 * (1 * 32 + 32 * 32 + 32 * 32 + 32 * 16) + 2.0 * (16 * 32 + 32 * 32 + 32 * 32 + 32 * 1);
  const double gconv = kLayers * 2.0 * (2.0 * kEmbedding * kEmbedding);
  const double dense = static_cast<double>(rows) * batch * (mlp + gconv);
  const double sparse = kLayers * 2.0 * static_cast<double>(entries) * kEmbedding * batch;
  return 3.0 * (dense + sparse); // backward ≈ twice the forward
}

} // namespace Bench
} // namespace Gnp
