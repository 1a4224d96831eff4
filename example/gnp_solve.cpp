// gnp-solve: solve A x = b with Belos flexible GMRES and each preconditioner named
// in an XML parameter list (GNP, ILUT, RELAXATION, MueLu, GMRES, None), printing
// one table row per preconditioner. Runs under mpirun -np N; with --time-limit it
// is started without mpirun and runs each preconditioner as its own
// `mpirun -np R gnp-solve --worker-run=INDEX` job (Gnp::WorkerJob), stopped at the limit.
#include "Gnp_CommandLine.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_Factory.hpp"
#include "Gnp_Files.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Metrics.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_RunList.hpp"
#include "Gnp_ProtocolProblem.hpp"
#include "Gnp_Types.hpp"
#include "Gnp_WorkerJob.hpp"

#include <Tpetra_Core.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
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

  // An exception during the solve (Belos refusing a parameter value, a coarse
  // solver meeting a singular matrix) is this row's solution failure.
  void solve(const Problem& p, const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
             const Teuchos::ParameterList& belos) {
    Gnp::SolveResult r;
    try {
      deviation = Gnp::outputConstantDeviation(M, *p.b);
      auto x = Teuchos::rcp(new mv_type(p.A->getDomainMap(), 1, true));
      r = Gnp::solveFlexibleGmres<SC, LO, GO, NO>(p.A, p.b, x, M, belos);
    } catch (const std::exception& e) {
      r = Gnp::SolveResult();
      r.failed = true;
      r.failure = Gnp::withoutSourceLocation(e.what());
      r.residuals = {1.0};
    }
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
// when this goes out of scope (also when an error or a signal ends the driver).
struct TemporaryFolder {
  TemporaryFolder() {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string name = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/gnp-solve.XXXXXX";
    if (!mkdtemp(name.data()))
      throw std::runtime_error("cannot create a temporary folder for the jobs ('" + name +
                               "'): " + std::strerror(errno) + "; set TMPDIR to a writable folder");
    path = name;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

// A worker's result file: the problem's size, then one row per right-hand side,
// tab-separated (a status may hold spaces; a residual may be NaN).
void writeRows(const std::string& path, const Problem& p, const std::vector<Row>& rows) {
  std::ostringstream out;
  out.precision(17);
  out << p.A->getGlobalNumRows() << '\t' << p.A->getGlobalNumEntries() << '\t' << p.gamma << '\n';
  for (const auto& r : rows) {
    std::string status = r.status;
    std::replace(status.begin(), status.end(), '\t', ' ');
    std::replace(status.begin(), status.end(), '\n', ' ');
    out << r.build << '\t' << r.solve_s << '\t' << r.tracked << '\t' << r.truth << '\t' << r.auc << '\t'
        << r.firstResidual << '\t' << r.deviation << '\t' << r.iters << '\t' << status << '\n';
  }
  Gnp::writeFileAtomically(path, out.str());
}

// The rows of a worker's file (empty if it wrote none); `size` gets its first line.
std::vector<Row> readRows(const std::string& path, const Gnp::RunSpec& run, std::string& size) {
  std::ifstream in(path);
  std::vector<Row> rows;
  std::string line;
  if (!std::getline(in, size)) return rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string field; f.size() < 8 && std::getline(fields, field, '\t');) f.push_back(field);
    std::string status;
    std::getline(fields, status);
    if (f.size() != 8) return {};
    auto real = [](const std::string& text) { return std::strtod(text.c_str(), nullptr); }; // "nan" included
    Row r;
    r.name = run.name;
    r.type = run.type;
    r.build = real(f[0]), r.solve_s = real(f[1]), r.tracked = real(f[2]), r.truth = real(f[3]);
    r.auc = real(f[4]), r.firstResidual = real(f[5]), r.deviation = real(f[6]);
    r.iters = std::atoi(f[7].c_str());
    r.status = status;
    rows.push_back(r);
  }
  return rows;
}

// What to run: the matrix, the run list, the right-hand sides, the GNP step
// override; for a job of the --time-limit driver also which run and where its rows go.
struct RunSettings {
  std::string matrixPath, paramsPath, rhsOption, stepsOption = "keep";
  int workerRun = -1; // a job: this run alone, rows to workerOut
  std::string workerOut, jobMarker;
};

// How the --time-limit driver runs each preconditioner as its own job.
struct JobSettings {
  std::string mpiexec;
  double timeLimit = 0.0;
  int ranks = 2;
};

// One run as its own job: its rows, or rows that say why there are none. A job
// that says nothing about the run (it did not start, was killed from outside)
// throws WorkerJob::NotAResult; an input error throws std::invalid_argument.
std::vector<Row> runAsJob(const RunSettings& s, const JobSettings& j, const Gnp::WorkerJob& job,
                          const Gnp::RunSpec& run, int index, const std::string& rhsTags, std::size_t rhsCount,
                          const std::filesystem::path& folder, std::string& size) {
  const std::string out = (folder / ("run" + std::to_string(index) + ".tsv")).string();
  const std::string log = (folder / ("run" + std::to_string(index) + ".log")).string();
  const auto outcome = job.run({s.matrixPath, s.paramsPath, "--worker-run=" + std::to_string(index),
                                "--worker-out=" + out, "--rhs=" + rhsTags, "--gnp-steps=" + s.stepsOption},
                               log, j.timeLimit);
  if (outcome.end == Gnp::WorkerJob::End::InputError) throw std::invalid_argument(outcome.message);
  Gnp::WorkerJob::requireResult(outcome, "run \"" + run.name + "\"");
  std::string runSize;
  std::vector<Row> rows =
      outcome.end == Gnp::WorkerJob::End::Finished ? readRows(out, run, runSize) : std::vector<Row>();
  if (rows.size() == rhsCount) {
    if (size.empty()) size = runSize;
    return rows;
  }
  Row r;
  r.name = run.name;
  r.type = run.type;
  r.status = outcome.end == Gnp::WorkerJob::End::TimedOut
                 ? "time limit: stopped after " + std::to_string(static_cast<long long>(j.timeLimit)) + " s"
                 : "construction failure: its job " +
                       (outcome.message.empty() ? std::string("wrote no result") : outcome.message);
  std::printf("gnp-solve: %s: %s; going on with the other runs\n", run.name.c_str(), r.status.c_str());
  return std::vector<Row>(rhsCount, r);
}

// Runs every preconditioner of the XML file as its own MPI job and prints the
// tables; a job past the time limit is stopped and reported in its rows.
int driver(const RunSettings& s, const JobSettings& j) {
  if (Gnp::WorkerJob::launchedByMpi())
    throw std::invalid_argument(
        "--time-limit starts one mpirun per preconditioner: run gnp-solve itself "
        "without mpirun, and give the ranks per job with --ranks");
  const auto top = Gnp::readParameterFile(s.paramsPath);
  const auto runs = validatedRuns(*top, s.stepsOption);
  const auto rhsList = s.rhsOption.empty() ? Gnp::rightHandSides(*top) : Gnp::parseRightHandSides(s.rhsOption);
  Gnp::requireReadableFile(s.matrixPath, "matrix file");
  std::string tags;
  for (auto r : rhsList) tags += (tags.empty() ? "" : ",") + Gnp::fileTag(r);
  std::printf(
      "gnp-solve: %s; params %s; right-hand sides: %s; each preconditioner on %d MPI rank(s) as its own job, "
      "time limit %g s\n",
      s.matrixPath.c_str(), s.paramsPath.c_str(), Gnp::toString(rhsList).c_str(), j.ranks, j.timeLimit);
  const Gnp::WorkerJob job("gnp-solve", j.mpiexec, j.ranks);
  const TemporaryFolder temporary;

  std::vector<std::vector<Row>> rows(rhsList.size());
  std::string size;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto got = runAsJob(s, j, job, runs[i], static_cast<int>(i), tags, rhsList.size(), temporary.path, size);
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

// ----------------------------------------------------- in process (under mpirun, or a job)

// Builds each run's preconditioner once and solves every right-hand side: one
// row per run and right-hand side. A construction that throws is that run's row.
std::vector<std::vector<Row>> solveAll(const std::vector<Gnp::RunSpec>& runs, const std::vector<Problem>& problems,
                                       bool root) {
  std::vector<std::vector<Row>> rows(problems.size());
  for (const auto& run : runs) {
    if (root) std::printf("gnp-solve: building %s (%s)\n", run.name.c_str(), run.type.c_str()), std::fflush(stdout);
    Factory::Built built;
    std::string failure;
    try {
      built = Factory::create(run.type, problems.front().A, run.precParams);
    } catch (const std::invalid_argument& e) { // parameters only MueLu or Ifpack2 could check
      throw std::invalid_argument("run \"" + run.name + "\": " + Gnp::withoutSourceLocation(e.what()));
    } catch (const std::exception& e) {
      failure = "construction failure: " + Gnp::withoutSourceLocation(e.what());
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
  return rows;
}

int inProcess(const RunSettings& s, const Teuchos::RCP<const Teuchos::Comm<int>>& comm) {
  const bool root = comm->getRank() == 0;
  if (root) Gnp::WorkerJob::markStarted(s.jobMarker);
  const auto top = Gnp::readParameterFile(s.paramsPath);
  auto runs = validatedRuns(*top, s.stepsOption);
  const auto rhsList = s.rhsOption.empty() ? Gnp::rightHandSides(*top) : Gnp::parseRightHandSides(s.rhsOption);
  if (s.workerRun >= 0) {
    if (s.workerRun >= static_cast<int>(runs.size()))
      throw std::invalid_argument("--worker-run " + std::to_string(s.workerRun) + " names no run");
    runs = {runs[s.workerRun]};
  }
  const auto scaled = Gnp::readProtocolProblem<SC, LO, GO, NO>(s.matrixPath, comm);
  std::vector<Problem> problems;
  for (auto rhs : rhsList) problems.push_back(Gnp::withRightHandSide(scaled, rhs));
  if (root && s.workerRun < 0)
    std::printf("gnp-solve: %s: n = %lld, nnz = %lld, gamma = %.4g, %d MPI rank(s); params %s; right-hand sides: %s\n",
                s.matrixPath.c_str(), static_cast<long long>(scaled.A->getGlobalNumRows()),
                static_cast<long long>(scaled.A->getGlobalNumEntries()), scaled.gamma, comm->getSize(),
                s.paramsPath.c_str(), Gnp::toString(rhsList).c_str());
  const auto rows = solveAll(runs, problems, root);
  if (root && s.workerRun >= 0) {
    std::vector<Row> mine;
    for (const auto& r : rows) mine.push_back(r.front());
    writeRows(s.workerOut, problems.front(), mine);
  } else if (root) {
    for (std::size_t k = 0; k < problems.size(); ++k) printTable(rhsList[k], rows[k]);
    printArtifactNotes(rhsList, rows);
  }
  return 0;
}

// This process's rank when an MPI launcher started it (0 otherwise), before MPI
// is initialised: only rank 0 prints help and errors.
bool launchedAsRoot() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* v = std::getenv(name)) return std::string(v) == "0";
  return true;
}

const char* usage =
    "gnp-solve [matrix.mtx] [params.xml] [options]\n\n"
    "Solves A x = b, x0 = 0, after Gershgorin scaling (A <- A/gamma), with Belos flexible GMRES (restart 10,\n"
    "100 iterations, rtol 1e-8 unless the XML's \"Belos\" list says otherwise), once per preconditioner named\n"
    "in the XML file and right-hand side (default: b = A*1, the paper's, and b = A*x with x ~ N(0,1)), and\n"
    "prints one table per right-hand side. Without arguments: the matrix and the six-preconditioner\n"
    "comparison shipped in example/. Run it under mpirun -np N, or, with --time-limit, without mpirun: it then\n"
    "starts one `mpirun -np R` job per preconditioner and stops a job that passes the limit (a MueLu setup\n"
    "that never returns, say); that run's rows say so and the other runs go on. Input errors (files,\n"
    "parameters) end it with exit code 1.";

} // namespace

int main(int argc, char* argv[]) {
  const bool root = launchedAsRoot();
  RunSettings run;
  run.matrixPath = GNP_DEFAULT_MATRIX;
  run.paramsPath = GNP_DEFAULT_PARAMS;
  JobSettings jobs;
  jobs.mpiexec = GNP_MPIEXEC;
  std::string timeLimitOption = "0", ranksOption = "2", workerRunOption = "none"; // parsed strictly below
  Gnp::CommandLine commandLine(usage);
  auto& clp = commandLine.options();
  clp.setOption("matrix", &run.matrixPath, "MatrixMarket file (also the first positional argument)");
  clp.setOption("params", &run.paramsPath, "XML parameter list (also the second positional argument)");
  clp.setOption("gnp-steps", &run.stepsOption,
                "Override \"gnp: training steps\" of every GNP run (a positive integer; keep: the XML's)");
  clp.setOption(
      "rhs", &run.rhsOption,
      "Right-hand sides, comma-separated: ones (b = A*1, the paper's), random-solution (b = A*x, x ~ N(0,1)), "
      "random (b ~ N(0,1)); default: the XML's \"Right-hand side\", else ones,random-solution");
  clp.setOption("time-limit", &timeLimitOption,
                "Seconds each preconditioner may take, construction and solves together (a whole number; 0: no "
                "limit); runs each preconditioner as its own MPI job: start gnp-solve without mpirun");
  clp.setOption("ranks", &ranksOption, "With --time-limit: MPI ranks of each preconditioner's job");
  clp.setOption("mpiexec", &jobs.mpiexec, "With --time-limit: the MPI launcher");
  clp.setOption("worker-run", &workerRunOption, "Internal (--time-limit): run only the run with this index");
  clp.setOption("worker-out", &run.workerOut, "Internal (--time-limit): write its rows to this file");
  clp.setOption("job-marker", &run.jobMarker, "Internal (--time-limit): the file that says the job started");
  try {
    // Positional arguments: [matrix.mtx] [params.xml]; the rest are options.
    std::vector<char*> options{argv[0]};
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]).rfind("-", 0) == 0)
        options.push_back(argv[i]);
      else if (positional++ == 0)
        run.matrixPath = argv[i];
      else if (positional == 2)
        run.paramsPath = argv[i];
      else
        throw std::invalid_argument("too many arguments (see --help)");
    }
    if (!commandLine.parse(static_cast<int>(options.size()), options.data(), root)) return 0;
    jobs.timeLimit = static_cast<double>(Gnp::parseInteger("--time-limit", timeLimitOption, 0, 100000000));
    jobs.ranks = static_cast<int>(Gnp::parseInteger("--ranks", ranksOption, 1, 100000));
    if (workerRunOption != "none")
      run.workerRun = static_cast<int>(Gnp::parseInteger("--worker-run", workerRunOption, 0, 1000000));
    if (run.workerRun < 0 && jobs.timeLimit > 0.0) {
      return driver(run, jobs);
    }
  } catch (const Gnp::WorkerJob::NotAResult& e) {
    std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return e.signal ? 128 + e.signal : 1;
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return 1;
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
    return inProcess(run, comm);
  } catch (const Gnp::WorkerJob::OutputError& e) {
    if (comm->getRank() == 0) std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return Gnp::WorkerJob::outputErrorStatus;
  } catch (const std::exception& e) {
    if (comm->getRank() == 0) std::cerr << "gnp-solve: error: " << e.what() << "\n";
    return 1;
  }
}
