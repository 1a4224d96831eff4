#include "Gnp_TpetraDistributedOperator.hpp"

#include "Gnp_HostBridge.hpp"
#include "Gnp_Types.hpp"
#include "kernels/Gnp_SparseRows.hpp"

#include <Tpetra_Distributor.hpp>
#include <Tpetra_Import.hpp>
#include <Tpetra_RowMatrixTransposer.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <type_traits>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
TpetraDistributedOperator<SC, LO, GO, NO>::LocalProduct::LocalProduct(const crs_matrix_type& M, double scale) {
  const auto domainMap = M.getDomainMap();
  const auto columnMap = M.getColMap();
  const auto local = hostLocalMatrix(M);
  const std::size_t rows = M.getNodeNumRows();
  ownedColumns = static_cast<LO>(domainMap->getNodeNumElements());
  // Where each column's entries of X are: this rank's own rows (index < ownedColumns,
  // the row's local index) or the halo (ownedColumns + its place among the remote
  // columns). Not assumed: that the column map starts with all of this rank's own
  // columns; a column no local row references is not in it (west0479 and rajat19 on
  // 2 ranks: zero diagonals).
  const LO columnCount = static_cast<LO>(columnMap->getNodeNumElements());
  std::vector<LO> place(columnCount);
  Teuchos::Array<GO> remote;
  for (LO j = 0; j < columnCount; ++j) {
    const GO gid = columnMap->getGlobalElement(j);
    const LO own = domainMap->getLocalElement(gid);
    if (own != Teuchos::OrdinalTraits<LO>::invalid()) {
      place[j] = own;
    } else {
      place[j] = ownedColumns + static_cast<LO>(remote.size());
      remote.push_back(gid);
    }
  }
  const auto haloMap =
      Teuchos::rcp(new Tpetra::Map<LO, GO, NO>(Teuchos::OrdinalTraits<Tpetra::global_size_t>::invalid(), remote(),
                                               domainMap->getIndexBase(), domainMap->getComm()));
  // Collective: every rank builds the importer, also one with no remote column.
  if (haloMap->getGlobalNumElements() > 0) {
    haloImporter = Teuchos::rcp(new Tpetra::Import<LO, GO, NO>(domainMap, haloMap));
    // The halo map holds no column of this rank's: every halo row is received.
    if (haloImporter->getNumSameIDs() != 0 || haloImporter->getNumPermuteIDs() != 0 ||
        haloImporter->getNumRemoteIDs() != static_cast<std::size_t>(remote.size()))
      throw std::logic_error("Gnp: the halo import copies rows this rank owns");
    const auto sent = haloImporter->getExportLIDs();
    sentRows.assign(sent.begin(), sent.end());
    const auto received = haloImporter->getRemoteLIDs();
    receivedRows.assign(received.begin(), received.end());
    for (std::size_t k = 0; k < receivedRows.size(); ++k)
      receivedInOrder = receivedInOrder && receivedRows[k] == static_cast<LO>(k);
  }
  rowPtr.assign(local.graph.row_map.data(), local.graph.row_map.data() + rows + 1);
  colInd.resize(local.nnz());
  values.resize(local.nnz());
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < rows; ++i) {
    order.resize(rowPtr[i + 1] - rowPtr[i]);
    std::iota(order.begin(), order.end(), rowPtr[i]);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return columnMap->getGlobalElement(local.graph.entries(a)) < columnMap->getGlobalElement(local.graph.entries(b));
    });
    for (std::size_t k = 0; k < order.size(); ++k) {
      colInd[rowPtr[i] + k] = place[local.graph.entries(order[k])];
      values[rowPtr[i] + k] = scale * local.values(order[k]);
    }
  }
  floatValues.assign(values.begin(), values.end());
}

template <class SC, class LO, class GO, class NO>
template <class T>
auto TpetraDistributedOperator<SC, LO, GO, NO>::LocalProduct::buffers() const -> Buffers<T>& {
  if constexpr (std::is_same_v<T, float>)
    return floatBuffers;
  else
    return doubleBuffers;
}

template <class SC, class LO, class GO, class NO>
template <class T>
const T* TpetraDistributedOperator<SC, LO, GO, NO>::LocalProduct::exchange(const T* X, std::size_t C) const {
  Buffers<T>& b = buffers<T>();
  b.sent.resize(sentRows.size() * C);
  for (std::size_t k = 0; k < sentRows.size(); ++k)
    std::copy_n(X + static_cast<std::size_t>(sentRows[k]) * C, C, b.sent.data() + k * C);
  // The Import's plan, as Tpetra's own transfers use it: the packed rows in the
  // order of the export list out, the rows of the remote list in.
  std::vector<T>& in = receivedInOrder ? b.halo : b.received;
  in.resize(receivedRows.size() * C);
  haloImporter->getDistributor().doPostsAndWaits(Teuchos::ArrayView<const T>(b.sent), C, Teuchos::ArrayView<T>(in));
  if (!receivedInOrder) {
    b.halo.resize(in.size());
    for (std::size_t k = 0; k < receivedRows.size(); ++k)
      std::copy_n(in.data() + k * C, C, b.halo.data() + static_cast<std::size_t>(receivedRows[k]) * C);
  }
  return b.halo.data();
}

template <class SC, class LO, class GO, class NO>
template <class T>
void TpetraDistributedOperator<SC, LO, GO, NO>::LocalProduct::apply(const T* X, T* Y, int numColumns) const {
  const std::size_t C = static_cast<std::size_t>(numColumns);
  const std::size_t rows = rowPtr.size() - 1;
  const T* halo = haloImporter.is_null() ? nullptr : exchange(X, C);
  if constexpr (std::is_same_v<T, float> && std::is_same_v<LO, int>) {
    kernels::sparseRows(rowPtr.data(), colInd.data(), floatValues.data(), static_cast<std::int64_t>(rows), X, halo,
                        ownedColumns, numColumns, Y);
    return;
  }
  std::fill(Y, Y + rows * C, T(0));
  for (std::size_t i = 0; i < rows; ++i) {
    T* y = Y + i * C;
    for (std::size_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) {
      const T a = static_cast<T>(values[k]);
      const LO j = colInd[k];
      const T* xj = j < ownedColumns ? X + static_cast<std::size_t>(j) * C
                                     : halo + static_cast<std::size_t>(j - ownedColumns) * C;
      for (std::size_t c = 0; c < C; ++c) y[c] += a * xj[c];
    }
  }
}

template <class SC, class LO, class GO, class NO>
TpetraDistributedOperator<SC, LO, GO, NO>::TpetraDistributedOperator(Teuchos::RCP<const crs_matrix_type> A,
                                                                     double scale)
    : comm_(A->getComm()) {
  if (!A->isFillComplete()) throw std::invalid_argument("Gnp: the matrix must be fill complete (call fillComplete())");
  const auto rowMap = A->getRowMap();
  if (!rowMap->isSameAs(*A->getDomainMap()) || !rowMap->isSameAs(*A->getRangeMap()))
    throw std::invalid_argument(
        "Gnp: the matrix's row, domain and range maps must be the same "
        "(distribute a square matrix by rows)");
  globalRows_ = static_cast<std::int64_t>(rowMap->getGlobalNumElements());
  globalRowIndices_.resize(rowMap->getNodeNumElements());
  for (std::size_t i = 0; i < globalRowIndices_.size(); ++i)
    globalRowIndices_[i] = static_cast<std::int64_t>(rowMap->getGlobalElement(static_cast<LO>(i)));
  forward_ = std::make_unique<LocalProduct>(*A, scale);
  Tpetra::RowMatrixTransposer<SC, LO, GO, NO> transposer(A);
  const auto At = transposer.createTranspose();
  if (!At->getRowMap()->isSameAs(*rowMap))
    throw std::logic_error("Gnp: the transpose's rows are distributed unlike the matrix's");
  transpose_ = std::make_unique<LocalProduct>(*At, scale);
}

template <class SC, class LO, class GO, class NO>
void TpetraDistributedOperator<SC, LO, GO, NO>::apply(const float* X, float* Y, int numColumns, bool transpose) const {
  (transpose ? transpose_ : forward_)->apply(X, Y, numColumns);
}

template <class SC, class LO, class GO, class NO>
void TpetraDistributedOperator<SC, LO, GO, NO>::apply(const double* X, double* Y, int numColumns,
                                                      bool transpose) const {
  (transpose ? transpose_ : forward_)->apply(X, Y, numColumns);
}

GNP_INSTANTIATE_CLASS(TpetraDistributedOperator)

} // namespace Gnp
