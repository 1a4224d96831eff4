#ifndef GNP_STRATIMIKOSHELPERS_HPP
#define GNP_STRATIMIKOSHELPERS_HPP

#include "Gnp_Types.hpp"

#include <Stratimikos_DefaultLinearSolverBuilder.hpp>
#include <Tpetra_CrsMatrix.hpp>

#include <string>

namespace Gnp {

/// Registers GNP as the Stratimikos preconditioner type `name` (in the spirit
/// of Stratimikos::enableMueLu). Throws std::logic_error if the name is taken.
void enableGnp(Stratimikos::DefaultLinearSolverBuilder& builder, const std::string& name = "GNP");

/// Registers "GNP", "Auto" (Gnp::AutoPreconditioner), "Ifpack2" and "MueLu"
/// (Debian's Stratimikos registers neither Ifpack2 nor MueLu by default), so
/// one XML file can switch between them with "Preconditioner Type". Names already registered are left alone.
void enableTpetraPreconditioners(Stratimikos::DefaultLinearSolverBuilder& builder);

/// What one Stratimikos solve did.
struct StratimikosResult {
  int iterations = 0;        ///< Belos iterations
  bool converged = false;    ///< Thyra reported a converged solve
  double trueResidual = 1.0; ///< ‖b − A x‖ / ‖b‖
  std::string message;       ///< Thyra's solve status message
};

/// Throws std::invalid_argument if a Stratimikos list pairs "Preconditioner
/// Type" "GNP" or "Auto" with a Belos solver that is not flexible: GNP (and
/// what Auto may choose) is nonlinear, and
/// only "Block GMRES" with "Flexible Gmres" true (Stratimikos' default is
/// false, and its default solver "Pseudo Block GMRES") applies it correctly.
/// solveWithStratimikos calls it; call it before building a solver yourself.
void requireFlexibleSolverForGnp(const Teuchos::ParameterList& stratimikos);

/// Solves A x = b (x holds the initial guess) with the linear solver and
/// preconditioner a Stratimikos parameter list names, after
/// enableTpetraPreconditioners: e.g. "Linear Solver Type" "Belos" with "Block
/// GMRES" / "Flexible Gmres" true, and "Preconditioner Type" "GNP". The list is
/// validated (unknown names are errors naming them), and GNP in a solver that is
/// not flexible is refused (requireFlexibleSolverForGnp). A collective.
StratimikosResult solveWithStratimikos(
    const Teuchos::RCP<const Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&
        A,
    const Teuchos::RCP<
        const Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>& b,
    const Teuchos::RCP<Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>& x,
    const Teuchos::RCP<Teuchos::ParameterList>& params);

} // namespace Gnp

#endif
