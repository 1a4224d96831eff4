#ifndef GNP_BASELINEMATRIX_HPP
#define GNP_BASELINEMATRIX_HPP

#include "Gnp_HostBridge.hpp"
#include "Gnp_TorchBaseline.hpp"

#include <Tpetra_CrsMatrix.hpp>

namespace Gnp {
namespace Bench {

/// scale·A as the baseline takes it: this rank's rows with global column
/// indices, float32 values. On one rank, the whole matrix.
template <class SC, class LO, class GO, class NO>
CsrMatrix baselineMatrix(const Tpetra::CrsMatrix<SC, LO, GO, NO>& A, double scale) {
  CsrMatrix csr;
  const auto local = hostLocalMatrix(A);
  const auto columns = A.getColMap();
  csr.rows = static_cast<std::int64_t>(A.getNodeNumRows());
  csr.rowPtr.assign(local.graph.row_map.data(), local.graph.row_map.data() + csr.rows + 1);
  for (std::size_t k = 0; k < local.nnz(); ++k) {
    csr.colInd.push_back(static_cast<std::int64_t>(columns->getGlobalElement(local.graph.entries(k))));
    csr.values.push_back(static_cast<float>(local.values(k) * scale));
  }
  return csr;
}

} // namespace Bench
} // namespace Gnp

#endif
