#ifndef GNP_CHILDPROCESS_HPP
#define GNP_CHILDPROCESS_HPP

#include <string>
#include <vector>

namespace Gnp {

/// Runs a command in its own process group with a time limit, so that a run
/// that hangs or crashes (a MueLu setup that never returns, say) costs only
/// itself: gnp-bench's cases and gnp-solve's --time-limit. An in-process MPI
/// job cannot be interrupted; a child `mpirun` can be killed as a whole.
class ChildProcess {
public:
  /// How the child ended.
  struct Outcome {
    bool timedOut = false; ///< killed at the time limit
    /// "" if it exited with status 0; else what happened ("timed out after 300 s",
    /// "crashed (signal 11)", "exited with status 1"), followed by the last line of
    /// its error output.
    std::string failure;
    int exitStatus = 0; ///< the exit status, when it exited by itself
  };

  /// Runs argv[0] (searched in PATH) with stderr to logPath, and kills its
  /// process group `limit` seconds after the start (SIGTERM, SIGKILL 3 s
  /// later). While it runs, SIGINT and SIGTERM to this process kill the group
  /// too, so no rank outlives an interrupted driver.
  static Outcome run(const std::vector<std::string>& argv, const std::string& logPath, double limit);

  /// The launcher's arguments for `ranks` MPI ranks: mpiexec, --allow-run-as-root
  /// when run as root, --oversubscribe, -np ranks.
  static std::vector<std::string> mpiLaunch(const std::string& mpiexec, int ranks);
};

} // namespace Gnp

#endif
