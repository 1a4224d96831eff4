#ifndef GNP_BENCHCASE_HPP
#define GNP_BENCHCASE_HPP

#include "Gnp_Factory.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_ProtocolProblem.hpp"
#include "Gnp_Types.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace Gnp {
namespace Bench {

using SC = DefaultScalar;
using LO = DefaultLocalOrdinal;
using GO = DefaultGlobalOrdinal;
using NO = DefaultNode;
using crs_type = Tpetra::CrsMatrix<SC, LO, GO, NO>;
using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
using operator_type = Tpetra::Operator<SC, LO, GO, NO>;
using Factory = Gnp::Factory<SC, LO, GO, NO>;
using json = nlohmann::json;

/// A matrix prepared as docs/method.md section 5 says: Â = A/γ (Gershgorin), b = Â·1.
using Problem = ProtocolProblem<SC, LO, GO, NO>;

/// The outcome of building one preconditioner.
struct Construction {
  bool failed = false;
  std::string message; ///< why, when failed
  double seconds = 0.0;
  Factory::Built built;
};

/// Runs `build` (a Factory::create call, or a model load), timing it. An
/// exception, or an operator whose output on b is not finite (a zero pivot, a
/// zero diagonal), is a construction failure (docs/method.md section 5).
Construction construct(const std::function<Factory::Built()>& build, const Problem& problem);

/// One FGMRES solve of problem.A x = problem.b from x0 = 0 (see
/// solveFlexibleGmres; its failure rule is the solution-failure class).
SolveResult solve(const Problem& problem, const Teuchos::RCP<const operator_type>& M,
                  const Teuchos::ParameterList& belos);

/// Time mode (docs/method.md section 5): no iteration cap, stop at rtol or after T
/// seconds. Belos 13.2 cannot stop a solve on time (BlockGmresSolMgr has no
/// user status test, and a status test that passes on its own makes it throw),
/// but the iterates do not depend on time: so this solves with an iteration cap
/// estimated from secondsPerIteration to run past T (doubled until it does) and
/// cuts the history at T. The residuals and iteration count are those at T;
/// the true residual and the failure check are those at the end of the run.
/// A collective: rank 0's clock decides.
SolveResult solveForTime(const Problem& problem, const Teuchos::RCP<const operator_type>& M,
                         Teuchos::ParameterList belos, double T, double secondsPerIteration);

/// Cuts a history at T seconds (time mode); returns whether anything was cut.
bool truncateAt(SolveResult& r, double T, double tolerance);

json toJson(const SolveResult& r);
SolveResult solveResultFromJson(const json& j);

/// First time (seconds from the start of the solve) at which the relative
/// residual is ≤ tolerance; negative if never.
double timeToTolerance(const SolveResult& r, double tolerance);

} // namespace Bench
} // namespace Gnp

#endif
