#ifndef GNP_GRAPHOPERATOR_HPP
#define GNP_GRAPHOPERATOR_HPP

#include "Gnp_DistributedOperator.hpp"
#include "Gnp_HostBridge.hpp"

#include <Tpetra_Operator.hpp>

#include <memory>
#include <vector>

namespace Gnp {

/// Â as a Tpetra::Operator through the network's own sparse product (a
/// Gnp::DistributedOperator), whose row sums run in global column order. The
/// CrsMatrix's own apply sums a row in local column order, which depends on how
/// the rows are split over ranks; this one does not, so neither do the Arnoldi
/// samples that GNP trains on.
template <class SC, class LO, class GO, class NO>
class GraphOperator : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>; ///< what apply() takes
  using map_type = Tpetra::Map<LO, GO, NO>;            ///< the maps' type

  /// The operator A on the vectors of `map` (A's rows must be map's rows).
  GraphOperator(std::shared_ptr<const DistributedOperator> A, Teuchos::RCP<const map_type> map)
      : A_(std::move(A)), map_(std::move(map)) {}

  /// The map given to the constructor.
  Teuchos::RCP<const map_type> getDomainMap() const override { return map_; }
  /// The map given to the constructor.
  Teuchos::RCP<const map_type> getRangeMap() const override { return map_; }
  /// Yes: the sparse product has its transpose.
  bool hasTransposeApply() const override { return true; }
  /// Y = beta·Y + alpha·op(A) X, one column at a time.
  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode = Teuchos::NO_TRANS,
             SC alpha = Teuchos::ScalarTraits<SC>::one(), SC beta = Teuchos::ScalarTraits<SC>::zero()) const override {
    const auto x = hostRead(X);
    auto y = hostReadWrite(Y);
    const std::size_t rows = x.extent(0);
    std::vector<double> in(rows), out(rows);
    for (std::size_t j = 0; j < X.getNumVectors(); ++j) {
      for (std::size_t i = 0; i < rows; ++i) in[i] = x(i, j);
      A_->apply(in.data(), out.data(), 1, mode != Teuchos::NO_TRANS);
      for (std::size_t i = 0; i < rows; ++i) y(i, j) = beta == SC(0) ? alpha * out[i] : beta * y(i, j) + alpha * out[i];
    }
  }

private:
  std::shared_ptr<const DistributedOperator> A_;
  Teuchos::RCP<const map_type> map_;
};

} // namespace Gnp

#endif
