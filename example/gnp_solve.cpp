// gnp-solve: solve A x = b with Belos flexible GMRES and each preconditioner named
// in an XML parameter list (GNP, ILUT, RELAXATION, MueLu, GMRES, None), printing
// one table row per preconditioner. Runs under mpirun -np N.
#include "Gnp_Errors.hpp"
#include "Gnp_Factory.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Metrics.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_RunList.hpp"
#include "Gnp_ProtocolProblem.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_CommandLineProcessor.hpp>
#include <Tpetra_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
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
using Problem = Gnp::ProtocolProblem<SC, LO, GO, NO>;

struct Row {
  std::string name, type, status; // status empty: not solved yet
  double build = 0, solve_s = 0, tracked = 1, truth = 1, auc = 0, firstResidual = 1, deviation = 0;
  int iters = 0;
  int maxIterations = 0;

  void solve(const Problem& p, const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
             const Teuchos::ParameterList& belos) {
    deviation = Gnp::outputConstantDeviation(M, *p.b);
    auto x = Teuchos::rcp(new mv_type(p.A->getDomainMap(), 1, true));
    const auto r = Gnp::solveFlexibleGmres<SC, LO, GO, NO>(p.A, p.b, x, M, belos);
    solve_s = r.seconds;
    iters = r.iterations;
    tracked = r.trackedResidual;
    truth = r.trueResidual;
    firstResidual = r.firstIterationResidual();
    auc = r.failed ? std::nan("") : Gnp::iterAuc(r.residuals, belos.get<int>("Maximum Iterations"));
    status = r.failed ? "solution failure: " + r.failure : r.converged ? "converged" : "not converged";
  }
};

void printTable(Gnp::RightHandSide rhs, const std::vector<Row>& rows) {
  const char* what = rhs == Gnp::RightHandSide::Ones             ? "b = A*1 (the paper's: exact solution constant)"
                     : rhs == Gnp::RightHandSide::RandomSolution ? "b = A*x, x ~ N(0,1)"
                                                                 : "b ~ N(0,1)";
  std::printf("\nright-hand side \"%s\": %s\n", Gnp::toString(rhs).c_str(), what);
  std::printf("%-12s %10s %6s %12s %12s %10s %9s %10s %9s  %s\n", "precond", "build s", "iters", "tracked", "true",
              "Iter-AUC", "solve s", "relres@1", "M(b) dev", "status");
  for (const auto& row : rows) {
    if (row.status.rfind("construction", 0) == 0) {
      std::printf("%-12s %10s %6s %12s %12s %10s %9s %10s %9s  %s\n", row.name.c_str(), "-", "-", "-", "-", "-", "-",
                  "-", "-", row.status.c_str());
      continue;
    }
    char auc[32] = "-";
    if (std::isfinite(row.auc)) std::snprintf(auc, sizeof auc, "%.1f", row.auc);
    std::printf("%-12s %10.3f %6d %12.3e %12.3e %10s %9.3f %10.2e %9.1e  %s\n", row.name.c_str(), row.build, row.iters,
                row.tracked, row.truth, auc, row.solve_s, row.firstResidual, row.deviation, row.status.c_str());
  }
}

// Notes where a b = A*1 result is the constant-output artifact (Gnp::constantOutputArtifact).
void printArtifactNotes(const std::vector<Gnp::RightHandSide>& rhsList, const std::vector<std::vector<Row>>& rows) {
  auto index = [&](Gnp::RightHandSide r) {
    const auto it = std::find(rhsList.begin(), rhsList.end(), r);
    return it == rhsList.end() ? -1 : static_cast<int>(it - rhsList.begin());
  };
  const int ones = index(Gnp::RightHandSide::Ones), other = index(Gnp::RightHandSide::RandomSolution);
  if (ones < 0) return;
  double none = std::nan("");
  for (const auto& row : rows[ones])
    if (row.type == "None") none = row.auc;
  for (std::size_t i = 0; i < rows[ones].size(); ++i) {
    const Row& row = rows[ones][i];
    if (row.type == "None" || row.status.rfind("construction", 0) == 0) continue;
    const double otherFirst = other >= 0 ? rows[other][i].firstResidual : std::nan("");
    char onOther[32] = "not run";
    if (std::isfinite(otherFirst)) std::snprintf(onOther, sizeof onOther, "to %.1e", otherFirst);
    if (Gnp::constantOutputArtifact(row.auc, none, row.firstResidual, otherFirst, row.deviation))
      std::printf("\nnote: %s on b = A*1 is the constant-output artifact, not preconditioning: its first iteration "
                  "cut the residual to %.1e there (%s on b = A*x); the exact solution of b = A*1 is constant, and "
                  "so, nearly, is %s's output. Judge it on \"random solution\".\n",
                  row.name.c_str(), row.firstResidual, onOther, row.name.c_str());
  }
}

} // namespace

int main(int argc, char* argv[]) {
  // Kokkos prints its own options for --help before ours; it gets every
  // argument but that one.
  std::vector<char*> forTpetra;
  for (int i = 0; i < argc; ++i)
    if (std::string(argv[i]) != "--help" && std::string(argv[i]) != "-h") forTpetra.push_back(argv[i]);
  int tpetraArgc = static_cast<int>(forTpetra.size());
  forTpetra.push_back(nullptr); // argv[argc] is NULL, as MPI and Kokkos expect
  char** tpetraArgv = forTpetra.data();
  Tpetra::ScopeGuard tpetra(&tpetraArgc, &tpetraArgv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;

  std::string matrixPath = GNP_DEFAULT_MATRIX, paramsPath = GNP_DEFAULT_PARAMS;
  // Positional arguments: [matrix.mtx] [params.xml]; the rest are options.
  std::vector<char*> options{argv[0]};
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind("-", 0) == 0) options.push_back(argv[i]);
    else if (positional == 0 && ++positional) matrixPath = argv[i];
    else if (positional == 1 && ++positional) paramsPath = argv[i];
    else {
      if (root) std::cerr << "gnp-solve: error: too many arguments (see --help)\n";
      return 1;
    }
  }
  Teuchos::CommandLineProcessor clp(false, true);
  clp.setDocString(
      "gnp-solve [matrix.mtx] [params.xml] [options]\n\n"
      "Solves A x = b, x0 = 0, after Gershgorin scaling (A <- A/gamma), with Belos flexible GMRES (restart 10,\n"
      "100 iterations, rtol 1e-8 unless the XML's \"Belos\" list says otherwise), once per preconditioner named\n"
      "in the XML file and right-hand side (default: b = A*1, the paper's, and b = A*x with x ~ N(0,1)), and\n"
      "prints one table per right-hand side. Without arguments: the matrix and the six-preconditioner\n"
      "comparison shipped in example/. Input errors (files, parameters) end it with exit code 1.");
  clp.setOption("matrix", &matrixPath, "MatrixMarket file (also the first positional argument)");
  clp.setOption("params", &paramsPath, "XML parameter list (also the second positional argument)");
  std::string stepsOption = "keep"; // a sentinel, so that an empty value is an error
  clp.setOption("gnp-steps", &stepsOption, "Override \"gnp: training steps\" of every GNP run (a positive integer; keep: the XML's)");
  std::string rhsOption;
  clp.setOption("rhs", &rhsOption,
                "Right-hand sides, comma-separated: ones (b = A*1, the paper's), random-solution (b = A*x, x ~ N(0,1)), "
                "random (b ~ N(0,1)); default: the XML's \"Right-hand side\", else ones,random-solution");
  Teuchos::CommandLineProcessor::EParseCommandLineReturn parsed;
  {
    std::ostringstream quiet; // only rank 0 prints help and parse errors
    parsed = clp.parse(static_cast<int>(options.size()), options.data(), root ? &std::cerr : &quiet);
  }
  if (parsed == Teuchos::CommandLineProcessor::PARSE_HELP_PRINTED) return 0;
  if (parsed != Teuchos::CommandLineProcessor::PARSE_SUCCESSFUL) {
    if (root) std::cerr << "gnp-solve: error: cannot parse the command line (see --help)\n";
    return 1;
  }

  try {
    const int steps = stepsOption == "keep"
                          ? -1
                          : static_cast<int>(Gnp::parseInteger("--gnp-steps", stepsOption, 1, 1000000000));
    const auto top = Gnp::readParameterFile(paramsPath);
    auto runs = Gnp::parseRunList(*top);
    const auto rhsList = rhsOption.empty() ? Gnp::rightHandSides(*top) : Gnp::parseRightHandSides(rhsOption);
    for (auto& run : runs) {
      if (steps > 0 && run.type == "GNP") run.precParams.set("gnp: training steps", steps);
      try {
        Factory::validate(run.type, run.precParams);
      } catch (const std::exception& e) {
        throw std::invalid_argument("run \"" + run.name + "\": " + e.what());
      }
    }

    const auto scaled = Gnp::readProtocolProblem<SC, LO, GO, NO>(matrixPath, comm);
    const auto& A = scaled.A;
    std::vector<Problem> problems;
    for (auto rhs : rhsList) problems.push_back(Gnp::withRightHandSide(scaled, rhs));
    if (root)
      std::printf("gnp-solve: %s: n = %lld, nnz = %lld, gamma = %.4g, %d MPI rank(s); params %s; right-hand sides: %s\n",
                  matrixPath.c_str(), static_cast<long long>(A->getGlobalNumRows()),
                  static_cast<long long>(A->getGlobalNumEntries()), scaled.gamma, comm->getSize(), paramsPath.c_str(),
                  Gnp::toString(rhsList).c_str());

    // rows[k]: one row per run for right-hand side k. Each preconditioner is
    // built once and solves every right-hand side.
    std::vector<std::vector<Row>> rows(rhsList.size());
    for (const auto& run : runs) {
      if (root) std::printf("gnp-solve: building %s (%s)\n", run.name.c_str(), run.type.c_str()), std::fflush(stdout);
      Factory::Built built;
      std::string failure;
      try {
        built = Factory::create(run.type, A, run.precParams);
      } catch (const std::invalid_argument& e) { // parameters only MueLu or Ifpack2 could check
        throw std::invalid_argument("run \"" + run.name + "\": " + e.what());
      } catch (const std::exception& e) {
        failure = std::string("construction failure: ") + e.what();
        if (root) std::printf("gnp-solve: %s\n", failure.c_str());
      }
      for (std::size_t k = 0; k < problems.size(); ++k) {
        Row row;
        row.name = run.name;
        row.type = run.type;
        row.status = failure;
        if (failure.empty()) {
          row.build = built.seconds;
          row.solve(problems[k], built.op, run.belos);
        }
        rows[k].push_back(row);
      }
    }
    if (root) {
      for (std::size_t k = 0; k < problems.size(); ++k) printTable(rhsList[k], rows[k]);
      printArtifactNotes(rhsList, rows);
    }
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
