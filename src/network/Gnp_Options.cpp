#include "Gnp_Options.hpp"

#include <algorithm>
#include <cmath>

namespace Gnp {

template <>
const std::vector<std::pair<Loss, const char*>>& spellings<Loss>() {
  static const std::vector<std::pair<Loss, const char*>> v{
      {Loss::L1, "l1"}, {Loss::RelativeL1, "relative l1"}, {Loss::Projected, "projected"}};
  return v;
}
template <>
const std::vector<std::pair<Schedule, const char*>>& spellings<Schedule>() {
  static const std::vector<std::pair<Schedule, const char*>> v{{Schedule::Constant, "constant"},
                                                               {Schedule::Cosine, "cosine"}};
  return v;
}
template <>
const std::vector<std::pair<Selection, const char*>>& spellings<Selection>() {
  static const std::vector<std::pair<Selection, const char*>> v{{Selection::TrainingLoss, "training loss"},
                                                                {Selection::ValidationLoss, "validation loss"},
                                                                {Selection::ValidationSolve, "validation solve"}};
  return v;
}
template <>
const std::vector<std::pair<Base, const char*>>& spellings<Base>() {
  static const std::vector<std::pair<Base, const char*>> v{{Base::None, "none"},
                                                           {Base::Jacobi, "jacobi"},
                                                           {Base::Ilut, "ilut"},
                                                           {Base::Auto, "auto"},
                                                           {Base::Gmres, "gmres"},
                                                           {Base::Riluk, "riluk"},
                                                           {Base::GaussSeidel, "gauss-seidel"},
                                                           {Base::MueLu, "muelu"},
                                                           {Base::MueLuPg, "muelu-pg"}};
  return v;
}
template <>
const std::vector<std::pair<Composition, const char*>>& spellings<Composition>() {
  static const std::vector<std::pair<Composition, const char*>> v{{Composition::Additive, "additive"},
                                                                  {Composition::Multiplicative, "multiplicative"}};
  return v;
}

template <>
const std::vector<std::pair<Coarse, const char*>>& spellings<Coarse>() {
  static const std::vector<std::pair<Coarse, const char*>> v{
      {Coarse::None, "none"}, {Coarse::First, "first"}, {Coarse::Last, "last"}};
  return v;
}

template <>
const std::vector<std::pair<Verbosity, const char*>>& spellings<Verbosity>() {
  static const std::vector<std::pair<Verbosity, const char*>> v{{Verbosity::None, "none"},
                                                                {Verbosity::Low, "low"},
                                                                {Verbosity::Medium, "medium"},
                                                                {Verbosity::High, "high"},
                                                                {Verbosity::Extreme, "extreme"}};
  return v;
}

std::string toString(StopReason reason) {
  switch (reason) {
    case StopReason::Steps: return "step budget";
    case StopReason::Time: return "time budget";
    case StopReason::Diverged: return "diverged";
    case StopReason::NoImprovement: return "no better step";
    case StopReason::BaseConverged: return "base converged";
  }
  return "unknown";
}

double learningRateAt(const Options& o, int step) {
  const int warmup = std::min(o.warmupSteps, o.steps);
  if (step < warmup) return o.learningRate * (step + 1) / warmup;
  if (o.schedule == Schedule::Constant) return o.learningRate;
  // t runs from 0 (the first step after the warm-up) towards 1 (past the last step).
  const double t = std::min(1.0, double(step - warmup) / std::max(1, o.steps - warmup));
  return o.learningRate * 0.5 * (1.0 + std::cos(3.141592653589793 * t));
}

double trainingSeconds(const Options& o, std::int64_t globalRows, int ranks) {
  if (o.maxSeconds != kAutomaticSeconds) return o.maxSeconds;
  return 30.0 + 1e-3 * static_cast<double>(globalRows) / std::max(1, ranks);
}

} // namespace Gnp
