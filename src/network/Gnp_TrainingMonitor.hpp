#ifndef GNP_TRAININGMONITOR_HPP
#define GNP_TRAININGMONITOR_HPP

#include "Gnp_Options.hpp"

namespace Gnp {

/// Where one training step left things, for a progress printer.
struct StepProgress {
  int stepsRun = 0;       ///< steps taken so far
  double loss = 0.0;      ///< this step's global training loss
  bool judged = false;    ///< whether the selection rule scored this step
  double score = 0.0;     ///< its score, when judged
  int bestStep = -1;      ///< the step kept so far (−1: none)
  double bestScore = 0.0; ///< its score
  double elapsed = 0.0;   ///< seconds since training began (the slowest rank's)
  bool last = false;      ///< whether training ends after this step
};

/// What training tells as it goes (Belos' output manager's role): the trainer
/// reports, a monitor decides what to print, where and how much. The Tpetra
/// side's Gnp::ProgressPrinter prints on rank 0 to a Teuchos::FancyOStream at
/// "gnp: verbosity". Calls come on every rank.
class TrainingMonitor {
public:
  virtual ~TrainingMonitor() = default;
  /// After every step.
  virtual void stepped(const Options& options, const StepProgress& progress) = 0;
  /// Once, at the end: what training did (the kept state is in place).
  virtual void finished(const Options& options, const TrainingReport& report) = 0;
};

} // namespace Gnp

#endif
