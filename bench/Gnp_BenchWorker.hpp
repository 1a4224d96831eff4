#ifndef GNP_BENCHWORKER_HPP
#define GNP_BENCHWORKER_HPP

#include "Gnp_BenchSettings.hpp"

namespace Gnp {
namespace Bench {

/// One gnp-bench case under MPI (the driver's job): builds the run's
/// preconditioner on the matrix and solves every right-hand side ("iteration"
/// phase: the case files, and GNP's model), or rebuilds it and solves one
/// right-hand side for time T ("time" phase). Rank 0 writes; a write that fails
/// throws WorkerJob::OutputError on every rank. Returns the exit status.
int runWorker(const Settings& s);

} // namespace Bench
} // namespace Gnp

#endif
