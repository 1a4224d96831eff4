// gnp-bench: the paper's evaluation protocol (docs/method.md sections 5-6) over a
// folder of MatrixMarket files. The driver (this program without --worker) runs
// every (matrix, preconditioner) case as its own `mpirun -np R gnp-bench
// --worker ...` with a time limit, so a case that crashes or hangs costs only
// itself; results go to one JSON file per case, written atomically, which also
// makes the sweep resumable. When a matrix is done, the driver adds the metrics
// and rewrites summary.csv and report.md.
#include "Gnp_BenchCase.hpp"
#include "Gnp_ChildProcess.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_MatrixMarketScan.hpp"
#include "Gnp_BenchReport.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_RunList.hpp"

#include <Teuchos_CommandLineProcessor.hpp>
#include <Teuchos_XMLParameterListHelpers.hpp>
#include <Tpetra_Core.hpp>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace Gnp::Bench;

namespace {

struct Settings {
  std::string matrices, params, out = "results", rhs;
  int ranks = 1;
  int gnpSteps = -1;
  double gnpSeconds = -1.0;
  double caseTimeLimit = 3600.0;
  int maxCases = -1;
  bool reportOnly = false;
  std::string mpiexec = GNP_MPIEXEC, notes;
  // Worker mode.
  bool worker = false;
  std::string phase, matrix, run, modelPath;
  double timeLimit = 0.0, secondsPerIteration = 0.0;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read '" + path + "'");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write '" + tmp.string() + "'");
  }
  fs::rename(tmp, path);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string safeName(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return out;
}

Teuchos::RCP<Teuchos::ParameterList> topList(const Settings& s) {
  return s.params.empty() ? Teuchos::rcp(new Teuchos::ParameterList(Gnp::defaultRunList()))
                          : Gnp::readParameterFile(s.params);
}

// The right-hand sides: --rhs, else the XML's "Right-hand side", else ones and
// random solution. The driver hands its list to every worker as --rhs.
std::vector<Gnp::RightHandSide> rhsList(const Settings& s) {
  return s.rhs.empty() ? Gnp::rightHandSides(*topList(s)) : Gnp::parseRightHandSides(s.rhs);
}

// Where a case's result lives: one folder per right-hand side, as the report
// is read (OUT/cases/<rhs>/<matrix>/<run>.json).
fs::path caseDir(const std::string& out, Gnp::RightHandSide rhs, const std::string& matrix) {
  return fs::path(out) / "cases" / Gnp::fileTag(rhs) / matrix;
}

fs::path casePath(const std::string& out, Gnp::RightHandSide rhs, const std::string& matrix, const std::string& run) {
  return caseDir(out, rhs, matrix) / (safeName(run) + ".json");
}

// The runs of --params (or the paper's six at library defaults), with the
// command line's GNP budget applied: the same in the driver and every worker.
std::vector<Gnp::RunSpec> runList(const Settings& s) {
  const auto top = topList(s);
  auto runs = Gnp::parseRunList(*top);
  for (auto& r : runs)
    if (r.type == "GNP") {
      if (s.gnpSteps > 0) r.precParams.set("gnp: training steps", s.gnpSteps);
      if (s.gnpSeconds >= 0) r.precParams.set("gnp: max training time", s.gnpSeconds);
    }
  return runs;
}

// ---------------------------------------------------------------- worker

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

json trainingJson(const Gnp::Preconditioner<SC, LO, GO, NO>& gnp) {
  const auto& r = gnp.getTrainingReport();
  const auto& o = gnp.getOptions();
  json j = {{"steps_budget", o.steps},
            {"seconds_budget", o.maxSeconds},
            {"steps_run", r.stepsRun},
            {"stop_reason", Gnp::toString(r.reason)},
            {"best_step", r.bestStep},
            {"best_loss", r.bestScore},
            {"seconds", r.seconds},
            {"steps_per_second", r.seconds > 0 ? r.stepsRun / r.seconds : 0.0},
            {"base", Gnp::toString(gnp.getBase())}, // what "auto" chose
            {"losses", gnp.getLossHistory()}};
  // With "validation solve" selection, the same solve's score without a preconditioner.
  if (std::isfinite(r.validationUnpreconditioned)) j["validation_unpreconditioned"] = r.validationUnpreconditioned;
  if (std::isfinite(r.validationBase)) j["validation_base"] = r.validationBase;
  if (r.validations > 0) j["validations"] = r.validations;
  j["network_used"] = gnp.getNetworkUsed();
  // With a coarse space: the directions kept (0: dropped) and the kept step's score with and without it.
  if (o.coarse != Gnp::Coarse::None) j["coarse_dimension"] = gnp.getCoarseDimension();
  if (std::isfinite(r.scoreWithoutCoarse)) {
    j["validation_with_coarse_space"] = r.scoreWithCoarse;
    j["validation_without_coarse_space"] = r.scoreWithoutCoarse;
  }
  return j;
}

int worker(const Settings& s) {
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;
  const auto runs = runList(s);
  const auto run = std::find_if(runs.begin(), runs.end(), [&](const Gnp::RunSpec& r) { return r.name == s.run; });
  if (run == runs.end()) throw std::invalid_argument("no run named \"" + s.run + "\" in the parameter list");
  const auto rhs = rhsList(s);
  const Problem scaled = Gnp::readProtocolProblem<SC, LO, GO, NO>(s.matrix, comm);
  std::vector<Problem> problems;
  for (auto r : rhs) problems.push_back(Gnp::withRightHandSide(scaled, r));
  const std::string matrix = fs::path(s.matrix).stem().string();
  auto save = [&](const json& doc, Gnp::RightHandSide r) {
    if (root) writeAtomically(casePath(s.out, r, matrix, run->name), doc.dump(1));
    comm->barrier();
  };

  if (s.phase == "iteration") {
    // One construction (one training) serves every right-hand side.
    const Construction c =
        construct([&] { return Factory::create(run->type, scaled.A, run->precParams); }, problems.front());
    std::vector<json> docs;
    for (std::size_t k = 0; k < rhs.size(); ++k) {
      json doc{{"format", 2},
               {"matrix", matrix},
               {"file", s.matrix},
               {"rhs", Gnp::toString(rhs[k])},
               {"rows", scaled.A->getGlobalNumRows()},
               {"entries", scaled.A->getGlobalNumEntries()},
               {"gamma", scaled.gamma},
               {"ranks", comm->getSize()},
               {"preconditioner", run->name},
               {"type", run->type},
               {"parameters", parametersJson(run->precParams)}};
      doc["construction"] = {{"failed", c.failed}, {"message", c.message}, {"seconds", c.seconds}};
      if (!c.built.gnp.is_null()) doc["training"] = trainingJson(*c.built.gnp);
      save(doc, rhs[k]); // a crash in a solve now reads as a solution failure
      docs.push_back(doc);
    }
    if (!c.built.gnp.is_null()) c.built.gnp->save(s.modelPath);
    const char* abortCase = std::getenv("GNP_BENCH_TEST_ABORT"); // fault injection for the isolation test
    if (abortCase && matrix + "/" + run->name == abortCase) std::abort();
    if (c.failed) return 0;
    for (std::size_t k = 0; k < rhs.size(); ++k) {
      const Problem& p = problems[k];
      const Gnp::SolveResult r = solve(p, c.built.op, run->belos);
      docs[k]["iteration"] = toJson(r);
      docs[k]["iteration"]["max_iterations"] = run->belos.get<int>("Maximum Iterations");
      // How constant the preconditioner's output is, and what one iteration did:
      // the b = Â·1 artifact shows in both (docs/method.md section 5).
      docs[k]["diagnostics"] = {{"output_deviation", Gnp::outputConstantDeviation<SC, LO, GO, NO>(c.built.op, *p.b)},
                                {"first_iteration_residual", r.firstIterationResidual()}};
      save(docs[k], rhs[k]);
    }
    return 0;
  }

  // Time mode, for one right-hand side: no iteration cap, stop at rtol or after the timeout.
  if (rhs.size() != 1) throw std::invalid_argument("time mode takes exactly one right-hand side");
  const Problem& problem = problems.front();
  const fs::path path = casePath(s.out, rhs.front(), matrix, run->name);
  json doc;
  if (root) doc = json::parse(readFile(path.string()));
  const Construction c = construct(
      [&] {
        if (run->type != "GNP") return Factory::create(run->type, problem.A, run->precParams);
        Factory::Built built;
        built.type = "GNP";
        built.gnp = Teuchos::rcp(new Gnp::Preconditioner<SC, LO, GO, NO>(problem.A));
        built.gnp->load(s.modelPath); // the model trained in iteration mode
        built.op = built.gnp;
        return built;
      },
      problem);
  json time;
  if (c.failed) {
    Gnp::SolveResult none;
    none.failed = true;
    none.failure = "rebuilding for time mode failed: " + c.message;
    time = toJson(none);
  } else {
    time = toJson(solveForTime(problem, c.built.op, run->belos, s.timeLimit, s.secondsPerIteration));
  }
  time["timeout"] = s.timeLimit;
  doc["time"] = time;
  save(doc, rhs.front());
  return 0;
}

// ---------------------------------------------------------------- driver

// Runs a worker; returns a description of an abnormal end ("" if it exited 0).
std::string runChild(const std::vector<std::string>& argv, const std::string& logPath, double limit) {
  const auto outcome = Gnp::ChildProcess::run(argv, logPath, limit);
  return outcome.timedOut ? outcome.failure + " (the case time limit)" : outcome.failure;
}

std::vector<fs::path> matrixFiles(const std::string& list) {
  std::vector<fs::path> files;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    if (fs::is_directory(item)) {
      for (const auto& e : fs::directory_iterator(item)) {
        if (e.path().extension() != ".mtx") continue;
        // A subfolder or a broken link named *.mtx is not a matrix: say so and go on.
        std::error_code ec;
        if (fs::is_regular_file(e.path(), ec))
          files.push_back(e.path());
        else
          std::printf("gnp-bench: skipping '%s': not a regular file\n", e.path().c_str());
      }
    } else if (fs::is_regular_file(item)) {
      files.push_back(item);
    } else {
      throw std::invalid_argument("--matrices: '" + item + "' is neither a file nor a folder (or a broken link)");
    }
  }
  if (files.empty()) throw std::invalid_argument("--matrices names no .mtx file");
  // The same file named twice is one matrix.
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end(),
                          [](const fs::path& a, const fs::path& b) {
                            return fs::weakly_canonical(a) == fs::weakly_canonical(b);
                          }),
              files.end());
  // Cases are filed by the matrix's name: two files with one name would share them.
  std::map<std::string, fs::path> byName;
  for (const auto& f : files) {
    const auto [it, fresh] = byName.emplace(f.stem().string(), f);
    if (!fresh)
      throw std::invalid_argument("--matrices: '" + it->second.string() + "' and '" + f.string() +
                                  "' have the same name, and gnp-bench files results by name: rename one, or run "
                                  "them with different --out folders");
  }
  // Small matrices first: early results, and an ETA that only grows slowly.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return std::make_pair(fs::file_size(a), a.string()) < std::make_pair(fs::file_size(b), b.string());
  });
  return files;
}

// What defines a sweep's results besides the matrices and the right-hand sides:
// OUT keeps it, and a rerun with other settings is refused rather than mixed.
json sweepSettings(const Settings& s, const std::vector<Gnp::RunSpec>& runs) {
  json list = json::array();
  for (const auto& r : runs) {
    std::ostringstream prec, belos;
    r.precParams.print(prec, Teuchos::ParameterList::PrintOptions().showTypes(true).showFlags(false));
    r.belos.print(belos, Teuchos::ParameterList::PrintOptions().showTypes(true).showFlags(false));
    list.push_back({{"name", r.name}, {"type", r.type}, {"parameters", prec.str()}, {"belos", belos.str()}});
  }
  return {{"runs", list}, {"ranks", s.ranks}};
}

void requireSameSettings(const fs::path& out, const json& settings) {
  const fs::path file = out / "settings.json";
  if (fs::exists(file)) {
    json old;
    try {
      old = json::parse(readFile(file.string()));
    } catch (const std::exception&) {
      old = nullptr;
    }
    if (old != settings)
      throw std::invalid_argument("'" + out.string() + "' holds results made with other runs or rank count (see " +
                                  file.string() + "): use another --out, or delete that folder to start again");
    return;
  }
  writeAtomically(file, settings.dump(1));
}

std::string duration(double s) {
  char buf[32];
  if (s < 120)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 7200)
    std::snprintf(buf, sizeof buf, "%.0fm%02.0fs", std::floor(s / 60), std::fmod(s, 60));
  else
    std::snprintf(buf, sizeof buf, "%.0fh%02.0fm", std::floor(s / 3600), std::fmod(s, 3600) / 60);
  return buf;
}

double secondsPerIteration(const json& doc) {
  const json& it = doc.at("iteration");
  return it.at("seconds").get<double>() / std::max(1, it.at("iterations").get<int>());
}

// A case's first phase is over when it failed to build or has its iteration-mode solve.
bool iterationPhaseDone(const json& doc) {
  return !doc.is_null() && (doc.contains("iteration") || doc.at("construction").at("failed").get<bool>());
}

json readCase(const fs::path& p) {
  if (!fs::exists(p)) return nullptr;
  try {
    return json::parse(readFile(p.string()));
  } catch (const std::exception&) {
    return nullptr; // a torn file from an interrupted worker: rerun the case
  }
}

std::string settingsHeader(const Settings& s, const std::vector<Gnp::RunSpec>& runs,
                           const std::vector<Gnp::RightHandSide>& rhs, std::size_t matrices) {
  std::ostringstream os;
  os << "# gnp-bench report\n\n"
     << "Protocol of docs/method.md sections 5-6: Gershgorin prescaling, right-hand sides " << Gnp::toString(rhs)
     << " (ones: b = Â·1, the paper's; random solution: b = Â·x, x ~ N(0,1); random: b ~ N(0,1); fixed seed), "
        "x0 = 0, flexible GMRES (Belos Block GMRES, restart 10), rtol 1e-8; iteration mode 100 iterations; time "
        "mode no iteration cap and a timeout of the largest iteration-mode solve time on the matrix and right-hand "
        "side. Each preconditioner is built (GNP: trained) once per matrix and solves every right-hand side. "
     << matrices << " matrices, " << s.ranks << " MPI rank(s). Preconditioners:\n\n";
  for (const auto& r : runs) {
    os << "- **" << r.name << "** (" << r.type << ")";
    if (r.precParams.numParams() > 0) {
      os << ":";
      for (auto it = r.precParams.begin(); it != r.precParams.end(); ++it)
        os << " `" << r.precParams.name(it) << " = " << r.precParams.entry(it).getAny() << "`";
    } else {
      os << ": library defaults";
    }
    os << "\n";
  }
  return os.str();
}

int driver(const Settings& s, const std::string& self) {
  const auto runs = runList(s); // the XML is checked before anything runs
  const auto rhs = rhsList(s);
  const auto files = matrixFiles(s.matrices);
  const fs::path out(s.out), modelsDir = out / "models";
  fs::create_directories(out);
  requireSameSettings(out, sweepSettings(s, runs));
  for (auto r : rhs) fs::create_directories(out / "cases" / Gnp::fileTag(r));
  fs::create_directories(modelsDir);
  setenv("OMP_NUM_THREADS", "1", 1);

  std::vector<std::string> common{"--out=" + s.out};
  if (!s.params.empty()) common.push_back("--params=" + s.params);
  if (s.gnpSteps > 0) common.push_back("--gnp-steps=" + std::to_string(s.gnpSteps));
  if (s.gnpSeconds >= 0) common.push_back("--gnp-seconds=" + number(s.gnpSeconds));
  auto workerArgs = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> a = Gnp::ChildProcess::mpiLaunch(s.mpiexec, s.ranks);
    a.insert(a.end(), {self, "--worker"});
    a.insert(a.end(), common.begin(), common.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  auto rhsArg = [](const std::vector<Gnp::RightHandSide>& list) {
    std::string tags;
    for (auto r : list) tags += (tags.empty() ? "" : ",") + Gnp::fileTag(r);
    return "--rhs=" + tags;
  };

  // Work is weighed by file size for the ETA (cost grows with nnz).
  double totalWeight = 0.0, doneWeight = 0.0, spentOnDone = 0.0;
  for (const auto& f : files) totalWeight += (fs::file_size(f) + 2e6) * runs.size();
  const auto sweepStart = std::chrono::steady_clock::now();
  int casesRun = 0;
  bool stopped = false;
  const std::size_t K = rhs.size();

  // A matrix the reader refuses is its own class: no case is run or counted for it.
  std::vector<std::pair<std::string, std::string>> unreadable;
  for (std::size_t mi = 0; mi < files.size() && !stopped; ++mi) {
    const fs::path& file = files[mi];
    const std::string matrix = file.stem().string();
    const double weight = fs::file_size(file) + 2e6; // GNP training: a fixed cost per matrix
    try {
      Gnp::scanMatrixMarket(file.string());
    } catch (const std::exception& e) {
      unreadable.emplace_back(file.string(), e.what());
      std::printf("gnp-bench: skipping %s: %s\n", matrix.c_str(), e.what());
      doneWeight += weight * runs.size();
      continue;
    }
    for (auto r : rhs) fs::create_directories(caseDir(s.out, r, matrix));
    auto caseOf = [&](std::size_t k, const Gnp::RunSpec& r) { return casePath(s.out, rhs[k], matrix, r.name); };
    auto logOf = [&](const Gnp::RunSpec& r, const std::string& phase) {
      return (caseDir(s.out, rhs.front(), matrix) / (safeName(r.name) + phase + ".log")).string();
    };
    auto modelPath = [&](const Gnp::RunSpec& r) { return modelsDir / (matrix + "__" + safeName(r.name) + ".gnp"); };
    auto progress = [&](const std::string& what, const json& doc, double seconds, bool ran, double share) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - sweepStart).count();
      doneWeight += weight * share;
      if (ran) spentOnDone += seconds;
      const double rate = spentOnDone > 0 ? spentOnDone / doneWeight : 0.0;
      std::string status = "construction failure";
      const char* mode = what.find("time") != std::string::npos ? "time" : "iteration";
      if (!doc.at("construction").at("failed").get<bool>() && doc.contains(mode)) {
        const json& r = doc.at(mode);
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s, %d its, true relres %.1e, build %.1f s, solve %.2f s",
                      r.at("failed").get<bool>()      ? "solution failure"
                      : r.at("converged").get<bool>() ? "converged"
                                                      : "not converged",
                      r.at("iterations").get<int>(),
                      r.at("true_residual").is_null() ? NAN : r.at("true_residual").get<double>(),
                      doc.at("construction").at("seconds").get<double>(), r.at("seconds").get<double>());
        status = buf;
      }
      std::printf("gnp-bench: [%3.0f%%] %s / %s [%s]: %s%s | elapsed %s, ETA %s\n", 100.0 * doneWeight / totalWeight,
                  matrix.c_str(), what.c_str(), doc.value("rhs", "ones").c_str(), status.c_str(),
                  ran ? "" : " (done before)", duration(elapsed).c_str(),
                  rate > 0 ? duration(rate * (totalWeight - doneWeight)).c_str() : "?");
      std::fflush(stdout);
    };
    auto limitReached = [&] { return s.maxCases >= 0 && casesRun >= s.maxCases; };

    // Phase 1: iteration mode, one worker per preconditioner for every right-hand side.
    std::vector<std::vector<json>> docs(K, std::vector<json>(runs.size()));
    for (std::size_t ri = 0; ri < runs.size(); ++ri) {
      const auto& run = runs[ri];
      bool done = true;
      for (std::size_t k = 0; k < K; ++k) {
        docs[k][ri] = readCase(caseOf(k, run));
        done = done && iterationPhaseDone(docs[k][ri]);
      }
      if (done) {
        for (std::size_t k = 0; k < K; ++k) progress(run.name, docs[k][ri], 0, false, 0.5 / K);
        continue;
      }
      if (limitReached()) {
        stopped = true;
        break;
      }
      const auto start = std::chrono::steady_clock::now();
      const std::string why =
          runChild(workerArgs({"--phase=iteration", "--matrix=" + file.string(), "--run=" + run.name, rhsArg(rhs),
                               "--model=" + modelPath(run).string()}),
                   logOf(run, ".iteration"), s.caseTimeLimit);
      ++casesRun;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      for (std::size_t k = 0; k < K; ++k) {
        json& doc = docs[k][ri];
        doc = readCase(caseOf(k, run));
        if (!why.empty() || !iterationPhaseDone(doc)) {
          // Record what happened, so that the sweep goes on and a rerun skips it.
          const std::string message = "the worker " + (why.empty() ? std::string("wrote no result") : why);
          if (doc.is_null()) {
            doc = {
                {"format", 2},           {"matrix", matrix},
                {"file", file.string()}, {"rhs", Gnp::toString(rhs[k])},
                {"rows", nullptr},       {"entries", nullptr},
                {"ranks", s.ranks},      {"preconditioner", run.name},
                {"type", run.type},      {"construction", {{"failed", true}, {"message", message}, {"seconds", 0.0}}}};
          } else if (!doc["construction"]["failed"].get<bool>() && !doc.contains("iteration")) {
            Gnp::SolveResult r;
            r.failed = true;
            r.failure = message;
            doc["iteration"] = toJson(r);
          }
          writeAtomically(caseOf(k, run), doc.dump(1));
        }
        progress(run.name, doc, seconds / K, true, 0.5 / K);
      }
    }
    if (stopped) break;

    for (std::size_t k = 0; k < K && !stopped; ++k) {
      auto& group = docs[k];
      // A worker that died before reading the matrix left no size: take it from a sibling.
      for (auto& d : group)
        for (const auto& other : group)
          if (d["rows"].is_null() && !other["rows"].is_null()) {
            d["rows"] = other["rows"];
            d["entries"] = other["entries"];
          }

      // Phase 2: time mode with T = the largest iteration-mode solve time for this right-hand side.
      double T = 0.0;
      for (const auto& d : group)
        if (d.contains("iteration")) T = std::max(T, d.at("iteration").at("seconds").get<double>());
      for (std::size_t ri = 0; ri < runs.size(); ++ri) {
        const auto& run = runs[ri];
        json& doc = group[ri];
        if (doc.contains("time")) {
          progress(run.name + " (time mode)", doc, 0, false, 0.5 / K);
          continue;
        }
        const auto start = std::chrono::steady_clock::now();
        bool ran = false;
        if (doc.at("construction").at("failed").get<bool>()) {
          // nothing to solve
        } else if (doc.at("iteration").at("failed").get<bool>() || doc.at("iteration").at("converged").get<bool>()) {
          // A converged run reached rtol within T already; a failed one stays failed.
          doc["time"] = doc.at("iteration");
          doc["time"]["timeout"] = T;
          doc["time"]["same_as_iteration_mode"] = true;
        } else {
          if (limitReached()) {
            stopped = true;
            break;
          }
          ran = true;
          const std::string why =
              runChild(workerArgs({"--phase=time", "--matrix=" + file.string(), "--run=" + run.name, rhsArg({rhs[k]}),
                                   "--model=" + modelPath(run).string(), "--time-limit=" + number(T),
                                   "--seconds-per-iteration=" + number(secondsPerIteration(doc))}),
                       logOf(run, ".time." + Gnp::fileTag(rhs[k])), s.caseTimeLimit);
          ++casesRun;
          json updated = readCase(caseOf(k, run));
          if (why.empty() && !updated.is_null() && updated.contains("time")) {
            doc = updated;
          } else {
            Gnp::SolveResult r;
            r.failed = true;
            r.failure = "the worker " + (why.empty() ? std::string("wrote no result") : why);
            doc["time"] = toJson(r);
            doc["time"]["timeout"] = T;
          }
        }
        if (!doc.contains("time")) doc["time_mode"] = "not run: construction failed";
        if (doc.contains("time") || ran) writeAtomically(caseOf(k, run), doc.dump(1));
        if (!doc.at("construction").at("failed").get<bool>())
          progress(run.name + " (time mode)", doc,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), ran, 0.5 / K);
        else
          doneWeight += weight * 0.5 / K;
      }
      if (stopped) break;

      addMetrics(group, runs.front().belos.get<int>("Maximum Iterations"));
    }
    if (stopped) break;
    std::vector<json> flat;
    for (const auto& group : docs) flat.insert(flat.end(), group.begin(), group.end());
    flagConstantOutputArtifacts(flat);
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t ri = 0; ri < runs.size(); ++ri)
        writeAtomically(caseOf(k, runs[ri]), flat[k * runs.size() + ri].dump(1));
  }

  // The report covers every matrix whose cases are all complete for every right-hand side.
  std::vector<json> all;
  std::size_t complete = 0;
  for (const auto& file : files) {
    std::vector<json> docs;
    for (std::size_t k = 0; k < K; ++k)
      for (const auto& run : runs) {
        json d = readCase(casePath(s.out, rhs[k], file.stem().string(), run.name));
        if (d.is_null() || !d.contains("metrics")) break;
        docs.push_back(d);
      }
    if (docs.size() != K * runs.size()) continue;
    all.insert(all.end(), docs.begin(), docs.end());
    ++complete;
  }
  writeAtomically(out / "summary.csv", summaryCsv(all));
  std::string notes;
  if (!s.notes.empty()) notes = readFile(s.notes);
  std::string header = settingsHeader(s, runs, rhs, complete);
  if (!unreadable.empty()) {
    header +=
        "\n## Matrices that could not be read\n\nNot run and not counted as any preconditioner's failure.\n\n"
        "| file | why |\n|---|---|\n";
    for (const auto& [file, why] : unreadable) header += "| " + file + " | " + why + " |\n";
  }
  writeAtomically(out / "report.md", markdownReport(all, header, notes));
  std::printf("gnp-bench: %zu of %zu matrices complete; wrote %s and %s%s\n", complete, files.size(),
              (out / "summary.csv").c_str(), (out / "report.md").c_str(),
              stopped ? " (stopped at --max-cases; rerun to continue)" : "");
  return 0;
}

} // namespace

int main(int argc, char* argv[]) {
  Settings s;
  Teuchos::CommandLineProcessor clp(false, true);
  clp.setDocString(
      "gnp-bench --matrices DIR-or-files --out DIR [--params bench.xml] [--ranks R] [options]\n\n"
      "Runs the paper's evaluation protocol (docs/method.md sections 5-6) for every matrix, every preconditioner\n"
      "of the XML file (default: GNP, ILUT, Jacobi, MueLu, GMRES, None, all at their defaults) and every\n"
      "right-hand side (default: b = A*1 and b = A*x, x ~ N(0,1), side by side).\n"
      "Each case runs as `mpirun -np R gnp-bench --worker ...` with a time limit; results are one JSON per\n"
      "case under OUT/cases/<rhs>, plus OUT/summary.csv and OUT/report.md. Rerunning with the same --out skips\n"
      "finished cases. Plots: bench/plot_results.py OUT.");
  clp.setOption("matrices", &s.matrices, "Comma-separated MatrixMarket files and/or folders (all *.mtx in them)");
  clp.setOption("params", &s.params, "XML list of runs, as for gnp-solve (default: the six at library defaults)");
  clp.setOption("out", &s.out, "Output folder");
  clp.setOption("rhs", &s.rhs,
                "Right-hand sides, comma-separated: ones (b = A*1, the paper's), random-solution (b = A*x, "
                "x ~ N(0,1)), random (b ~ N(0,1)); default: the XML's \"Right-hand side\", else ones,random-solution");
  clp.setOption("ranks", &s.ranks, "MPI ranks per case");
  std::string gnpSteps = "keep"; // a sentinel, so that an empty value is an error
  clp.setOption("gnp-steps", &gnpSteps,
                "Override \"gnp: training steps\" of every GNP run (a positive integer; keep: the XML's)");
  clp.setOption("gnp-seconds", &s.gnpSeconds, "Override \"gnp: max training time\" of every GNP run (-1: keep)");
  clp.setOption("case-time-limit", &s.caseTimeLimit, "Seconds after which a case's worker is killed (a failure)");
  clp.setOption("max-cases", &s.maxCases, "Stop after running this many workers (-1: all); rerun to continue");
  clp.setOption("notes", &s.notes, "Markdown file appended to report.md");
  clp.setOption("mpiexec", &s.mpiexec, "MPI launcher for the workers");
  clp.setOption("worker", "driver", &s.worker, "Internal: run one case (started by the driver under mpirun)");
  clp.setOption("phase", &s.phase, "Internal (worker): iteration or time");
  clp.setOption("matrix", &s.matrix, "Internal (worker): the matrix file");
  clp.setOption("run", &s.run, "Internal (worker): the run's name");
  clp.setOption("model", &s.modelPath, "Internal (worker): GNP model file");
  clp.setOption("time-limit", &s.timeLimit, "Internal (worker): time-mode timeout T in seconds");
  clp.setOption("seconds-per-iteration", &s.secondsPerIteration, "Internal (worker): from iteration mode");
  try {
    const auto parsed = clp.parse(argc, argv);
    if (parsed == Teuchos::CommandLineProcessor::PARSE_HELP_PRINTED) return 0;
    if (parsed != Teuchos::CommandLineProcessor::PARSE_SUCCESSFUL)
      throw std::invalid_argument("cannot parse the command line (see --help)");
    if (gnpSteps != "keep") s.gnpSteps = static_cast<int>(Gnp::parseInteger("--gnp-steps", gnpSteps, 1, 1000000000));
  } catch (const std::exception& e) { // Teuchos throws for an option value it cannot convert
    std::cerr << "gnp-bench: error: " << Gnp::withoutSourceLocation(e.what()) << "\n";
    return 1;
  }

  if (s.worker) {
    Tpetra::ScopeGuard tpetra(&argc, &argv);
    try {
      return worker(s);
    } catch (const std::exception& e) {
      std::cerr << "gnp-bench worker: error: " << e.what() << "\n";
      return 1;
    }
  }
  try {
    if (s.matrices.empty()) throw std::invalid_argument("--matrices is required (a folder or .mtx files)");
    if (s.ranks < 1) throw std::invalid_argument("--ranks must be at least 1");
    if (s.caseTimeLimit <= 0) throw std::invalid_argument("--case-time-limit must be positive");
    return driver(s, fs::canonical("/proc/self/exe").string());
  } catch (const std::exception& e) {
    std::cerr << "gnp-bench: error: " << e.what() << "\n";
    return 1;
  }
}
