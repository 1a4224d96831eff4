#ifndef GNP_TRAINER_HPP
#define GNP_TRAINER_HPP

#include "Gnp_Model.hpp"
#include "Gnp_TrainingMonitor.hpp"
#include "Gnp_ValidationSolve.hpp"

#include <vector>

namespace Gnp {

/// Online training of a ResGcn for one matrix (docs/method.md sections 3-4): a fresh
/// batch every step, L1 residual loss with Â in float64, Adam, gradients summed
/// over ranks. The Options choose the loss, the learning-rate schedule, how the
/// best step is selected and an optional base preconditioner that the network
/// corrects. Its parts: a StepClock keeps the time budget, a BestStepKeeper the
/// best step, a ValidationSolve scores steps, a TrainingMonitor tells progress.
class Trainer {
public:
  /// krylovBasis: Q = V Z S⁻¹, this rank's rows (localRows x m', float64; m' may be 0).
  /// base: the fixed preconditioner P of M₁ = P + N (Options::base); empty for none.
  /// coarse: the coarse space around M₁ (Options::coarse); empty for none. The
  /// validation solve judges the two-level M; with Options::coarseInTraining
  /// the loss is its residual too.
  Trainer(const Options& options, const DistributedOperator& A, torch::Tensor krylovBasis, BlockOperator base = {},
          CoarseSpace coarse = {});

  /// Trains `model` in place; on return it holds the best step's state in eval
  /// mode. `monitor` (may be null) hears of every step and of the end. With a
  /// coarse space and the validation solve selection, the report says whether
  /// the kept step scores better with it than without (coarseDimension 0: drop it).
  TrainingReport train(ResGcn& model, TrainingMonitor* monitor = nullptr);

  /// Global loss of every step run, identical on all ranks.
  const std::vector<double>& lossHistory() const { return losses_; }

  /// One step's forward and backward pass, without the update: the global loss
  /// of the batch of `step` (identical on all ranks), and each parameter's
  /// .grad() set to the loss's gradient summed over ranks (float32). The model
  /// must be in training mode.
  double lossAndGradient(ResGcn& model, std::uint64_t step) const;

  /// The right-hand sides of one step: b = Â x, x = [Q e | Gaussian] (float64).
  torch::Tensor sampleBatch(std::uint64_t step) const;

  /// The validation solve this trainer judges steps with.
  const ValidationSolve& validation() const { return validation_; }

private:
  /// A batch with what its loss needs: the network's input (b, or with a
  /// multiplicative base t = b − Â P b); the residual is Â·out + shift (shift =
  /// Â P b − b, or −b without a base); weights per column: 1/(B‖b_j‖₁) for
  /// Loss::RelativeL1, ‖shift_j‖² for Loss::Projected, undefined for the L1.
  struct Batch {
    torch::Tensor input, shift, weights;
  };
  /// With Coarse::First in the loss, b is deflated first: the network learns
  /// what the coarse solve leaves.
  Batch prepare(torch::Tensor b) const;
  /// With Options::stationarySteps s > 1: what s − 1 stationary steps with M as
  /// it stands leave of b, each column scaled back to b's norm (see Options).
  torch::Tensor leftAfterStationarySteps(ResGcn& model, torch::Tensor b) const;
  /// The loss of network output `out` (float32) on `batch`: its global value
  /// (identical on all ranks), and this rank's differentiable term, whose
  /// gradients summed over ranks are the loss's gradient.
  struct LossTerms {
    torch::Tensor differentiable;
    double value = 0.0;
  };
  LossTerms evaluate(const torch::Tensor& out, const Batch& batch) const;
  /// The global loss of the model in inference mode on `batch` (no gradients).
  double inferenceLoss(ResGcn& model, const Batch& batch) const;
  /// The loss of Coarse::Last in the loss: of the deflated residual (I − W Wᵀ) R.
  LossTerms evaluateDeflated(const torch::Tensor& product, const Batch& batch) const;
  /// Fills the report's coarse space fields for the kept step; `oneLevel` is
  /// the validation solve without the coarse space.
  void judgeCoarseSpace(ResGcn& model, const ValidationSolve& oneLevel, TrainingReport& report) const;
  /// Whether M without the network, whose validation solve gave `withoutNetwork`,
  /// reaches Options::baseConvergedTolerance (training is then skipped); fills
  /// the report if so.
  bool baseConverges(const std::vector<double>& withoutNetwork, TrainingReport& report) const;
  /// Fills report.networkUsed: whether the kept step beats M without the
  /// network, whose score (in the solve that scored the kept step) is `scoreWithoutNetwork`.
  void judgeNetwork(double scoreWithoutNetwork, TrainingReport& report) const;
  double lossAndGradient(ResGcn& model, const Batch& batch) const;
  void allReduceGradients(ResGcn& model) const;

  Options options_;
  const DistributedOperator* A_;
  torch::Tensor krylovBasis_;
  BlockOperator base_;
  CoarseSpace inLoss_; ///< the coarse space the loss sees (empty unless Options::coarseInTraining)
  ValidationSolve validation_;
  std::vector<double> losses_;
};

} // namespace Gnp

#endif
