#include "Gnp_ProtocolProblem.hpp"

#include "Gnp_MatrixIO.hpp"
#include "Gnp_Scaling.hpp"
#include "Gnp_Types.hpp"

namespace Gnp {

template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> protocolProblem(const Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>>& A) {
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  ProtocolProblem<SC, LO, GO, NO> p;
  p.A = A;
  p.gamma = scaleByGershgorinBound(*A);
  mv_type ones(A->getDomainMap(), 1, false);
  ones.putScalar(1.0);
  p.b = Teuchos::rcp(new mv_type(A->getRangeMap(), 1, false));
  A->apply(ones, *p.b);
  return p;
}

template <class SC, class LO, class GO, class NO>
ProtocolProblem<SC, LO, GO, NO> readProtocolProblem(const std::string& path,
                                                    const Teuchos::RCP<const Teuchos::Comm<int>>& comm) {
  return protocolProblem<SC, LO, GO, NO>(readMatrixMarket<SC, LO, GO, NO>(path, comm));
}

using SC = DefaultScalar;
using LO = DefaultLocalOrdinal;
using GO = DefaultGlobalOrdinal;
using NO = DefaultNode;
template ProtocolProblem<SC, LO, GO, NO> protocolProblem(const Teuchos::RCP<Tpetra::CrsMatrix<SC, LO, GO, NO>>&);
template ProtocolProblem<SC, LO, GO, NO> readProtocolProblem(const std::string&,
                                                             const Teuchos::RCP<const Teuchos::Comm<int>>&);

} // namespace Gnp
