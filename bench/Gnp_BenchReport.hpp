#ifndef GNP_BENCHREPORT_HPP
#define GNP_BENCHREPORT_HPP

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace Gnp {
namespace Bench {

/// Adds "metrics" to every case of one matrix (docs/method.md section 6): T (the
/// largest iteration-mode solve time of any preconditioner), Iter-AUC over
/// maxIterations, Time-AUC over [0, T], and the end-to-end times construction +
/// solve to reach 1e-6 and 1e-8 (null where not reached). Cases that failed
/// get null AUCs. All cases must share one right-hand side.
void addMetrics(std::vector<nlohmann::json>& casesOfOneMatrix, int maxIterations);

/// Sets "metrics"/"constant_output_artifact" on the GNP case for b = Â·1 of one
/// matrix (Gnp::constantOutputArtifact), from the cases of every right-hand
/// side of that matrix (after addMetrics).
void flagConstantOutputArtifacts(std::vector<nlohmann::json>& casesOfOneMatrix);

/// One row per case: the columns a spreadsheet needs.
std::string summaryCsv(const std::vector<nlohmann::json>& cases);

/// The Markdown report: with several right-hand sides, first a side-by-side
/// summary of them; then GNP's constant-output diagnostics per matrix; then,
/// per right-hand side, per-matrix winners, failures per preconditioner (the
/// paper's Table 2), residual ratios where GNP is best (Table 1), win fractions
/// and the end-to-end ranking; what reaching 1e-8 costs with construction for 1,
/// 10 and 100 right-hand sides and from how many GNP pays; the hard matrices. `header` is printed first (settings), `notes`
/// (Markdown) last.
std::string markdownReport(const std::vector<nlohmann::json>& cases, const std::string& header,
                           const std::string& notes);

} // namespace Bench
} // namespace Gnp

#endif
