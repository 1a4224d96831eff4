#include "Gnp_FlexibleGmres.hpp"

#include "Gnp_Errors.hpp"

#include "Gnp_ResidualHistoryTest.hpp"
#include "Gnp_Types.hpp"

#include <BelosBlockGmresSolMgr.hpp>
#include <BelosLinearProblem.hpp>
#include <BelosTpetraAdapter.hpp>
#include <Tpetra_Vector.hpp>

#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace Gnp {

Teuchos::ParameterList defaultBelosParameters() {
  Teuchos::ParameterList p("Belos");
  p.set("Num Blocks", 10);
  p.set("Maximum Iterations", 100);
  p.set("Convergence Tolerance", 1e-8);
  p.set("Flexible Gmres", true);
  p.set("Verbosity", Belos::Errors + Belos::Warnings);
  return p;
}

void validateBelosParameters(const Teuchos::ParameterList& belos) {
  using MV = Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
  using OP = Tpetra::Operator<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
  const auto valid = Belos::BlockGmresSolMgr<DefaultScalar, MV, OP>().getValidParameters();
  try {
    Teuchos::ParameterList(belos).validateParameters(*valid, 0);
  } catch (const std::exception& e) {
    throw std::invalid_argument("invalid Belos parameters: " + withoutSourceLocation(e.what()) +
                                "\n(the Belos list takes Block GMRES' parameters, e.g. \"Maximum Iterations\")");
  }
  auto requireInt = [&](const char* name) {
    if (belos.isType<int>(name) && belos.get<int>(name) < 1)
      throw std::invalid_argument(std::string("invalid Belos parameters: \"") + name +
                                  "\" = " + std::to_string(belos.get<int>(name)) + " must be at least 1");
  };
  requireInt("Maximum Iterations");
  requireInt("Num Blocks");
  if (belos.isType<double>("Convergence Tolerance")) {
    const double tol = belos.get<double>("Convergence Tolerance");
    if (!(tol > 0.0 && tol < 1.0)) {
      std::ostringstream text;
      text << "invalid Belos parameters: \"Convergence Tolerance\" = " << tol << " must lie in (0, 1)";
      throw std::invalid_argument(text.str());
    }
  }
}

template <class SC, class LO, class GO, class NO>
double trueRelativeResidual(const Tpetra::Operator<SC, LO, GO, NO>& A, const Tpetra::MultiVector<SC, LO, GO, NO>& x,
                            const Tpetra::MultiVector<SC, LO, GO, NO>& b) {
  Tpetra::MultiVector<SC, LO, GO, NO> residual(b.getMap(), 1, false);
  A.apply(x, residual);
  residual.update(1.0, b, -1.0);
  const double bNorm = b.getVector(0)->norm2();
  return residual.getVector(0)->norm2() / (bNorm > 0.0 ? bNorm : 1.0);
}

template <class SC, class LO, class GO, class NO>
SolveResult solveFlexibleGmres(const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& A,
                               const Teuchos::RCP<const Tpetra::MultiVector<SC, LO, GO, NO>>& b,
                               const Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>>& x,
                               const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
                               const Teuchos::ParameterList& belos) {
  using MV = Tpetra::MultiVector<SC, LO, GO, NO>;
  using OP = Tpetra::Operator<SC, LO, GO, NO>;
  if (b->getNumVectors() != 1 || x->getNumVectors() != 1)
    throw std::invalid_argument("Gnp::solveFlexibleGmres: one right-hand side at a time");

  auto params = Teuchos::rcp(new Teuchos::ParameterList(defaultBelosParameters()));
  params->setParameters(belos);
  // Belos' default of 20 restarts would end a solve of more than 21 cycles short of
  // "Maximum Iterations" (FGMRES(30) at 630 of 1000), without a word.
  if (!belos.isParameter("Maximum Restarts")) params->set("Maximum Restarts", params->get<int>("Maximum Iterations"));
  const double tolerance = params->get<double>("Convergence Tolerance");
  const bool wantFlexible = params->get<bool>("Flexible Gmres") && !M.is_null();
  if (M.is_null()) params->set("Flexible Gmres", false); // plain GMRES: nothing to flex

  auto problem = Teuchos::rcp(new Belos::LinearProblem<SC, MV, OP>(A, x, b));
  if (!M.is_null()) problem->setRightPrec(M);
  if (!problem->setProblem()) throw std::runtime_error("Gnp::solveFlexibleGmres: Belos rejected the linear problem");

  Belos::BlockGmresSolMgr<SC, MV, OP> solver(problem, params);
  const double bNorm = b->getVector(0)->norm2();
  auto history = Teuchos::rcp(new ResidualHistoryTest<SC, MV, OP>(bNorm));
  solver.setDebugStatusTest(history);

  SolveResult r;
  const auto start = std::chrono::steady_clock::now();
  Belos::ReturnType status = Belos::Unconverged;
  std::string thrown;
  try {
    status = solver.solve();
  } catch (const std::exception& e) {
    // Belos throws when the Krylov basis breaks down, e.g. on NaN from M.
    thrown = withoutSourceLocation(e.what());
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.flexible = solver.getCurrentParameters()->template get<bool>("Flexible Gmres");
  if (wantFlexible && !r.flexible)
    throw std::logic_error(
        "Gnp::solveFlexibleGmres: Belos turned \"Flexible Gmres\" off; a nonlinear "
        "preconditioner needs flexible GMRES");

  r.residuals = history->residuals();
  r.times = history->times();
  r.iterations = solver.getNumIters();
  r.converged = status == Belos::Converged;
  r.trackedResidual = r.residuals.back();

  r.trueResidual = trueRelativeResidual(*A, *x, *b);

  std::ostringstream why;
  if (!thrown.empty()) {
    why << "Belos stopped with an error: " << thrown;
  } else if (!std::isfinite(r.trueResidual) || !std::isfinite(r.trackedResidual)) {
    why << "NaN or Inf in the solution or residual";
  } else if (r.trueResidual > 10.0 * std::max(r.trackedResidual, tolerance)) {
    why << "the true relative residual " << r.trueResidual << " departs from the tracked one " << r.trackedResidual;
  }
  r.failure = why.str();
  r.failed = !r.failure.empty();
  if (r.failed) r.converged = false;
  return r;
}

template double trueRelativeResidual(
    const Tpetra::Operator<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&,
    const Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&,
    const Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&);
template SolveResult solveFlexibleGmres(
    const Teuchos::RCP<const Tpetra::Operator<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&,
    const Teuchos::RCP<
        const Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&,
    const Teuchos::RCP<Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&,
    const Teuchos::RCP<const Tpetra::Operator<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&,
    const Teuchos::ParameterList&);

} // namespace Gnp
