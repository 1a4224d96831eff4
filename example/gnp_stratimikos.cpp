// gnp-stratimikos: solve A x = b through Stratimikos, the way a Trilinos
// application that already has a Stratimikos parameter list does: GNP, Ifpack2
// and MueLu are registered (Gnp::enableTpetraPreconditioners), and the XML's
// "Preconditioner Type" picks one. Runs under mpirun -np N.
#include "Gnp_CommandLine.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_ProtocolProblem.hpp"
#include "Gnp_StratimikosHelpers.hpp"

#include "Gnp_RunList.hpp"
#include <Teuchos_XMLParameterListHelpers.hpp>
#include <Tpetra_Core.hpp>

#include <cstdio>
#include <iostream>

int main(int argc, char* argv[]) {
  using SC = Gnp::DefaultScalar;
  using LO = Gnp::DefaultLocalOrdinal;
  using GO = Gnp::DefaultGlobalOrdinal;
  using NO = Gnp::DefaultNode;
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;

  std::string matrixPath = GNP_DEFAULT_MATRIX, paramsPath = GNP_DEFAULT_PARAMS, preconditioner;
  Gnp::CommandLine commandLine(
      "gnp-stratimikos --matrix A.mtx --params stratimikos.xml [--preconditioner NAME]\n\n"
      "Solves A x = b, b = A*1, x0 = 0, after Gershgorin scaling, with the Stratimikos linear solver "
      "and preconditioner of the XML file.");
  auto& clp = commandLine.options();
  clp.setOption("matrix", &matrixPath, "MatrixMarket file");
  clp.setOption("params", &paramsPath, "Stratimikos parameter list (XML)");
  clp.setOption("preconditioner", &preconditioner,
                "Override \"Preconditioner Type\" (GNP, Auto, Ifpack2, MueLu, None)");
  std::string stepsOption = "keep"; // parsed strictly below
  clp.setOption("gnp-steps", &stepsOption,
                "Override \"gnp: training steps\" of the GNP sublist (a positive integer; keep: the XML's)");

  try {
    if (!commandLine.parse(argc, argv, root)) return 0;
    const int steps =
        stepsOption == "keep" ? -1 : static_cast<int>(Gnp::parseInteger("--gnp-steps", stepsOption, 1, 1000000000));
    auto params = Gnp::readParameterFile(paramsPath);
    if (!preconditioner.empty()) params->set("Preconditioner Type", preconditioner);
    if (steps > 0) params->sublist("Preconditioner Types").sublist("GNP").set("gnp: training steps", steps);
    const auto problem = Gnp::readProtocolProblem<SC, LO, GO, NO>(matrixPath, comm);
    const auto& A = problem.A;
    const auto& b = problem.b;
    auto x = Teuchos::rcp(new mv_type(A->getDomainMap(), 1));
    const std::string type = params->get<std::string>("Preconditioner Type");
    const auto r = Gnp::solveWithStratimikos(A, b, x, params);
    if (root)
      std::printf(
          "gnp-stratimikos: %s, preconditioner %s, %d MPI rank(s): %s after %d iterations, true relative "
          "residual %.3e\n",
          matrixPath.c_str(), type.c_str(), comm->getSize(), r.converged ? "converged" : "not converged", r.iterations,
          r.trueResidual);
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-stratimikos: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
