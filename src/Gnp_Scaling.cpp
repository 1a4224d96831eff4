#include "Gnp_Scaling.hpp"

#include "Gnp_HostBridge.hpp"
#include "Gnp_Types.hpp"

#include <Tpetra_Export.hpp>
#include <Tpetra_Vector.hpp>

#include <algorithm>
#include <cmath>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
double gershgorinBound(const Tpetra::RowMatrix<SC, LO, GO, NO>& A) {
  using vector_type = Tpetra::Vector<SC, LO, GO, NO>;
  vector_type columnSums(A.getColMap(), true);
  double rowMax = 0.0;
  {
    auto sums = hostReadWrite(columnSums);
    typename Tpetra::RowMatrix<SC, LO, GO, NO>::nonconst_local_inds_host_view_type indices(
        "indices", A.getNodeMaxNumRowEntries());
    typename Tpetra::RowMatrix<SC, LO, GO, NO>::nonconst_values_host_view_type values(
        "values", A.getNodeMaxNumRowEntries());
    for (LO row = 0; row < static_cast<LO>(A.getNodeNumRows()); ++row) {
      size_t count = 0;
      A.getLocalRowCopy(row, indices, values, count);
      double rowSum = 0.0;
      for (size_t k = 0; k < count; ++k) {
        const double a = std::abs(values(k));
        rowSum += a;
        sums(indices(k), 0) += a;
      }
      rowMax = std::max(rowMax, rowSum);
    }
  }
  // Column sums: add each rank's partial sums into the owners of the columns.
  vector_type ownedColumnSums(A.getDomainMap(), true);
  Tpetra::Export<LO, GO, NO> exporter(A.getColMap(), A.getDomainMap());
  ownedColumnSums.doExport(columnSums, exporter, Tpetra::ADD);
  const double columnMax = ownedColumnSums.normInf();

  double globalRowMax = 0.0;
  Teuchos::reduceAll<int, double>(*A.getComm(), Teuchos::REDUCE_MAX, 1, &rowMax, &globalRowMax);
  return std::min(globalRowMax, columnMax);
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
