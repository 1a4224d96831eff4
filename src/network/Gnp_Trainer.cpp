#include "Gnp_Trainer.hpp"

#include "Gnp_BestStepKeeper.hpp"
#include "Gnp_Composition.hpp"
#include "Gnp_GlobalSums.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_SparseProduct.hpp"
#include "Gnp_StepClock.hpp"
#include "Gnp_ShortSolve.hpp"
#include "Gnp_TensorCache.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

namespace Gnp {
namespace {

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

} // namespace

Trainer::Trainer(const Options& options, const DistributedOperator& A, torch::Tensor krylovBasis, BlockOperator base,
                 CoarseSpace coarse)
    : options_(options),
      A_(&A),
      krylovBasis_(std::move(krylovBasis)),
      base_(base),
      inLoss_(options.coarseInTraining ? coarse : CoarseSpace()),
      validation_(options, A, std::move(base), std::move(coarse)) {
  options_.maxSeconds = trainingSeconds(options, A.globalRows(), A.comm().size());
}

Trainer::Batch Trainer::prepare(torch::Tensor b) const {
  Batch batch;
  if (inLoss_.where() == Coarse::First) b = inLoss_.deflate(b);
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
  if (inLoss_.where() == Coarse::Last) return evaluateDeflated(product, batch);
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

Trainer::LossTerms Trainer::evaluateDeflated(const torch::Tensor& product, const Batch& batch) const {
  // L = Σ_j w_j ‖(I − W Wᵀ) R_j‖₁, R = Â·out + shift. Its value from exact
  // sums; the differentiable term ⟨Â·out, (I − W Wᵀ) G⟩, G = sign((I − W Wᵀ) R)·w
  // held fixed, has L's gradient once summed over ranks (the projector is symmetric).
  const double rows = static_cast<double>(A_->globalRows());
  const std::int64_t B = product.size(1);
  const torch::Tensor weights =
      batch.weights.defined() ? batch.weights : torch::full({B}, 1.0 / (rows * B), torch::kFloat64);
  const torch::Tensor deflated = inLoss_.deflate(product.detach() + batch.shift);
  LossTerms terms;
  terms.value = (globalColumnSums(A_->comm(), deflated.abs(), rows) * weights).sum().item<double>();
  terms.differentiable = (product * inLoss_.deflate(deflated.sign() * weights)).sum();
  return terms;
}

void Trainer::judgeCoarseSpace(ResGcn& model, const ValidationSolve& oneLevel, TrainingReport& report) const {
  report.coarseDimension = validation_.coarseDimension();
  if (report.coarseDimension == 0 || options_.selection != Selection::ValidationSolve) return;
  report.scoreWithCoarse = report.bestScore;
  report.scoreWithoutCoarse = oneLevel.score(model);
  if (!(report.scoreWithCoarse <= report.scoreWithoutCoarse)) {
    report.coarseDimension = 0;
    report.bestScore = report.scoreWithoutCoarse;
  }
}

bool Trainer::baseConverges(const std::vector<double>& withoutNetwork, TrainingReport& report) const {
  if (options_.baseConvergedTolerance <= 0.0) return false;
  if (withoutNetwork.empty() || !(withoutNetwork.back() <= options_.baseConvergedTolerance)) return false;
  report.reason = StopReason::BaseConverged;
  report.networkUsed = false;
  report.scoreWithoutNetwork = report.bestScore = residualArea(withoutNetwork);
  report.coarseDimension = validation_.coarseDimension();
  return true;
}

void Trainer::judgeNetwork(double scoreWithoutNetwork, TrainingReport& report) const {
  if (options_.selection != Selection::ValidationSolve || report.bestStep < 0) return;
  report.scoreWithoutNetwork = scoreWithoutNetwork;
  report.networkUsed = report.bestScore < report.scoreWithoutNetwork;
}

double Trainer::inferenceLoss(ResGcn& model, const Batch& batch) const {
  return inInferenceMode(model, [&] { return evaluate(model->forward(batch.input.to(torch::kFloat32)), batch).value; });
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
      for (int c = 0; c < krylov; ++c) ea[j][c] = gaussian(options_.seed, KrylovCoefficientStream, step, j, c);
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
    for (int c = krylov; c < batch; ++c) xa[i][c] = gaussian(options_.seed, GaussianSampleStream, step, gids[i], c);

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

torch::Tensor Trainer::leftAfterStationarySteps(ResGcn& model, torch::Tensor b) const {
  if (options_.stationarySteps <= 1) return b;
  const auto norms = [&](const torch::Tensor& v) {
    return globalColumnSums(A_->comm(), v.square(), static_cast<double>(A_->globalRows())).sqrt();
  };
  const torch::Tensor bNorms = norms(b);
  {
    torch::NoGradGuard noGrad;
    model->eval();
    for (int k = 1; k < options_.stationarySteps; ++k)
      b = b - applyMatrix(*A_, preconditionerOutput(model, *A_, base_, options_.composition, inLoss_, b));
    model->train();
  }
  const torch::Tensor left = norms(b);
  return b * torch::where(left > 0, bNorms / left, torch::zeros_like(left));
}

double Trainer::lossAndGradient(ResGcn& model, std::uint64_t step) const {
  return lossAndGradient(model, prepare(leftAfterStationarySteps(model, sampleBatch(step))));
}

double Trainer::lossAndGradient(ResGcn& model, const Batch& batch) const {
  model->float64Gradients().clear();
  const torch::Tensor out = model->forward(batch.input.to(torch::kFloat32));
  const LossTerms terms = evaluate(out, batch);
  terms.differentiable.backward();
  allReduceGradients(model);
  return terms.value;
}

TrainingReport Trainer::train(ResGcn& model, TrainingMonitor* monitor) {
  const TensorCache cache; // every step reuses the first step's blocks
  FlatParameters flat(*model);
  torch::optim::Adam adam({flat.values}, torch::optim::AdamOptions(options_.learningRate));
  const bool byValidation = options_.selection != Selection::TrainingLoss;
  const bool bySolve = options_.selection == Selection::ValidationSolve;
  Batch validationBatch;
  if (options_.selection == Selection::ValidationLoss) validationBatch = prepare(sampleBatch(ValidationSolve::key));

  TrainingReport report;
  std::vector<double> withoutNetwork; // M without the network in the validation solve: solved once
  if (bySolve) {
    report.validationUnpreconditioned = validation_.unpreconditionedScore();
    withoutNetwork = validation_.residualsWithoutNetwork();
    // Without a coarse space, M without the network is the base alone.
    if (base_)
      report.validationBase =
          validation_.coarseDimension() == 0 ? residualArea(withoutNetwork) : validation_.baseScore();
    if (baseConverges(withoutNetwork, report)) {
      model->eval();
      if (monitor) monitor->finished(options_, report);
      return report;
    }
  }
  BestStepKeeper best;
  int validationsSinceBest = 0;
  int validationsToBest = 0; // how many it took to find the kept step
  StepClock clock(A_->comm(), options_.maxSeconds);
  losses_.clear();
  model->train();
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
    // (the validation loss is measured with the same ones). The clock is read
    // before judging, so that the step at which the time budget ends is judged too.
    StepProgress progress;
    progress.elapsed = clock.endStep();
    const bool outOfTime = clock.outOfTime();
    progress.judged = !byValidation || step % options_.validationEvery == 0 || step + 1 == options_.steps || outOfTime;
    if (progress.judged) {
      if (byValidation) ++report.validations;
      progress.score = bySolve        ? validation_.score(model)
                       : byValidation ? inferenceLoss(model, validationBatch)
                                      : globalLoss;
      if (best.offer(step, progress.score, *model)) {
        validationsSinceBest = 0;
        validationsToBest = report.validations;
      } else if (byValidation) {
        ++validationsSinceBest;
      }
    }
    const bool noImprovement =
        options_.patience > 0 &&
        validationsSinceBest >= std::max<double>(options_.patience, options_.relativePatience * validationsToBest);
    for (auto& group : adam.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(learningRateAt(options_, step));
    adam.step();
    report.stepsRun = step + 1;
    progress.stepsRun = report.stepsRun;
    progress.loss = globalLoss;
    progress.bestStep = best.step();
    progress.bestScore = best.score();
    progress.last = report.stepsRun == options_.steps || outOfTime || noImprovement;
    if (monitor) monitor->stepped(options_, progress);
    if (outOfTime || noImprovement) {
      report.reason = outOfTime ? StopReason::Time : StopReason::NoImprovement;
      break;
    }
  }
  report.seconds = clock.secondsSinceStart();
  report.stepSeconds = clock.stepSeconds();
  report.stepCpuSeconds = clock.stepCpuSeconds();
  report.bestStep = best.step();
  report.bestScore = best.score();
  best.restore(*model);
  // The same solve without the coarse space: validation_ itself when there is none.
  std::optional<ValidationSolve> withoutCoarse;
  if (validation_.coarseDimension() > 0) withoutCoarse.emplace(options_, *A_, base_);
  const ValidationSolve& oneLevel = withoutCoarse ? *withoutCoarse : validation_;
  judgeCoarseSpace(model, oneLevel, report);
  const ValidationSolve& inUse = report.coarseDimension > 0 ? validation_ : oneLevel;
  judgeNetwork(&inUse == &validation_ ? residualArea(withoutNetwork) : inUse.scoreWithoutNetwork(), report);
  model->eval();
  if (monitor) monitor->finished(options_, report);
  return report;
}

} // namespace Gnp
