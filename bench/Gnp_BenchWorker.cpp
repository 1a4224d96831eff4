#include "Gnp_BenchWorker.hpp"

#include "Gnp_BenchCase.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_Files.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_WorkerJob.hpp"

#include <Tpetra_Core.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace Gnp {
namespace Bench {
namespace {

namespace fs = std::filesystem;

json parametersJson(const Teuchos::ParameterList& p) {
  json j = json::object();
  for (auto it = p.begin(); it != p.end(); ++it) {
    if (p.isSublist(p.name(it))) {
      j[p.name(it)] = parametersJson(p.sublist(p.name(it)));
    } else {
      std::ostringstream v;
      v << p.entry(it).getAny();
      j[p.name(it)] = v.str();
    }
  }
  return j;
}

json trainingJson(const Preconditioner<SC, LO, GO, NO>& gnp) {
  const auto& r = gnp.getTrainingReport();
  const auto& o = gnp.getOptions();
  json j = {{"steps_budget", o.steps},
            {"seconds_budget", o.maxSeconds},
            {"steps_run", r.stepsRun},
            {"stop_reason", toString(r.reason)},
            {"best_step", r.bestStep},
            {"best_loss", r.bestScore},
            {"seconds", r.seconds},
            {"steps_per_second", r.seconds > 0 ? r.stepsRun / r.seconds : 0.0},
            {"base", toString(gnp.getBase())}, // what "auto" chose
            {"losses", gnp.getLossHistory()}};
  // With "validation solve" selection, the same solve's score without a preconditioner.
  if (std::isfinite(r.validationUnpreconditioned)) j["validation_unpreconditioned"] = r.validationUnpreconditioned;
  if (std::isfinite(r.validationBase)) j["validation_base"] = r.validationBase;
  if (r.validations > 0) j["validations"] = r.validations;
  j["network_used"] = gnp.getNetworkUsed();
  // With a coarse space: the directions kept (0: dropped) and the kept step's score with and without it.
  if (o.coarse != Coarse::None) j["coarse_dimension"] = gnp.getCoarseDimension();
  if (std::isfinite(r.scoreWithoutCoarse)) {
    j["validation_with_coarse_space"] = r.scoreWithCoarse;
    j["validation_without_coarse_space"] = r.scoreWithoutCoarse;
  }
  return j;
}

// One case as the worker sees it: the run, the matrix, its problems.
class Case {
public:
  explicit Case(const Settings& s)
      : s_(s), comm_(Tpetra::getDefaultComm()), root_(comm_->getRank() == 0), runs_(runList(s)), rhs_(rhsList(s)) {
    if (root_) WorkerJob::markStarted(s.jobMarker);
    if (s.runIndex < 0 || s.runIndex >= static_cast<int>(runs_.size()))
      throw std::invalid_argument("--run-index " + std::to_string(s.runIndex) + " names no run of the parameter list");
    scaled_ = readProtocolProblem<SC, LO, GO, NO>(s.matrix, comm_);
    for (auto r : rhs_) problems_.push_back(withRightHandSide(scaled_, r));
    matrix_ = fs::path(s.matrix).stem().string();
  }

  // One construction (one training) serves every right-hand side; each case file
  // is written once built (a crash in a solve then reads as a solution failure)
  // and again with its solve.
  void iterationMode() const {
    const RunSpec& run = runs_[s_.runIndex];
    const Construction c =
        construct([&] { return Factory::create(run.type, scaled_.A, run.precParams); }, problems_.front());
    std::vector<json> docs;
    for (std::size_t k = 0; k < rhs_.size(); ++k) {
      docs.push_back(caseDoc(run, rhs_[k]));
      docs[k]["construction"] = {{"failed", c.failed}, {"message", c.message}, {"seconds", c.seconds}};
      if (!c.built.gnp.is_null()) docs[k]["training"] = trainingJson(*c.built.gnp);
      save(docs[k], casePath(s_.out, rhs_[k], matrix_, run.name));
    }
    if (!c.built.gnp.is_null()) try {
        c.built.gnp->save(s_.modelPath);
      } catch (const std::exception& e) {
        throw WorkerJob::OutputError(e.what());
      }
    abortIfAsked(run);
    if (c.failed) return;
    for (std::size_t k = 0; k < rhs_.size(); ++k) {
      const Problem& p = problems_[k];
      const SolveResult r = solve(p, c.built.op, run.belos);
      docs[k]["iteration"] = toJson(r);
      docs[k]["iteration"]["max_iterations"] = run.belos.get<int>("Maximum Iterations");
      // How constant the preconditioner's output is, and what one iteration did:
      // the b = Â·1 artifact shows in both (docs/method.md section 5).
      docs[k]["diagnostics"] = {{"output_deviation", outputConstantDeviation<SC, LO, GO, NO>(c.built.op, *p.b)},
                                {"first_iteration_residual", r.firstIterationResidual()}};
      save(docs[k], casePath(s_.out, rhs_[k], matrix_, run.name));
    }
  }

  // Time mode, for one right-hand side: no iteration cap, stop at rtol or after
  // the timeout; GNP is loaded as iteration mode trained it. The driver adds the
  // result to the case.
  void timeMode() const {
    if (rhs_.size() != 1) throw std::invalid_argument("time mode takes exactly one right-hand side");
    const RunSpec& run = runs_[s_.runIndex];
    const Problem& problem = problems_.front();
    const Construction c = construct(
        [&] {
          if (run.type != "GNP") return Factory::create(run.type, problem.A, run.precParams);
          Factory::Built built;
          built.type = "GNP";
          built.gnp = Teuchos::rcp(new Preconditioner<SC, LO, GO, NO>(problem.A));
          built.gnp->load(s_.modelPath);
          built.op = built.gnp;
          return built;
        },
        problem);
    json time;
    if (c.failed) {
      SolveResult none;
      none.failed = true;
      none.failure = "rebuilding for time mode failed: " + c.message;
      time = toJson(none);
    } else {
      time = toJson(solveForTime(problem, c.built.op, run.belos, s_.timeLimit, s_.secondsPerIteration));
    }
    time["timeout"] = s_.timeLimit;
    save(time, timeResultPath(s_.out, rhs_.front(), matrix_, run.name));
  }

private:
  json caseDoc(const RunSpec& run, RightHandSide rhs) const {
    return {{"format", 3},
            {"matrix", matrix_},
            {"file", s_.matrix},
            {"matrix_digest", s_.matrixDigest},
            {"run_digest", runDigest(run)},
            {"rhs", toString(rhs)},
            {"rows", scaled_.A->getGlobalNumRows()},
            {"entries", scaled_.A->getGlobalNumEntries()},
            {"gamma", scaled_.gamma},
            {"ranks", comm_->getSize()},
            {"preconditioner", run.name},
            {"type", run.type},
            {"parameters", parametersJson(run.precParams)}};
  }

  // Every rank learns whether rank 0 could write, so that none waits for a rank that threw.
  void save(const json& doc, const fs::path& path) const {
    std::string error;
    if (root_) try {
        writeFileAtomically(path.string(), doc.dump(1));
      } catch (const std::exception& e) {
        error = e.what();
      }
    broadcastString(*comm_, error);
    if (!error.empty()) throw WorkerJob::OutputError(error);
  }

  // Fault injection for the sweep's isolation test: GNP_BENCH_TEST_ABORT=matrix/run.
  void abortIfAsked(const RunSpec& run) const {
    const char* abortCase = std::getenv("GNP_BENCH_TEST_ABORT");
    if (!abortCase || matrix_ + "/" + run.name != abortCase) return;
    if (root_) std::fprintf(stderr, "gnp-bench: fault injection: aborting %s\n", abortCase);
    std::abort();
  }

  const Settings& s_;
  Teuchos::RCP<const Teuchos::Comm<int>> comm_;
  bool root_;
  std::vector<RunSpec> runs_;
  std::vector<RightHandSide> rhs_;
  Problem scaled_;
  std::vector<Problem> problems_;
  std::string matrix_;
};

} // namespace

int runWorker(const Settings& s) {
  const Case c(s);
  if (s.phase == "iteration")
    c.iterationMode();
  else
    c.timeMode();
  return 0;
}

} // namespace Bench
} // namespace Gnp
