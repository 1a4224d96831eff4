#ifndef GNP_SCALING_HPP
#define GNP_SCALING_HPP

#include <Tpetra_RowMatrix.hpp>

namespace Gnp {

/// The Gershgorin bound of METHOD.md section 1:
///   γ = min( max_i Σ_j |a_ij| , max_j Σ_i |a_ij| ),
/// global over all ranks (a collective). Â = A / γ has spectral radius ≤ 1.
template <class SC, class LO, class GO, class NO>
double gershgorinBound(const Tpetra::RowMatrix<SC, LO, GO, NO>& A);

} // namespace Gnp

#endif
