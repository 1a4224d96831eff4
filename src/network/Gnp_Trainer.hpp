#ifndef GNP_TRAINER_HPP
#define GNP_TRAINER_HPP

#include "Gnp_Model.hpp"

#include <vector>

namespace Gnp {

/// Online training of a ResGcn for one matrix (docs/method.md sections 3-4): a fresh
/// batch every step, L1 residual loss with Â in float64, Adam, gradients summed
/// over ranks, the best step kept (parameters and batch-norm statistics). The
/// Options choose the loss, the learning-rate schedule, how the best step is
/// selected and an optional base preconditioner that the network corrects; the
/// defaults are the paper's but for the selection, the batch, the learning rate
/// and the base (docs/method.md).
class Trainer {
public:
  /// krylovBasis: Q = V Z S⁻¹, this rank's rows (localRows x m', float64; m' may be 0).
  /// base: the fixed preconditioner P of M = P + N (Options::base); empty for none.
  Trainer(const Options& options, const DistributedOperator& A, torch::Tensor krylovBasis, BlockOperator base = {});

  /// Trains `model` in place; on return it holds the best step's state in eval mode.
  TrainingReport train(ResGcn& model);

  /// Global loss of every step run, identical on all ranks.
  const std::vector<double>& lossHistory() const { return losses_; }

  /// One step's forward and backward pass, without the update: the global loss
  /// of the batch of `step` (identical on all ranks), and each parameter's
  /// .grad() set to the loss's gradient summed over ranks (float32). The model
  /// must be in training mode.
  double lossAndGradient(ResGcn& model, std::uint64_t step) const;

  /// The right-hand sides of one step: b = Â x, x = [Q e | Gaussian] (float64).
  torch::Tensor sampleBatch(std::uint64_t step) const;

  /// The validation solve's score of `model` as it is (Selection::ValidationSolve):
  /// Σ log10 of the relative residuals of Options::validationIterations FGMRES
  /// iterations on b (lower is better), with the model in inference mode as
  /// the right preconditioner (plus the base, if any); with a null model,
  /// without a preconditioner. Identical on all ranks; a collective.
  double validationSolveScore(ResGcn* model, const torch::Tensor& b) const;

  /// The validation solve's score of the base alone as the preconditioner
  /// (without one when there is no base). A collective.
  double baseScore(const torch::Tensor& b) const;

  /// The fixed right-hand side of the validation solve: b = Â x, x ~ N(0, I)
  /// per global row (the same on any number of ranks), this rank's rows.
  torch::Tensor validationRightHandSide() const;

  /// The key of the fixed validation batch (Selection::ValidationLoss): a step
  /// that training never reaches.
  static constexpr std::uint64_t validationKey = ~std::uint64_t(0);

private:
  /// A batch with what its loss needs: the network's input (b, or with a
  /// multiplicative base t = b − Â P b); the residual is Â·out + shift (shift =
  /// Â P b − b, or −b without a base); weights per column: 1/(B‖b_j‖₁) for
  /// Loss::RelativeL1, ‖shift_j‖² for Loss::Projected, undefined for the L1.
  struct Batch {
    torch::Tensor input, shift, weights;
  };
  Batch prepare(torch::Tensor b) const;
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
  double lossAndGradient(ResGcn& model, const Batch& batch) const;
  void allReduceGradients(ResGcn& model) const;

  Options options_;
  const DistributedOperator* A_;
  torch::Tensor krylovBasis_;
  BlockOperator base_;
  std::vector<double> losses_;
};

/// The preconditioner M(v) for v a (localRows, B) float64 block: the model's
/// output N in float32, on v, or with a base P (not empty) P v + N(v)
/// (additive) or P v + N(v − Â P v) (multiplicative). What Network::apply
/// applies and what the validation solve scores; a collective.
torch::Tensor preconditionerOutput(ResGcn& model, const DistributedOperator& A, const BlockOperator& base,
                                   Composition composition, const torch::Tensor& v);

} // namespace Gnp

#endif
