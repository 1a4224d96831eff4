#include "Gnp_Options.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace Gnp {
namespace {

template <class E>
using Names = std::initializer_list<std::pair<E, const char*>>;

const Names<Loss> lossNames{{Loss::L1, "l1"}, {Loss::RelativeL1, "relative l1"}, {Loss::Projected, "projected"}};
const Names<Schedule> scheduleNames{{Schedule::Constant, "constant"}, {Schedule::Cosine, "cosine"}};
const Names<Selection> selectionNames{{Selection::TrainingLoss, "training loss"},
                                      {Selection::ValidationLoss, "validation loss"},
                                      {Selection::ValidationSolve, "validation solve"}};
const Names<Base> baseNames{{Base::None, "none"}, {Base::Jacobi, "jacobi"}, {Base::Ilut, "ilut"}, {Base::Auto, "auto"}};
const Names<Composition> compositionNames{{Composition::Additive, "additive"},
                                          {Composition::Multiplicative, "multiplicative"}};

template <class E>
std::string nameOf(const Names<E>& names, E v) {
  for (const auto& [value, name] : names)
    if (value == v) return name;
  return "?";
}

template <class E>
E parse(const Names<E>& names, const std::string& s, const char* what) {
  std::string valid;
  for (const auto& [value, name] : names) {
    if (s == name) return value;
    valid += (valid.empty() ? "\"" : ", \"") + std::string(name) + "\"";
  }
  throw std::invalid_argument(std::string("GNP parameter \"") + what + "\" = \"" + s + "\" is not one of " + valid);
}

} // namespace

std::string toString(StopReason reason) {
  switch (reason) {
    case StopReason::Steps: return "step budget";
    case StopReason::Time: return "time budget";
    case StopReason::Diverged: return "diverged";
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

std::string toString(Loss v) { return nameOf(lossNames, v); }
std::string toString(Schedule v) { return nameOf(scheduleNames, v); }
std::string toString(Selection v) { return nameOf(selectionNames, v); }
std::string toString(Base v) { return nameOf(baseNames, v); }
std::string toString(Composition v) { return nameOf(compositionNames, v); }
Loss parseLoss(const std::string& s) { return parse(lossNames, s, "gnp: loss"); }
Schedule parseSchedule(const std::string& s) { return parse(scheduleNames, s, "gnp: learning rate schedule"); }
Selection parseSelection(const std::string& s) { return parse(selectionNames, s, "gnp: best step selection"); }
Base parseBase(const std::string& s) { return parse(baseNames, s, "gnp: base preconditioner"); }
Composition parseComposition(const std::string& s) {
  return parse(compositionNames, s, "gnp: base composition");
}

} // namespace Gnp
