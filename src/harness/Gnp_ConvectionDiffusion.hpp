#ifndef GNP_CONVECTIONDIFFUSION_HPP
#define GNP_CONVECTIONDIFFUSION_HPP

#include <Tpetra_CrsMatrix.hpp>

namespace Gnp {

/// 2-D convection–diffusion −Δu + b·∇u, b = (bx, by), on an N × N interior grid
/// of the unit square, central differences, scaled by h² (h = 1/(N+1)):
/// nonsymmetric for b ≠ 0, five points per row, rows distributed evenly over
/// comm. Every (N, bx, by) gives the same sparsity for a given N: a sequence
/// of them is what a changing operator looks like to a preconditioner.
template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>> convectionDiffusion(int N, double bx, double by,
                                                                    const Teuchos::RCP<const Teuchos::Comm<int>>& comm);

} // namespace Gnp

#endif
