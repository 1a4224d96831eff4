#ifndef GNP_FLEXIBLEGMRES_HPP
#define GNP_FLEXIBLEGMRES_HPP

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_MultiVector.hpp>
#include <Tpetra_Operator.hpp>

#include <string>
#include <vector>

namespace Gnp {

/// What one solve did (docs/method.md sections 5-6).
struct SolveResult {
  std::vector<double> residuals; ///< relative residual per iteration, [0] = 1
  std::vector<double> times;     ///< seconds since the solve began, per entry of residuals
  int iterations = 0;            ///< iterations run
  bool converged = false;        ///< the relative residual reached the tolerance
  double trackedResidual = 1.0;  ///< final relative residual of the least-squares recurrence
  double trueResidual = 1.0;     ///< ‖b − A x‖ / ‖b‖, recomputed after the solve
  double seconds = 0.0;          ///< wall time of the solve
  bool flexible = false;         ///< "Flexible Gmres" as Belos used it
  bool failed = false;           ///< a solution failure (docs/method.md section 5)
  std::string failure;           ///< why, when failed

  /// The relative residual after the first iteration (r_0 if none ran).
  double firstIterationResidual() const {
    return residuals.size() > 1 ? residuals[1] : residuals.empty() ? 1.0 : residuals[0];
  }
};

/// ‖b − A x‖ / ‖b‖ for one right-hand side (‖b‖ = 0 counts as 1). A collective.
template <class SC, class LO, class GO, class NO>
double trueRelativeResidual(const Tpetra::Operator<SC, LO, GO, NO>& A, const Tpetra::MultiVector<SC, LO, GO, NO>& x,
                            const Tpetra::MultiVector<SC, LO, GO, NO>& b);

/// Belos' defaults for the protocol of docs/method.md section 5: restart 10,
/// 100 iterations, rtol 1e-8, flexible GMRES.
Teuchos::ParameterList defaultBelosParameters();

/// Checks a Belos list against Block GMRES' valid parameters (a misspelled or
/// wrongly typed name is an error naming it; Belos itself ignores unknown
/// names) and the ranges: "Maximum Iterations" and "Num Blocks" at least 1,
/// "Convergence Tolerance" in (0, 1). std::invalid_argument.
void validateBelosParameters(const Teuchos::ParameterList& belos);

/// Solves A x = b (one right-hand side) with Belos Block GMRES, flexible when a
/// right preconditioner M is given (the only way Belos runs flexible GMRES; the
/// flag is read back after setup and a solve that lost it is an error). x holds
/// the initial guess. belos: passed to Belos over the defaults above. Records
/// the residual history, recomputes the true residual, and classifies a
/// solution failure: NaN/Inf, or a tracked residual that departs from the true
/// one (true > 10 · max(tracked, tolerance)).
template <class SC, class LO, class GO, class NO>
SolveResult solveFlexibleGmres(const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& A,
                               const Teuchos::RCP<const Tpetra::MultiVector<SC, LO, GO, NO>>& b,
                               const Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>>& x,
                               const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
                               const Teuchos::ParameterList& belos);

} // namespace Gnp

#endif
