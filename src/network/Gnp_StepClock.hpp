#ifndef GNP_STEPCLOCK_HPP
#define GNP_STEPCLOCK_HPP

#include "Gnp_Communicator.hpp"

#include <chrono>
#include <vector>

namespace Gnp {

/// Training's clock and time budget: each step's wall time on the slowest rank
/// and this process's CPU time, and whether the budget is spent. Every rank
/// reads the slowest rank's clock, so all ranks stop at the same step.
class StepClock {
public:
  /// Starts now; maxSeconds 0 is no budget.
  StepClock(const Communicator& comm, double maxSeconds);

  /// Ends a step: records its times and returns the seconds since the start on
  /// the slowest rank. A collective.
  double endStep();
  /// Whether the budget was spent at the last endStep() (the same on every rank).
  bool outOfTime() const { return maxSeconds_ > 0.0 && elapsed_ >= maxSeconds_; }
  /// Seconds since the start on the slowest rank, at the last endStep().
  double elapsed() const { return elapsed_; }
  /// This rank's seconds since the start, now.
  double secondsSinceStart() const;
  /// Wall time of each step (slowest rank).
  const std::vector<double>& stepSeconds() const { return stepSeconds_; }
  /// This process's CPU time of each step.
  const std::vector<double>& stepCpuSeconds() const { return stepCpuSeconds_; }

private:
  const Communicator* comm_;
  double maxSeconds_;
  std::chrono::steady_clock::time_point start_;
  double elapsed_ = 0.0, lastCpu_ = 0.0;
  std::vector<double> stepSeconds_, stepCpuSeconds_;
};

} // namespace Gnp

#endif
