#ifndef GNP_GNPSOLVERMANAGER_HPP
#define GNP_GNPSOLVERMANAGER_HPP

#include <BelosBlockGmresSolMgr.hpp>
#include <BelosSolverManager.hpp>
#include <Tpetra_MultiVector.hpp>
#include <Tpetra_Operator.hpp>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
class Preconditioner;
template <class SC, class LO, class GO, class NO>
class AutoPreconditioner;

/// "GNP FGMRES": Belos' flexible Block GMRES with a GNP right preconditioner
/// that the solver builds (and trains) from the linear problem's matrix, so
/// that Belos::SolverFactory users get GNP by name. Parameters: those of Block
/// GMRES ("Flexible Gmres" is always true) plus a sublist "GNP" with the
/// "gnp: ..." parameters, or instead a sublist "Auto" (Gnp::AutoPreconditioner's
/// "auto: ..." parameters: GNP is trained only where it pays). The
/// preconditioner is built on the first solve and reused until the problem's
/// operator changes.
template <class SC, class LO, class GO, class NO>
class GnpSolverManager
    : public Belos::SolverManager<SC, Tpetra::MultiVector<SC, LO, GO, NO>, Tpetra::Operator<SC, LO, GO, NO>> {
public:
  using MV = Tpetra::MultiVector<SC, LO, GO, NO>;     ///< Belos' multivector type
  using OP = Tpetra::Operator<SC, LO, GO, NO>;        ///< Belos' operator type
  using base_type = Belos::SolverManager<SC, MV, OP>; ///< the Belos interface

  /// The name it is registered under (Belos upper-cases solver names).
  static constexpr const char* name = "GNP FGMRES";

  /// Parameters at their defaults; no problem yet.
  GnpSolverManager();

  /// \name Belos::SolverManager interface
  /// As Belos::SolverManager documents them; they forward to the inner Block GMRES.
  ///@{
  Teuchos::RCP<base_type> clone() const override { return Teuchos::rcp(new GnpSolverManager); }
  const Belos::LinearProblem<SC, MV, OP>& getProblem() const override { return inner_.getProblem(); }
  Teuchos::RCP<const Teuchos::ParameterList> getValidParameters() const override;
  Teuchos::RCP<const Teuchos::ParameterList> getCurrentParameters() const override;
  typename Teuchos::ScalarTraits<SC>::magnitudeType achievedTol() const override { return inner_.achievedTol(); }
  int getNumIters() const override { return inner_.getNumIters(); }
  bool isLOADetected() const override { return inner_.isLOADetected(); }
  void setProblem(const Teuchos::RCP<Belos::LinearProblem<SC, MV, OP>>& problem) override;
  /// Unknown names, also in the "GNP" sublist, are errors naming them.
  void setParameters(const Teuchos::RCP<Teuchos::ParameterList>& params) override;
  void reset(const Belos::ResetType type) override;
  /// Trains GNP for the problem's matrix (a Tpetra::CrsMatrix) if it has not
  /// yet, sets it as the right preconditioner, and solves.
  Belos::ReturnType solve() override;
  std::string description() const override;
  ///@}

  /// The trained GNP (null before the first solve, and when Auto chose another).
  Teuchos::RCP<const Preconditioner<SC, LO, GO, NO>> getPreconditioner() const;
  /// The Auto preconditioner with its choice (null unless the "Auto" sublist was given).
  Teuchos::RCP<const AutoPreconditioner<SC, LO, GO, NO>> getAutoPreconditioner() const { return auto_; }

private:
  Belos::BlockGmresSolMgr<SC, MV, OP> inner_;
  Teuchos::RCP<Belos::LinearProblem<SC, MV, OP>> problem_;
  Teuchos::ParameterList gnpParams_, autoParams_;
  bool useAuto_ = false;
  Teuchos::RCP<Preconditioner<SC, LO, GO, NO>> gnp_;
  Teuchos::RCP<AutoPreconditioner<SC, LO, GO, NO>> auto_;
  Teuchos::RCP<const OP> prec_; ///< the right preconditioner: gnp_ or auto_
  Teuchos::RCP<const OP> trainedFor_;
};

/// Registers "GNP FGMRES" with Belos::SolverFactory for the default Tpetra
/// types (idempotent).
void registerBelosSolver();

} // namespace Gnp

#endif
