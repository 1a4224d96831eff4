#ifndef GNP_INNERGMRES_HPP
#define GNP_INNERGMRES_HPP

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_Operator.hpp>

namespace Gnp {

/// GMRES as a preconditioner (inner-outer GMRES, docs/method.md section 5): apply
/// runs a fixed number of unpreconditioned GMRES iterations on A y = x from
/// y = 0. Nonlinear in x, so it needs flexible GMRES outside.
template <class SC, class LO, class GO, class NO>
class InnerGmres : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  using operator_type = Tpetra::Operator<SC, LO, GO, NO>; ///< the type of A
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;    ///< what apply() takes
  using map_type = Tpetra::Map<LO, GO, NO>;               ///< the maps' type

  /// params: "Maximum Iterations" (10) and "Convergence Tolerance" (1e-6),
  /// validated: unknown names and out-of-range values are std::invalid_argument.
  InnerGmres(Teuchos::RCP<const operator_type> A, const Teuchos::ParameterList& params);
  /// The two parameters with their defaults and documentation.
  static Teuchos::RCP<const Teuchos::ParameterList> getValidParameters();

  /// Y = beta·Y + alpha·y, y the GMRES iterate for A y = X (per column). NO_TRANS only.
  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode = Teuchos::NO_TRANS,
             SC alpha = Teuchos::ScalarTraits<SC>::one(), SC beta = Teuchos::ScalarTraits<SC>::zero()) const override;
  /// A's domain map.
  Teuchos::RCP<const map_type> getDomainMap() const override { return A_->getDomainMap(); }
  /// A's range map.
  Teuchos::RCP<const map_type> getRangeMap() const override { return A_->getRangeMap(); }

private:
  Teuchos::RCP<const operator_type> A_;
  int iterations_;
  double tolerance_;
};

} // namespace Gnp

#endif
