#ifndef GNP_BENCHSETTINGS_HPP
#define GNP_BENCHSETTINGS_HPP

#include "Gnp_RightHandSide.hpp"
#include "Gnp_RunList.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace Gnp {
namespace Bench {

/// gnp-bench's command line: the sweep's settings, and a worker's case.
struct Settings {
  std::string matrices, params, out = "results", rhs; ///< --matrices, --params, --out, --rhs
  int ranks = 1;                                      ///< MPI ranks per case
  int gnpSteps = -1;                                  ///< --gnp-steps (-1: keep the XML's)
  double gnpSeconds = -1.0;                           ///< --gnp-seconds (negative: keep the XML's)
  double caseTimeLimit = 3600.0;                      ///< seconds before a case's job is stopped
  int maxCases = -1;                                  ///< stop after this many jobs (-1: all)
  std::string mpiexec, notes;                         ///< the MPI launcher; Markdown appended to the report
  // Worker mode: one case, started by the driver.
  bool worker = false;              ///< this process is a worker
  std::string phase;                ///< "iteration" or "time"
  std::string matrix;               ///< the matrix file
  int runIndex = -1;                ///< the run, by its place in the run list (names are the user's text)
  std::string modelPath;            ///< where GNP's trained model goes (iteration) or comes from (time)
  std::string matrixDigest;         ///< the matrix file's digest, recorded in the case
  std::string jobMarker;            ///< WorkerJob's "started" file
  double timeLimit = 0.0;           ///< time mode's T
  double secondsPerIteration = 0.0; ///< from iteration mode, to size time mode's iteration cap
};

/// The runs of --params (or the paper's six at library defaults), with the
/// command line's GNP budget applied: the same in the driver and every worker.
std::vector<RunSpec> runList(const Settings& s);

/// The right-hand sides: --rhs, else the XML's "Right-hand side", else ones and random solution.
std::vector<RightHandSide> rhsList(const Settings& s);

/// What defines a run's result besides the matrix: its name, type, preconditioner and Belos parameters.
std::string runDigest(const RunSpec& run);

/// A run's name as a file name: letters, digits, '-' and '.' kept, the rest '_'.
std::string safeName(const std::string& name);

/// Where a case's results live: OUT/cases/<rhs>/<matrix>/.
std::filesystem::path caseDir(const std::string& out, RightHandSide rhs, const std::string& matrix);

/// A case's result file: caseDir/<run>.json.
std::filesystem::path casePath(const std::string& out, RightHandSide rhs, const std::string& matrix,
                               const std::string& run);

/// A worker's time-mode result for the driver to add to the case: casePath + ".time".
std::filesystem::path timeResultPath(const std::string& out, RightHandSide rhs, const std::string& matrix,
                                     const std::string& run);

} // namespace Bench
} // namespace Gnp

#endif
