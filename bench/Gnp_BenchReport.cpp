#include "Gnp_BenchReport.hpp"

#include "Gnp_Metrics.hpp"
#include "Gnp_RightHandSide.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace Gnp {
namespace Bench {
namespace {

using json = nlohmann::json;

std::vector<double> numbers(const json& array) {
  std::vector<double> v;
  for (const auto& x : array) v.push_back(x.is_null() ? std::nan("") : x.get<double>());
  return v;
}

bool allFinite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x) && x >= 0.0; }); // 0: an exact solve
}

bool constructionFailed(const json& c) { return c.at("construction").at("failed").get<bool>(); }

bool solutionFailed(const json& c, const char* mode) { return c.contains(mode) && c.at(mode).at("failed").get<bool>(); }

// A case whose residual history can be ranked in `mode`.
bool rankable(const json& c, const char* mode) {
  return !constructionFailed(c) && c.contains(mode) && !solutionFailed(c, mode);
}

json nullable(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

double get(const json& j, const char* key) {
  return j.contains(key) && !j.at(key).is_null() ? j.at(key).get<double>() : std::nan("");
}

std::string fmt(const char* format, double v) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

std::string finalStatus(const json& c) {
  if (constructionFailed(c)) return "construction failure";
  if (!c.contains("iteration")) return "not run";
  if (solutionFailed(c, "iteration")) return "solution failure";
  return c.at("iteration").at("converged").get<bool>() ? "converged" : "not converged";
}

// The right-hand side a case solved (documents without one predate the choice: b = Â·1).
std::string rhsOf(const json& c) { return c.contains("rhs") ? c.at("rhs").get<std::string>() : "ones"; }

// Cases grouped by right-hand side, in first-seen order.
std::vector<std::pair<std::string, std::vector<json>>> byRhs(const std::vector<json>& cases) {
  std::vector<std::pair<std::string, std::vector<json>>> groups;
  for (const auto& c : cases) {
    const auto r = rhsOf(c);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == r; });
    if (it == groups.end())
      groups.push_back({r, {c}});
    else
      it->second.push_back(c);
  }
  return groups;
}

// Groups case indices by matrix, in first-seen order.
std::vector<std::pair<std::string, std::vector<std::size_t>>> byMatrix(const std::vector<json>& cases) {
  std::vector<std::pair<std::string, std::vector<std::size_t>>> groups;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto m = cases[i].at("matrix").get<std::string>();
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == m; });
    if (it == groups.end())
      groups.push_back({m, {i}});
    else
      it->second.push_back(i);
  }
  return groups;
}

// The case with the lowest value of `key` in "metrics" among `idx`; -1 if none.
long best(const std::vector<json>& cases, const std::vector<std::size_t>& idx, const char* key, long skip = -1) {
  long arg = -1;
  double low = INFINITY;
  for (auto i : idx) {
    if (static_cast<long>(i) == skip) continue;
    const double v = get(cases[i].at("metrics"), key);
    if (std::isfinite(v) && v < low) low = v, arg = static_cast<long>(i);
  }
  return arg;
}

std::string name(const std::vector<json>& cases, long i) {
  return i < 0 ? "–" : cases[i].at("preconditioner").get<std::string>();
}

std::vector<std::string> preconditionerNames(const std::vector<json>& cases) {
  std::vector<std::string> names;
  for (const auto& c : cases) {
    const auto n = c.at("preconditioner").get<std::string>();
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names;
}

std::string csvField(std::string s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch == '\n' ? ' ' : ch);
  return out + "\"";
}

} // namespace

void addMetrics(std::vector<json>& cases, int maxIterations) {
  double T = 0.0;
  for (const auto& c : cases)
    if (!constructionFailed(c) && c.contains("iteration"))
      T = std::max(T, c.at("iteration").at("seconds").get<double>());
  for (auto& c : cases) {
    json m{{"T", T},
           {"iter_auc", nullptr},
           {"time_auc", nullptr},
           {"end_to_end_1e-6", nullptr},
           {"end_to_end_1e-8", nullptr}};
    if (rankable(c, "iteration")) {
      const auto r = numbers(c.at("iteration").at("residuals"));
      if (allFinite(r)) m["iter_auc"] = iterAuc(r, maxIterations);
    }
    if (rankable(c, "time")) {
      const auto r = numbers(c.at("time").at("residuals"));
      const auto t = numbers(c.at("time").at("times"));
      if (allFinite(r) && T > 0.0) m["time_auc"] = timeAuc(r, t, T);
      const double build = c.at("construction").at("seconds").get<double>();
      for (double tol : {1e-6, 1e-8}) {
        for (std::size_t i = 0; i < r.size() && i < t.size(); ++i)
          if (r[i] <= tol) {
            m[tol == 1e-6 ? "end_to_end_1e-6" : "end_to_end_1e-8"] = nullable(build + t[i]);
            break;
          }
      }
    }
    c["metrics"] = m;
  }
}

void flagConstantOutputArtifacts(std::vector<json>& cases) {
  auto find = [&](const std::string& rhs, const std::string& type) -> const json* {
    for (const auto& c : cases)
      if (rhsOf(c) == rhs && c.at("type") == type) return &c;
    return nullptr;
  };
  auto diagnostic = [](const json* c, const char* key) {
    return c && c->contains("diagnostics") ? get(c->at("diagnostics"), key) : NAN;
  };
  const json* none = find("ones", "None");
  const json* other = find("random solution", "GNP");
  for (auto& c : cases) {
    if (c.at("type") != "GNP" || rhsOf(c) != "ones" || !c.contains("metrics")) continue;
    c["metrics"]["constant_output_artifact"] =
        Gnp::constantOutputArtifact(get(c.at("metrics"), "iter_auc"), none ? get(none->at("metrics"), "iter_auc") : NAN,
                                    diagnostic(&c, "first_iteration_residual"),
                                    diagnostic(other, "first_iteration_residual"), diagnostic(&c, "output_deviation"));
  }
}

std::string summaryCsv(const std::vector<json>& cases) {
  std::ostringstream os;
  os << "matrix,rhs,rows,entries,preconditioner,type,status,construction_s,training_steps,training_stop,iterations,"
        "tracked_residual,true_residual,solve_s,iter_auc,time_mode_iterations,time_mode_residual,time_auc,T,"
        "end_to_end_1e-6_s,end_to_end_1e-8_s,output_deviation,first_iteration_residual,constant_output_artifact,"
        "failure\n";
  for (const auto& c : cases) {
    const json& m = c.at("metrics");
    const bool built = !constructionFailed(c);
    auto num = [](double v) { return std::isfinite(v) ? fmt("%.6g", v) : std::string(); };
    const json none = json::object();
    const json& it = c.contains("iteration") ? c.at("iteration") : none;
    const json& tm = c.contains("time") ? c.at("time") : none;
    std::string failure = built ? "" : c.at("construction").at("message").get<std::string>();
    if (failure.empty() && solutionFailed(c, "iteration")) failure = it.at("failure").get<std::string>();
    if (failure.empty() && solutionFailed(c, "time")) failure = "time mode: " + tm.at("failure").get<std::string>();
    const json& d = c.contains("diagnostics") ? c.at("diagnostics") : none;
    os << csvField(c.at("matrix").get<std::string>()) << ',' << csvField(rhsOf(c)) << ',' << c.at("rows") << ','
       << c.at("entries") << ',' << csvField(c.at("preconditioner").get<std::string>()) << ','
       << c.at("type").get<std::string>() << ',' << finalStatus(c) << ',' << num(get(c.at("construction"), "seconds"))
       << ',' << (c.contains("training") ? std::to_string(c.at("training").at("steps_run").get<int>()) : "") << ','
       << (c.contains("training") ? c.at("training").at("stop_reason").get<std::string>() : "") << ','
       << (it.contains("iterations") ? std::to_string(it.at("iterations").get<int>()) : "") << ','
       << num(get(it, "tracked_residual")) << ',' << num(get(it, "true_residual")) << ',' << num(get(it, "seconds"))
       << ',' << num(get(m, "iter_auc")) << ','
       << (tm.contains("iterations") ? std::to_string(tm.at("iterations").get<int>()) : "") << ','
       << num(get(tm, "true_residual")) << ',' << num(get(m, "time_auc")) << ',' << num(get(m, "T")) << ','
       << num(get(m, "end_to_end_1e-6")) << ',' << num(get(m, "end_to_end_1e-8")) << ','
       << num(get(d, "output_deviation")) << ',' << num(get(d, "first_iteration_residual")) << ','
       << (m.contains("constant_output_artifact") ? (m.at("constant_output_artifact").get<bool>() ? "yes" : "no") : "")
       << ',' << csvField(failure) << '\n';
  }
  return os.str();
}

namespace {

// The report's sections for the cases of one right-hand side.
void rhsSection(std::ostringstream& os, const std::vector<json>& cases, const std::string& rhs) {
  const auto groups = byMatrix(cases);
  const auto names = preconditionerNames(cases);
  const std::string of = " — right-hand side \"" + rhs + "\"";

  // Per-matrix table.
  os << "## Per matrix" << of << "\n\n"
     << "Best = lowest AUC among the runs without a failure. GNP and best-other final residuals are the true "
        "relative residuals after iteration mode (100 iterations or rtol 1e-8). End-to-end = construction "
        "(training for GNP) + solve time to reach the tolerance in time mode.\n\n"
     << "| matrix | n | nnz | best Iter-AUC | best Time-AUC | GNP its | GNP residual | best other residual | "
        "fastest to 1e-6 | fastest to 1e-8 |\n|---|---:|---:|---|---|---:|---:|---:|---|---|\n";
  for (const auto& [matrix, idx] : groups) {
    long gnp = -1;
    for (auto i : idx)
      if (cases[i].at("type") == "GNP") gnp = static_cast<long>(i);
    double otherBest = INFINITY;
    for (auto i : idx)
      if (static_cast<long>(i) != gnp && rankable(cases[i], "iteration"))
        otherBest = std::min(otherBest, get(cases[i].at("iteration"), "true_residual"));
    const json& first = cases[idx.front()];
    std::string gnpIts = "–", gnpRes = "–";
    if (gnp >= 0 && cases[gnp].contains("iteration") && !constructionFailed(cases[gnp])) {
      gnpIts = std::to_string(cases[gnp].at("iteration").at("iterations").get<int>());
      gnpRes = fmt("%.1e", get(cases[gnp].at("iteration"), "true_residual"));
      if (solutionFailed(cases[gnp], "iteration")) gnpRes += " (failed)";
    } else if (gnp >= 0) {
      gnpRes = "construction failure";
    }
    auto e2e = [&](const char* key) {
      const long b = best(cases, idx, key);
      return b < 0 ? std::string("none")
                   : name(cases, b) + " (" + fmt("%.2f", get(cases[b].at("metrics"), key)) + " s)";
    };
    os << "| " << matrix << " | " << first.at("rows") << " | " << first.at("entries") << " | "
       << name(cases, best(cases, idx, "iter_auc")) << " | " << name(cases, best(cases, idx, "time_auc")) << " | "
       << gnpIts << " | " << gnpRes << " | " << fmt("%.1e", otherBest) << " | " << e2e("end_to_end_1e-6") << " | "
       << e2e("end_to_end_1e-8") << " |\n";
  }

  // Failures (Table 2 shape) and wins.
  os << "\n## Failures and wins per preconditioner" << of << "\n\n"
     << "Construction failure: the preconditioner could not be built (exception, or NaN/Inf on its first "
        "apply). Solution failure: NaN/Inf during the solve, or the true residual departs from the tracked one "
        "(true > 10·max(tracked, rtol)); counted in iteration mode, time mode in brackets where it adds one. "
        "Best = share of the "
     << groups.size() << " matrices where the preconditioner has the lowest metric.\n\n"
     << "| preconditioner | construction failures | solution failures | converged (iteration mode) | best Iter-AUC | "
        "best Time-AUC | fastest to 1e-6 | fastest to 1e-8 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& n : names) {
    int construction = 0, solution = 0, solutionTime = 0, converged = 0;
    int wins[4] = {0, 0, 0, 0};
    const char* keys[4] = {"iter_auc", "time_auc", "end_to_end_1e-6", "end_to_end_1e-8"};
    for (const auto& c : cases) {
      if (c.at("preconditioner") != n) continue;
      construction += constructionFailed(c);
      solution += !constructionFailed(c) && solutionFailed(c, "iteration");
      solutionTime += !constructionFailed(c) && !solutionFailed(c, "iteration") && solutionFailed(c, "time");
      converged += finalStatus(c) == "converged";
    }
    for (const auto& [matrix, idx] : groups)
      for (int k = 0; k < 4; ++k) {
        const long b = best(cases, idx, keys[k]);
        wins[k] += b >= 0 && name(cases, b) == n;
      }
    const double total = static_cast<double>(std::max<std::size_t>(groups.size(), 1));
    os << "| " << n << " | " << construction << " | " << solution
       << (solutionTime ? " (+" + std::to_string(solutionTime) + ")" : "") << " | " << converged;
    for (int k = 0; k < 4; ++k) os << " | " << wins[k] << " (" << fmt("%.0f", 100.0 * wins[k] / total) << "%)";
    os << " |\n";
  }

  // Table 1 shape: where GNP is best, how much better is its final residual?
  os << "\n## Where GNP is best: residual ratio second best / GNP (the paper's Table 1)" << of << "\n\n"
     << "| ranked by | matrices where GNP is best | median ratio | 75th percentile | max "
        "|\n|---|---:|---:|---:|---:|\n";
  for (const auto& [label, key, mode] :
       {std::tuple<const char*, const char*, const char*>{"Iter-AUC", "iter_auc", "iteration"},
        {"Time-AUC", "time_auc", "time"}}) {
    std::vector<double> ratios;
    for (const auto& [matrix, idx] : groups) {
      const long b = best(cases, idx, key);
      if (b < 0 || cases[b].at("type") != "GNP") continue;
      const long second = best(cases, idx, key, b);
      if (second < 0) continue;
      const double g = get(cases[b].at(mode), "true_residual"), s = get(cases[second].at(mode), "true_residual");
      if (g > 0.0 && std::isfinite(g) && std::isfinite(s)) ratios.push_back(s / g);
    }
    os << "| " << label << " | " << ratios.size() << " | " << fmt("%.3g", percentile(ratios, 0.5)) << " | "
       << fmt("%.3g", percentile(ratios, 0.75)) << " | "
       << fmt("%.3g", ratios.empty() ? NAN : *std::max_element(ratios.begin(), ratios.end())) << " |\n";
  }

  // GNP training summary.
  std::map<std::string, int> stops;
  std::map<std::string, std::vector<std::string>> bases; // base -> matrices
  std::vector<double> steps;
  for (const auto& c : cases)
    if (c.contains("training")) {
      ++stops[c.at("training").at("stop_reason").get<std::string>()];
      steps.push_back(c.at("training").at("steps_run").get<int>());
      if (c.at("training").contains("base"))
        bases[c.at("training").at("base").get<std::string>()].push_back(c.at("matrix").get<std::string>());
    }
  if (!steps.empty()) {
    os << "\n## GNP training\n\nSteps run per matrix: median " << fmt("%.0f", percentile(steps, 0.5)) << ", min "
       << fmt("%.0f", *std::min_element(steps.begin(), steps.end())) << ", max "
       << fmt("%.0f", *std::max_element(steps.begin(), steps.end())) << ". Training ended by:";
    std::string sep = " ";
    for (const auto& [reason, count] : stops) os << sep << reason << " on " << count << " matrices", sep = ", ";
    os << ".\n";
    // What "gnp: base preconditioner" = "auto" chose: which matrices got a network correcting ILUT.
    for (const auto& [base, matrices] : bases) {
      os << "\nBase preconditioner " << base << " on " << matrices.size() << " matrices";
      if (base != "none") {
        std::string list;
        for (const auto& m : matrices) list += (list.empty() ? ": " : ", ") + m;
        os << list;
      }
      os << ".";
    }
    if (!bases.empty()) os << "\n";
  }
  os << "\n";
}

// Per right-hand side and preconditioner: what the paper's tables count.
void sideBySide(std::ostringstream& os, const std::vector<std::pair<std::string, std::vector<json>>>& byRhs) {
  os << "## Right-hand sides side by side\n\n"
     << "The paper solves only b = Â·1, whose exact solution is the constant vector; a barely trained GNP outputs a "
        "nearly constant vector, so on that right-hand side it can look like a strong preconditioner without being "
        "one (see the constant-output table below). \"random solution\" (b = Â·x, x ~ N(0,1), the distribution GNP "
        "trains on) is the honest measure; claims rest on it. Each cell: ";
  for (std::size_t k = 0; k < byRhs.size(); ++k) os << (k ? " / " : "") << "`" << byRhs[k].first << "`";
  os << ".\n\n| preconditioner | best Iter-AUC | best Time-AUC | converged (iteration mode) | solution failures | "
        "construction failures | fastest to 1e-8 |\n|---|---|---|---|---|---|---|\n";
  for (const auto& n : preconditionerNames(byRhs.front().second)) {
    std::vector<std::string> cells(6);
    for (std::size_t k = 0; k < byRhs.size(); ++k) {
      const auto& cases = byRhs[k].second;
      const auto groups = byMatrix(cases);
      int wins[3] = {0, 0, 0}, converged = 0, solution = 0, construction = 0;
      const char* keys[3] = {"iter_auc", "time_auc", "end_to_end_1e-8"};
      for (const auto& [matrix, idx] : groups)
        for (int w = 0; w < 3; ++w) {
          const long b = best(cases, idx, keys[w]);
          wins[w] += b >= 0 && name(cases, b) == n;
        }
      for (const auto& c : cases) {
        if (c.at("preconditioner") != n) continue;
        converged += finalStatus(c) == "converged";
        solution += !constructionFailed(c) && solutionFailed(c, "iteration");
        construction += constructionFailed(c);
      }
      const int values[6] = {wins[0], wins[1], converged, solution, construction, wins[2]};
      for (int col = 0; col < 6; ++col) cells[col] += (k ? " / " : "") + std::to_string(values[col]);
    }
    os << "| " << n;
    for (const auto& cell : cells) os << " | " << cell;
    os << " |\n";
  }

  // GNP against no preconditioner, and the Table-1 ratio, per right-hand side.
  os << "\n| right-hand side | matrices | GNP Iter-AUC below none's | at most half of none's (twice as low) | "
        "GNP best of all | median ratio second best / GNP where GNP is best |\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& [rhs, cases] : byRhs) {
    const auto groups = byMatrix(cases);
    int below = 0, twice = 0, bestOfAll = 0;
    std::vector<double> ratios;
    for (const auto& [matrix, idx] : groups) {
      long gnp = -1, none = -1;
      for (auto i : idx) {
        if (cases[i].at("type") == "GNP") gnp = static_cast<long>(i);
        if (cases[i].at("type") == "None") none = static_cast<long>(i);
      }
      if (gnp < 0) continue;
      const double g = get(cases[gnp].at("metrics"), "iter_auc");
      const double z = none >= 0 ? get(cases[none].at("metrics"), "iter_auc") : NAN;
      // A failed none (no AUC) is beaten by any GNP run that has one.
      below += std::isfinite(g) && (!std::isfinite(z) || g < z);
      twice += std::isfinite(g) && (!std::isfinite(z) || g <= 2.0 * z);
      const long b = best(cases, idx, "iter_auc");
      if (b == gnp) {
        ++bestOfAll;
        const long second = best(cases, idx, "iter_auc", b);
        if (second >= 0) {
          const double gr = get(cases[b].at("iteration"), "true_residual");
          const double sr = get(cases[second].at("iteration"), "true_residual");
          if (gr > 0.0 && std::isfinite(gr) && std::isfinite(sr)) ratios.push_back(sr / gr);
        }
      }
    }
    const double total = static_cast<double>(std::max<std::size_t>(groups.size(), 1));
    auto share = [&](int v) { return std::to_string(v) + " (" + fmt("%.0f", 100.0 * v / total) + "%)"; };
    os << "| " << rhs << " | " << groups.size() << " | " << share(below) << " | " << share(twice) << " | "
       << share(bestOfAll) << " | " << fmt("%.3g", percentile(ratios, 0.5)) << " |\n";
  }
  os << "\n";
}

// Per matrix, GNP's output on b = Â·1 and what it did on each right-hand side.
void constantOutputTable(std::ostringstream& os, const std::vector<std::pair<std::string, std::vector<json>>>& byRhs) {
  auto find = [&](const std::string& rhs, const std::string& matrix, const std::string& type) -> const json* {
    for (const auto& [r, cases] : byRhs)
      if (r == rhs)
        for (const auto& c : cases)
          if (c.at("matrix") == matrix && c.at("type") == type) return &c;
    return nullptr;
  };
  const auto& first = byRhs.front().second;
  bool any = false;
  for (const auto& c : first) any = any || (c.at("type") == "GNP" && c.contains("diagnostics"));
  if (!any) return;
  os << "## GNP's constant-output artifact\n\n"
     << "M(b) dev = ‖M(b) − mean(M(b))·1‖ / ‖M(b)‖ for GNP's output on b (0: a constant vector; about 1: a random "
        "one); relres@1 = relative residual after the first FGMRES iteration; Iter-AUC cells: GNP / none. ⚠ marks "
        "the constant-output artifact (Gnp::constantOutputArtifact): on b = Â·1 GNP beats no preconditioner and its "
        "first iteration cut the residual over 100 times more than on b = Â·x (or, without that run, its output is "
        "constant to within "
     << fmt("%.0e", Gnp::kConstantOutputDeviation)
     << "). There the exact solution's direction, not preconditioning, is what GNP contributes.\n\n| matrix |";
  for (const auto& [rhs, cases] : byRhs)
    os << " M(b) dev `" << rhs << "` | relres@1 `" << rhs << "` | Iter-AUC `" << rhs << "` |";
  os << " flag |\n|---|";
  for (std::size_t k = 0; k < byRhs.size(); ++k) os << "---:|---:|---:|";
  os << "---|\n";
  for (const auto& [matrix, idx] : byMatrix(first)) {
    os << "| " << matrix << " |";
    bool flagged = false;
    for (const auto& [rhs, cases] : byRhs) {
      const json* g = find(rhs, matrix, "GNP");
      const json* z = find(rhs, matrix, "None");
      const json none = json::object();
      const json& d = g && g->contains("diagnostics") ? g->at("diagnostics") : none;
      os << " " << fmt("%.1e", get(d, "output_deviation")) << " | " << fmt("%.1e", get(d, "first_iteration_residual"))
         << " | " << fmt("%.1f", g ? get(g->at("metrics"), "iter_auc") : NAN) << " / "
         << fmt("%.1f", z ? get(z->at("metrics"), "iter_auc") : NAN) << " |";
      flagged = flagged || (g && g->at("metrics").value("constant_output_artifact", false));
    }
    os << (flagged ? " ⚠ |" : " |") << "\n";
  }
  os << "\n";
}

// The matrices where neither ILUT nor MueLu reaches the tolerance (both must
// have run): GNP's only place on a CPU, reported on their own (issue 24).
void hardSection(std::ostringstream& os, const std::vector<json>& cases, const std::string& rhs) {
  const auto groups = byMatrix(cases);
  std::vector<std::pair<std::string, std::vector<std::size_t>>> hard;
  for (const auto& [matrix, idx] : groups) {
    bool ilut = false, muelu = false, classicalConverged = false;
    for (auto i : idx) {
      const auto type = cases[i].at("type").get<std::string>();
      if (type != "ILUT" && type != "MueLu") continue;
      (type == "ILUT" ? ilut : muelu) = true;
      classicalConverged = classicalConverged || finalStatus(cases[i]) == "converged";
    }
    if (ilut && muelu && !classicalConverged) hard.push_back({matrix, idx});
  }
  if (hard.empty()) return;
  const auto names = preconditionerNames(cases);
  os << "\n## The hard matrices — right-hand side \"" << rhs << "\"\n\n"
     << hard.size() << " of " << groups.size()
     << " matrices, where neither ILUT nor MueLu reaches the tolerance. Final true relative residual "
        "after iteration mode (bold: converged; – : a failure).\n\n| matrix | n |";
  for (const auto& n : names) os << " " << n << " |";
  os << "\n|---|---:|";
  for (std::size_t k = 0; k < names.size(); ++k) os << "---:|";
  os << "\n";
  for (const auto& [matrix, idx] : hard) {
    os << "| " << matrix << " | " << cases[idx.front()].at("rows") << " |";
    for (const auto& n : names) {
      std::string cell = " ";
      for (auto i : idx) {
        if (cases[i].at("preconditioner") != n) continue;
        const std::string status = finalStatus(cases[i]);
        if (status == "converged" || status == "not converged") {
          const std::string r = fmt("%.1e", get(cases[i].at("iteration"), "true_residual"));
          cell = status == "converged" ? "**" + r + "**" : r;
        } else {
          cell = "–";
        }
      }
      os << " " << cell << " |";
    }
    os << "\n";
  }
  os << "\n| preconditioner | converged | median final residual | best Iter-AUC | fastest to 1e-8 incl. "
        "construction |\n|---|---:|---:|---:|---:|\n";
  for (const auto& n : names) {
    int converged = 0, bestAuc = 0, fastest = 0;
    std::vector<double> residuals;
    for (const auto& [matrix, idx] : hard) {
      for (auto i : idx) {
        if (cases[i].at("preconditioner") != n) continue;
        converged += finalStatus(cases[i]) == "converged";
        if (rankable(cases[i], "iteration")) residuals.push_back(get(cases[i].at("iteration"), "true_residual"));
      }
      bestAuc += name(cases, best(cases, idx, "iter_auc")) == n;
      fastest += name(cases, best(cases, idx, "end_to_end_1e-8")) == n;
    }
    os << "| " << n << " | " << converged << " | " << fmt("%.1e", percentile(residuals, 0.5)) << " | " << bestAuc
       << " | " << fastest << " |\n";
  }
}

// What a user pays to reach 1e-8 with each preconditioner for k right-hand sides:
// construction once, then k solves of the time-mode length (end_to_end_1e-8 − construction).
struct SolveCost {
  std::string name;
  double build = INFINITY, perSolve = INFINITY; // infinite: did not reach 1e-8
  double total(double k) const { return build + k * perSolve; }
};

std::vector<SolveCost> solveCosts(const std::vector<json>& cases, const std::vector<std::size_t>& idx) {
  std::vector<SolveCost> costs;
  for (auto i : idx) {
    SolveCost c;
    c.name = cases[i].at("preconditioner").get<std::string>();
    const double e2e = cases[i].contains("metrics") ? get(cases[i].at("metrics"), "end_to_end_1e-8") : NAN;
    if (std::isfinite(e2e)) {
      c.build = cases[i].at("construction").at("seconds").get<double>();
      c.perSolve = e2e - c.build;
    }
    costs.push_back(c);
  }
  return costs;
}

// The right-hand-side counts k >= 1 from which GNP is no slower than every other
// preconditioner that reaches 1e-8: "from K" (or "K to L"), or "never".
std::string breakEven(const SolveCost& gnp, const std::vector<SolveCost>& others) {
  if (!std::isfinite(gnp.perSolve)) return "never (no 1e-8)";
  double lo = 1.0, hi = INFINITY;
  for (const auto& c : others) {
    if (!std::isfinite(c.perSolve)) continue;
    const double ds = c.perSolve - gnp.perSolve, db = gnp.build - c.build; // GNP no slower iff k·ds >= db
    if (ds > 0)
      lo = std::max(lo, std::ceil(db / ds));
    else if (ds < 0)
      hi = db <= 0 ? std::min(hi, std::floor(db / ds)) : 0.0;
    else if (db > 0)
      hi = 0.0;
  }
  if (lo > hi) return "never";
  const std::string from = fmt("%.0f", lo);
  return std::isfinite(hi) ? from + " to " + fmt("%.0f", hi) : "from " + from;
}

void costSection(std::ostringstream& os, const std::vector<json>& cases, const std::string& rhs) {
  const auto groups = byMatrix(cases);
  const double counts[] = {1, 10, 100};
  int gnpFastest[3] = {0, 0, 0}, pays = 0, withGnp = 0;
  std::ostringstream rows;
  for (const auto& [matrix, idx] : groups) {
    const auto costs = solveCosts(cases, idx);
    const SolveCost* gnp = nullptr;
    std::vector<SolveCost> others;
    for (std::size_t j = 0; j < costs.size(); ++j)
      if (cases[idx[j]].at("type") == "GNP" && !gnp)
        gnp = &costs[j];
      else
        others.push_back(costs[j]);
    rows << "| " << matrix << " | "
         << (gnp && std::isfinite(gnp->perSolve) ? fmt("%.2f", gnp->build) + " + " + fmt("%.3f", gnp->perSolve)
                                                 : std::string("–"))
         << " |";
    for (int c = 0; c < 3; ++c) {
      const SolveCost* fastest = nullptr;
      for (const auto& cost : costs)
        if (std::isfinite(cost.perSolve) && (!fastest || cost.total(counts[c]) < fastest->total(counts[c])))
          fastest = &cost;
      rows << " " << (fastest ? fastest->name + " (" + fmt("%.2f", fastest->total(counts[c])) + " s)" : "none") << " |";
      if (fastest && gnp && fastest->name == gnp->name) ++gnpFastest[c];
    }
    const std::string even = gnp ? breakEven(*gnp, others) : "–";
    if (gnp) ++withGnp, pays += even.rfind("never", 0) != 0;
    rows << " " << even << " |\n";
  }
  os << "\n## What reaching 1e-8 costs, construction included — right-hand side \"" << rhs << "\"\n\n"
     << "Construction (GNP: training) once, then k solves as long as time mode's to 1e-8. GNP is the fastest "
        "with 1 / 10 / 100 right-hand sides on "
     << gnpFastest[0] << " / " << gnpFastest[1] << " / " << gnpFastest[2] << " of " << groups.size()
     << " matrices, and pays back its construction from some count on " << pays << " of " << withGnp
     << " (no slower than every other preconditioner that reaches 1e-8).\n\n"
        "| matrix | GNP: build + per solve (s) | fastest, 1 rhs | fastest, 10 rhs | fastest, 100 rhs | GNP pays "
        "for rhs counts |\n|---|---:|---|---|---|---|\n"
     << rows.str();
}

} // namespace

std::string markdownReport(const std::vector<json>& cases, const std::string& header, const std::string& notes) {
  std::ostringstream os;
  os << header << "\n";
  const auto groups = byRhs(cases);
  if (groups.size() > 1) sideBySide(os, groups);
  if (!groups.empty()) constantOutputTable(os, groups);
  for (const auto& [rhs, group] : groups) {
    rhsSection(os, group, rhs);
    costSection(os, group, rhs);
    hardSection(os, group, rhs);
  }
  if (!notes.empty()) os << "\n" << notes << "\n";
  return os.str();
}

} // namespace Bench
} // namespace Gnp
