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

} // namespace

int runWorker(const Settings& s) {
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;
  if (root) WorkerJob::markStarted(s.jobMarker);
  const auto runs = runList(s);
  if (s.runIndex < 0 || s.runIndex >= static_cast<int>(runs.size()))
    throw std::invalid_argument("--run-index " + std::to_string(s.runIndex) + " names no run of the parameter list");
  const auto run = runs.begin() + s.runIndex;
  const auto rhs = rhsList(s);
  const Problem scaled = readProtocolProblem<SC, LO, GO, NO>(s.matrix, comm);
  std::vector<Problem> problems;
  for (auto r : rhs) problems.push_back(withRightHandSide(scaled, r));
  const std::string matrix = fs::path(s.matrix).stem().string();
  // Every rank learns whether rank 0 could write, so that none waits for a rank that threw.
  auto save = [&](const json& doc, const fs::path& path) {
    std::string error;
    if (root) try {
        writeFileAtomically(path.string(), doc.dump(1));
      } catch (const std::exception& e) {
        error = e.what();
      }
    broadcastString(*comm, error);
    if (!error.empty()) throw WorkerJob::OutputError(error);
  };

  if (s.phase == "iteration") {
    // One construction (one training) serves every right-hand side.
    const Construction c =
        construct([&] { return Factory::create(run->type, scaled.A, run->precParams); }, problems.front());
    std::vector<json> docs;
    for (std::size_t k = 0; k < rhs.size(); ++k) {
      json doc{{"format", 3},
               {"matrix", matrix},
               {"file", s.matrix},
               {"matrix_digest", s.matrixDigest},
               {"run_digest", runDigest(*run)},
               {"rhs", toString(rhs[k])},
               {"rows", scaled.A->getGlobalNumRows()},
               {"entries", scaled.A->getGlobalNumEntries()},
               {"gamma", scaled.gamma},
               {"ranks", comm->getSize()},
               {"preconditioner", run->name},
               {"type", run->type},
               {"parameters", parametersJson(run->precParams)}};
      doc["construction"] = {{"failed", c.failed}, {"message", c.message}, {"seconds", c.seconds}};
      if (!c.built.gnp.is_null()) doc["training"] = trainingJson(*c.built.gnp);
      save(doc, casePath(s.out, rhs[k], matrix, run->name)); // a crash in a solve now reads as a solution failure
      docs.push_back(doc);
    }
    if (!c.built.gnp.is_null()) try {
        c.built.gnp->save(s.modelPath);
      } catch (const std::exception& e) {
        throw WorkerJob::OutputError(e.what());
      }
    const char* abortCase = std::getenv("GNP_BENCH_TEST_ABORT"); // fault injection for the isolation test
    if (abortCase && matrix + "/" + run->name == abortCase) {
      if (root) std::fprintf(stderr, "gnp-bench: fault injection: aborting %s\n", abortCase);
      std::abort();
    }
    if (c.failed) return 0;
    for (std::size_t k = 0; k < rhs.size(); ++k) {
      const Problem& p = problems[k];
      const SolveResult r = solve(p, c.built.op, run->belos);
      docs[k]["iteration"] = toJson(r);
      docs[k]["iteration"]["max_iterations"] = run->belos.get<int>("Maximum Iterations");
      // How constant the preconditioner's output is, and what one iteration did:
      // the b = Â·1 artifact shows in both (docs/method.md section 5).
      docs[k]["diagnostics"] = {{"output_deviation", outputConstantDeviation<SC, LO, GO, NO>(c.built.op, *p.b)},
                                {"first_iteration_residual", r.firstIterationResidual()}};
      save(docs[k], casePath(s.out, rhs[k], matrix, run->name));
    }
    return 0;
  }

  // Time mode, for one right-hand side: no iteration cap, stop at rtol or after the timeout.
  if (rhs.size() != 1) throw std::invalid_argument("time mode takes exactly one right-hand side");
  const Problem& problem = problems.front();
  const Construction c = construct(
      [&] {
        if (run->type != "GNP") return Factory::create(run->type, problem.A, run->precParams);
        Factory::Built built;
        built.type = "GNP";
        built.gnp = Teuchos::rcp(new Preconditioner<SC, LO, GO, NO>(problem.A));
        built.gnp->load(s.modelPath); // the model trained in iteration mode
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
    time = toJson(solveForTime(problem, c.built.op, run->belos, s.timeLimit, s.secondsPerIteration));
  }
  time["timeout"] = s.timeLimit;
  save(time, timeResultPath(s.out, rhs.front(), matrix, run->name)); // the driver adds it to the case
  return 0;
}

} // namespace Bench
} // namespace Gnp
