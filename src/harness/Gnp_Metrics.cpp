#include "Gnp_Metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace Gnp {
namespace {

double log10Floored(double r) { return std::log10(std::max(r, kResidualFloor)); }

} // namespace

double iterAuc(const std::vector<double>& residuals, int maxIterations) {
  if (residuals.empty()) throw std::invalid_argument("Gnp::iterAuc: empty residual history");
  double sum = 0.0;
  for (int i = 0; i <= maxIterations; ++i)
    sum += log10Floored(residuals[std::min<std::size_t>(i, residuals.size() - 1)]);
  return sum;
}

double timeAuc(const std::vector<double>& residuals, const std::vector<double>& times, double T) {
  if (residuals.empty() || residuals.size() != times.size())
    throw std::invalid_argument("Gnp::timeAuc: residuals and times must be non-empty and of equal length");
  double sum = 0.0;
  for (std::size_t i = 0; i < residuals.size(); ++i) {
    const double from = std::min(times[i], T);
    const double to = i + 1 < residuals.size() ? std::min(times[i + 1], T) : T;
    sum += log10Floored(residuals[i]) * std::max(0.0, to - from);
  }
  return sum;
}

} // namespace Gnp
