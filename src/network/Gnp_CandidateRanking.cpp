#include "Gnp_CandidateRanking.hpp"

#include "Gnp_ShortSolve.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace Gnp {

CandidateRanking::CandidateRanking(double tolerance, int budget, int rightHandSides)
    : tolerance_(tolerance), budget_(budget), rightHandSides_(rightHandSides) {
  if (!(tolerance >= 0.0) || budget < 1 || rightHandSides < 1)
    throw std::invalid_argument("CandidateRanking: the tolerance must be >= 0, the budget and the solves >= 1");
}

int CandidateRanking::add(Trial trial) {
  trials_.push_back(std::move(trial));
  return static_cast<int>(trials_.size()) - 1;
}

int CandidateRanking::iterationsToTolerance(int i) const {
  const Trial& t = trials_.at(i);
  if (!t.built) return -1;
  const int run = std::min<int>(static_cast<int>(t.residuals.size()), budget_);
  for (int k = 0; k < run; ++k)
    if (t.residuals[k] <= tolerance_) return k + 1;
  return -1;
}

double CandidateRanking::secondsToTolerance(int i) const {
  const int iterations = iterationsToTolerance(i);
  if (iterations < 0) return std::numeric_limits<double>::infinity();
  const Trial& t = trials_[i];
  const double perIteration = t.solveSeconds / static_cast<double>(t.residuals.size());
  return t.buildSeconds + rightHandSides_ * perIteration * iterations;
}

double CandidateRanking::residualArea(int i) const {
  const Trial& t = trials_.at(i);
  if (!t.built || t.residuals.empty()) return std::numeric_limits<double>::infinity();
  std::vector<double> held(t.residuals.begin(),
                           t.residuals.begin() + std::min<std::size_t>(t.residuals.size(), budget_));
  held.resize(budget_, held.back());
  return Gnp::residualArea(held);
}

bool CandidateRanking::anyConverged() const {
  for (int i = 0; i < static_cast<int>(trials_.size()); ++i)
    if (iterationsToTolerance(i) > 0) return true;
  return false;
}

bool CandidateRanking::better(int i, int j) const {
  const double ti = secondsToTolerance(i), tj = secondsToTolerance(j);
  if (std::isfinite(ti) || std::isfinite(tj)) return ti < tj;
  return residualArea(i) < residualArea(j);
}

int CandidateRanking::best() const {
  int best = -1;
  for (int i = 0; i < static_cast<int>(trials_.size()); ++i)
    if (trials_[i].built && (best < 0 || better(i, best))) best = i;
  return best;
}

std::string CandidateRanking::reason() const {
  const int b = best();
  if (b < 0) return "none of the candidates could be built";
  int second = -1;
  for (int i = 0; i < static_cast<int>(trials_.size()); ++i)
    if (i != b && trials_[i].built && (second < 0 || better(i, second))) second = i;
  char line[400];
  if (iterationsToTolerance(b) > 0) {
    std::snprintf(line, sizeof line, "%s reaches %.0e in %d iterations, %.3g s to it with construction for %d solve%s",
                  trials_[b].name.c_str(), tolerance_, iterationsToTolerance(b), secondsToTolerance(b), rightHandSides_,
                  rightHandSides_ == 1 ? "" : "s");
    std::string said = line;
    if (second >= 0 && iterationsToTolerance(second) > 0) {
      std::snprintf(line, sizeof line, " (next: %s, %.3g s)", trials_[second].name.c_str(), secondsToTolerance(second));
      said += line;
    } else if (second >= 0) {
      said += " (no other candidate tried reaches it)";
    }
    return said;
  }
  std::snprintf(line, sizeof line, "none reaches %.0e in %d iterations; %s has the lowest residual area (%.2f",
                tolerance_, budget_, trials_[b].name.c_str(), residualArea(b));
  std::string said = line;
  if (second >= 0) {
    std::snprintf(line, sizeof line, "; next: %s, %.2f", trials_[second].name.c_str(), residualArea(second));
    said += line;
  }
  return said + ")";
}

std::string CandidateRanking::table() const {
  std::string out;
  char line[400];
  for (int i = 0; i < static_cast<int>(trials_.size()); ++i) {
    const Trial& t = trials_[i];
    if (!t.built) {
      out += "  " + t.name + ": not built (" + t.failure + ")\n";
      continue;
    }
    const int iterations = iterationsToTolerance(i);
    std::snprintf(line, sizeof line, "  %s: built in %.3g s, %zu iterations in %.3g s, final residual %.1e%s\n",
                  t.name.c_str(), t.buildSeconds, t.residuals.size(), t.solveSeconds,
                  t.residuals.empty() ? 1.0 : t.residuals.back(), iterations > 0 ? ", reaches the tolerance" : "");
    out += line;
  }
  return out;
}

} // namespace Gnp
