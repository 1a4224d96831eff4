// gnp-belos: GNP through Belos::SolverFactory by name, the way code that
// already creates its Belos solver from a name and a parameter list does:
// Gnp::registerBelosSolver() once, then "GNP FGMRES" with a "GNP" sublist.
// Runs under mpirun -np N.
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_GnpSolverManager.hpp"
#include "Gnp_CommandLine.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_ProtocolProblem.hpp"
#include "Gnp_Types.hpp"

#include <BelosSolverFactory_Tpetra.hpp>
#include <BelosTpetraAdapter.hpp>
#include "Gnp_RunList.hpp"
#include <Teuchos_XMLParameterListHelpers.hpp>
#include <Tpetra_Core.hpp>

#include <cctype>
#include <cstdio>
#include <iostream>

int main(int argc, char* argv[]) {
  using SC = Gnp::DefaultScalar;
  using LO = Gnp::DefaultLocalOrdinal;
  using GO = Gnp::DefaultGlobalOrdinal;
  using NO = Gnp::DefaultNode;
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  using op_type = Tpetra::Operator<SC, LO, GO, NO>;
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;

  std::string matrixPath = GNP_DEFAULT_MATRIX, paramsPath = GNP_DEFAULT_PARAMS;
  std::string stepsOption = "keep"; // parsed strictly below
  Gnp::CommandLine commandLine(
      "gnp-belos --matrix A.mtx --params belos.xml\n\n"
      "Solves A x = b, b = A*1, x0 = 0, after Gershgorin scaling, with the Belos solver named by the "
      "XML's \"Solver Type\" (e.g. \"GNP FGMRES\") and its \"Solver Parameters\".");
  auto& clp = commandLine.options();
  clp.setOption("matrix", &matrixPath, "MatrixMarket file");
  clp.setOption("params", &paramsPath, "XML: \"Solver Type\" and a \"Solver Parameters\" sublist");
  clp.setOption("gnp-steps", &stepsOption,
                "Override \"gnp: training steps\" of the \"GNP\" sublist (a positive integer; keep: the XML's)");

  try {
    if (!commandLine.parse(argc, argv, root)) return 0;
    const int steps =
        stepsOption == "keep" ? -1 : static_cast<int>(Gnp::parseInteger("--gnp-steps", stepsOption, 1, 1000000000));
    Gnp::registerBelosSolver();
    const auto top = Gnp::readParameterFile(paramsPath);
    const std::string solverType = top->get<std::string>("Solver Type");
    auto params = Teuchos::rcp(new Teuchos::ParameterList(top->sublist("Solver Parameters")));
    // Belos' own solvers ignore a sublist they do not know; GNP needs the flexible "GNP FGMRES".
    std::string upper = solverType;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (params->isSublist("GNP") && upper != "GNP FGMRES")
      throw std::invalid_argument(
          "the \"GNP\" sublist is read only by the solver \"GNP FGMRES\" (GNP is nonlinear "
          "and needs flexible GMRES); \"" +
          solverType + "\" would ignore it: set \"Solver Type\" to \"GNP FGMRES\"");
    if (steps > 0) params->sublist("GNP").set("gnp: training steps", steps);

    const auto system = Gnp::readProtocolProblem<SC, LO, GO, NO>(matrixPath, comm);
    const auto& A = system.A;
    const auto& b = system.b;
    auto x = Teuchos::rcp(new mv_type(A->getDomainMap(), 1));

    Belos::SolverFactory<SC, mv_type, op_type> factory;
    const auto solver = factory.create(solverType, params);
    auto problem = Teuchos::rcp(new Belos::LinearProblem<SC, mv_type, op_type>(A, x, b));
    problem->setProblem();
    solver->setProblem(problem);
    const Belos::ReturnType status = solver->solve();

    const double relres = Gnp::trueRelativeResidual<SC, LO, GO, NO>(*A, *x, *b);
    if (root)
      std::printf(
          "gnp-belos: %s, solver \"%s\", %d MPI rank(s): %s after %d iterations, true relative residual "
          "%.3e\n",
          matrixPath.c_str(), solverType.c_str(), comm->getSize(),
          status == Belos::Converged ? "converged" : "not converged", solver->getNumIters(), relres);
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-belos: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
