#ifndef GNP_SCALING_HPP
#define GNP_SCALING_HPP

#include <Tpetra_CrsMatrix.hpp>

namespace Gnp {

/// The Gershgorin bound of docs/method.md section 1:
///   γ = min( max_i Σ_j |a_ij| , max_j Σ_i |a_ij| ),
/// global over all ranks (a collective). Â = A / γ has spectral radius ≤ 1.
/// std::invalid_argument when γ or 1/γ is not a normal double (entries near
/// 1e308 or 1e-308): the sums themselves never overflow.
template <class SC, class LO, class GO, class NO>
double gershgorinBound(const Tpetra::RowMatrix<SC, LO, GO, NO>& A);

/// A ← A / γ in place (the prescaling of docs/method.md's evaluation protocol);
/// returns γ. A collective; A stays fill complete with the same maps.
template <class SC, class LO, class GO, class NO>
double scaleByGershgorinBound(Tpetra::CrsMatrix<SC, LO, GO, NO>& A);

} // namespace Gnp

#endif
