#include "Gnp_Trainer.hpp"

#include "Gnp_Random.hpp"
#include "Gnp_GlobalSums.hpp"
#include "Gnp_ShortSolve.hpp"
#include "Gnp_SparseProduct.hpp"
#include "Gnp_TensorCache.hpp"


#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace Gnp {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double processCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

struct Snapshot {
  std::vector<torch::Tensor> parameters, buffers;
  void take(torch::nn::Module& m) {
    torch::NoGradGuard noGrad;
    parameters.clear();
    for (const auto& p : m.parameters()) parameters.push_back(p.detach().clone());
    buffers.clear();
    for (const auto& b : m.buffers()) buffers.push_back(b.detach().clone());
  }
  void restore(torch::nn::Module& m) const {
    torch::NoGradGuard noGrad;
    auto ps = m.parameters();
    for (std::size_t i = 0; i < ps.size(); ++i) ps[i].copy_(parameters[i]);
    auto bs = m.buffers();
    for (std::size_t i = 0; i < bs.size(); ++i) bs[i].copy_(buffers[i]);
  }
};

// The model's parameters re-pointed at one flat buffer and their gradients at
// another, so that Adam updates one tensor: about ten torch operations a step
// instead of ten per parameter tensor (~640 on the default network): a fixed
// cost per step that weighs on small matrices and small batches (12-21% more
// steps per second on jpwh_991 with a batch of 4, docs/performance.md).
// Adam's arithmetic is elementwise, so each entry is updated as before.
struct FlatParameters {
  torch::Tensor values, gradient;
  explicit FlatParameters(torch::nn::Module& m) {
    torch::NoGradGuard noGrad;
    auto ps = m.parameters();
    std::int64_t total = 0;
    for (const auto& p : ps) total += p.numel();
    values = torch::empty({total}, torch::kFloat32);
    gradient = torch::zeros({total}, torch::kFloat32);
    std::int64_t offset = 0;
    for (auto& p : ps) {
      const std::int64_t n = p.numel();
      values.narrow(0, offset, n).copy_(p.reshape(-1));
      p.set_data(values.narrow(0, offset, n).view(p.sizes()));
      p.mutable_grad() = gradient.narrow(0, offset, n).view(p.sizes());
      offset += n;
    }
    values.mutable_grad() = gradient;
  }
};

// f() with the model in inference mode (running batch-norm statistics, no
// autograd), then back in training mode.
template <class F>
double inInferenceMode(ResGcn& model, F f) {
  torch::NoGradGuard noGrad;
  model->eval();
  const double value = f();
  model->train();
  return value;
}

// P v for v a (localRows, B) float64 block.
torch::Tensor applyBase(const BlockOperator& base, const torch::Tensor& v) {
  const torch::Tensor x = v.to(torch::kFloat64).contiguous();
  torch::Tensor y = torch::empty_like(x);
  base(x.data_ptr<double>(), y.data_ptr<double>(), static_cast<int>(x.size(1)));
  return y;
}

// Â v for v a (localRows, B) float64 block.
torch::Tensor applyMatrix(const DistributedOperator& A, const torch::Tensor& v) {
  return applyBase([&](const double* X, double* Y, int columns) { A.apply(X, Y, columns, false); }, v);
}

} // namespace

Trainer::Trainer(const Options& options, const DistributedOperator& A, torch::Tensor krylovBasis, BlockOperator base)
    : options_(options), A_(&A), krylovBasis_(std::move(krylovBasis)), base_(std::move(base)) {}

double Trainer::baseScore(const torch::Tensor& b) const {
  BlockPreconditioner P;
  if (base_) P = [&](const torch::Tensor& v) { return applyBase(base_, v); };
  return residualArea(shortFlexibleGmres(*A_, b, options_.validationIterations, P));
}

Trainer::Batch Trainer::prepare(torch::Tensor b) const {
  Batch batch;
  const int columns = static_cast<int>(b.size(1));
  batch.shift = base_ ? applyMatrix(*A_, applyBase(base_, b)) - b : -b;
  if (options_.loss == Loss::RelativeL1) {
    // Each column counts the same, whatever its norm (a zero column not at all).
    const torch::Tensor norms = globalColumnSums(A_->comm(), b.abs(), static_cast<double>(A_->globalRows()));
    batch.weights = torch::where(norms > 0, 1.0 / (norms * columns), torch::zeros_like(norms));
  } else if (options_.loss == Loss::Projected) {
    // ‖t‖² per column, t = −shift: the part of b left to the network.
    batch.weights = globalColumnSums(A_->comm(), batch.shift.square(), static_cast<double>(A_->globalRows()));
  }
  // Multiplicative: the network's input is what P leaves of b, t = b − Â P b.
  batch.input = base_ && options_.composition == Composition::Multiplicative ? -batch.shift : std::move(b);
  return batch;
}

Trainer::LossTerms Trainer::evaluate(const torch::Tensor& out, const Batch& batch) const {
  const auto& comm = A_->comm();
  const torch::Tensor product = sparseProduct(*A_, out.to(torch::kFloat64));
  LossTerms terms;
  if (options_.loss == Loss::Projected) {
    // Per column, with t = b − Â P b the part left to the network and u = Â N(b):
    // L = 1 − ⟨u,t⟩² / (‖u‖² ‖t‖²), the squared relative residual after the best
    // multiple of u. The sums are global; the differentiable term below has the
    // same gradient as L with them held fixed, so summing gradients over ranks
    // gives L's gradient.
    const torch::Tensor t = -batch.shift;
    const torch::Tensor pq = torch::cat({product * t, product.square()}, 1);
    const torch::Tensor p = pq.narrow(1, 0, t.size(1)).sum(0), q = pq.narrow(1, t.size(1), t.size(1)).sum(0);
    const torch::Tensor sums = globalColumnSums(comm, pq, static_cast<double>(A_->globalRows()));
    const std::int64_t B = t.size(1);
    const torch::Tensor P = sums.narrow(0, 0, B), Q = sums.narrow(0, B, B), T2 = batch.weights;
    const torch::Tensor valid = (Q > 0) & (T2 > 0);
    const torch::Tensor safeQ = torch::where(valid, Q, torch::ones_like(Q));
    const torch::Tensor safeT2 = torch::where(valid, T2, torch::ones_like(T2));
    const torch::Tensor cosine2 = torch::where(valid, P.square() / (safeQ * safeT2), torch::zeros_like(P));
    terms.value = (1.0 - cosine2).mean().item<double>();
    const torch::Tensor c1 = torch::where(valid, -2.0 * P / (safeQ * safeT2), torch::zeros_like(P));
    const torch::Tensor c2 = torch::where(valid, P.square() / (safeQ.square() * safeT2), torch::zeros_like(P));
    terms.differentiable = (p * c1 + q * c2).sum() / static_cast<double>(B);
    return terms;
  }
  const torch::Tensor magnitude = (product + batch.shift).abs();
  const double rows = static_cast<double>(A_->globalRows());
  // The value from exact column sums (the same on any number of ranks: it picks
  // the best step); the differentiable term's value is this rank's share.
  const torch::Tensor columnSums = globalColumnSums(comm, magnitude, rows);
  if (!batch.weights.defined()) { // the paper's L1: one mean over all n·B entries
    terms.differentiable = magnitude.sum() / (rows * batch.input.size(1));
    terms.value = columnSums.sum().item<double>() / (rows * batch.input.size(1));
  } else {
    terms.differentiable = (magnitude * batch.weights).sum();
    terms.value = (columnSums * batch.weights).sum().item<double>();
  }
  return terms;
}

double Trainer::inferenceLoss(ResGcn& model, const Batch& batch) const {
  return inInferenceMode(model, [&] { return evaluate(model->forward(batch.input.to(torch::kFloat32)), batch).value; });
}

torch::Tensor Trainer::validationRightHandSide() const {
  const std::int64_t rows = A_->localRows();
  const auto& gids = A_->globalRowIndices();
  torch::Tensor x = torch::empty({rows, 1}, torch::kFloat64), b = torch::empty({rows, 1}, torch::kFloat64);
  auto xa = x.accessor<double, 2>();
  // Column index −1: no training batch's Gaussian column draws these numbers.
  for (std::int64_t i = 0; i < rows; ++i)
    xa[i][0] = gaussian(options_.seed, GaussianSampleStream, validationKey, gids[i], ~std::uint64_t(0));
  A_->apply(x.data_ptr<double>(), b.data_ptr<double>(), 1, false);
  return b;
}

double Trainer::validationSolveScore(ResGcn* model, const torch::Tensor& b) const {
  if (!model) return residualArea(shortFlexibleGmres(*A_, b, options_.validationIterations));
  const BlockPreconditioner M = [&](const torch::Tensor& v) {
    return preconditionerOutput(*model, *A_, base_, options_.composition, v);
  };
  return inInferenceMode(*model,
                         [&] { return residualArea(shortFlexibleGmres(*A_, b, options_.validationIterations, M)); });
}

torch::Tensor Trainer::sampleBatch(std::uint64_t step) const {
  const std::int64_t rows = A_->localRows();
  const int batch = options_.batchSize;
  const int basisColumns = static_cast<int>(krylovBasis_.size(1));
  const int krylov = basisColumns > 0 ? std::min(options_.krylovSamples, batch) : 0;

  torch::Tensor x = torch::empty({rows, batch}, torch::kFloat64);
  auto xa = x.accessor<double, 2>();
  if (krylov > 0) {
    // The coefficients e are the same on every rank (keyed by basis index).
    torch::Tensor e = torch::empty({basisColumns, krylov}, torch::kFloat64);
    auto ea = e.accessor<double, 2>();
    for (int j = 0; j < basisColumns; ++j)
      for (int c = 0; c < krylov; ++c)
        ea[j][c] = gaussian(options_.seed, KrylovCoefficientStream, step, j, c);
    // Row by row, in a fixed order (a BLAS product's rounding may depend on
    // how many rows it is given, and so on the number of ranks).
    const auto qa = krylovBasis_.accessor<double, 2>();
    for (std::int64_t i = 0; i < rows; ++i)
      for (int c = 0; c < krylov; ++c) {
        double sum = 0.0;
        for (int j = 0; j < basisColumns; ++j) sum += qa[i][j] * ea[j][c];
        xa[i][c] = sum;
      }
  }
  const auto& gids = A_->globalRowIndices();
  for (std::int64_t i = 0; i < rows; ++i)
    for (int c = krylov; c < batch; ++c)
      xa[i][c] = gaussian(options_.seed, GaussianSampleStream, step, gids[i], c);

  torch::Tensor b = torch::empty_like(x);
  A_->apply(x.data_ptr<double>(), b.data_ptr<double>(), batch, false);
  return b;
}

void Trainer::allReduceGradients(ResGcn& model) const {
  // Sum the float64 gradients over ranks, then round to float32 once (see
  // Float64Gradients): the same float32 gradient on any number of ranks.
  std::vector<torch::Tensor> grads;
  for (const auto& p : model->parameters()) grads.push_back(model->float64Gradients().get(p).reshape(-1));
  torch::Tensor flat = torch::cat(grads);
  allReduceSumInPlace(A_->comm(), flat);
  std::int64_t offset = 0;
  for (auto& p : model->parameters()) {
    const std::int64_t n = p.numel();
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    p.mutable_grad().copy_(flat.narrow(0, offset, n).view_as(p));
    offset += n;
  }
}

double Trainer::lossAndGradient(ResGcn& model, std::uint64_t step) const {
  return lossAndGradient(model, prepare(sampleBatch(step)));
}

double Trainer::lossAndGradient(ResGcn& model, const Batch& batch) const {
  model->float64Gradients().clear();
  const torch::Tensor out = model->forward(batch.input.to(torch::kFloat32));
  const LossTerms terms = evaluate(out, batch);
  terms.differentiable.backward();
  allReduceGradients(model);
  return terms.value;
}

TrainingReport Trainer::train(ResGcn& model) {
  const auto& comm = A_->comm();
  const bool root = comm.rank() == 0;
  const TensorCache cache; // every step reuses the first step's blocks
  FlatParameters flat(*model);
  torch::optim::Adam adam({flat.values}, torch::optim::AdamOptions(options_.learningRate));
  const bool byValidation = options_.selection != Selection::TrainingLoss;
  const bool bySolve = options_.selection == Selection::ValidationSolve;
  Batch validation;
  torch::Tensor validationB;
  if (options_.selection == Selection::ValidationLoss) validation = prepare(sampleBatch(validationKey));

  TrainingReport report;
  if (bySolve) {
    validationB = validationRightHandSide();
    report.validationUnpreconditioned = validationSolveScore(nullptr, validationB);
  }
  Snapshot best;
  const auto start = Clock::now();
  losses_.clear();
  model->train();
  double lastElapsed = 0.0, lastCpu = processCpuSeconds();
  for (int step = 0; step < options_.steps; ++step) {
    const double globalLoss = lossAndGradient(model, static_cast<std::uint64_t>(step));
    losses_.push_back(globalLoss);
    if (!std::isfinite(globalLoss)) {
      report.reason = StopReason::Diverged;
      std::ostringstream msg;
      msg << "GNP training diverged at step " << step << " (loss " << globalLoss << ")";
      report.message = msg.str();
      break;
    }
    if (step == 0) report.firstLoss = globalLoss;
    // The loss was computed with the parameters before this step's update and
    // the batch-norm statistics after this forward pass: keep exactly those
    // (the validation loss is measured with the same ones).
    // Every rank must stop at the same step: the slowest clock decides. Checked
    // before judging, so that the step at which the time budget ends is judged too.
    double elapsed = secondsSince(start), slowest = 0.0;
    comm.maxAll(&elapsed, &slowest, 1);
    const double cpu = processCpuSeconds();
    report.stepSeconds.push_back(slowest - lastElapsed);
    report.stepCpuSeconds.push_back(cpu - lastCpu);
    lastElapsed = slowest;
    lastCpu = cpu;
    const bool outOfTime = options_.maxSeconds > 0.0 && slowest >= options_.maxSeconds;
    const bool judged =
        !byValidation || step % options_.validationEvery == 0 || step + 1 == options_.steps || outOfTime;
    if (judged) {
      if (byValidation) ++report.validations;
      const double candidate = bySolve        ? validationSolveScore(&model, validationB)
                               : byValidation ? inferenceLoss(model, validation)
                                              : globalLoss;
      if (std::isfinite(candidate) && (report.bestStep < 0 || candidate < report.bestScore)) {
        report.bestScore = candidate;
        report.bestStep = step;
        best.take(*model);
      }
    }
    for (auto& group : adam.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(learningRateAt(options_, step));
    adam.step();
    report.stepsRun = step + 1;

    const bool last = report.stepsRun == options_.steps || outOfTime;
    if (root && options_.printEvery > 0 && (report.stepsRun % options_.printEvery == 0 || last)) {
      const double rate = report.stepsRun / std::max(slowest, 1e-9);
      double eta = (options_.steps - report.stepsRun) / rate;
      if (options_.maxSeconds > 0.0) eta = std::min(eta, std::max(0.0, options_.maxSeconds - slowest));
      std::printf("gnp: step %5d/%d  loss %.4e  best %.4e (step %d)  %.2f steps/s  ETA %.0f s\n",
                  report.stepsRun, options_.steps, globalLoss, report.bestScore, report.bestStep,
                  rate, eta);
      std::fflush(stdout);
    }
    if (outOfTime) {
      report.reason = StopReason::Time;
      break;
    }
  }
  report.seconds = secondsSince(start);
  if (report.bestStep >= 0) best.restore(*model);
  model->eval();
  if (report.reason == StopReason::Diverged && root && options_.printEvery > 0)
    std::printf("gnp: %s; using the best step %d (loss %.4e)\n", report.message.c_str(),
                report.bestStep, report.bestScore);
  if (bySolve && root && options_.printEvery > 0)
    std::printf("gnp: validation solve (sum of log10 relative residuals over %d FGMRES iterations): %.2f with the "
                "kept step %d, %.2f without a preconditioner%s\n",
                options_.validationIterations, report.bestScore, report.bestStep, report.validationUnpreconditioned,
                report.bestScore < report.validationUnpreconditioned ? "" : " (GNP does not help on it)");
  return report;
}

torch::Tensor preconditionerOutput(ResGcn& model, const DistributedOperator& A, const BlockOperator& base,
                                   Composition composition, const torch::Tensor& v) {
  if (!base) return model->forward(v.to(torch::kFloat32)).to(torch::kFloat64);
  const torch::Tensor p = applyBase(base, v);
  const torch::Tensor input = composition == Composition::Multiplicative ? v - applyMatrix(A, p) : v;
  return model->forward(input.to(torch::kFloat32)).to(torch::kFloat64) + p;
}

} // namespace Gnp
