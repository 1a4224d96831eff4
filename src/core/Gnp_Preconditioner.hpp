#ifndef GNP_PRECONDITIONER_HPP
#define GNP_PRECONDITIONER_HPP

#include "Gnp_Options.hpp"

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_CrsMatrix_fwd.hpp>
#include <Tpetra_RowMatrix.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace Gnp {

class Network;
class DistributedOperator;
template <class SC, class LO, class GO, class NO>
struct ArnoldiResult;
class ProgressPrinter;

/// Graph Neural Preconditioner: a Tpetra::Operator M ≈ A⁻¹ whose action is a
/// graph neural network trained online on A alone (docs/method.md). M is nonlinear
/// (only M(αr) = αM(r) holds), so use it as the right preconditioner of flexible
/// GMRES. Life cycle as in Ifpack2: setParameters, initialize (checks A, scales
/// it, builds the network), compute (trains), apply. All of them are collectives.
template <class SC, class LO, class GO, class NO>
class Preconditioner : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  using row_matrix_type = Tpetra::RowMatrix<SC, LO, GO, NO>; ///< the matrix type (a Tpetra::CrsMatrix is required)
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;       ///< what apply() takes
  using map_type = Tpetra::Map<LO, GO, NO>;                  ///< the domain and range maps' type

  /// Keeps A (never copied or changed); nothing is computed until initialize().
  explicit Preconditioner(const Teuchos::RCP<const row_matrix_type>& A);
  ~Preconditioner() override;

  /// Every "gnp: ..." parameter with its default, documentation and validator
  /// (Gnp::OptionTable).
  static Teuchos::RCP<const Teuchos::ParameterList> getValidParameters();
  /// Reads the list, checks it, then commits it: an unknown name, a wrong type or
  /// an out-of-range value throws Teuchos::Exceptions::InvalidParameterName,
  /// InvalidParameterType or InvalidParameterValue naming the parameter, and
  /// leaves the settings as they were; unset parameters take their defaults.
  /// Invalidates a previous initialize/compute.
  void setParameters(const Teuchos::ParameterList& params);
  /// The checks of setParameters alone (for factories that validate early):
  /// the settings setParameters would commit, or its exception.
  static Options validateParameters(const Teuchos::ParameterList& params);

  /// Checks A (square, non-empty, finite, no zero row; a CrsMatrix), computes γ and
  /// builds the network with the seeded initialisation.
  void initialize();
  /// Whether initialize() (or load()) has run since the last setParameters().
  bool isInitialized() const { return initialized_; }
  /// Trains the network (Arnoldi samples, Adam, best step kept) on A's values
  /// as they are now: when they changed since initialize() (or the last
  /// compute()), Â, γ and the base are rebuilt from them first. Training
  /// starts from the network as it is (after initialize(): the seeded
  /// initialisation or "gnp: initial model", for "gnp: training steps"; after
  /// a compute() or load(): the network it kept, a warm start, for "gnp: warm
  /// start steps"), with a fresh Adam.
  void compute();
  /// Whether compute() (or load()) has run since the last setParameters().
  bool isComputed() const { return computed_; }

  /// Y = beta·Y + alpha·M(X), all columns of X in one batched network pass.
  /// X may alias Y. Only mode NO_TRANS exists (M is nonlinear).
  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode = Teuchos::NO_TRANS,
             SC alpha = Teuchos::ScalarTraits<SC>::one(), SC beta = Teuchos::ScalarTraits<SC>::zero()) const override;
  /// A's domain map.
  Teuchos::RCP<const map_type> getDomainMap() const override { return A_->getDomainMap(); }
  /// A's range map.
  Teuchos::RCP<const map_type> getRangeMap() const override { return A_->getRangeMap(); }
  /// false: a nonlinear operator has no transpose.
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

  /// The matrix given to the constructor or to setMatrix().
  Teuchos::RCP<const row_matrix_type> getMatrix() const { return A_; }
  /// Ifpack2's CanChangeMatrix: the preconditioner is for `A` from now on (a
  /// checked, square Tpetra::CrsMatrix; the network does not depend on the
  /// size or the sparsity). The next compute() builds Â, γ and the base from it
  /// and trains from the network as it is (a warm start); before any
  /// initialize() it only replaces the matrix. Invalidates a previous compute().
  void setMatrix(const Teuchos::RCP<const row_matrix_type>& A);
  /// The settings in use (from setParameters() or a loaded model).
  const Options& getOptions() const { return options_; }
  /// The base preconditioner in use (after initialize): Options::base, with
  /// Base::Auto resolved to Base::Ilut or Base::None.
  Base getBase() const { return base_; }
  /// Directions of the coarse space in use ("gnp: coarse space"; 0: none, or
  /// dropped because the validation solve scored M better without it).
  int getCoarseDimension() const;
  /// Whether apply() runs the network: false where the validation solve found
  /// no trained step better than M without it (then M is the base, or the
  /// identity, with the coarse space if any: training is not paid for twice).
  bool getNetworkUsed() const;
  /// γ, the Gershgorin bound of A (available after initialize).
  double getScaling() const { return gamma_; }
  /// What training did: steps, the kept step and its score, time, why it stopped.
  const TrainingReport& getTrainingReport() const { return report_; }
  /// Global training loss of every step (after compute).
  const std::vector<double>& getLossHistory() const;
  /// Trainable parameters of the network (10,001 with the defaults).
  std::int64_t getParameterCount() const;

  int getNumInitialize() const { return numInitialize_; }      ///< calls of initialize() (and load())
  int getNumCompute() const { return numCompute_; }            ///< calls of compute() (and load())
  int getNumApply() const { return numApply_; }                ///< calls of apply()
  double getInitializeTime() const { return initializeTime_; } ///< seconds in initialize()
  double getComputeTime() const { return computeTime_; }       ///< seconds in compute() (training)
  double getApplyTime() const { return applyTime_; }           ///< seconds in apply(), all calls
  /// One line: the state, the base, the network's size and the kept step's score.
  std::string description() const override;
  /// On rank 0, growing with the verbosity: VERB_LOW the description; VERB_MEDIUM
  /// also the matrix, γ and what training did and cost; VERB_HIGH also every
  /// setting; VERB_EXTREME also every step's loss.
  void describe(Teuchos::FancyOStream& out,
                const Teuchos::EVerbosityLevel verbLevel = Teuchos::Describable::verbLevel_default) const override;

private:
  Teuchos::RCP<const row_matrix_type> A_;
  /// Â = A/γ, a network from the seeded initialisation, and the base of kind
  /// `base` (Base::Auto: chosen now); sets base_.
  void buildNetwork(double gamma, Base base);
  /// Whether A's entries differ from those Â was built from, on any rank.
  bool valuesChanged() const;
  /// Rebuilds Â, γ and the base from A's current values; keeps the network.
  void followValues();
  /// The coarse space of "gnp: coarse space" from the first "gnp: coarse
  /// dimension" steps of `krylov` (an Arnoldi run on Â), handed to the network.
  void setCoarseSpace(const ArnoldiResult<SC, LO, GO, NO>& krylov);
  /// An Arnoldi run on Â from the seeded start vector, `steps` long.
  ArnoldiResult<SC, LO, GO, NO> krylovRun(int steps) const;
  /// What this preconditioner prints: on rank 0, to std::cout, at "gnp: verbosity".
  ProgressPrinter progressPrinter() const;
  /// Base::Auto: the one of Options::baseCandidates that Gnp::CandidateRanking
  /// (Auto's rule) ranks first on the validation solve; sets base_. A candidate
  /// that cannot be used is left out and said; none left is an error.
  /// (Returns a Gnp::BlockOperator, spelled out to keep the network's seam out of this header.)
  std::function<void(const double*, double*, int)> chooseBase(
      const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& crs);

  Options options_;
  Base base_ = Base::None;
  double gamma_ = 1.0;
  std::uint64_t entriesHash_ = 0; ///< this rank's entries when Â was built
  bool matrixReplaced_ = false;   ///< setMatrix() since Â was built
  std::shared_ptr<DistributedOperator> graph_;
  std::unique_ptr<Network> network_;
  TrainingReport report_;
  bool initialized_ = false, computed_ = false;
  bool trained_ = false; ///< the network is one this preconditioner trained or loaded (a warm start follows)
  int numInitialize_ = 0, numCompute_ = 0;
  mutable int numApply_ = 0;
  double initializeTime_ = 0.0, computeTime_ = 0.0;
  mutable double applyTime_ = 0.0;
};

} // namespace Gnp

#endif
