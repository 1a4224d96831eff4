#ifndef GNP_BESTSTEPKEEPER_HPP
#define GNP_BESTSTEPKEEPER_HPP

#include <torch/torch.h>

#include <vector>

namespace Gnp {

/// Keeps the state (parameters and batch-norm statistics) of the step with the
/// lowest score offered so far, and puts it back at the end of training.
class BestStepKeeper {
public:
  /// Offers `model` as it is after `step`, scored `score` (lower is better; a
  /// non-finite score is never kept). Returns whether it is the best so far.
  bool offer(int step, double score, torch::nn::Module& model);
  /// The kept step, −1 while none.
  int step() const { return step_; }
  /// Its score.
  double score() const { return score_; }
  /// Copies the kept state into `model` (nothing while none is kept).
  void restore(torch::nn::Module& model) const;

private:
  int step_ = -1;
  double score_ = 0.0;
  std::vector<torch::Tensor> parameters_, buffers_;
};

} // namespace Gnp

#endif
