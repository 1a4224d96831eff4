// gnp-solve: solve A x = b with Belos flexible GMRES and each preconditioner named
// in an XML parameter list (GNP, ILUT, RELAXATION, MueLu, GMRES, None), printing
// one table row per preconditioner. Runs under mpirun -np N.
#include "Gnp_Factory.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Metrics.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_RunList.hpp"
#include "Gnp_ProtocolProblem.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_CommandLineProcessor.hpp>
#include <Teuchos_XMLParameterListHelpers.hpp>
#include <Tpetra_Core.hpp>

#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using SC = Gnp::DefaultScalar;
using LO = Gnp::DefaultLocalOrdinal;
using GO = Gnp::DefaultGlobalOrdinal;
using NO = Gnp::DefaultNode;
using crs_type = Tpetra::CrsMatrix<SC, LO, GO, NO>;
using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
using Factory = Gnp::Factory<SC, LO, GO, NO>;

} // namespace

int main(int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;

  std::string matrixPath = GNP_DEFAULT_MATRIX, paramsPath = GNP_DEFAULT_PARAMS;
  // Positional arguments: [matrix.mtx] [params.xml]; the rest are options.
  std::vector<char*> options{argv[0]};
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind("--", 0) == 0) options.push_back(argv[i]);
    else if (positional == 0 && ++positional) matrixPath = argv[i];
    else if (positional == 1 && ++positional) paramsPath = argv[i];
    else {
      if (root) std::cerr << "gnp-solve: too many arguments (see --help)\n";
      return 2;
    }
  }
  Teuchos::CommandLineProcessor clp(false, true);
  clp.setDocString(
      "gnp-solve [matrix.mtx] [params.xml] [options]\n\n"
      "Solves A x = b, b = A*1, x0 = 0, after Gershgorin scaling (A <- A/gamma), with Belos flexible GMRES\n"
      "(restart 10, 100 iterations, rtol 1e-8 unless the XML's \"Belos\" list says otherwise), once per\n"
      "preconditioner named in the XML file, and prints one row each. Without arguments: the matrix and\n"
      "the six-preconditioner comparison shipped in example/.");
  clp.setOption("matrix", &matrixPath, "MatrixMarket file (also the first positional argument)");
  clp.setOption("params", &paramsPath, "XML parameter list (also the second positional argument)");
  int steps = -1;
  clp.setOption("gnp-steps", &steps, "Override \"gnp: training steps\" of every GNP run (-1: keep)");
  const auto parsed = clp.parse(static_cast<int>(options.size()), options.data());
  if (parsed == Teuchos::CommandLineProcessor::PARSE_HELP_PRINTED) return 0;
  if (parsed != Teuchos::CommandLineProcessor::PARSE_SUCCESSFUL) return 2;

  try {
    const auto top = Teuchos::getParametersFromXmlFile(paramsPath);
    auto runs = Gnp::parseRunList(*top);
    if (steps > 0)
      for (auto& run : runs)
        if (run.type == "GNP") run.precParams.set("gnp: training steps", steps);

    const auto problem = Gnp::readProtocolProblem<SC, LO, GO, NO>(matrixPath, comm);
    const auto& A = problem.A;
    const auto& b = problem.b;
    const double gamma = problem.gamma;
    if (root)
      std::printf("gnp-solve: %s: n = %lld, nnz = %lld, gamma = %.4g, %d MPI rank(s); params %s\n",
                  matrixPath.c_str(), static_cast<long long>(A->getGlobalNumRows()),
                  static_cast<long long>(A->getGlobalNumEntries()), gamma, comm->getSize(), paramsPath.c_str());

    struct Row { std::string name, status; double build = 0, solve = 0, tracked = 1, truth = 1, auc = 0; int iters = 0; };
    std::vector<Row> rows;
    for (const auto& run : runs) {
      Row row;
      row.name = run.name;
      if (root) std::printf("gnp-solve: building %s (%s)\n", run.name.c_str(), run.type.c_str()), std::fflush(stdout);
      Factory::Built built;
      try {
        built = Factory::create(run.type, A, run.precParams);
      } catch (const std::exception& e) {
        row.status = std::string("construction failure: ") + e.what();
        if (root) std::printf("gnp-solve: %s\n", row.status.c_str());
        rows.push_back(row);
        continue;
      }
      row.build = built.seconds;
      auto x = Teuchos::rcp(new mv_type(A->getDomainMap(), 1, true));
      const auto r = Gnp::solveFlexibleGmres<SC, LO, GO, NO>(A, b, x, built.op, run.belos);
      row.solve = r.seconds;
      row.iters = r.iterations;
      row.tracked = r.trackedResidual;
      row.truth = r.trueResidual;
      row.auc = Gnp::iterAuc(r.residuals, run.belos.get<int>("Maximum Iterations"));
      row.status = r.failed ? "solution failure: " + r.failure : r.converged ? "converged" : "not converged";
      rows.push_back(row);
    }
    if (root) {
      std::printf("\n%-12s %10s %6s %12s %12s %10s %9s  %s\n", "precond", "build s", "iters", "tracked", "true",
                  "Iter-AUC", "solve s", "status");
      for (const auto& row : rows) {
        if (row.status.rfind("construction", 0) == 0)
          std::printf("%-12s %10s %6s %12s %12s %10s %9s  %s\n", row.name.c_str(), "-", "-", "-", "-", "-", "-",
                      row.status.c_str());
        else
          std::printf("%-12s %10.3f %6d %12.3e %12.3e %10.1f %9.3f  %s\n", row.name.c_str(), row.build, row.iters,
                      row.tracked, row.truth, row.auc, row.solve, row.status.c_str());
      }
    }
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
