#include "Gnp_MatrixIO.hpp"

#include "Gnp_Errors.hpp"
#include "Gnp_HostBridge.hpp"
#include "Gnp_MatrixMarketScan.hpp"
#include "Gnp_Types.hpp"

#include <MatrixMarket_Tpetra.hpp>
#include <Teuchos_CommHelpers.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace Gnp {
namespace {

// The smallest global row (0-based) on any rank for which `bad` holds, or -1.
template <class SC, class LO, class GO, class NO, class Pred>
long long firstBadRow(const Tpetra::RowMatrix<SC, LO, GO, NO>& A, Pred bad) {
  long long local = std::numeric_limits<long long>::max();
  typename Tpetra::RowMatrix<SC, LO, GO, NO>::nonconst_local_inds_host_view_type indices("indices",
                                                                                         A.getNodeMaxNumRowEntries());
  typename Tpetra::RowMatrix<SC, LO, GO, NO>::nonconst_values_host_view_type values("values",
                                                                                    A.getNodeMaxNumRowEntries());
  const auto rowMap = A.getRowMap();
  for (LO row = 0; row < static_cast<LO>(A.getNodeNumRows()); ++row) {
    size_t count = 0;
    A.getLocalRowCopy(row, indices, values, count);
    if (bad(values, count)) {
      local = static_cast<long long>(rowMap->getGlobalElement(row));
      break;
    }
  }
  long long global = 0;
  Teuchos::reduceAll<int, long long>(*A.getComm(), Teuchos::REDUCE_MIN, 1, &local, &global);
  return global == std::numeric_limits<long long>::max() ? -1 : global;
}

// The smallest global column (0-based) with no nonzero entry on any rank, or -1:
// each rank marks its columns, and an Export adds the marks onto the domain map.
template <class SC, class LO, class GO, class NO>
long long firstZeroColumn(const Tpetra::RowMatrix<SC, LO, GO, NO>& A) {
  using vector_type = Tpetra::Vector<SC, LO, GO, NO>;
  vector_type marks(A.getColMap()); // zeros
  {
    auto m = hostReadWrite(marks);
    forEachLocalEntry(A, [&](LO, LO column, SC value) {
      if (value != 0.0) m(column, 0) = 1.0;
    });
  }
  vector_type counts(A.getDomainMap());
  counts.doExport(marks, Tpetra::Export<LO, GO, NO>(A.getColMap(), A.getDomainMap()), Tpetra::ADD);
  long long local = std::numeric_limits<long long>::max();
  {
    auto c = hostRead(counts);
    for (std::size_t k = 0; k < c.extent(0); ++k)
      if (c(k, 0) == 0.0) {
        local = static_cast<long long>(A.getDomainMap()->getGlobalElement(static_cast<LO>(k)));
        break;
      }
  }
  long long global = 0;
  Teuchos::reduceAll<int, long long>(*A.getComm(), Teuchos::REDUCE_MIN, 1, &local, &global);
  return global == std::numeric_limits<long long>::max() ? -1 : global;
}

} // namespace

template <class SC, class LO, class GO, class NO>
void checkMatrix(const Tpetra::RowMatrix<SC, LO, GO, NO>& A, const std::string& name) {
  const auto rows = A.getGlobalNumRows(), columns = A.getGlobalNumCols();
  if (rows == 0) throw std::invalid_argument(name + " is empty (0 rows): give a square matrix with at least one row");
  if (rows != columns)
    throw std::invalid_argument(name + " is not square (" + std::to_string(rows) + " x " + std::to_string(columns) +
                                "): GNP and the Krylov solvers need A x = b "
                                "with a square A");
  if (A.getGlobalNumEntries() == 0) throw std::invalid_argument(name + " has no nonzero entries: it is singular");
  const long long nonFinite = firstBadRow(A, [](const auto& values, size_t count) {
    for (size_t k = 0; k < count; ++k)
      if (!std::isfinite(values(k))) return true;
    return false;
  });
  if (nonFinite >= 0)
    throw std::invalid_argument(name + " has a NaN or Inf entry in row " + std::to_string(nonFinite + 1) +
                                " (1-based): fix the matrix before solving");
  const long long zero = firstBadRow(A, [](const auto& values, size_t count) {
    for (size_t k = 0; k < count; ++k)
      if (values(k) != 0.0) return false;
    return true;
  });
  if (zero >= 0)
    throw std::invalid_argument(name + " has a zero row: row " + std::to_string(zero + 1) +
                                " (1-based) has no nonzero entry, so the matrix is singular");
  const long long zeroColumn = firstZeroColumn(A);
  if (zeroColumn >= 0)
    throw std::invalid_argument(name + " has a zero column: column " + std::to_string(zeroColumn + 1) +
                                " (1-based) has no nonzero entry, so the matrix is singular");
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>> readMatrixMarket(const std::string& path,
                                                                 const Teuchos::RCP<const Teuchos::Comm<int>>& comm) {
  using crs_type = Tpetra::CrsMatrix<SC, LO, GO, NO>;
  // Rank 0 checks the text (MatrixMarketScan) and hands Tpetra the cleaned
  // copy; every rank throws the same message.
  MatrixMarketScan scan;
  std::string error;
  if (comm->getRank() == 0) {
    try {
      scan = scanMatrixMarket(path);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  broadcastString(*comm, error);
  if (!error.empty()) throw std::invalid_argument(error);
  Teuchos::RCP<crs_type> A;
  try {
    std::istringstream text(std::move(scan.text));
    A = Tpetra::MatrixMarket::Reader<crs_type>::readSparse(text, comm);
  } catch (const std::exception& e) {
    throw std::invalid_argument("cannot read MatrixMarket file '" + path + "': " + withoutSourceLocation(e.what()));
  }
  if (A.is_null()) throw std::invalid_argument("cannot read MatrixMarket file '" + path + "'");
  checkMatrix(*A, "the matrix in '" + path + "'");
  return A;
}

using DefaultRowMatrix = Tpetra::RowMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
template void checkMatrix(const DefaultRowMatrix&, const std::string&);
template Teuchos::RCP<Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>
readMatrixMarket(const std::string&, const Teuchos::RCP<const Teuchos::Comm<int>>&);

} // namespace Gnp
