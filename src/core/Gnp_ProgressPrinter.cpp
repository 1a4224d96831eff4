#include "Gnp_ProgressPrinter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace Gnp {
namespace {

std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

} // namespace

ProgressPrinter::ProgressPrinter(Teuchos::RCP<Teuchos::FancyOStream> out, bool root)
    : out_(std::move(out)), root_(root) {}

void ProgressPrinter::say(const Options& o, Verbosity level, const std::string& line) const {
  if (!root_ || o.printEvery == 0 || o.verbosity < level) return;
  *out_ << "gnp: " << line << std::endl;
}

void ProgressPrinter::stepped(const Options& o, const StepProgress& p) {
  const bool due = o.printEvery > 0 && (p.stepsRun % o.printEvery == 0 || p.last);
  const Verbosity level = due ? Verbosity::Medium : p.judged ? Verbosity::High : Verbosity::Extreme;
  if (!root_ || o.verbosity < level) return;
  const double rate = p.stepsRun / std::max(p.elapsed, 1e-9);
  double eta = (o.steps - p.stepsRun) / rate;
  if (o.maxSeconds > 0.0) eta = std::min(eta, std::max(0.0, o.maxSeconds - p.elapsed));
  say(o, level,
      format("step %5d/%d  loss %.4e  best %.4e (step %d)  %.2f steps/s  ETA %.0f s", p.stepsRun, o.steps, p.loss,
             p.bestScore, p.bestStep, rate, eta));
}

void ProgressPrinter::finished(const Options& o, const TrainingReport& r) {
  if (r.reason == StopReason::Diverged)
    say(o, Verbosity::Low,
        format("%s; using the best step %d (loss %.4e)", r.message.c_str(), r.bestStep, r.bestScore));
  if (r.reason == StopReason::NoImprovement)
    say(o, Verbosity::Low,
        format("stopped after %d steps: no better step than step %d in the %d steps since (\"gnp: patience\")",
               r.stepsRun, r.bestStep, r.stepsRun - 1 - r.bestStep));
  if (r.reason == StopReason::Time)
    say(o, Verbosity::Low,
        format("stopped after %d steps: the time budget of %.0f s ran out (\"gnp: max training time\")", r.stepsRun,
               o.maxSeconds));
  if (!std::isnan(r.scoreWithoutCoarse))
    say(o, Verbosity::Low,
        format("coarse space \"%s\": validation solve %.2f with it, %.2f without: %s", toString(o.coarse).c_str(),
               r.scoreWithCoarse, r.scoreWithoutCoarse, r.coarseDimension > 0 ? "kept" : "dropped"));
  if (o.selection != Selection::ValidationSolve) return;
  const bool withBase = !std::isnan(r.validationBase);
  if (r.reason == StopReason::BaseConverged) {
    say(o, Verbosity::Low,
        format("%s reaches %.0e within the validation solve's %d FGMRES iterations: no training; GNP applies it "
               "(validation solve %.2f; \"gnp: base converged tolerance\" 0 trains anyway)",
               withBase ? "the base alone" : "no preconditioner", o.baseConvergedTolerance, o.validationIterations,
               r.scoreWithoutNetwork));
    return;
  }
  if (!r.networkUsed)
    say(o, Verbosity::Low,
        format("no trained step beats %s (validation solve %.2f): GNP applies %s without the network",
               withBase ? "the base alone" : "no preconditioner", r.scoreWithoutNetwork,
               withBase ? "the base" : "the identity"));
  // What training bought and what it cost, in one line.
  std::string base;
  if (!std::isnan(r.validationBase)) base = format(", %.2f with the base alone", r.validationBase);
  say(o, Verbosity::Low,
      format("training bought: validation solve (sum of log10 relative residuals over %d FGMRES iterations) %.2f "
             "with GNP (kept step %d of %d)%s, %.2f without a preconditioner; it took %.1f s%s",
             o.validationIterations, r.bestScore, r.bestStep, r.stepsRun, base.c_str(), r.validationUnpreconditioned,
             r.seconds, r.bestScore < r.validationUnpreconditioned ? "" : " (GNP does not help on it)"));
}

} // namespace Gnp
