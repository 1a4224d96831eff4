#ifndef GNP_PROGRESSPRINTER_HPP
#define GNP_PROGRESSPRINTER_HPP

#include "Gnp_TrainingMonitor.hpp"

#include <Teuchos_FancyOStream.hpp>

#include <string>

namespace Gnp {

/// Prints what GNP does on rank 0 to a Teuchos::FancyOStream, as much as
/// "gnp: verbosity" asks (Options::verbosity); "gnp: print frequency" 0
/// silences it.
class ProgressPrinter : public TrainingMonitor {
public:
  /// Prints to `out` when `root` (rank 0), nothing elsewhere.
  ProgressPrinter(Teuchos::RCP<Teuchos::FancyOStream> out, bool root);

  /// A line at verbosity `level` or above ("gnp: " is put before it).
  void say(const Options& options, Verbosity level, const std::string& line) const;

  /// \name TrainingMonitor interface
  /// As TrainingMonitor documents them.
  ///@{
  void stepped(const Options& options, const StepProgress& progress) override;
  void finished(const Options& options, const TrainingReport& report) override;
  ///@}

private:
  Teuchos::RCP<Teuchos::FancyOStream> out_;
  bool root_;
};

} // namespace Gnp

#endif
