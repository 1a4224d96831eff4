#ifndef GNP_HOSTBRIDGE_HPP
#define GNP_HOSTBRIDGE_HPP

#include <Tpetra_CrsMatrix.hpp>
#include <Tpetra_MultiVector.hpp>

namespace Gnp {

/// THE HOST-MEMORY BRIDGE: every place where GNP reads or writes Tpetra data
/// directly goes through these functions, and only through them.
///
/// Today they return host views: the network's tensors live in host memory
/// (LibTorch's CPU device; Gnp::Network takes plain host pointers) and the
/// installed Trilinos has only a Serial node. Tpetra keeps host views valid on
/// any node type (it syncs from the device on access), so the package compiles
/// and runs for a CUDA node as is, only slowly. A GPU build changes these four
/// functions to device views (getLocalViewDevice / getLocalMatrixDevice) and
/// hands those pointers to torch tensors created on the CUDA device
/// (torch::from_blob with a CUDA TensorOptions in Gnp::Network), and the
/// package's own loops over them (the local sparse product, the Krylov basis
/// product, the Gershgorin sums) to Kokkos parallel_for. See README "Beyond one
/// machine".
template <class MV>
auto hostRead(const MV& X) {
  return X.getLocalViewHost(Tpetra::Access::ReadOnly);
}

template <class MV>
auto hostOverwrite(MV& X) {
  return X.getLocalViewHost(Tpetra::Access::OverwriteAll);
}

template <class MV>
auto hostReadWrite(MV& X) {
  return X.getLocalViewHost(Tpetra::Access::ReadWrite);
}

template <class SC, class LO, class GO, class NO>
auto hostLocalMatrix(const Tpetra::CrsMatrix<SC, LO, GO, NO>& A) {
  return A.getLocalMatrixHost();
}

/// Calls f(localRow, localColumn, value) for every entry this rank stores, row
/// by row, through RowMatrix's row copies (any RowMatrix, any node).
template <class SC, class LO, class GO, class NO, class F>
void forEachLocalEntry(const Tpetra::RowMatrix<SC, LO, GO, NO>& A, F f) {
  typename Tpetra::RowMatrix<SC, LO, GO, NO>::nonconst_local_inds_host_view_type indices("indices",
                                                                                         A.getNodeMaxNumRowEntries());
  typename Tpetra::RowMatrix<SC, LO, GO, NO>::nonconst_values_host_view_type values("values",
                                                                                    A.getNodeMaxNumRowEntries());
  for (LO row = 0; row < static_cast<LO>(A.getNodeNumRows()); ++row) {
    size_t count = 0;
    A.getLocalRowCopy(row, indices, values, count);
    for (size_t k = 0; k < count; ++k) f(row, indices(k), values(k));
  }
}

} // namespace Gnp

#endif
