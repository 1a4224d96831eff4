// gnp-solve: solve A x = b with Belos flexible GMRES and each preconditioner named
// in an XML parameter list (GNP, ILUT, RELAXATION, MueLu, GMRES, None), printing
// one table row per preconditioner. Runs under mpirun -np N; with --time-limit it
// is started without mpirun and runs each preconditioner as its own
// `mpirun -np R gnp-solve --worker-run=NAME` job, killed at the limit.
#include "Gnp_ChildProcess.hpp"
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
#include <cstdlib>
#include <filesystem>
#include <fstream>
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

  // Construction failed or the run passed its time limit: nothing was solved.
  bool unsolved() const { return status.rfind("construction", 0) == 0 || status.rfind("time limit", 0) == 0; }
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
    if (row.unsolved()) {
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
    if (row.type == "None" || row.unsolved()) continue;
    const double otherFirst = other >= 0 ? rows[other][i].firstResidual : std::nan("");
    char onOther[32] = "not run";
    if (std::isfinite(otherFirst)) std::snprintf(onOther, sizeof onOther, "to %.1e", otherFirst);
    if (Gnp::constantOutputArtifact(row.auc, none, row.firstResidual, otherFirst, row.deviation))
      std::printf(
          "\nnote: %s on b = A*1 is the constant-output artifact, not preconditioning: its first iteration "
          "cut the residual to %.1e there (%s on b = A*x); the exact solution of b = A*1 is constant, and "
          "so, nearly, is %s's output. Judge it on \"random solution\".\n",
          row.name.c_str(), row.firstResidual, onOther, row.name.c_str());
  }
}

// The XML file's runs, "gnp: training steps" set from --gnp-steps (unless it is
// "keep"), each validated: an invalid one is an input error naming the run.
std::vector<Gnp::RunSpec> validatedRuns(const Teuchos::ParameterList& top, const std::string& stepsOption) {
  const int steps =
      stepsOption == "keep" ? -1 : static_cast<int>(Gnp::parseInteger("--gnp-steps", stepsOption, 1, 1000000000));
  auto runs = Gnp::parseRunList(top);
  for (auto& run : runs) {
    if (steps > 0 && run.type == "GNP") run.precParams.set("gnp: training steps", steps);
    try {
      Factory::validate(run.type, run.precParams);
    } catch (const std::exception& e) {
      throw std::invalid_argument("run \"" + run.name + "\": " + e.what());
    }
  }
  return runs;
}

// ----------------------------------------------------- --time-limit: driver and worker

// A fresh folder under the system's temporary directory, removed with its files
// when this goes out of scope (also when an error ends the driver).
struct TemporaryFolder {
  TemporaryFolder() {
    std::string name = (std::filesystem::temp_directory_path() / "gnp-solve.XXXXXX").string();
    if (!mkdtemp(name.data())) throw std::runtime_error("cannot create a temporary folder for the jobs");
    path = name;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

// A worker's result file: the problem's size, then one row per right-hand side.
void writeRows(const std::string& path, const Problem& p, const std::vector<Row>& rows) {
  std::ofstream out(path);
  out.precision(17);
  out << p.A->getGlobalNumRows() << '\t' << p.A->getGlobalNumEntries() << '\t' << p.gamma << '\n';
  for (const auto& r : rows) {
    std::string status = r.status;
    std::replace(status.begin(), status.end(), '\t', ' ');
    std::replace(status.begin(), status.end(), '\n', ' ');
    out << r.build << '\t' << r.solve_s << '\t' << r.tracked << '\t' << r.truth << '\t' << r.auc << '\t'
        << r.firstResidual << '\t' << r.deviation << '\t' << r.iters << '\t' << status << '\n';
  }
}

// The rows of a worker's file (empty if it wrote none); `size` gets its first line.
std::vector<Row> readRows(const std::string& path, const Gnp::RunSpec& run, std::string& size) {
  std::ifstream in(path);
  std::vector<Row> rows;
  std::string line;
  if (!std::getline(in, size)) return rows;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Row r;
    r.name = run.name;
    r.type = run.type;
    std::string auc;
    fields >> r.build >> r.solve_s >> r.tracked >> r.truth >> auc >> r.firstResidual >> r.deviation >> r.iters;
    r.auc = std::strtod(auc.c_str(), nullptr); // "nan" for a failed solve
    fields.ignore(1);
    std::getline(fields, r.status);
    rows.push_back(r);
  }
  return rows;
}

struct DriverSettings {
  std::string matrixPath, paramsPath, rhsOption, stepsOption, mpiexec;
  double timeLimit = 0.0;
  int ranks = 2;
};

// Runs every preconditioner of the XML file as its own MPI job and prints the
// tables; a job past the time limit is killed and reported in its rows.
int driver(const DriverSettings& s) {
  const auto top = Gnp::readParameterFile(s.paramsPath);
  const auto runs = validatedRuns(*top, s.stepsOption);
  const auto rhsList = s.rhsOption.empty() ? Gnp::rightHandSides(*top) : Gnp::parseRightHandSides(s.rhsOption);
  Gnp::requireReadableFile(s.matrixPath, "matrix file");
  std::string tags;
  for (auto r : rhsList) tags += (tags.empty() ? "" : ",") + Gnp::fileTag(r);
  std::printf(
      "gnp-solve: %s; params %s; right-hand sides: %s; each preconditioner on %d MPI rank(s) as its own job, "
      "time limit %g s\n",
      s.matrixPath.c_str(), s.paramsPath.c_str(), Gnp::toString(rhsList).c_str(), s.ranks, s.timeLimit);
  const TemporaryFolder temporary;
  const std::filesystem::path& folder = temporary.path;
  const std::string self = std::filesystem::canonical("/proc/self/exe").string();

  std::vector<std::vector<Row>> rows(rhsList.size());
  std::string size;
  int index = 0;
  for (const auto& run : runs) {
    const std::string out = (folder / ("run" + std::to_string(index) + ".tsv")).string();
    const std::string log = (folder / ("run" + std::to_string(index++) + ".log")).string();
    std::vector<std::string> argv = Gnp::ChildProcess::mpiLaunch(s.mpiexec, s.ranks);
    argv.insert(argv.end(), {self, s.matrixPath, s.paramsPath, "--worker-run=" + run.name, "--worker-out=" + out,
                             "--rhs=" + tags, "--gnp-steps=" + s.stepsOption});
    const auto outcome = Gnp::ChildProcess::run(argv, log, s.timeLimit);
    std::string runSize;
    std::vector<Row> got = outcome.failure.empty() ? readRows(out, run, runSize) : std::vector<Row>();
    if (!outcome.timedOut && outcome.exitStatus == 1) {
      // An input error (the matrix, say): the same as without --time-limit.
      std::ifstream in(log);
      std::string line, last;
      while (std::getline(in, line))
        if (line.rfind("gnp-solve: error: ", 0) == 0) last = line.substr(18);
      throw std::invalid_argument(last.empty() ? "run \"" + run.name + "\": " + outcome.failure : last);
    }
    if (got.size() != rhsList.size()) {
      Row r;
      r.name = run.name;
      r.type = run.type;
      r.status = outcome.timedOut
                     ? "time limit: stopped after " + std::to_string(static_cast<long long>(s.timeLimit)) + " s"
                     : "construction failure: its job " +
                           (outcome.failure.empty() ? std::string("wrote no result") : outcome.failure);
      std::printf("gnp-solve: %s: %s; going on with the other runs\n", run.name.c_str(), r.status.c_str());
      got.assign(rhsList.size(), r);
    } else if (size.empty()) {
      size = runSize;
    }
    for (std::size_t k = 0; k < rhsList.size(); ++k) rows[k].push_back(got[k]);
  }
  if (!size.empty()) {
    long long n = 0, nnz = 0;
    double gamma = 0.0;
    std::istringstream(size) >> n >> nnz >> gamma;
    std::printf("\ngnp-solve: %s: n = %lld, nnz = %lld, gamma = %.4g\n", s.matrixPath.c_str(), n, nnz, gamma);
  }
  for (std::size_t k = 0; k < rhsList.size(); ++k) printTable(rhsList[k], rows[k]);
  printArtifactNotes(rhsList, rows);
  return 0;
}

// This process's rank when an MPI launcher started it (0 otherwise), before MPI
// is initialised: only rank 0 prints help and errors.
bool launchedAsRoot() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* v = std::getenv(name)) return std::string(v) == "0";
  return true;
}

bool launchedByMpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_SIZE");
}

} // namespace

int main(int argc, char* argv[]) {
  const bool root = launchedAsRoot();
  std::string matrixPath = GNP_DEFAULT_MATRIX, paramsPath = GNP_DEFAULT_PARAMS;
  // Positional arguments: [matrix.mtx] [params.xml]; the rest are options.
  std::vector<char*> options{argv[0]};
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind("-", 0) == 0)
      options.push_back(argv[i]);
    else if (positional == 0 && ++positional)
      matrixPath = argv[i];
    else if (positional == 1 && ++positional)
      paramsPath = argv[i];
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
      "comparison shipped in example/. Run it under mpirun -np N, or, with --time-limit, without mpirun: it then\n"
      "starts one `mpirun -np R` job per preconditioner and kills a job that passes the limit (a MueLu setup\n"
      "that never returns, say); that run's rows say so and the other runs go on. Input errors (files,\n"
      "parameters) end it with exit code 1.");
  clp.setOption("matrix", &matrixPath, "MatrixMarket file (also the first positional argument)");
  clp.setOption("params", &paramsPath, "XML parameter list (also the second positional argument)");
  std::string stepsOption = "keep"; // a sentinel, so that an empty value is an error
  clp.setOption("gnp-steps", &stepsOption,
                "Override \"gnp: training steps\" of every GNP run (a positive integer; keep: the XML's)");
  std::string rhsOption;
  clp.setOption(
      "rhs", &rhsOption,
      "Right-hand sides, comma-separated: ones (b = A*1, the paper's), random-solution (b = A*x, x ~ N(0,1)), "
      "random (b ~ N(0,1)); default: the XML's \"Right-hand side\", else ones,random-solution");
  DriverSettings driverSettings;
  driverSettings.mpiexec = GNP_MPIEXEC;
  std::string timeLimitOption = "0", ranksOption = "2"; // parsed strictly below
  clp.setOption("time-limit", &timeLimitOption,
                "Seconds each preconditioner may take, construction and solves together (a whole number; 0: no "
                "limit); runs each preconditioner as its own MPI job: start gnp-solve without mpirun");
  clp.setOption("ranks", &ranksOption, "With --time-limit: MPI ranks of each preconditioner's job");
  clp.setOption("mpiexec", &driverSettings.mpiexec, "With --time-limit: the MPI launcher");
  std::string workerRun, workerOut;
  clp.setOption("worker-run", &workerRun, "Internal (--time-limit): run only this preconditioner");
  clp.setOption("worker-out", &workerOut, "Internal (--time-limit): write its rows to this file");
  Teuchos::CommandLineProcessor::EParseCommandLineReturn parsed;
  try {
    std::ostringstream quiet; // only rank 0 prints help and parse errors
    parsed = clp.parse(static_cast<int>(options.size()), options.data(), root ? &std::cerr : &quiet);
  } catch (const std::exception& e) { // Teuchos throws for a value it cannot convert
    if (root) std::cerr << "gnp-solve: error: " << Gnp::withoutSourceLocation(e.what()) << "\n";
    return 1;
  }
  if (parsed == Teuchos::CommandLineProcessor::PARSE_HELP_PRINTED) return 0;
  if (parsed != Teuchos::CommandLineProcessor::PARSE_SUCCESSFUL) {
    if (root) std::cerr << "gnp-solve: error: cannot parse the command line (see --help)\n";
    return 1;
  }

  try {
    driverSettings.timeLimit = static_cast<double>(Gnp::parseInteger("--time-limit", timeLimitOption, 0, 100000000));
    driverSettings.ranks = static_cast<int>(Gnp::parseInteger("--ranks", ranksOption, 1, 100000));
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return 1;
  }
  if (workerRun.empty() && driverSettings.timeLimit > 0.0) {
    // No MPI here: the jobs' mpirun would take this process's MPI environment for its own.
    try {
      if (launchedByMpi())
        throw std::invalid_argument(
            "--time-limit starts one mpirun per preconditioner: run gnp-solve itself "
            "without mpirun, and give the ranks per job with --ranks");
      driverSettings.matrixPath = matrixPath;
      driverSettings.paramsPath = paramsPath;
      driverSettings.rhsOption = rhsOption;
      driverSettings.stepsOption = stepsOption;
      return driver(driverSettings);
    } catch (const std::exception& e) {
      if (root) std::cerr << "gnp-solve: error: " << e.what() << "\n";
      return 1;
    }
  }

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

  try {
    const auto top = Gnp::readParameterFile(paramsPath);
    auto runs = validatedRuns(*top, stepsOption);
    const auto rhsList = rhsOption.empty() ? Gnp::rightHandSides(*top) : Gnp::parseRightHandSides(rhsOption);
    if (!workerRun.empty()) {
      runs.erase(std::remove_if(runs.begin(), runs.end(), [&](const Gnp::RunSpec& r) { return r.name != workerRun; }),
                 runs.end());
      if (runs.size() != 1) throw std::invalid_argument("--worker-run: no run named \"" + workerRun + "\"");
    }

    const auto scaled = Gnp::readProtocolProblem<SC, LO, GO, NO>(matrixPath, comm);
    const auto& A = scaled.A;
    std::vector<Problem> problems;
    for (auto rhs : rhsList) problems.push_back(Gnp::withRightHandSide(scaled, rhs));
    if (root && workerRun.empty())
      std::printf(
          "gnp-solve: %s: n = %lld, nnz = %lld, gamma = %.4g, %d MPI rank(s); params %s; right-hand sides: %s\n",
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
    if (root && !workerRun.empty()) {
      std::vector<Row> mine;
      for (const auto& r : rows) mine.push_back(r.front());
      writeRows(workerOut, problems.front(), mine);
    } else if (root) {
      for (std::size_t k = 0; k < problems.size(); ++k) printTable(rhsList[k], rows[k]);
      printArtifactNotes(rhsList, rows);
    }
  } catch (const std::exception& e) {
    if (comm->getRank() == 0) std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
