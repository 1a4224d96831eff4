#include "Gnp_LinearSolverFactory.hpp"

#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <memory>
#include <stdexcept>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
void LinearSolver<SC, LO, GO, NO>::setMatrix(const Teuchos::RCP<const OP>& A) {
  if (!A.is_null() && Teuchos::rcp_dynamic_cast<const Tpetra::CrsMatrix<SC, LO, GO, NO>>(A).is_null())
    throw std::invalid_argument(
        "GNP linear solver: the matrix must be a Tpetra::CrsMatrix (GNP trains on its "
        "graph and values)");
  A_ = A;
  prec_ = Teuchos::null;
}

template <class SC, class LO, class GO, class NO>
void LinearSolver<SC, LO, GO, NO>::setParameters(const Teuchos::RCP<Teuchos::ParameterList>& params) {
  if (params.is_null()) return;
  Preconditioner<SC, LO, GO, NO>::validateParameters(*params);
  params_ = *params;
  if (!prec_.is_null()) prec_->setParameters(params_);
}

template <class SC, class LO, class GO, class NO>
void LinearSolver<SC, LO, GO, NO>::symbolic() {
  if (A_.is_null()) throw std::runtime_error("GNP linear solver: setMatrix() before symbolic()");
  prec_ = Teuchos::rcp(
      new Preconditioner<SC, LO, GO, NO>(Teuchos::rcp_dynamic_cast<const Tpetra::CrsMatrix<SC, LO, GO, NO>>(A_)));
  prec_->setParameters(params_);
  prec_->initialize();
}

template <class SC, class LO, class GO, class NO>
void LinearSolver<SC, LO, GO, NO>::numeric() {
  if (prec_.is_null()) symbolic();
  prec_->compute();
}

template <class SC, class LO, class GO, class NO>
void LinearSolver<SC, LO, GO, NO>::solve(MV& X, const MV& B) {
  if (prec_.is_null() || !prec_->isComputed())
    throw std::runtime_error("GNP linear solver: call numeric() (training) before solve()");
  prec_->apply(B, X);
}

namespace {

template <class SC, class LO, class GO, class NO>
class LinearSolverFactory
    : public Trilinos::Details::LinearSolverFactory<Tpetra::MultiVector<SC, LO, GO, NO>,
                                                    Tpetra::Operator<SC, LO, GO, NO>,
                                                    typename Tpetra::MultiVector<SC, LO, GO, NO>::mag_type> {
public:
  using solver_type =
      Trilinos::Details::LinearSolver<Tpetra::MultiVector<SC, LO, GO, NO>, Tpetra::Operator<SC, LO, GO, NO>,
                                      typename Tpetra::MultiVector<SC, LO, GO, NO>::mag_type>;
  Teuchos::RCP<solver_type> getLinearSolver(const std::string& solverName) override {
    if (solverName != "GNP")
      throw std::invalid_argument("the GNP package has one solver, \"GNP\", not \"" + solverName + "\"");
    return Teuchos::rcp(new LinearSolver<SC, LO, GO, NO>);
  }
};

} // namespace

void registerLinearSolverFactory() {
  using SC = DefaultScalar;
  using MV = Tpetra::MultiVector<SC, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
  using OP = Tpetra::Operator<SC, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
  using Base = Trilinos::Details::LinearSolverFactory<MV, OP, MV::mag_type>;
  static const bool once = [] {
    std::shared_ptr<Base> factory =
        std::make_shared<LinearSolverFactory<SC, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>();
    Trilinos::Details::registerLinearSolverFactory<MV, OP, MV::mag_type>("GNP", factory);
    return true;
  }();
  (void)once;
}

GNP_INSTANTIATE_CLASS(LinearSolver)

} // namespace Gnp
