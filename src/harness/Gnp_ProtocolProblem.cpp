#include "Gnp_ProtocolProblem.hpp"

#include "Gnp_MatrixIO.hpp"
#include "Gnp_Scaling.hpp"
#include "Gnp_Types.hpp"

namespace Gnp {

template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> protocolProblem(const Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>>& A,
                                                RightHandSide rhs) {
  ProtocolProblem<SC, LO, GO, NO> p;
  p.A = A;
  p.gamma = scaleByGershgorinBound(*A);
  return withRightHandSide(p, rhs);
}

template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> readProtocolProblem(const std::string& path,
                                                    const Teuchos::RCP<const Teuchos::Comm<int>>& comm,
                                                    RightHandSide rhs) {
  return protocolProblem<SC, LO, GO, NO>(readMatrixMarket<SC, LO, GO, NO>(path, comm), rhs);
}

template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> withRightHandSide(const ProtocolProblem<SC, LO, GO, NO>& problem, RightHandSide rhs) {
  ProtocolProblem<SC, LO, GO, NO> p = problem;
  p.rhs = rhs;
  p.b = protocolRightHandSide(*p.A, rhs);
  return p;
}

using SC = DefaultScalar;
using LO = DefaultLocalOrdinal;
using GO = DefaultGlobalOrdinal;
using NO = DefaultNode;
template ProtocolProblem<SC, LO, GO, NO> protocolProblem(const Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>>&,
                                                         RightHandSide);
template ProtocolProblem<SC, LO, GO, NO> readProtocolProblem(const std::string&,
                                                             const Teuchos::RCP<const Teuchos::Comm<int>>&,
                                                             RightHandSide);
template ProtocolProblem<SC, LO, GO, NO> withRightHandSide(const ProtocolProblem<SC, LO, GO, NO>&, RightHandSide);

} // namespace Gnp
