#ifndef GNP_SCALEDOPERATOR_HPP
#define GNP_SCALEDOPERATOR_HPP

#include <Tpetra_Operator.hpp>

namespace Gnp {

/// Â = factor · A without copying A: GNP trains on the Gershgorin-scaled
/// matrix whatever scaling the user's matrix has.
template <class SC, class LO, class GO, class NO>
class ScaledOperator : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  using operator_type = Tpetra::Operator<SC, LO, GO, NO>; ///< the type of A
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;     ///< what apply() takes
  using map_type = Tpetra::Map<LO, GO, NO>;                 ///< the maps' type

  /// factor·A, sharing A.
  ScaledOperator(Teuchos::RCP<const operator_type> A, SC factor) : A_(std::move(A)), factor_(factor) {}

  /// A's domain map.
  Teuchos::RCP<const map_type> getDomainMap() const override { return A_->getDomainMap(); }
  /// A's range map.
  Teuchos::RCP<const map_type> getRangeMap() const override { return A_->getRangeMap(); }
  /// Whether A has one.
  bool hasTransposeApply() const override { return A_->hasTransposeApply(); }
  /// Y = beta·Y + alpha·factor·op(A) X.
  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode = Teuchos::NO_TRANS,
             SC alpha = Teuchos::ScalarTraits<SC>::one(),
             SC beta = Teuchos::ScalarTraits<SC>::zero()) const override {
    A_->apply(X, Y, mode, alpha * factor_, beta);
  }

private:
  Teuchos::RCP<const operator_type> A_;
  SC factor_;
};

} // namespace Gnp

#endif
