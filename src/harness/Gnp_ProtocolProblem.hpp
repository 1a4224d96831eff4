#ifndef GNP_PROTOCOLPROBLEM_HPP
#define GNP_PROTOCOLPROBLEM_HPP

#include "Gnp_RightHandSide.hpp"

#include <Tpetra_CrsMatrix.hpp>

#include <string>

namespace Gnp {

/// A linear system as the evaluation protocol (docs/method.md section 5) poses it:
/// Â = A/γ (Gershgorin bound γ, applied in place) and b of the chosen kind
/// (b = Â·1, the paper's, by default); solve from x0 = 0.
template <class SC, class LO, class GO, class NO>
struct ProtocolProblem {
  Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>> A;   ///< Â, scaled in place
  Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> b; ///< the right-hand side
  double gamma = 1.0;                                  ///< the Gershgorin bound A was divided by
  RightHandSide rhs = RightHandSide::Ones;             ///< which kind b is
};

/// Scales A in place and builds b (a collective).
template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> protocolProblem(const Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>>& A,
                                                RightHandSide rhs = RightHandSide::Ones);

/// Reads and checks a MatrixMarket file (readMatrixMarket), then as above.
template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> readProtocolProblem(const std::string& path,
                                                    const Teuchos::RCP<const Teuchos::Comm<int>>& comm,
                                                    RightHandSide rhs = RightHandSide::Ones);

/// The same (already scaled) matrix with another right-hand side (a collective).
template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> withRightHandSide(const ProtocolProblem<SC, LO, GO, NO>& problem, RightHandSide rhs);

} // namespace Gnp

#endif
