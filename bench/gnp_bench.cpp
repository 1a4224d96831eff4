// gnp-bench: the paper's evaluation protocol (docs/method.md sections 5-6) over a
// folder of MatrixMarket files. Without --worker this is the driver (a
// Gnp::Bench::Sweep: one MPI job per case, no MPI of its own); with --worker, one
// case under mpirun (Gnp::Bench::runWorker).
#include "Gnp_BenchSweep.hpp"
#include "Gnp_BenchWorker.hpp"
#include "Gnp_CommandLine.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_WorkerJob.hpp"

#include <Tpetra_Core.hpp>

#include <iostream>

namespace {

using Gnp::Bench::Settings;

// The command line as text, parsed strictly once it is read.
struct Text {
  std::string ranks = "1", gnpSteps = "keep", gnpSeconds = "keep", caseTimeLimit = "3600", maxCases = "-1";
};

void declareOptions(Teuchos::CommandLineProcessor& clp, Settings& s, Text& t) {
  clp.setOption("matrices", &s.matrices, "Comma-separated MatrixMarket files and/or folders (all *.mtx in them)");
  clp.setOption("params", &s.params, "XML list of runs, as for gnp-solve (default: the six at library defaults)");
  clp.setOption("out", &s.out, "Output folder (one gnp-bench at a time)");
  clp.setOption("rhs", &s.rhs,
                "Right-hand sides, comma-separated: ones (b = A*1, the paper's), random-solution (b = A*x, "
                "x ~ N(0,1)), random (b ~ N(0,1)); default: the XML's \"Right-hand side\", else ones,random-solution");
  clp.setOption("ranks", &t.ranks, "MPI ranks per case");
  clp.setOption("gnp-steps", &t.gnpSteps,
                "Override \"gnp: training steps\" of every GNP run (a positive integer; keep: the XML's)");
  clp.setOption("gnp-seconds", &t.gnpSeconds,
                "Override \"gnp: max training time\" of every GNP run (seconds, 0: none; keep: the XML's)");
  clp.setOption("case-time-limit", &t.caseTimeLimit, "Seconds after which a case's job is stopped (the case fails)");
  clp.setOption("max-cases", &t.maxCases, "Stop after running this many jobs (-1: all); rerun to continue");
  clp.setOption("notes", &s.notes, "Markdown file appended to report.md");
  clp.setOption("mpiexec", &s.mpiexec, "MPI launcher for the jobs");
  clp.setOption("worker", "driver", &s.worker, "Internal: run one case (started by the driver under mpirun)");
  clp.setOption("phase", &s.phase, "Internal (worker): iteration or time");
  clp.setOption("matrix", &s.matrix, "Internal (worker): the matrix file");
  clp.setOption("run-index", &s.runIndex, "Internal (worker): the run's place in the run list");
  clp.setOption("model", &s.modelPath, "Internal (worker): GNP model file");
  clp.setOption("matrix-digest", &s.matrixDigest, "Internal (worker): the matrix file's digest");
  clp.setOption("job-marker", &s.jobMarker, "Internal (worker): the file that says the job started");
  clp.setOption("time-limit", &s.timeLimit, "Internal (worker): time-mode timeout T in seconds");
  clp.setOption("seconds-per-iteration", &s.secondsPerIteration, "Internal (worker): from iteration mode");
}

void parseNumbers(const Text& t, Settings& s) {
  s.ranks = static_cast<int>(Gnp::parseInteger("--ranks", t.ranks, 1, 100000));
  if (t.gnpSteps != "keep") s.gnpSteps = static_cast<int>(Gnp::parseInteger("--gnp-steps", t.gnpSteps, 1, 1000000000));
  if (t.gnpSeconds != "keep") s.gnpSeconds = Gnp::parseReal("--gnp-seconds", t.gnpSeconds, 0.0, 1e9);
  s.caseTimeLimit = Gnp::parseReal("--case-time-limit", t.caseTimeLimit, 1e-3, 1e9);
  s.maxCases = static_cast<int>(Gnp::parseInteger("--max-cases", t.maxCases, -1, 1000000000));
}

int worker(Settings& s, int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  const bool root = Tpetra::getDefaultComm()->getRank() == 0;
  try {
    return Gnp::Bench::runWorker(s);
  } catch (const Gnp::WorkerJob::OutputError& e) {
    if (root) std::cerr << "gnp-bench: error: " << e.what() << "\n";
    return Gnp::WorkerJob::outputErrorStatus;
  } catch (const std::exception& e) {
    if (root) std::cerr << "gnp-bench: error: " << e.what() << "\n";
    return Gnp::WorkerJob::inputErrorStatus;
  }
}

// One write for the whole line: under a (wrongly used) mpirun every process
// says it, and pieces written apart interleave.
void say(const std::string& line) { std::cerr << (line + "\n") << std::flush; }

} // namespace

int main(int argc, char* argv[]) {
  Settings s;
  s.mpiexec = GNP_MPIEXEC;
  Text t;
  Gnp::CommandLine commandLine(
      "gnp-bench --matrices DIR-or-files --out DIR [--params bench.xml] [--ranks R] [options]\n\n"
      "Runs the paper's evaluation protocol (docs/method.md sections 5-6) for every matrix, every preconditioner\n"
      "of the XML file (default: GNP, ILUT, Jacobi, MueLu, GMRES, None, all at their defaults) and every\n"
      "right-hand side (default: b = A*1 and b = A*x, x ~ N(0,1), side by side).\n"
      "Each case runs as `mpirun -np R gnp-bench --worker ...` with a time limit; results are one JSON per\n"
      "case under OUT/cases/<rhs>, plus OUT/summary.csv and OUT/report.md. Rerunning with the same --out skips\n"
      "finished cases (while the matrix file and the run are unchanged). A job that says nothing about its case\n"
      "(it did not start, was killed from outside, could not write) stops the sweep with exit code 1 and is not\n"
      "recorded; SIGINT, SIGTERM or SIGHUP stop the running job and end gnp-bench. Plots: bench/plot_results.py OUT.");
  declareOptions(commandLine.options(), s, t);
  try {
    if (!commandLine.parse(argc, argv)) return 0;
    parseNumbers(t, s);
  } catch (const std::exception& e) {
    say("gnp-bench: error: " + std::string(e.what()));
    return 1;
  }
  if (s.worker) return worker(s, argc, argv);
  try {
    if (Gnp::WorkerJob::launchedByMpi())
      throw std::invalid_argument(
          "gnp-bench starts one mpirun per case: run it without mpirun, and give the ranks "
          "per case with --ranks");
    if (s.matrices.empty()) throw std::invalid_argument("--matrices is required (a folder or .mtx files)");
    return Gnp::Bench::Sweep(s).run();
  } catch (const Gnp::WorkerJob::NotAResult& e) {
    say("gnp-bench: error: " + std::string(e.what()) +
        "\ngnp-bench: finished cases are kept; rerun with the same --out to go on");
    return e.signal ? 128 + e.signal : 1;
  } catch (const std::exception& e) {
    say("gnp-bench: error: " + std::string(e.what()));
    return 1;
  }
}
