#ifndef GNP_BASEOPERATOR_HPP
#define GNP_BASEOPERATOR_HPP

#include "Gnp_BaseUnavailable.hpp"
#include "Gnp_DistributedOperator.hpp"
#include "Gnp_Options.hpp"

#include <Teuchos_RCP.hpp>

#include <memory>
#include <Tpetra_CrsMatrix_fwd.hpp>

namespace Gnp {

/// The Trilinos package that builds `base` and takes its sublist of "gnp: base
/// parameters": "Ifpack2" or "MueLu"; nullptr for the bases GNP builds itself.
const char* basePackage(Base base);

/// The fixed preconditioner P of Â = A/γ that the network learns a correction
/// to (M = P + N, Options::base), on blocks of this rank's rows; empty for
/// Base::None.
/// - Jacobi: D̂⁻¹ = γ D⁻¹, 0 where D has a zero.
/// - Ilut: γ times Ifpack2's ILUT of A at its default parameters (the
///   comparison's ILUT). Like every Ifpack2 ILUT of a distributed matrix it
///   factors each rank's diagonal block, so it depends on the number of ranks.
/// - Riluk, GaussSeidel: Ifpack2's RILUK and symmetric Gauss–Seidel sweep, as Ilut.
/// - MueLu, MueLuPg: one V-cycle of MueLu's smoothed aggregation (its defaults,
///   the comparison's MueLu) or Petrov–Galerkin aggregation (for nonsymmetric A).
///   Ifpack2's and MueLu's bases take their sublist of "gnp: base parameters"
///   (Options::baseParameters) over these defaults.
/// - Gmres: `options.baseGmresIterations` iterations of unpreconditioned GMRES on Â x = r
///   from x = 0, each column on its own: the minimal-residual x of the Krylov
///   space. Nonlinear in r (only P(αr) = αP(r)), which flexible GMRES allows.
///   It runs on `Ahat` (the network's graph operator) with exact sums: the same
///   on any number of ranks.
/// Throws Gnp::BaseUnavailable, on every rank, when a package's base cannot be
/// built or returns NaN or Inf (a zero pivot). Base::Auto is not a preconditioner but a
/// choice between these (Preconditioner::chooseBase): std::logic_error. A collective.
template <class SC, class LO, class GO, class NO>
BlockOperator makeBaseOperator(Base base, const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& A, double gamma,
                               std::shared_ptr<const DistributedOperator> Ahat, const Options& options);

} // namespace Gnp

#endif
