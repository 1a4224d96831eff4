#include "Gnp_WorkerJob.hpp"

#include "Gnp_ChildProcess.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

namespace Gnp {
namespace {

std::string fileIdentity(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::vector<std::string> logLines(const std::string& path) {
  std::ifstream log(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(log, line))
    if (!line.empty()) lines.push_back(line.substr(0, 300));
  return lines;
}

// Open MPI frames its own reports in lines of dashes; the worker's text comes before.
bool launcherBanner(const std::string& line) {
  return line.size() >= 10 && line.find_first_not_of('-') == std::string::npos;
}

// Open MPI's own report of a signal in a rank: "[host:pid] *** Process received
// signal ***" and backtrace frames "lib.so(+0x1f)[0x7f...]", interleaved by ranks.
bool signalReport(const std::string& line) {
  static const std::regex tagged(R"(\[[^\] ]+:[0-9]+\])"), frame(R"(\(.*\)\[0x[0-9a-f]+\]$)");
  return std::regex_search(line, tagged) || std::regex_search(line, frame);
}

std::string workerLastLine(const std::vector<std::string>& lines) {
  std::string last;
  for (const auto& line : lines) {
    if (launcherBanner(line)) break;
    if (!signalReport(line)) last = line;
  }
  return last;
}

std::string firstLine(const std::vector<std::string>& lines) {
  for (const auto& line : lines)
    if (!launcherBanner(line)) return line;
  return "";
}

std::string signalName(int sig) {
  const char* name = strsignal(sig);
  return "signal " + std::to_string(sig) + (name ? std::string(", ") + name : std::string());
}

std::string withDetail(const std::string& what, const std::string& detail) {
  return detail.empty() ? what : what + ": " + detail;
}

} // namespace

WorkerJob::WorkerJob(std::string program, std::string mpiexec, int ranks)
    : program_(std::move(program)),
      self_(std::filesystem::canonical("/proc/self/exe").string()),
      launch_(ChildProcess::mpiLaunch(mpiexec, ranks)),
      identity_(fileIdentity(self_)) {}

WorkerJob::Outcome WorkerJob::run(const std::vector<std::string>& args, const std::string& logPath,
                                  double limit) const {
  Outcome outcome;
  if (fileIdentity(self_) != identity_) {
    outcome.end = End::NotStarted;
    outcome.message = "the program file '" + self_ + "' changed since this run started (rebuilt?); start it again";
    return outcome;
  }
  const std::string marker = logPath + ".started";
  std::error_code ignored;
  std::filesystem::remove(marker, ignored);
  std::vector<std::string> argv = launch_;
  argv.push_back(self_);
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--job-marker=" + marker);
  const ChildProcess::Outcome raw = ChildProcess::run(argv, logPath, limit);
  const bool started = std::filesystem::exists(marker, ignored);
  std::filesystem::remove(marker, ignored);
  const auto lines = logLines(logPath);

  if (raw.interruptedBy) {
    outcome.end = End::Interrupted;
    outcome.signal = raw.interruptedBy;
    outcome.message = "interrupted by " + signalName(raw.interruptedBy);
  } else if (!raw.started || !started) {
    outcome.end = End::NotStarted;
    outcome.message =
        withDetail(raw.timedOut ? "the job did not start within " + std::to_string(static_cast<long long>(limit)) + " s"
                                : "the job did not start",
                   raw.started ? firstLine(lines) : "fork failed");
  } else if (raw.timedOut) {
    outcome.end = End::TimedOut;
    outcome.message = "timed out after " + std::to_string(static_cast<long long>(limit)) + " s";
  } else if (raw.signal == SIGKILL || raw.signal == SIGTERM || raw.signal == SIGHUP || raw.signal == SIGINT) {
    outcome.end = End::Killed;
    outcome.message = "killed from outside by " + signalName(raw.signal) +
                      " (another user or program, or the kernel when memory ran out)";
  } else if (raw.signal) {
    outcome.end = End::Crashed;
    outcome.message = withDetail("crashed (" + signalName(raw.signal) + ")", workerLastLine(lines));
  } else if (raw.exitStatus == 0) {
    outcome.end = End::Finished;
  } else {
    const std::string prefix = program_ + ": error: ";
    std::string error;
    for (const auto& line : lines)
      if (line.rfind(prefix, 0) == 0) error = line.substr(prefix.size());
    if (raw.exitStatus == inputErrorStatus && !error.empty()) {
      outcome.end = End::InputError;
      outcome.message = error;
    } else if (raw.exitStatus == outputErrorStatus) {
      outcome.end = End::OutputError;
      outcome.message = error.empty() ? workerLastLine(lines) : error;
    } else {
      outcome.end = End::Crashed;
      outcome.message = withDetail("exited with status " + std::to_string(raw.exitStatus),
                                   error.empty() ? workerLastLine(lines) : error);
    }
  }
  return outcome;
}

void WorkerJob::requireResult(const Outcome& outcome, const std::string& what) {
  if (outcome.isResult()) return;
  std::string why = outcome.message;
  if (outcome.end != End::Interrupted) why += "; nothing was recorded for it";
  throw NotAResult(what + ": " + why, outcome.signal);
}

bool WorkerJob::launchedByMpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_SIZE");
}

void WorkerJob::markStarted(const std::string& markerPath) {
  if (markerPath.empty()) return;
  std::ofstream(markerPath) << "started\n";
}

} // namespace Gnp
