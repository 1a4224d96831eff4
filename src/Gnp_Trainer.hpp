#ifndef GNP_TRAINER_HPP
#define GNP_TRAINER_HPP

#include "Gnp_Model.hpp"

#include <vector>

namespace Gnp {

/// Online training of a ResGcn for one matrix (METHOD.md sections 3-4): a fresh
/// batch every step, L1 residual loss with Â in float64, Adam, gradients summed
/// over ranks, the best step kept (parameters and batch-norm statistics).
class Trainer {
public:
  /// krylovBasis: Q = V Z S⁻¹, this rank's rows (localRows x m', float64; m' may be 0).
  Trainer(const Options& options, const DistributedOperator& A, torch::Tensor krylovBasis);

  /// Trains `model` in place; on return it holds the best step's state in eval mode.
  TrainingReport train(ResGcn& model);

  /// Global loss of every step run, identical on all ranks.
  const std::vector<double>& lossHistory() const { return losses_; }

  /// The right-hand sides of one step: b = Â x, x = [Q e | Gaussian] (float64).
  torch::Tensor sampleBatch(int step) const;

private:
  void allReduceGradients(ResGcn& model) const;

  Options options_;
  const DistributedOperator* A_;
  torch::Tensor krylovBasis_;
  std::vector<double> losses_;
};

} // namespace Gnp

#endif
