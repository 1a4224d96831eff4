#ifndef GNP_CANDIDATERANKING_HPP
#define GNP_CANDIDATERANKING_HPP

#include <string>
#include <vector>

namespace Gnp {

/// One preconditioner tried on a validation solve: what building it and the
/// solve cost, and the relative residuals the solve reached.
struct Trial {
  std::string name;              ///< what was tried
  bool built = true;             ///< false: it could not be built (or its solve failed)
  std::string failure;           ///< why, when not built
  double buildSeconds = 0.0;     ///< construction (and training) time
  double solveSeconds = 0.0;     ///< time of the validation solve's iterations run
  std::vector<double> residuals; ///< relative residual after each iteration run, r_1..r_k
};

/// The one rule by which the package chooses among preconditioners from their
/// validation solves: Auto among its candidates and GNP's "auto" base among
/// its bases. Why time and not iterations: a user waits for the answer, setup
/// included, so a cheap preconditioner that needs more iterations can be the
/// better one.
///   1. A trial that reaches `tolerance` within `budget` iterations beats one
///      that does not; among those, the lowest expected time to the tolerance
///      for `rightHandSides` solves wins: buildSeconds + rightHandSides ·
///      (time per iteration · iterations to the tolerance).
///   2. Among the others, the lowest residual area (Σ log10 r_i over the
///      budget, the last residual held; as the validation solve scores) wins.
///   3. A trial that was not built is never chosen; ties go to the earlier one.
/// The times must be the same on every rank (say, the maximum over ranks), so
/// that every rank makes the same choice.
class CandidateRanking {
public:
  /// tolerance: relative residual that counts as solved (0: none does);
  /// budget: the validation solve's iterations; rightHandSides: solves the
  /// choice is for.
  CandidateRanking(double tolerance, int budget, int rightHandSides = 1);

  /// Adds a trial; returns its index.
  int add(Trial trial);
  /// The trials in the order added.
  const std::vector<Trial>& trials() const { return trials_; }
  /// Iterations trial i needed to reach the tolerance, -1 if it did not.
  int iterationsToTolerance(int i) const;
  /// Trial i's expected time to the tolerance (rule 1); +inf if it did not reach it.
  double secondsToTolerance(int i) const;
  /// Trial i's residual area over the budget (rule 2); +inf if not built.
  double residualArea(int i) const;
  /// Whether any built trial reached the tolerance.
  bool anyConverged() const;
  /// The chosen trial's index, -1 when none was built.
  int best() const;
  /// One line: what was chosen and why, against the runner-up.
  std::string reason() const;
  /// One line per trial: build and solve time, iterations, final residual.
  std::string table() const;

private:
  bool better(int i, int j) const;
  double tolerance_;
  int budget_, rightHandSides_;
  std::vector<Trial> trials_;
};

} // namespace Gnp

#endif
