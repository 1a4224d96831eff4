#include "Gnp_Network.hpp"

#include "Gnp_Composition.hpp"
#include "Gnp_Trainer.hpp"
#include "Gnp_ValidationSolve.hpp"

#include <malloc.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <stdexcept>

namespace Gnp {

struct Network::Impl {
  Options options;
  std::shared_ptr<const DistributedOperator> A;
  ResGcn model{nullptr};
  std::vector<double> losses;
  BlockOperator base; ///< P of M₁ = P + N, or empty (no base preconditioner)
  CoarseSpace coarse; ///< around M₁, or empty
  bool networkUsed = true;
};

namespace {

// A (rows, columns) float64 copy of a column-major block with leading dimension ld.
torch::Tensor fromColumnMajor(const double* X, std::int64_t rows, int columns, std::size_t ld) {
  if (columns == 0 || rows == 0) return torch::zeros({rows, columns}, torch::kFloat64);
  return torch::from_blob(const_cast<double*>(X), {rows, columns}, {1, static_cast<std::int64_t>(ld)}, torch::kFloat64)
      .contiguous();
}

// The process settings GNP needs, made once per process when the first network
// is built, not by every construction (the user guide's "What GNP sets for the
// process" says which, and a later change by the application stands):
// - one LibTorch thread: the MPI ranks are the parallelism;
// - glibc serves every allocation from its heap and keeps freed memory there.
//   Training's large blocks go through TensorCache, but an apply's do not, and
//   handing them to mmap/munmap each time made a 16-column apply 5x slower
//   (convdiff128, 2 ranks; docs/performance.md).
void setProcessOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    torch::set_num_threads(1);
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    mallopt(M_TOP_PAD, 64 << 20);
  });
}

} // namespace

Network::Network(const Options& options, std::shared_ptr<const DistributedOperator> A)
    : impl_(std::make_unique<Impl>()) {
  setProcessOnce();
  impl_->options = options;
  impl_->A = std::move(A);
  torch::manual_seed(options.seed);
  impl_->model = ResGcn(options, *impl_->A);
  broadcastFromRoot(*impl_->model, impl_->A->comm());
  impl_->model->eval();
}

Network::~Network() = default;

void Network::setBase(BlockOperator base) {
  impl_->base = std::move(base);
  // M starts as P itself, not P plus the untrained network's near-constant
  // output: the validation solve can then keep P alone when training does not help.
  if (impl_->base) impl_->model->zeroOutput();
}

void Network::setCoarseSpace(const double* Z, std::size_t ldz, const double* W, std::size_t ldw, int k) {
  if (k == 0) {
    impl_->coarse = CoarseSpace();
    return;
  }
  const std::int64_t rows = impl_->A->localRows();
  impl_->coarse =
      CoarseSpace(*impl_->A, fromColumnMajor(Z, rows, k, ldz), fromColumnMajor(W, rows, k, ldw), impl_->options.coarse);
}

int Network::coarseDimension() const { return impl_->coarse.dimension(); }

void Network::setNetworkUsed(bool used) { impl_->networkUsed = used; }

bool Network::networkUsed() const { return impl_->networkUsed; }

std::vector<double> Network::baseResiduals(const BlockOperator& base) const {
  return ValidationSolve(impl_->options, *impl_->A, base).baseResiduals();
}

TrainingReport Network::train(const double* krylovBasis, std::size_t ld, int columns, TrainingMonitor* monitor,
                              int steps) {
  const torch::Tensor basis = fromColumnMajor(krylovBasis, impl_->A->localRows(), columns, ld);
  Options options = impl_->options;
  if (steps > 0) options.steps = steps;
  Trainer trainer(options, *impl_->A, basis, impl_->base, impl_->coarse);
  TrainingReport report = trainer.train(impl_->model, monitor);
  if (report.coarseDimension == 0) impl_->coarse = CoarseSpace();
  impl_->networkUsed = report.networkUsed;
  impl_->losses = trainer.lossHistory();
  if (report.bestStep < 0 && report.reason != StopReason::BaseConverged)
    throw std::runtime_error(report.message +
                             " before any finite loss; lower \"gnp: learning rate\" or check "
                             "the matrix for extreme values");
  return report;
}

void Network::apply(const double* X, std::size_t ldx, double* Y, std::size_t ldy, int columns) const {
  const std::int64_t rows = impl_->A->localRows();
  torch::InferenceMode inference;
  // Tpetra's column-major block (a host pointer from Gnp_HostBridge.hpp) becomes a
  // (rows, columns) float32 tensor: the one float64 -> float32 conversion of the apply.
  const torch::Tensor x64 =
      torch::from_blob(const_cast<double*>(X), {rows, columns}, {1, static_cast<std::int64_t>(ldx)}, torch::kFloat64);
  ResGcn none{nullptr};
  ResGcn& model = impl_->networkUsed ? impl_->model : none;
  const torch::Tensor y =
      preconditionerOutput(model, *impl_->A, impl_->base, impl_->options.composition, impl_->coarse, x64).contiguous();
  const auto ya = y.accessor<double, 2>();
  for (int c = 0; c < columns; ++c)
    for (std::int64_t i = 0; i < rows; ++i) Y[c * ldy + i] = ya[i][c];
}

std::vector<NamedTensor> Network::state() const { return namedTensors(*impl_->model); }

void Network::setState(const std::vector<NamedTensor>& tensors) {
  torch::NoGradGuard noGrad;
  auto state = namedState(*impl_->model);
  if (tensors.size() != state.size())
    throw std::invalid_argument("the saved network has " + std::to_string(tensors.size()) +
                                " tensors but this network has " + std::to_string(state.size()) +
                                "; the architectures differ");
  for (auto& [name, tensor] : state) {
    const auto it = std::find_if(tensors.begin(), tensors.end(), [&](const NamedTensor& t) { return t.name == name; });
    if (it == tensors.end())
      throw std::invalid_argument("the saved network has no tensor '" + name + "'; the architectures differ");
    if (it->shape != tensor.sizes().vec())
      throw std::invalid_argument("the saved tensor '" + name + "' has a different shape; the architectures differ");
    tensor.copy_(torch::from_blob(const_cast<float*>(it->values.data()), it->shape, torch::kFloat32));
  }
}

const std::vector<double>& Network::lossHistory() const { return impl_->losses; }

std::int64_t Network::parameterCount() const { return impl_->model->parameterCount(); }

} // namespace Gnp
