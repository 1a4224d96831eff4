#ifndef GNP_CHILDPROCESS_HPP
#define GNP_CHILDPROCESS_HPP

#include <string>
#include <vector>

namespace Gnp {

/// Runs a command in its own process group with a time limit, so that a run
/// that hangs or crashes (a MueLu setup that never returns, say) costs only
/// itself. An in-process MPI job cannot be interrupted; a child `mpirun` can be
/// stopped as a whole: SIGTERM to mpirun ends its ranks, which live in process
/// groups of their own. WorkerJob gives the outcome its meaning.
class ChildProcess {
public:
  /// How the child ended, as the operating system tells it.
  struct Outcome {
    bool started = true;   ///< false if fork failed
    bool timedOut = false; ///< stopped at the time limit
    int interruptedBy = 0; ///< the signal (SIGINT, SIGTERM, SIGHUP) that stopped this process's wait, or 0
    int signal = 0;        ///< the signal that ended it (mpirun's 128 + s counts as s), or 0
    int exitStatus = 0;    ///< the exit status, when it exited by itself with status <= 128
  };

  /// Runs argv[0] (searched in PATH) with stderr to logPath, and stops its
  /// process group `limit` seconds after the start (SIGTERM, SIGKILL 3 s later).
  /// While it runs, SIGINT, SIGTERM and SIGHUP to this process stop the child the
  /// same way and are reported in interruptedBy (the caller cleans up and ends);
  /// if this process dies without a word (SIGKILL), the child gets SIGTERM from
  /// the kernel, so no job outlives its driver.
  static Outcome run(const std::vector<std::string>& argv, const std::string& logPath, double limit);

  /// The launcher's arguments for `ranks` MPI ranks: mpiexec, --allow-run-as-root
  /// when run as root, --oversubscribe, -np ranks.
  static std::vector<std::string> mpiLaunch(const std::string& mpiexec, int ranks);
};

} // namespace Gnp

#endif
