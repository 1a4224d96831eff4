#include "Gnp_BestStepKeeper.hpp"

#include <cmath>

namespace Gnp {

bool BestStepKeeper::offer(int step, double score, torch::nn::Module& model) {
  if (!std::isfinite(score) || (step_ >= 0 && !(score < score_))) return false;
  step_ = step;
  score_ = score;
  torch::NoGradGuard noGrad;
  parameters_.clear();
  for (const auto& p : model.parameters()) parameters_.push_back(p.detach().clone());
  buffers_.clear();
  for (const auto& b : model.buffers()) buffers_.push_back(b.detach().clone());
  return true;
}

void BestStepKeeper::restore(torch::nn::Module& model) const {
  if (step_ < 0) return;
  torch::NoGradGuard noGrad;
  auto ps = model.parameters();
  for (std::size_t i = 0; i < ps.size(); ++i) ps[i].copy_(parameters_[i]);
  auto bs = model.buffers();
  for (std::size_t i = 0; i < bs.size(); ++i) bs[i].copy_(buffers_[i]);
}

} // namespace Gnp
