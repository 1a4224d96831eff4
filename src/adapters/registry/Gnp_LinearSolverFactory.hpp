#ifndef GNP_LINEARSOLVERFACTORY_HPP
#define GNP_LINEARSOLVERFACTORY_HPP

#include <Trilinos_Details_LinearSolver.hpp>
#include <Trilinos_Details_LinearSolverFactory.hpp>
#include <Tpetra_CrsMatrix.hpp>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
class Preconditioner;

/// GNP in Trilinos' linear-solver registry: like Ifpack2's solvers, its
/// "solve" applies the preconditioner, X = M(B). symbolic() initialises,
/// numeric() trains; setParameters takes the "gnp: ..." list.
template <class SC, class LO, class GO, class NO>
class LinearSolver
    : public Trilinos::Details::LinearSolver<Tpetra::MultiVector<SC, LO, GO, NO>, Tpetra::Operator<SC, LO, GO, NO>,
                                             typename Tpetra::MultiVector<SC, LO, GO, NO>::mag_type> {
public:
  using MV = Tpetra::MultiVector<SC, LO, GO, NO>; ///< the multivector type
  using OP = Tpetra::Operator<SC, LO, GO, NO>;    ///< the operator type

  /// A must be a Tpetra::CrsMatrix (std::invalid_argument otherwise).
  void setMatrix(const Teuchos::RCP<const OP>& A) override;
  /// The matrix of setMatrix().
  Teuchos::RCP<const OP> getMatrix() const override { return A_; }
  /// X = M(B): one apply of the trained preconditioner.
  void solve(MV& X, const MV& B) override;
  /// The "gnp: ..." list, validated as Preconditioner::setParameters does.
  void setParameters(const Teuchos::RCP<Teuchos::ParameterList>& params) override;
  /// Preconditioner::initialize().
  void symbolic() override;
  /// Preconditioner::compute(): trains.
  void numeric() override;

  /// The preconditioner behind the solver (null before symbolic()).
  Teuchos::RCP<const Preconditioner<SC, LO, GO, NO>> getPreconditioner() const { return prec_; }

private:
  Teuchos::RCP<const OP> A_;
  Teuchos::ParameterList params_;
  Teuchos::RCP<Preconditioner<SC, LO, GO, NO>> prec_;
};

/// Makes ("GNP", "GNP") available from Trilinos::Details::getLinearSolver for
/// the default Tpetra types. Idempotent.
void registerLinearSolverFactory();

} // namespace Gnp

#endif
