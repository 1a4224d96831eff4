#include "Gnp_StepClock.hpp"

#include <ctime>

namespace Gnp {
namespace {

double processCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

} // namespace

StepClock::StepClock(const Communicator& comm, double maxSeconds)
    : comm_(&comm), maxSeconds_(maxSeconds), start_(std::chrono::steady_clock::now()), lastCpu_(processCpuSeconds()) {}

double StepClock::secondsSinceStart() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double StepClock::endStep() {
  const double mine = secondsSinceStart();
  double slowest = 0.0;
  comm_->maxAll(&mine, &slowest, 1);
  const double cpu = processCpuSeconds();
  stepSeconds_.push_back(slowest - elapsed_);
  stepCpuSeconds_.push_back(cpu - lastCpu_);
  elapsed_ = slowest;
  lastCpu_ = cpu;
  return slowest;
}

} // namespace Gnp
