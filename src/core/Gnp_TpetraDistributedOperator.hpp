#ifndef GNP_TPETRADISTRIBUTEDOPERATOR_HPP
#define GNP_TPETRADISTRIBUTEDOPERATOR_HPP

#include "Gnp_DistributedOperator.hpp"
#include "Gnp_TeuchosCommunicator.hpp"

#include <Tpetra_CrsMatrix.hpp>

#include <memory>
#include <vector>

namespace Gnp {

/// DistributedOperator for Â = scale · A, A a square Tpetra::CrsMatrix
/// distributed by rows.
///
/// Tpetra plans and carries the halo exchange (an Import of the remote columns
/// and its Distributor); the local product runs on the local CSR arrays in the
/// network's row-major layout, and Âᵀ X is the same product with the transpose
/// that Tpetra::RowMatrixTransposer builds once. Two reasons not to call
/// CrsMatrix::apply for the network's 256-column blocks:
///  - speed: KokkosKernels' LayoutLeft sparse x multivector ran at ~0.14 GFLOP/s
///    here and took a third of every training step;
///  - rank-count independence: each row's entries are summed in global column
///    order, so a row's result is bitwise the same on 1, 2 or 3 ranks (the
///    Export-with-ADD of a transpose apply would add partial sums in a
///    rank-dependent order, and training amplifies such differences).
///
/// This is the one place where host memory is assumed: a GPU build would run
/// the local product on device views and hand CUDA tensors over instead.
template <class SC, class LO, class GO, class NO>
class TpetraDistributedOperator : public DistributedOperator {
public:
  using crs_matrix_type = Tpetra::CrsMatrix<SC, LO, GO, NO>; ///< the matrix type

  /// Â = scale·A on A's distribution; builds Âᵀ once for the backward products.
  TpetraDistributedOperator(Teuchos::RCP<const crs_matrix_type> A, double scale);

  /// \name DistributedOperator interface
  /// As DistributedOperator documents them.
  ///@{
  std::int64_t localRows() const override { return static_cast<std::int64_t>(globalRowIndices_.size()); }
  std::int64_t globalRows() const override { return globalRows_; }
  const std::vector<std::int64_t>& globalRowIndices() const override { return globalRowIndices_; }
  const Communicator& comm() const override { return comm_; }

  void apply(const float* X, float* Y, int numColumns, bool transpose) const override;
  void apply(const double* X, double* Y, int numColumns, bool transpose) const override;
  ///@}

private:
  /// One matrix (Â or Âᵀ) ready for row-major products: scaled CSR arrays with
  /// each row sorted by global column, and the halo exchange. Column indices
  /// below ownedColumns are this rank's rows of X (its local row index); the
  /// others index the halo rows. The halo's plan is Tpetra's: an Import from the
  /// domain map to a map of the remote columns alone, whose Distributor then
  /// moves the rows as they are (float32 for the network), packed row-major:
  /// only the rows other ranks need go out, no float64 multivector in between
  /// (a column-major copy scattered every value 64 KiB apart on convdiff128).
  struct LocalProduct {
    LocalProduct(const crs_matrix_type& M, double scale);
    template <class T>
    void apply(const T* X, T* Y, int numColumns) const;

    /// The halo: the rows of X (C columns) that this rank's rows reference on
    /// other ranks, in halo order, exchanged with the neighbours.
    template <class T>
    const T* exchange(const T* X, std::size_t C) const;

    Teuchos::RCP<const Tpetra::Import<LO, GO, NO>> haloImporter; ///< null: no remote columns
    std::vector<LO> sentRows;     ///< this rank's rows that other ranks import, in send order
    std::vector<LO> receivedRows; ///< the halo row of each row received, in receive order
    bool receivedInOrder = true;  ///< receivedRows is 0, 1, 2, ...: receive into the halo itself
    LO ownedColumns = 0;
    std::vector<std::size_t> rowPtr;
    std::vector<LO> colInd;
    std::vector<double> values;
    std::vector<float> floatValues; ///< values as float32, for the network's products
    /// The halo exchange's buffers, kept between products.
    template <class T>
    struct Buffers {
      std::vector<T> sent;     ///< packed rows for other ranks
      std::vector<T> received; ///< rows as they arrive, where that is not the halo's order
      std::vector<T> halo;     ///< the halo block in column-map order
    };
    mutable Buffers<float> floatBuffers;
    mutable Buffers<double> doubleBuffers;
    template <class T>
    Buffers<T>& buffers() const;
  };

  TeuchosCommunicator comm_;
  std::int64_t globalRows_;
  std::vector<std::int64_t> globalRowIndices_;
  std::unique_ptr<LocalProduct> forward_, transpose_;
};

} // namespace Gnp

#endif
