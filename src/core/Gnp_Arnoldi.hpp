#ifndef GNP_ARNOLDI_HPP
#define GNP_ARNOLDI_HPP

#include <Teuchos_SerialDenseMatrix.hpp>
#include <Tpetra_MultiVector.hpp>
#include <Tpetra_Operator.hpp>

#include <cstdint>

namespace Gnp {

/// Â V_m = V_{m+1} H̄_m from an Arnoldi run without preconditioner.
template <class SC, class LO, class GO, class NO>
struct ArnoldiResult {
  Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> V; ///< n x (steps+1), orthonormal
  Teuchos::SerialDenseMatrix<int, double> H;           ///< (steps+1) x steps, upper Hessenberg
  int steps = 0;                                       ///< < m after a breakdown
  double startNorm = 0.0;                              ///< ‖start‖₂ (V's first column is start / startNorm)
};

/// m Arnoldi steps on Tpetra vectors (modified Gram-Schmidt, applied twice for
/// orthogonality to working precision). On breakdown (an invariant subspace was
/// found: H[j+1][j] ≈ 0) it stops with the steps it has; the last basis vector
/// is then zero and H̄'s last row is zero, so Â V = V H̄ still holds.
template <class SC, class LO, class GO, class NO>
ArnoldiResult<SC, LO, GO, NO> arnoldi(const Tpetra::Operator<SC, LO, GO, NO>& A,
                                      const Tpetra::MultiVector<SC, LO, GO, NO>& start, int m);

/// The Krylov sample basis of docs/method.md section 3: with H̄ = W S Zᵀ,
/// Q = V_m Z S⁻¹ (n x m'), dropping singular values below 1e-12·max; null when
/// every singular value is zero.
template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> krylovSampleBasis(const ArnoldiResult<SC, LO, GO, NO>& arnoldi);

/// The first m steps of a longer run: what an m-step run from the same start
/// gives (the whole run when it has m steps or fewer).
template <class SC, class LO, class GO, class NO>
ArnoldiResult<SC, LO, GO, NO> firstSteps(const ArnoldiResult<SC, LO, GO, NO>& arnoldi, int m);

/// The coarse space of a two-level GNP (docs/method.md section 7): with
/// H̄ = U S Yᵀ, Z = V_m Y S⁻¹ and W = V_{m+1} U = Â Z, orthonormal, so that
/// Z Wᵀ solves Â exactly on range(W). Directions whose singular value is below
/// tolerance·max are dropped (Z would amplify rounding by 1/s).
template <class SC, class LO, class GO, class NO>
struct CoarseBasis {
  Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> Z; ///< n x k' (null when k' = 0)
  Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> W; ///< Â Z, n x k', orthonormal (null when k' = 0)
  int dropped = 0;                                     ///< directions dropped for small singular values
};
template <class SC, class LO, class GO, class NO>
CoarseBasis<SC, LO, GO, NO> coarseBasis(const ArnoldiResult<SC, LO, GO, NO>& arnoldi, double tolerance);

/// A start vector whose entries depend on (seed, global row) only, not on the
/// number of ranks.
template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> seededStartVector(
    const Teuchos::RCP<const Tpetra::Map<LO, GO, NO>>& map, std::uint64_t seed);

} // namespace Gnp

#endif
