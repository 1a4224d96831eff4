#ifndef GNP_PRECONDITIONER_HPP
#define GNP_PRECONDITIONER_HPP

#include "Gnp_Options.hpp"

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_RowMatrix.hpp>

#include <memory>
#include <vector>

namespace Gnp {

class Network;
class DistributedOperator;

/// Graph Neural Preconditioner: a Tpetra::Operator M ≈ A⁻¹ whose action is a
/// graph neural network trained online on A alone (METHOD.md). M is nonlinear
/// (only M(αr) = αM(r) holds), so use it as the right preconditioner of flexible
/// GMRES. Life cycle as in Ifpack2: setParameters, initialize (checks A, scales
/// it, builds the network), compute (trains), apply. All of them are collectives.
template <class SC, class LO, class GO, class NO>
class Preconditioner : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  using row_matrix_type = Tpetra::RowMatrix<SC, LO, GO, NO>;
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  using map_type = Tpetra::Map<LO, GO, NO>;

  explicit Preconditioner(const Teuchos::RCP<const row_matrix_type>& A);
  ~Preconditioner() override;

  /// Every "gnp: ..." parameter with its default and documentation.
  static Teuchos::RCP<const Teuchos::ParameterList> getValidParameters();
  /// Validates the list (unknown names, wrong types and out-of-range values are
  /// std::invalid_argument errors naming the parameter); unset parameters keep
  /// their defaults. Invalidates a previous initialize/compute.
  void setParameters(const Teuchos::ParameterList& params);
  /// The checks of setParameters alone (for factories that validate early).
  static void validateParameters(const Teuchos::ParameterList& params);

  void initialize();
  bool isInitialized() const { return initialized_; }
  /// Trains the network (Arnoldi samples, Adam, best step kept).
  void compute();
  bool isComputed() const { return computed_; }

  /// Y = beta·Y + alpha·M(X), all columns of X in one batched network pass.
  /// X may alias Y. Only mode NO_TRANS exists (M is nonlinear).
  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode = Teuchos::NO_TRANS,
             SC alpha = Teuchos::ScalarTraits<SC>::one(),
             SC beta = Teuchos::ScalarTraits<SC>::zero()) const override;
  Teuchos::RCP<const map_type> getDomainMap() const override { return A_->getDomainMap(); }
  Teuchos::RCP<const map_type> getRangeMap() const override { return A_->getRangeMap(); }
  bool hasTransposeApply() const override { return false; }

  /// Writes the trained network (parameters, batch-norm statistics, γ and the
  /// settings) to `path` in the format of Gnp::ModelFile. A collective; rank 0
  /// writes. Requires compute() or load().
  void save(const std::string& path) const;
  /// Replaces initialize() and compute(): reads a model saved by save(), on any
  /// number of ranks, for this matrix (same number of rows). The settings come
  /// from the file. Missing, truncated, corrupt, newer-version files and a
  /// matrix of another size are std::invalid_argument errors on every rank.
  void load(const std::string& path);

  Teuchos::RCP<const row_matrix_type> getMatrix() const { return A_; }
  const Options& getOptions() const { return options_; }
  /// γ, the Gershgorin bound of A (available after initialize).
  double getScaling() const { return gamma_; }
  const TrainingReport& getTrainingReport() const { return report_; }
  /// Global training loss of every step (after compute).
  const std::vector<double>& getLossHistory() const;
  std::int64_t getParameterCount() const;

  int getNumInitialize() const { return numInitialize_; }
  int getNumCompute() const { return numCompute_; }
  int getNumApply() const { return numApply_; }
  double getInitializeTime() const { return initializeTime_; }
  double getComputeTime() const { return computeTime_; }
  double getApplyTime() const { return applyTime_; }
  std::string description() const override;

private:
  Teuchos::RCP<const row_matrix_type> A_;
  void buildNetwork(double gamma);

  Options options_;
  std::string initialModel_;
  double gamma_ = 1.0;
  std::shared_ptr<DistributedOperator> graph_;
  std::unique_ptr<Network> network_;
  TrainingReport report_;
  bool initialized_ = false, computed_ = false;
  int numInitialize_ = 0, numCompute_ = 0;
  mutable int numApply_ = 0;
  double initializeTime_ = 0.0, computeTime_ = 0.0;
  mutable double applyTime_ = 0.0;
};

} // namespace Gnp

#endif
