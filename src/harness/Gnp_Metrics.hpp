#ifndef GNP_METRICS_HPP
#define GNP_METRICS_HPP

#include <vector>

namespace Gnp {

/// Iter-AUC of docs/method.md section 6: Σ_{i=0}^{maxIterations} log10 r̃_i, where
/// r̃_i = r_i while the solve ran and its final value afterwards. residuals[0]
/// is r_0. Lower is better. A zero residual (an exact solve) counts as the
/// smallest positive double. Throws std::invalid_argument on an empty history.
double iterAuc(const std::vector<double>& residuals, int maxIterations);

/// Time-AUC: ∫_0^T log10 r̃(t) dt, r̃ piecewise constant between the timestamps
/// times[i] (times[0] = 0) and held at its final value up to T.
double timeAuc(const std::vector<double>& residuals, const std::vector<double>& times, double T);

} // namespace Gnp

#endif
