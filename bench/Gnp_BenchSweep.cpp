#include "Gnp_BenchSweep.hpp"

#include "Gnp_BenchCase.hpp"
#include "Gnp_BenchReport.hpp"
#include "Gnp_Files.hpp"
#include "Gnp_MatrixMarketScan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

namespace Gnp {
namespace Bench {
namespace {

namespace fs = std::filesystem;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
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

// Two runs whose names differ only in characters a file name cannot hold would share case files.
void requireDistinctFileNames(const std::vector<RunSpec>& runs) {
  std::map<std::string, std::string> byFile;
  for (const auto& r : runs) {
    const auto [it, fresh] = byFile.emplace(safeName(r.name), r.name);
    if (!fresh)
      throw std::invalid_argument("runs \"" + it->second + "\" and \"" + r.name + "\" would share the case file '" +
                                  it->first + ".json': rename one (letters, digits, '-' and '.' are kept)");
  }
}

// What defines a sweep's results besides the matrices and the right-hand sides:
// OUT keeps it, and a rerun with other settings is refused rather than mixed.
json sweepSettings(const Settings& s, const std::vector<RunSpec>& runs) {
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
      old = json::parse(readTextFile(file.string()));
    } catch (const std::exception&) {
      old = nullptr;
    }
    if (old != settings)
      throw std::invalid_argument("'" + out.string() + "' holds results made with other runs or rank count (see " +
                                  file.string() + "): use another --out, or delete that folder to start again");
    return;
  }
  writeFileAtomically(file.string(), settings.dump(1));
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

json parseOrNull(const fs::path& p) {
  if (!fs::exists(p)) return nullptr;
  try {
    return json::parse(readTextFile(p.string()));
  } catch (const std::exception&) {
    return nullptr; // a torn file from an interrupted worker: rerun the case
  }
}

std::string rhsArg(const std::vector<RightHandSide>& list) {
  std::string tags;
  for (auto r : list) tags += (tags.empty() ? "" : ",") + fileTag(r);
  return "--rhs=" + tags;
}

std::string settingsHeader(const Settings& s, const std::vector<RunSpec>& runs, const std::vector<RightHandSide>& rhs,
                           std::size_t matrices) {
  std::ostringstream os;
  os << "# gnp-bench report\n\n"
     << "Protocol of docs/method.md sections 5-6: Gershgorin prescaling, right-hand sides " << toString(rhs)
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

} // namespace

Sweep::Sweep(const Settings& s)
    : s_(s), runs_(runList(s)), rhs_(rhsList(s)), out_(s.out), job_("gnp-bench", s.mpiexec, s.ranks) {
  requireDistinctFileNames(runs_);
  for (const auto& r : runs_) runDigests_.push_back(runDigest(r));
  files_ = matrixFiles(s.matrices);
  if (!s.notes.empty()) readTextFile(s.notes); // read again at the end; refused now, not after the sweep
  fs::create_directories(out_);
  lock_ = std::make_unique<FolderLock>(out_.string(), "gnp-bench");
  requireSameSettings(out_, sweepSettings(s, runs_));
  for (auto r : rhs_) fs::create_directories(out_ / "cases" / fileTag(r));
  fs::create_directories(out_ / "models");
  setenv("OMP_NUM_THREADS", "1", 1);
}

int Sweep::run() {
  // Work is weighed by file size for the ETA (cost grows with nnz); GNP training: a fixed cost per matrix.
  for (const auto& f : files_) totalWeight_ += (fs::file_size(f) + 2e6) * runs_.size();
  start_ = std::chrono::steady_clock::now();
  for (const auto& file : files_)
    if (!sweepMatrix(file)) break;
  writeReport();
  return 0;
}

// GNP's model from iteration mode, loaded again for time mode.
std::string Sweep::modelPath(const std::string& matrix, const RunSpec& run) const {
  return (out_ / "models" / (matrix + "__" + safeName(run.name) + ".gnp")).string();
}

const std::string& Sweep::digestOf(const fs::path& file) {
  auto it = digests_.find(file.string());
  if (it == digests_.end()) it = digests_.emplace(file.string(), fileDigest(file.string())).first;
  return it->second;
}

WorkerJob::Outcome Sweep::runJob(const std::vector<std::string>& args, const std::string& logPath,
                                 const std::string& what) {
  std::vector<std::string> all{"--worker", "--out=" + s_.out};
  if (!s_.params.empty()) all.push_back("--params=" + s_.params);
  if (s_.gnpSteps > 0) all.push_back("--gnp-steps=" + std::to_string(s_.gnpSteps));
  if (s_.gnpSeconds >= 0) all.push_back("--gnp-seconds=" + number(s_.gnpSeconds));
  all.insert(all.end(), args.begin(), args.end());
  WorkerJob::Outcome outcome = job_.run(all, logPath, s_.caseTimeLimit);
  ++casesRun_;
  if (outcome.end == WorkerJob::End::InputError) throw MatrixRefused(outcome.message);
  WorkerJob::requireResult(outcome, what + " (its log: " + logPath + ")");
  if (outcome.end == WorkerJob::End::TimedOut) outcome.message += " (the case time limit)";
  return outcome;
}

json Sweep::readCase(const fs::path& path, const std::string& digest, std::size_t run) const {
  json doc = parseOrNull(path);
  // A result is trusted only for the same matrix content and the same run.
  if (doc.is_null() || doc.value("format", 0) != 3 || doc.value("matrix_digest", "") != digest ||
      doc.value("run_digest", "") != runDigests_[run])
    return nullptr;
  return doc;
}

bool Sweep::sweepMatrix(const fs::path& file) {
  const std::string matrix = file.stem().string();
  const double weight = fs::file_size(file) + 2e6;
  const std::size_t K = rhs_.size();
  // A matrix the reader refuses is its own class: no case is run or counted for it.
  std::vector<std::vector<json>> docs(K, std::vector<json>(runs_.size()));
  try {
    scanMatrixMarket(file.string());
    const std::string& digest = digestOf(file);
    for (auto r : rhs_) fs::create_directories(caseDir(s_.out, r, matrix));
    if (!iterationPhase(matrix, file, digest, docs, weight)) return false;
    for (std::size_t k = 0; k < K; ++k) {
      if (!timePhase(matrix, file, k, docs[k], weight)) return false;
      addMetrics(docs[k], runs_.front().belos.get<int>("Maximum Iterations"));
    }
  } catch (const MatrixRefused& e) {
    unreadable_.emplace_back(file.string(), e.what());
    std::printf("gnp-bench: skipping %s: %s\n", matrix.c_str(), e.what());
    return true;
  } catch (const std::invalid_argument& e) { // from the scan: the file's own fault
    unreadable_.emplace_back(file.string(), e.what());
    std::printf("gnp-bench: skipping %s: %s\n", matrix.c_str(), e.what());
    doneWeight_ += weight * runs_.size();
    return true;
  }
  std::vector<json> flat;
  for (const auto& group : docs) flat.insert(flat.end(), group.begin(), group.end());
  flagConstantOutputArtifacts(flat);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t ri = 0; ri < runs_.size(); ++ri)
      writeFileAtomically(casePath(s_.out, rhs_[k], matrix, runs_[ri].name).string(),
                          flat[k * runs_.size() + ri].dump(1));
  return true;
}

// Iteration mode: one job per run builds it once and solves every right-hand side.
bool Sweep::iterationPhase(const std::string& matrix, const fs::path& file, const std::string& digest,
                           std::vector<std::vector<json>>& docs, double weight) {
  const std::size_t K = rhs_.size();
  for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
    const auto& run = runs_[ri];
    auto caseOf = [&](std::size_t k) { return casePath(s_.out, rhs_[k], matrix, run.name); };
    bool done = true;
    for (std::size_t k = 0; k < K; ++k) {
      docs[k][ri] = readCase(caseOf(k), digest, ri);
      done = done && iterationPhaseDone(docs[k][ri]);
    }
    if (done) {
      for (std::size_t k = 0; k < K; ++k) progress(matrix, run.name, docs[k][ri], 0, Done::Before, 0.5 / K, weight);
      continue;
    }
    if (limitReached()) {
      stopped_ = true;
      return false;
    }
    const auto start = std::chrono::steady_clock::now();
    const std::string log = (caseDir(s_.out, rhs_.front(), matrix) / (safeName(run.name) + ".iteration.log")).string();
    const auto outcome = runJob({"--phase=iteration", "--matrix=" + file.string(), "--run-index=" + std::to_string(ri),
                                 rhsArg(rhs_), "--matrix-digest=" + digest, "--model=" + modelPath(matrix, run)},
                                log, matrix + " / " + run.name);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (std::size_t k = 0; k < K; ++k) {
      json& doc = docs[k][ri];
      doc = readCase(caseOf(k), digest, ri);
      if (outcome.end != WorkerJob::End::Finished || !iterationPhaseDone(doc)) {
        // Record the run's failure, so that the sweep goes on and a rerun skips it.
        const std::string message =
            "the worker " + (outcome.message.empty() ? std::string("wrote no result") : outcome.message);
        if (doc.is_null()) {
          doc = {{"format", 3},
                 {"matrix", matrix},
                 {"file", file.string()},
                 {"matrix_digest", digest},
                 {"run_digest", runDigests_[ri]},
                 {"rhs", toString(rhs_[k])},
                 {"rows", nullptr},
                 {"entries", nullptr},
                 {"ranks", s_.ranks},
                 {"preconditioner", run.name},
                 {"type", run.type},
                 {"construction", {{"failed", true}, {"message", message}, {"seconds", 0.0}}}};
        } else if (!doc["construction"]["failed"].get<bool>() && !doc.contains("iteration")) {
          SolveResult r;
          r.failed = true;
          r.failure = message;
          doc["iteration"] = toJson(r);
        }
        writeFileAtomically(caseOf(k).string(), doc.dump(1));
      }
      progress(matrix, run.name, doc, seconds / K, Done::Now, 0.5 / K, weight);
    }
  }
  // A worker that died before reading the matrix left no size: take it from a sibling.
  for (auto& group : docs)
    for (auto& d : group)
      for (const auto& other : group)
        if (d["rows"].is_null() && !other["rows"].is_null()) {
          d["rows"] = other["rows"];
          d["entries"] = other["entries"];
        }
  return true;
}

// Time mode with T = the largest iteration-mode solve time for right-hand side k.
bool Sweep::timePhase(const std::string& matrix, const fs::path& file, std::size_t k, std::vector<json>& group,
                      double weight) {
  const std::size_t K = rhs_.size();
  double T = 0.0;
  for (const auto& d : group)
    if (d.contains("iteration")) T = std::max(T, d.at("iteration").at("seconds").get<double>());
  for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
    const auto& run = runs_[ri];
    json& doc = group[ri];
    if (doc.contains("time")) {
      progress(matrix, run.name + " (time mode)", doc, 0, Done::Before, 0.5 / K, weight);
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    bool ran = false;
    if (doc.at("construction").at("failed").get<bool>()) {
      doc["time_mode"] = "not run: construction failed";
    } else if (doc.at("iteration").at("failed").get<bool>() || doc.at("iteration").at("converged").get<bool>()) {
      // A converged run reached rtol within T already; a failed one stays failed.
      doc["time"] = doc.at("iteration");
      doc["time"]["timeout"] = T;
      doc["time"]["same_as_iteration_mode"] = true;
    } else {
      if (limitReached()) {
        stopped_ = true;
        return false;
      }
      ran = true;
      const fs::path result = timeResultPath(s_.out, rhs_[k], matrix, run.name);
      fs::remove(result);
      const std::string log =
          (caseDir(s_.out, rhs_.front(), matrix) / (safeName(run.name) + ".time." + fileTag(rhs_[k]) + ".log"))
              .string();
      const auto outcome = runJob({"--phase=time", "--matrix=" + file.string(), "--run-index=" + std::to_string(ri),
                                   rhsArg({rhs_[k]}), "--model=" + modelPath(matrix, run), "--time-limit=" + number(T),
                                   "--seconds-per-iteration=" + number(secondsPerIteration(doc))},
                                  log, matrix + " / " + run.name + " (time mode)");
      const json time = outcome.end == WorkerJob::End::Finished ? parseOrNull(result) : json(nullptr);
      if (!time.is_null()) {
        doc["time"] = time;
      } else {
        SolveResult r;
        r.failed = true;
        r.failure = "the worker " + (outcome.message.empty() ? std::string("wrote no result") : outcome.message);
        doc["time"] = toJson(r);
        doc["time"]["timeout"] = T;
      }
    }
    writeFileAtomically(casePath(s_.out, rhs_[k], matrix, run.name).string(), doc.dump(1));
    fs::remove(timeResultPath(s_.out, rhs_[k], matrix, run.name));
    if (!doc.at("construction").at("failed").get<bool>())
      progress(matrix, run.name + " (time mode)", doc,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               ran ? Done::Now : Done::FromIterationMode, 0.5 / K, weight);
    else
      doneWeight_ += weight * 0.5 / K;
  }
  return true;
}

void Sweep::progress(const std::string& matrix, const std::string& what, const json& doc, double seconds, Done done,
                     double share, double weight) {
  const bool ran = done == Done::Now;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  doneWeight_ += weight * share;
  if (ran) spentOnDone_ += seconds;
  const double rate = spentOnDone_ > 0 ? spentOnDone_ / doneWeight_ : 0.0;
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
  std::printf("gnp-bench: [%3.0f%%] %s / %s [%s]: %s%s | elapsed %s, ETA %s\n", 100.0 * doneWeight_ / totalWeight_,
              matrix.c_str(), what.c_str(), doc.value("rhs", "ones").c_str(), status.c_str(),
              done == Done::Before ? " (done before)" : "", duration(elapsed).c_str(),
              rate > 0 ? duration(rate * (totalWeight_ - doneWeight_)).c_str() : "?");
  std::fflush(stdout);
}

// The report covers every matrix whose cases are all complete for every right-hand side.
void Sweep::writeReport() {
  std::vector<json> all;
  std::size_t complete = 0;
  for (const auto& file : files_) {
    std::string digest;
    try {
      digest = digestOf(file);
    } catch (const std::invalid_argument&) {
      continue; // unreadable now: nothing of it is reported
    }
    std::vector<json> docs;
    for (std::size_t k = 0; k < rhs_.size(); ++k)
      for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
        json d = readCase(casePath(s_.out, rhs_[k], file.stem().string(), runs_[ri].name), digest, ri);
        if (d.is_null() || !d.contains("metrics")) break;
        docs.push_back(d);
      }
    if (docs.size() != rhs_.size() * runs_.size()) continue;
    all.insert(all.end(), docs.begin(), docs.end());
    ++complete;
  }
  writeFileAtomically((out_ / "summary.csv").string(), summaryCsv(all));
  std::string header = settingsHeader(s_, runs_, rhs_, complete);
  if (!unreadable_.empty()) {
    header +=
        "\n## Matrices that could not be read\n\nNot run and not counted as any preconditioner's failure.\n\n"
        "| file | why |\n|---|---|\n";
    for (const auto& [file, why] : unreadable_) header += "| " + file + " | " + why + " |\n";
  }
  const std::string notes = s_.notes.empty() ? std::string() : readTextFile(s_.notes);
  writeFileAtomically((out_ / "report.md").string(), markdownReport(all, header, notes));
  std::printf("gnp-bench: %zu of %zu matrices complete; wrote %s and %s%s\n", complete, files_.size(),
              (out_ / "summary.csv").c_str(), (out_ / "report.md").c_str(),
              stopped_ ? " (stopped at --max-cases; rerun to continue)" : "");
}

} // namespace Bench
} // namespace Gnp
