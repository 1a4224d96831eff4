#include "Gnp_ChildProcess.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

namespace Gnp {
namespace {

volatile sig_atomic_t childGroup = 0;

void forwardSignal(int sig) {
  if (childGroup > 0) kill(-childGroup, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string lastLine(const std::string& path) {
  std::ifstream log(path);
  std::string line, last;
  while (std::getline(log, line))
    if (!line.empty()) last = line;
  return last.substr(0, 300);
}

} // namespace

ChildProcess::Outcome ChildProcess::run(const std::vector<std::string>& argv, const std::string& logPath,
                                        double limit) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::cout.flush();
  std::fflush(stdout);
  Outcome outcome;
  const pid_t pid = fork();
  if (pid < 0) {
    outcome.failure = "fork failed";
    return outcome;
  }
  if (pid == 0) {
    setpgid(0, 0);
    if (!std::freopen(logPath.c_str(), "w", stderr)) _exit(126);
    execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    _exit(127);
  }
  setpgid(pid, pid);
  childGroup = pid;
  auto* oldInt = signal(SIGINT, forwardSignal);
  auto* oldTerm = signal(SIGTERM, forwardSignal);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (!outcome.timedOut && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > limit) {
      kill(-pid, SIGTERM);
      std::this_thread::sleep_for(std::chrono::seconds(3));
      kill(-pid, SIGKILL);
      outcome.timedOut = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  signal(SIGINT, oldInt);
  signal(SIGTERM, oldTerm);
  childGroup = 0;
  if (outcome.timedOut) {
    outcome.failure = "timed out after " + std::to_string(static_cast<long long>(limit)) + " s";
    return outcome;
  }
  if (WIFSIGNALED(status)) {
    outcome.failure = "crashed (signal " + std::to_string(WTERMSIG(status)) + ")";
  } else {
    outcome.exitStatus = WEXITSTATUS(status);
    if (outcome.exitStatus > 128) // mpirun reports a rank killed by signal s as 128 + s
      outcome.failure = "crashed (signal " + std::to_string(outcome.exitStatus - 128) + ")";
    else if (outcome.exitStatus != 0)
      outcome.failure = "exited with status " + std::to_string(outcome.exitStatus);
  }
  if (!outcome.failure.empty()) {
    const std::string last = lastLine(logPath); // the last line of its error output says more
    if (!last.empty()) outcome.failure += ": " + last;
  }
  return outcome;
}

std::vector<std::string> ChildProcess::mpiLaunch(const std::string& mpiexec, int ranks) {
  std::vector<std::string> a{mpiexec};
  if (geteuid() == 0) a.push_back("--allow-run-as-root");
  a.insert(a.end(), {"--oversubscribe", "-np", std::to_string(ranks)});
  return a;
}

} // namespace Gnp
