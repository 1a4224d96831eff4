#include "Gnp_ThyraPreconditionerFactory.hpp"

#include "Gnp_AutoPreconditioner.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <Thyra_DefaultPreconditioner.hpp>
#include <Thyra_TpetraLinearOp.hpp>
#include <Thyra_TpetraThyraWrappers.hpp>

#include <stdexcept>
#include <type_traits>

namespace Gnp {
namespace {

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>> crsMatrixOf(const Thyra::LinearOpSourceBase<SC>& source) {
  const auto tpetraOp = Teuchos::rcp_dynamic_cast<const Thyra::TpetraLinearOp<SC, LO, GO, NO>>(source.getOp());
  if (tpetraOp.is_null()) return Teuchos::null;
  return Teuchos::rcp_dynamic_cast<const Tpetra::CrsMatrix<SC, LO, GO, NO>>(tpetraOp->getConstTpetraOperator());
}

// How Stratimikos users name it, for messages.
template <class Prec>
std::string strategyName() {
  return std::is_same_v<Prec, Preconditioner<typename Prec::scalar_type, typename Prec::local_ordinal_type,
                                             typename Prec::global_ordinal_type, typename Prec::node_type>>
             ? "Stratimikos \"GNP\""
             : "Stratimikos \"Auto\"";
}

} // namespace

template <class SC, class LO, class GO, class NO, class Prec>
bool ThyraPreconditionerFactory<SC, LO, GO, NO, Prec>::isCompatible(const Thyra::LinearOpSourceBase<SC>& fwdOp) const {
  return !crsMatrixOf<SC, LO, GO, NO>(fwdOp).is_null();
}

template <class SC, class LO, class GO, class NO, class Prec>
Teuchos::RCP<Thyra::PreconditionerBase<SC>> ThyraPreconditionerFactory<SC, LO, GO, NO, Prec>::createPrec() const {
  return Teuchos::rcp(new Thyra::DefaultPreconditioner<SC>);
}

template <class SC, class LO, class GO, class NO, class Prec>
void ThyraPreconditionerFactory<SC, LO, GO, NO, Prec>::initializePrec(
    const Teuchos::RCP<const Thyra::LinearOpSourceBase<SC>>& fwdOp, Thyra::PreconditionerBase<SC>* prec,
    const Thyra::ESupportSolveUse) const {
  const auto A = crsMatrixOf<SC, LO, GO, NO>(*fwdOp);
  if (A.is_null())
    throw std::invalid_argument(strategyName<Prec>() +
                                ": the operator is not a Tpetra::CrsMatrix wrapped in a "
                                "Thyra::TpetraLinearOp; GNP trains on the matrix's graph and values");
  auto* defaultPrec = dynamic_cast<Thyra::DefaultPreconditioner<SC>*>(prec);
  if (defaultPrec == nullptr)
    throw std::invalid_argument(strategyName<Prec>() + ": the preconditioner was not created by this factory");
  auto gnp = Teuchos::rcp(new Prec(A));
  gnp->setParameters(paramList_.is_null() ? Teuchos::ParameterList() : *paramList_);
  gnp->initialize();
  gnp->compute();
  const Teuchos::RCP<Thyra::LinearOpBase<SC>> op =
      Thyra::tpetraLinearOp<SC, LO, GO, NO>(Thyra::tpetraVectorSpace<SC, LO, GO, NO>(gnp->getRangeMap()),
                                            Thyra::tpetraVectorSpace<SC, LO, GO, NO>(gnp->getDomainMap()), gnp);
  defaultPrec->initializeRight(op);
}

template <class SC, class LO, class GO, class NO, class Prec>
void ThyraPreconditionerFactory<SC, LO, GO, NO, Prec>::uninitializePrec(
    Thyra::PreconditionerBase<SC>* prec, Teuchos::RCP<const Thyra::LinearOpSourceBase<SC>>* fwdOp,
    Thyra::ESupportSolveUse* supportSolveUse) const {
  // The trained network lives in the preconditioner object; nothing is cached here.
  if (fwdOp) *fwdOp = Teuchos::null;
  if (supportSolveUse) *supportSolveUse = Thyra::SUPPORT_SOLVE_UNSPECIFIED;
  if (auto* defaultPrec = dynamic_cast<Thyra::DefaultPreconditioner<SC>*>(prec)) defaultPrec->uninitialize();
}

template <class SC, class LO, class GO, class NO, class Prec>
void ThyraPreconditionerFactory<SC, LO, GO, NO, Prec>::setParameterList(
    const Teuchos::RCP<Teuchos::ParameterList>& list) {
  if (list.is_null()) throw std::invalid_argument(strategyName<Prec>() + ": the parameter list is null");
  // Prec's own validation: unknown names and bad values are errors naming the
  // parameter, before any training starts.
  Prec::validateParameters(*list);
  paramList_ = list;
}

template <class SC, class LO, class GO, class NO, class Prec>
Teuchos::RCP<Teuchos::ParameterList> ThyraPreconditionerFactory<SC, LO, GO, NO, Prec>::unsetParameterList() {
  auto old = paramList_;
  paramList_ = Teuchos::null;
  return old;
}

template <class SC, class LO, class GO, class NO, class Prec>
Teuchos::RCP<const Teuchos::ParameterList> ThyraPreconditionerFactory<SC, LO, GO, NO, Prec>::getValidParameters()
    const {
  return Prec::getValidParameters();
}

GNP_INSTANTIATE_CLASS(ThyraPreconditionerFactory)
template class ThyraPreconditionerFactory<
    DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode,
    AutoPreconditioner<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>;

} // namespace Gnp
