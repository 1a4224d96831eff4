#include "Gnp_ShortSolve.hpp"

#include "Gnp_GlobalSums.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace Gnp {
namespace {

// ‖v‖₂ over all ranks, the same on any number of ranks.
double globalNorm(const DistributedOperator& A, const torch::Tensor& v) {
  return std::sqrt(globalColumnSums(A.comm(), v.square(), static_cast<double>(A.globalRows()))[0].item<double>());
}

} // namespace

std::vector<double> shortFlexibleGmres(const DistributedOperator& A, const torch::Tensor& b, int iterations,
                                       const BlockPreconditioner& M) {
  if (iterations < 1) throw std::invalid_argument("Gnp::shortFlexibleGmres: iterations must be at least 1");
  const std::int64_t rows = A.localRows();
  if (b.dim() != 2 || b.size(0) != rows || b.size(1) != 1 || b.scalar_type() != torch::kFloat64)
    throw std::invalid_argument("Gnp::shortFlexibleGmres: b must be this rank's rows as a (rows, 1) float64 block");
  const double globalRows = static_cast<double>(A.globalRows());
  std::vector<double> residuals;
  const double beta = globalNorm(A, b);
  if (!(beta > 0.0)) return std::vector<double>(iterations, 0.0); // x = 0 solves it

  // V: the orthonormal Arnoldi basis as the columns of one (rows, k+1) block.
  torch::Tensor V = torch::zeros({rows, iterations + 1}, torch::kFloat64);
  V.select(1, 0).copy_(b.select(1, 0) / beta);
  std::vector<double> cs(iterations), sn(iterations), g(iterations + 1, 0.0), h(iterations + 1);
  g[0] = beta;
  auto Va = V.accessor<double, 2>();
  for (int j = 0; j < iterations; ++j) {
    const torch::Tensor v = V.narrow(1, j, 1).contiguous();
    const torch::Tensor z = M ? M(v).to(torch::kFloat64).contiguous() : v;
    torch::Tensor w = torch::empty({rows, 1}, torch::kFloat64);
    A.apply(z.data_ptr<double>(), w.data_ptr<double>(), 1, false);
    std::fill(h.begin(), h.end(), 0.0);
    // Classical Gram-Schmidt twice: one all-reduce per pass, orthogonal to
    // working precision; each row updated alone (the same on any rank count).
    auto wa = w.accessor<double, 2>();
    for (int pass = 0; pass < 2; ++pass) {
      const torch::Tensor basis = V.narrow(1, 0, j + 1);
      const torch::Tensor dots = globalColumnSums(A.comm(), basis * w, globalRows);
      const auto d = dots.accessor<double, 1>();
      for (std::int64_t r = 0; r < rows; ++r) {
        double s = wa[r][0];
        for (int i = 0; i <= j; ++i) s -= d[i] * Va[r][i];
        wa[r][0] = s;
      }
      for (int i = 0; i <= j; ++i) h[i] += d[i];
    }
    h[j + 1] = globalNorm(A, w);
    // ‖Â z‖ without another reduction: w was split into its parts along the
    // orthonormal basis (h) and the rest. The scale of the breakdown test.
    double applied = 0.0;
    for (int i = 0; i <= j + 1; ++i) applied += h[i] * h[i];
    applied = std::sqrt(applied);
    const double previous = std::abs(g[j]) / beta; // the residual before this iteration
    // The least-squares problem's Givens rotations, updated by column j.
    for (int i = 0; i < j; ++i) {
      const double t = cs[i] * h[i] + sn[i] * h[i + 1];
      h[i + 1] = -sn[i] * h[i] + cs[i] * h[i + 1];
      h[i] = t;
    }
    const double rho = std::hypot(h[j], h[j + 1]);
    cs[j] = rho > 0.0 ? h[j] / rho : 1.0;
    sn[j] = rho > 0.0 ? h[j + 1] / rho : 0.0;
    g[j + 1] = -sn[j] * g[j];
    g[j] = cs[j] * g[j];
    if (!std::isfinite(applied) || !std::isfinite(h[j + 1])) { // M gave NaN or Inf
      residuals.push_back(std::numeric_limits<double>::quiet_NaN());
      break;
    }
    if (!(h[j + 1] > 1e-14 * applied)) {
      // Â z lies in the basis' span as far as rounding tells: the end. Solved
      // as far as the least-squares residual says, not to 0: where M's outputs
      // are huge along a few directions (MueLu on cryg2500), ‖Â z‖ is theirs
      // and the part that matters is below this test yet far from 0. Unless
      // the new column added nothing (rho ≈ 0): the residual stays where it
      // was (not g[j], which the rotation by that noise-level column has
      // already scaled, to 0 at times).
      residuals.push_back(rho > 1e-14 * applied ? std::abs(g[j + 1]) / beta : previous);
      break;
    }
    residuals.push_back(std::abs(g[j + 1]) / beta);
    V.narrow(1, j + 1, 1).copy_(w / h[j + 1]);
  }
  residuals.resize(iterations, residuals.back());
  return residuals;
}

double residualArea(const std::vector<double>& residuals) {
  double area = 0.0;
  for (double r : residuals) area += std::log10(std::max(r, 1e-16));
  return area;
}

} // namespace Gnp
