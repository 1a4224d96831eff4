#ifndef GNP_RESIDUALHISTORYTEST_HPP
#define GNP_RESIDUALHISTORYTEST_HPP

#include <BelosIteration.hpp>
#include <BelosStatusTest.hpp>

#include <chrono>
#include <vector>

namespace Gnp {

/// A Belos status test that decides nothing and records, once per iteration, the
/// solver's relative residual (the least-squares estimate of GMRES) and the wall
/// time since the solve began. Installed with setDebugStatusTest; Belos calls it
/// once more after every restart with an unchanged iteration count, which is
/// recorded once.
template <class SC, class MV, class OP>
class ResidualHistoryTest : public Belos::StatusTest<SC, MV, OP> {
public:
  using Clock = std::chrono::steady_clock; ///< the clock of the time stamps

  /// bNorm: ‖b‖, to turn Belos' absolute norms into relative ones.
  explicit ResidualHistoryTest(double bNorm) : bNorm_(bNorm > 0.0 ? bNorm : 1.0) { reset(); }

  /// Records the residual of each new iteration; never stops the solve.
  Belos::StatusType checkStatus(Belos::Iteration<SC, MV, OP>* solver) override {
    const int iteration = solver->getNumIters();
    if (iteration <= static_cast<int>(residuals_.size()) - 1) return Belos::Failed;
    std::vector<typename Teuchos::ScalarTraits<SC>::magnitudeType> norms(1);
    solver->getNativeResiduals(&norms);
    // Iterations the solver did not report (none expected) keep the last value.
    while (static_cast<int>(residuals_.size()) <= iteration) {
      residuals_.push_back(norms[0] / bNorm_);
      times_.push_back(std::chrono::duration<double>(Clock::now() - start_).count());
    }
    return Belos::Failed; // never stops the solve
  }
  /// Always Belos::Failed: this test only watches.
  Belos::StatusType getStatus() const override { return Belos::Failed; }
  /// Starts a new history (r_0 = 1 at time 0).
  void reset() override {
    residuals_.assign(1, 1.0);
    times_.assign(1, 0.0);
    start_ = Clock::now();
  }
  /// One line with the number of iterations recorded.
  void print(std::ostream& os, int indent = 0) const override {
    os << std::string(indent, ' ') << "Gnp residual history: " << residuals_.size() - 1 << " iterations\n";
  }

  /// Relative residual after iteration i (entry 0: 1, the initial guess x0 = 0).
  const std::vector<double>& residuals() const { return residuals_; }
  /// Seconds since reset() at each entry of residuals().
  const std::vector<double>& times() const { return times_; }

private:
  double bNorm_;
  std::vector<double> residuals_, times_;
  Clock::time_point start_;
};

} // namespace Gnp

#endif
