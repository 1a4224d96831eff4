#include "Gnp_ChildProcess.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <thread>

namespace Gnp {
namespace {

volatile sig_atomic_t childGroup = 0;
volatile sig_atomic_t interruption = 0;

// mpirun ends its ranks on SIGTERM; SIGKILL would leave them running.
void stopChild(int sig) {
  interruption = sig;
  if (childGroup > 0) kill(-childGroup, SIGTERM);
}

const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};

} // namespace

ChildProcess::Outcome ChildProcess::run(const std::vector<std::string>& argv, const std::string& logPath,
                                        double limit) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::cout.flush();
  std::fflush(stdout);
  Outcome outcome;
  const pid_t parent = getpid();
  interruption = 0;
  struct sigaction stop {
  }, old[3];
  stop.sa_handler = stopChild;
  sigemptyset(&stop.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(forwarded[i], &stop, &old[i]);
  const pid_t pid = fork();
  if (pid < 0) {
    for (int i = 0; i < 3; ++i) sigaction(forwarded[i], &old[i], nullptr);
    outcome.started = false;
    return outcome;
  }
  if (pid == 0) {
    for (int i = 0; i < 3; ++i) signal(forwarded[i], SIG_DFL);
    setpgid(0, 0);
    // If the driver dies without a word (SIGKILL), the kernel stops the job.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(126);
    if (!std::freopen(logPath.c_str(), "w", stderr)) _exit(126);
    execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    std::fflush(stderr);
    _exit(127);
  }
  setpgid(pid, pid);
  childGroup = pid;
  if (interruption) kill(-pid, SIGTERM); // a signal between fork and here
  const auto start = std::chrono::steady_clock::now();
  auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  std::chrono::steady_clock::time_point stopSent;
  bool stopping = false, killed = false;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (!stopping && (interruption || since(start) > limit)) {
      if (!interruption) {
        outcome.timedOut = true;
        kill(-pid, SIGTERM);
      }
      stopping = true;
      stopSent = std::chrono::steady_clock::now();
    }
    if (stopping && !killed && since(stopSent) > 3.0) {
      kill(-pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  childGroup = 0;
  for (int i = 0; i < 3; ++i) sigaction(forwarded[i], &old[i], nullptr);
  outcome.interruptedBy = interruption;
  if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  } else {
    outcome.exitStatus = WEXITSTATUS(status);
    if (outcome.exitStatus > 128) { // mpirun reports a rank ended by signal s as 128 + s
      outcome.signal = outcome.exitStatus - 128;
      outcome.exitStatus = 0;
    }
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
