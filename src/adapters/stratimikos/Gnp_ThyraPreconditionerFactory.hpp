#ifndef GNP_THYRAPRECONDITIONERFACTORY_HPP
#define GNP_THYRAPRECONDITIONERFACTORY_HPP

#include <Thyra_PreconditionerFactoryBase.hpp>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
class Preconditioner;

/// GNP (or Auto) as a Stratimikos preconditioner strategy: a Thyra
/// preconditioner factory that takes the Tpetra::CrsMatrix inside a
/// Thyra::TpetraLinearOp, builds, initialises and computes a Prec
/// (Gnp::Preconditioner: trains it; Gnp::AutoPreconditioner: chooses) with the
/// list it is given, and hands it out as the right preconditioner (both may be
/// nonlinear: use Belos' "Block GMRES" with "Flexible Gmres" true).
template <class SC, class LO, class GO, class NO, class Prec = Preconditioner<SC, LO, GO, NO>>
class ThyraPreconditionerFactory : public Thyra::PreconditionerFactoryBase<SC> {
public:
  /// True when fwdOp's operator is a Thyra::TpetraLinearOp around a Tpetra::CrsMatrix.
  bool isCompatible(const Thyra::LinearOpSourceBase<SC>& fwdOp) const override;
  /// An empty Thyra::DefaultPreconditioner.
  Teuchos::RCP<Thyra::PreconditionerBase<SC>> createPrec() const override;
  /// Builds and computes a Prec for fwdOp's matrix and sets it as prec's right operator.
  void initializePrec(const Teuchos::RCP<const Thyra::LinearOpSourceBase<SC>>& fwdOp,
                      Thyra::PreconditionerBase<SC>* prec,
                      const Thyra::ESupportSolveUse supportSolveUse) const override;
  /// Drops the preconditioner from prec.
  void uninitializePrec(Thyra::PreconditionerBase<SC>* prec, Teuchos::RCP<const Thyra::LinearOpSourceBase<SC>>* fwdOp,
                        Thyra::ESupportSolveUse* supportSolveUse) const override;

  /// Validated by Prec::validateParameters: a misspelled name is an error that names it.
  void setParameterList(const Teuchos::RCP<Teuchos::ParameterList>& paramList) override;
  /// The list set last.
  Teuchos::RCP<Teuchos::ParameterList> getNonconstParameterList() override { return paramList_; }
  /// Returns the list set last and forgets it.
  Teuchos::RCP<Teuchos::ParameterList> unsetParameterList() override;
  /// The list set last.
  Teuchos::RCP<const Teuchos::ParameterList> getParameterList() const override { return paramList_; }
  /// Prec::getValidParameters().
  Teuchos::RCP<const Teuchos::ParameterList> getValidParameters() const override;
  /// "Gnp::ThyraPreconditionerFactory".
  std::string description() const override { return "Gnp::ThyraPreconditionerFactory"; }

private:
  Teuchos::RCP<Teuchos::ParameterList> paramList_;
};

} // namespace Gnp

#endif
