#include "Gnp_BenchCase.hpp"

#include "Gnp_Errors.hpp"

#include <Teuchos_CommHelpers.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace Gnp {
namespace Bench {

Construction construct(const std::function<Factory::Built()>& build, const Problem& problem) {
  Construction c;
  const auto start = std::chrono::steady_clock::now();
  try {
    c.built = build();
    if (!c.built.op.is_null()) {
      // A broken factorisation shows in its first apply; find it here, not as
      // a NaN somewhere in the solve.
      mv_type probe(problem.b->getMap(), 1, false);
      c.built.op->apply(*problem.b, probe);
      const double norm = probe.getVector(0)->norm2();
      if (!std::isfinite(norm))
        throw std::runtime_error("the preconditioner returns NaN or Inf on b (a zero pivot or zero diagonal?)");
    }
  } catch (const std::exception& e) {
    c.failed = true;
    c.message = withoutSourceLocation(e.what());
    c.built = Factory::Built();
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!c.failed && c.built.seconds > 0.0) c.seconds = c.built.seconds; // the build alone, without the probe
  return c;
}

SolveResult solve(const Problem& problem, const Teuchos::RCP<const operator_type>& M,
                  const Teuchos::ParameterList& belos) {
  auto x = Teuchos::rcp(new mv_type(problem.A->getDomainMap(), 1, true));
  return solveFlexibleGmres<SC, LO, GO, NO>(problem.A, problem.b, x, M, belos);
}

bool truncateAt(SolveResult& r, double T, double tolerance) {
  std::size_t keep = 0;
  while (keep < r.times.size() && r.times[keep] <= T) ++keep;
  keep = std::max<std::size_t>(keep, 1);
  if (keep >= r.residuals.size()) return false;
  r.residuals.resize(keep);
  r.times.resize(keep);
  r.iterations = static_cast<int>(keep) - 1;
  r.trackedResidual = r.residuals.back();
  r.converged = !r.failed && r.trackedResidual <= tolerance;
  return true;
}

SolveResult solveForTime(const Problem& problem, const Teuchos::RCP<const operator_type>& M,
                         Teuchos::ParameterList belos, double T, double secondsPerIteration) {
  const double tolerance = belos.get<double>("Convergence Tolerance");
  const auto& comm = *problem.A->getComm();
  // Every rank must run the same iterations: rank 0's figures decide.
  Teuchos::broadcast(comm, 0, &T);
  Teuchos::broadcast(comm, 0, &secondsPerIteration);
  double cap = std::ceil(1.25 * T / std::max(secondsPerIteration, 1e-7)) + 10;
  for (;;) {
    const int iterations = static_cast<int>(std::min(cap, 1e9));
    belos.set("Maximum Iterations", iterations);
    belos.set("Maximum Restarts", iterations);
    SolveResult r = solve(problem, M, belos);
    // Run again, longer, only if the cap (not convergence, a failure or a
    // breakdown) ended the solve before T.
    int again = !r.converged && !r.failed && r.iterations >= iterations && r.seconds < T && iterations < 1e9;
    Teuchos::broadcast(comm, 0, &again);
    if (!again) {
      truncateAt(r, T, tolerance);
      return r;
    }
    cap *= 2;
  }
}

json toJson(const SolveResult& r) {
  // JSON has no Inf/NaN: a non-finite residual is written as null.
  auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  json residuals = json::array();
  for (double v : r.residuals) residuals.push_back(number(v));
  return {{"failed", r.failed},
          {"failure", r.failure},
          {"converged", r.converged},
          {"iterations", r.iterations},
          {"tracked_residual", number(r.trackedResidual)},
          {"true_residual", number(r.trueResidual)},
          {"seconds", r.seconds},
          {"residuals", residuals},
          {"times", r.times}};
}

SolveResult solveResultFromJson(const json& j) {
  auto number = [](const json& v) { return v.is_null() ? std::nan("") : v.get<double>(); };
  SolveResult r;
  r.failed = j.at("failed").get<bool>();
  r.failure = j.at("failure").get<std::string>();
  r.converged = j.at("converged").get<bool>();
  r.iterations = j.at("iterations").get<int>();
  r.trackedResidual = number(j.at("tracked_residual"));
  r.trueResidual = number(j.at("true_residual"));
  r.seconds = j.at("seconds").get<double>();
  for (const auto& v : j.at("residuals")) r.residuals.push_back(number(v));
  r.times = j.at("times").get<std::vector<double>>();
  return r;
}

double timeToTolerance(const SolveResult& r, double tolerance) {
  for (std::size_t i = 0; i < r.residuals.size() && i < r.times.size(); ++i)
    if (r.residuals[i] <= tolerance) return r.times[i];
  return -1.0;
}

} // namespace Bench
} // namespace Gnp
