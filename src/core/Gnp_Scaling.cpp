#include "Gnp_Scaling.hpp"

#include "Gnp_HostBridge.hpp"
#include "Gnp_Types.hpp"
#include "kernels/Gnp_ExactSum.hpp"

#include <Tpetra_Export.hpp>
#include <Tpetra_Vector.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
double gershgorinBound(const Tpetra::RowMatrix<SC, LO, GO, NO>& A) {
  using vector_type = Tpetra::Vector<SC, LO, GO, NO>;
  // The sums are taken relative to the largest magnitude, so that they cannot
  // overflow however large the entries are; γ itself must then be a double
  // whose reciprocal is one too.
  double localMax = 0.0, largest = 0.0;
  forEachLocalEntry(A, [&](LO, LO, SC a) { localMax = std::max(localMax, std::abs(a)); });
  Teuchos::reduceAll<int, double>(*A.getComm(), Teuchos::REDUCE_MAX, 1, &localMax, &largest);
  if (!(largest > 0.0) || !std::isfinite(largest))
    throw std::invalid_argument("the matrix has no finite nonzero entry: its Gershgorin bound is " +
                                std::to_string(largest) + "; give a matrix with finite, nonzero entries");

  // Each term is rounded to the grid of an exact sum of all entries
  // (kernels/Gnp_ExactSum.hpp), so the row and column sums, however they are
  // ordered and split over ranks, come out the same: γ does not depend on the
  // number of ranks.
  const double origin = exact::start(1.0, static_cast<double>(A.getGlobalNumEntries()));
  vector_type columnSums(A.getColMap(), true);
  std::vector<double> rowSums(A.getNodeNumRows(), 0.0);
  {
    auto sums = hostReadWrite(columnSums);
    forEachLocalEntry(A, [&](LO row, LO column, SC value) {
      const double a = exact::deposit(origin, std::abs(value) / largest) - origin;
      rowSums[row] += a;
      sums(column, 0) += a;
    });
  }
  const double rowMax = rowSums.empty() ? 0.0 : *std::max_element(rowSums.begin(), rowSums.end());
  // Column sums: add each rank's partial sums into the owners of the columns.
  vector_type ownedColumnSums(A.getDomainMap(), true);
  Tpetra::Export<LO, GO, NO> exporter(A.getColMap(), A.getDomainMap());
  ownedColumnSums.doExport(columnSums, exporter, Tpetra::ADD);
  const double columnMax = ownedColumnSums.normInf();

  double globalRowMax = 0.0;
  Teuchos::reduceAll<int, double>(*A.getComm(), Teuchos::REDUCE_MAX, 1, &rowMax, &globalRowMax);
  const double relative = std::min(globalRowMax, columnMax);
  const double gamma = largest * relative;
  if (!std::isnormal(gamma) || !std::isnormal(1.0 / gamma)) {
    char text[160];
    std::snprintf(text, sizeof text, "about 1e%+.0f (largest |entry| %.3g)", std::log10(largest) + std::log10(relative),
                  largest);
    throw std::invalid_argument(std::string("the matrix's Gershgorin bound is ") + text +
                                ", outside what double precision can divide by (about 1e-308 to 1e308): multiply "
                                "the matrix and the right-hand side by a power of ten that brings the entries near 1");
  }
  return gamma;
}

template <class SC, class LO, class GO, class NO>
double scaleByGershgorinBound(Tpetra::CrsMatrix<SC, LO, GO, NO>& A) {
  const double gamma = gershgorinBound(A);
  A.resumeFill();
  A.scale(SC(1.0 / gamma));
  A.fillComplete(A.getDomainMap(), A.getRangeMap());
  return gamma;
}

template double scaleByGershgorinBound(
    Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&);
template double gershgorinBound(
    const Tpetra::RowMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&);

} // namespace Gnp
