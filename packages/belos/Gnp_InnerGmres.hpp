#ifndef GNP_INNERGMRES_HPP
#define GNP_INNERGMRES_HPP

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_Operator.hpp>

namespace Gnp {

/// GMRES as a preconditioner (inner-outer GMRES, METHOD.md section 5): apply
/// runs a fixed number of unpreconditioned GMRES iterations on A y = x from
/// y = 0. Nonlinear in x, so it needs flexible GMRES outside.
template <class SC, class LO, class GO, class NO>
class InnerGmres : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  using operator_type = Tpetra::Operator<SC, LO, GO, NO>;
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  using map_type = Tpetra::Map<LO, GO, NO>;

  /// params: "Maximum Iterations" (10) and "Convergence Tolerance" (1e-6),
  /// validated: unknown names and out-of-range values are std::invalid_argument.
  InnerGmres(Teuchos::RCP<const operator_type> A, const Teuchos::ParameterList& params);
  static Teuchos::RCP<const Teuchos::ParameterList> getValidParameters();

  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode = Teuchos::NO_TRANS,
             SC alpha = Teuchos::ScalarTraits<SC>::one(),
             SC beta = Teuchos::ScalarTraits<SC>::zero()) const override;
  Teuchos::RCP<const map_type> getDomainMap() const override { return A_->getDomainMap(); }
  Teuchos::RCP<const map_type> getRangeMap() const override { return A_->getRangeMap(); }

private:
  Teuchos::RCP<const operator_type> A_;
  int iterations_;
  double tolerance_;
};

} // namespace Gnp

#endif
