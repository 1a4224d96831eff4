#ifndef GNP_TESTPROBLEMS_HPP
#define GNP_TESTPROBLEMS_HPP

#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <Tpetra_CrsMatrix.hpp>

#include <string>

namespace GnpTest {

using SC = Gnp::DefaultScalar;
using LO = Gnp::DefaultLocalOrdinal;
using GO = Gnp::DefaultGlobalOrdinal;
using NO = Gnp::DefaultNode;
using crs_type = Tpetra::CrsMatrix<SC, LO, GO, NO>;
using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
using map_type = Tpetra::Map<LO, GO, NO>;
using CommPtr = Teuchos::RCP<const Teuchos::Comm<int>>;

/// 2-D convection-diffusion -Δu + b·∇u, b = (100, 50), on an N x N interior grid,
/// central differences, scaled by h² (the formula of shared/matrices/README.md):
/// nonsymmetric, rows distributed evenly over comm.
Teuchos::RCP<crs_type> convectionDiffusion(int N, const CommPtr& comm);

/// The n x n identity.
Teuchos::RCP<crs_type> identity(int n, const CommPtr& comm);

/// Writes text to a fresh file under the system's temporary directory (on rank 0)
/// and returns its path (on every rank).
std::string writeTempFile(const std::string& name, const std::string& text, const CommPtr& comm);

/// The real matrix shipped with the example (SuiteSparse HB/jpwh_991).
std::string exampleMatrixPath();

/// A silent GNP, the paper's network (no base, no coarse space), trained for
/// `steps` steps (no time budget, patience as the defaults); `extra` overrides
/// these and other parameters.
Teuchos::RCP<Gnp::Preconditioner<SC, LO, GO, NO>> trainedGnp(const Teuchos::RCP<crs_type>& A, int steps,
                                                             const Teuchos::ParameterList& extra = {});

/// The message of the InvalidParameter that GNP's setParameters(p) throws on a
/// small matrix of the default communicator, or "" when p is accepted.
std::string parameterError(const Teuchos::ParameterList& p);

/// Belos FGMRES (the protocol's settings, then `belos` over them) with M as the
/// right preconditioner on b = A x, x random from a fixed seed, from x₀ = 0.
Gnp::SolveResult solveRandomSolution(const Teuchos::RCP<crs_type>& A,
                                     const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
                                     const Teuchos::ParameterList& belos = {});

} // namespace GnpTest

#endif
