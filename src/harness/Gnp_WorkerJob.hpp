#ifndef GNP_WORKERJOB_HPP
#define GNP_WORKERJOB_HPP

#include <stdexcept>
#include <string>
#include <vector>

namespace Gnp {

/// The driver/worker protocol of gnp-solve --time-limit and gnp-bench: a driver
/// (no MPI of its own) runs each piece of work as `mpiexec -np R <program>
/// <args> --job-marker=FILE` with a time limit, and tells a result of the work
/// (it finished, crashed, ran out of time) from everything that is not one (the
/// job never started, was killed from outside, met bad input, could not write).
/// The worker's side: markStarted() once MPI is up, and the exit statuses below.
class WorkerJob {
public:
  /// How a job ended.
  enum class End {
    Finished,    ///< exit 0: the worker wrote its result
    Crashed,     ///< a signal of its own (SIGSEGV, SIGABRT, ...) or another exit status: the run's failure
    TimedOut,    ///< stopped at the time limit: the run's failure
    InputError,  ///< exit inputErrorStatus: the worker refused its input
    OutputError, ///< exit outputErrorStatus: the worker could not write its result
    NotStarted,  ///< the worker never ran (bad launcher, no temporary folder, program file changed)
    Killed,      ///< SIGKILL, SIGTERM, SIGHUP or SIGINT from outside (the kernel's OOM killer sends SIGKILL)
    Interrupted, ///< this driver got SIGINT, SIGTERM or SIGHUP and stopped the job
  };
  /// How a job ended, and what to say about it.
  struct Outcome {
    End end = End::Finished; ///< the class of ending
    /// What happened, for a row or a case file ("crashed (signal 6, Aborted): <the
    /// worker's own last line>"); for InputError the worker's error message alone.
    std::string message;
    int signal = 0; ///< for Interrupted: the signal this driver got
    /// Finished, Crashed and TimedOut say something about the run; the others do
    /// not, and a sweep must neither file nor resume from them.
    bool isResult() const { return end == End::Finished || end == End::Crashed || end == End::TimedOut; }
  };

  static constexpr int inputErrorStatus = 1;  ///< a worker's exit status for input it refuses
  static constexpr int outputErrorStatus = 3; ///< a worker's exit status for a result it cannot write

  /// A worker's exception for a result it could not write (exit outputErrorStatus).
  struct OutputError : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  /// The driver's exception for a job that says nothing about its run.
  struct NotAResult : std::runtime_error {
    /// `what`: the job and why; `signal`: the driver's own interrupting signal, or 0.
    NotAResult(const std::string& what, int signal) : std::runtime_error(what), signal(signal) {}
    int signal; ///< the driver's own interrupting signal, or 0
  };

  /// `program` names the worker in its error lines ("<program>: error: ..."); the
  /// jobs run this process's own executable under `ranks` ranks of `mpiexec`. The
  /// executable's identity is taken now: a job after it was rebuilt is NotStarted.
  WorkerJob(std::string program, std::string mpiexec, int ranks);

  /// Runs one job with `args` after the program's path, stderr to logPath; at
  /// most `limit` seconds.
  Outcome run(const std::vector<std::string>& args, const std::string& logPath, double limit) const;

  /// Throws NotAResult for an outcome that says nothing about the run.
  static void requireResult(const Outcome& outcome, const std::string& what);

  /// Whether an MPI launcher started this process: a driver must not be one of
  /// its ranks (its jobs' mpiexec would take the environment for its own).
  static bool launchedByMpi();

  /// The worker's side, on rank 0 once MPI is up: tells the driver that the job
  /// started (a no-op for an empty path: the program run by hand).
  static void markStarted(const std::string& markerPath);

private:
  std::string program_, self_;
  std::vector<std::string> launch_;
  std::string identity_; // device, inode, size and time of the executable
};

} // namespace Gnp

#endif
