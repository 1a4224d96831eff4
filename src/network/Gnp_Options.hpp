#ifndef GNP_OPTIONS_HPP
#define GNP_OPTIONS_HPP

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace Gnp {

/// The training loss (docs/method.md section 4 is L1).
enum class Loss {
  L1,         ///< mean |Â M(b) − b| over all n·B entries (the paper's)
  RelativeL1, ///< each column's ‖Â M(b_j) − b_j‖₁ / ‖b_j‖₁, averaged over the columns
  Projected   ///< each column's 1 − cos²(Â N(b_j), t_j), t_j = b_j − Â P b_j: the squared relative residual
              ///< after the best multiple of the network's output (what one FGMRES step keeps); scale-free
};
/// How the learning rate moves over the steps.
enum class Schedule {
  Constant, ///< the paper's
  Cosine    ///< half a cosine from the learning rate down towards 0 at the end of the step budget
};
/// Which step's parameters become the preconditioner.
enum class Selection {
  TrainingLoss,   ///< the lowest loss on its own fresh training batch (the paper's)
  ValidationLoss, ///< the lowest loss, in inference mode, on one fixed batch drawn before training
  ValidationSolve ///< the fastest FGMRES convergence (the Iter-AUC of a few iterations, inference mode) on one
                  ///< fixed right-hand side b = Â x, x Gaussian, drawn before training
};
/// A fixed linear preconditioner P that GNP's network N learns a correction to (see Composition).
enum class Base {
  None,   ///< M = N (the paper's)
  Jacobi, ///< P = D⁻¹, D the diagonal of Â (zero diagonal entries: P's entry is 0)
  Ilut,   ///< P = Ifpack2's ILUT of A (its defaults, the comparison's ILUT), scaled to Â
  Auto,   ///< the first of Options::baseCandidates that Gnp::CandidateRanking ranks first on the validation solve
  Gmres,  ///< P(r) = Options::baseGmresIterations unpreconditioned GMRES iterations on Â x = r from x = 0 (nonlinear)
  Riluk,  ///< P = Ifpack2's RILUK of A (level 0: ILU(0)), scaled to Â
  GaussSeidel, ///< P = Ifpack2's symmetric Gauss–Seidel sweep of A, scaled to Â
  MueLu,       ///< P = one V-cycle of MueLu's smoothed aggregation of A (its defaults, the comparison's), scaled to Â
  MueLuPg ///< P = MueLu's Petrov–Galerkin aggregation (restriction not Pᵀ: meant for nonsymmetric A), scaled to Â
};
/// How the network's output joins the base preconditioner's.
enum class Composition {
  Additive,      ///< M(r) = P r + N(r)
  Multiplicative ///< M(r) = P r + N(r − Â P r): the network corrects what P leaves of r
};

/// Where a coarse space of k Arnoldi directions Z (W = Â Z orthonormal, so
/// that Z Wᵀ solves Â exactly on range(W)) joins the one-level M₁ = P + N.
enum class Coarse {
  None,  ///< M = M₁ (the paper's)
  First, ///< M(r) = Z Wᵀ r + M₁(r − W Wᵀ r): the coarse solve, then M₁ on what it leaves
  Last   ///< M(r) = M₁(r) + Z Wᵀ (r − Â M₁(r)): M₁, then the coarse solve on its residual
};

/// How much GNP tells on rank 0 (Teuchos' verbosity levels).
enum class Verbosity {
  None,   ///< nothing
  Low,    ///< what the base choice and training found and cost
  Medium, ///< also a progress line every Options::printEvery steps
  High,   ///< also every step the selection rule scores
  Extreme ///< also every step
};

/// Options::maxSeconds that asks for trainingSeconds()'s budget.
constexpr double kAutomaticSeconds = -1.0;

/// Network and training settings; defaults are those of docs/method.md (sections 2-4),
/// the paper's but for the best-step selection, the batch (smaller, more steps),
/// the learning rate (larger) and the base (ILUT where it helps).
/// Filled from a validated "gnp: ..." parameter list by Gnp::Preconditioner.
struct Options {
  // Network (docs/method.md section 2).
  int layers = 8;     ///< Res-GCONV layers
  int embedding = 16; ///< feature width of the graph layers
  int hidden = 32;    ///< hidden width of the encoder/decoder MLPs
  int mlpLayers = 4;  ///< linear layers per MLP
  // Training data (section 3).
  // Not the paper's 16 (8 Krylov) for 2000 steps: the same samples in four
  // times the steps, which where a time budget binds buys four times the
  // updates (docs/results/training-study.md, third study).
  int batchSize = 4;     ///< right-hand sides per step
  int krylovSamples = 2; ///< columns of each batch drawn as Q e (the rest Gaussian)
  int arnoldiSteps = 40; ///< m
  // Training (section 4).
  int steps = 8000; ///< Adam steps (each a fresh batch)
  /// Wall-time budget for training in seconds; 0: none; kAutomaticSeconds:
  /// trainingSeconds() (docs/results/patience-study.md).
  double maxSeconds = kAutomaticSeconds;
  // Not the paper's 1e-3: with four times the updates, 3e-3 kept a better
  // network on 12 of 16 matrices (docs/results/training-study.md, fourth study).
  double learningRate = 3e-3; ///< Adam's
  std::uint64_t seed = 0;     ///< of the initialisation and of every sample
  Loss loss = Loss::L1;       ///< what training minimises
  /// The loss is on the residual after this many stationary steps
  /// x ← x + M(b − Âx) from x = 0 (1: on b − Â M(b), the paper's). The steps
  /// before the last apply M as it stands, in inference mode and held fixed (the
  /// gradient flows through the last step only), and each residual is scaled
  /// back to its b's norm: the network trains on what M leaves.
  int stationarySteps = 1;
  Schedule schedule = Schedule::Constant; ///< of the learning rate
  int warmupSteps = 0;                    ///< linear warm-up of the learning rate over this many steps
  /// How the kept step is chosen: not the paper's (TrainingLoss) but what the
  /// preconditioner is for, FGMRES convergence (docs/results/training-study.md).
  Selection selection = Selection::ValidationSolve;
  int validationEvery = 10;      ///< with a validation selection: evaluate every this many steps
  int validationIterations = 10; ///< with Selection::ValidationSolve: FGMRES iterations per evaluation
  /// With a validation selection: stop after this many validations in a row
  /// found no better step, or relativePatience times the validations it took
  /// to find the kept one if more (0: never stop early). Most of a budget
  /// buys nothing where a network stops improving early, and a network that
  /// still improves late keeps going (docs/results/patience-study.md).
  int patience = 10;
  double relativePatience = 1.0; ///< see patience
  /// Training steps of a compute() that starts from a network this
  /// preconditioner trained itself (after a change of A's values, setMatrix,
  /// or on a loaded model); 0: an eighth of `steps`.
  int warmStartSteps = 0;
  /// With Selection::ValidationSolve: when M without the network (the base, or
  /// the identity, with the coarse space if any) already reaches this relative
  /// residual within the validation solve, training would buy nothing a user
  /// needs: it is skipped and GNP applies that M (0: always train).
  double baseConvergedTolerance = 1e-8;
  // Not the paper's (no base): the network learns a correction to the base that
  // ranks first on the validation solve (docs/results/hard-matrices-study.md).
  Base base = Base::Auto;                                ///< what the network corrects
  Composition composition = Composition::Multiplicative; ///< how, with a base
  int baseGmresIterations = 10;                          ///< with Base::Gmres: its iterations (the sweep's GMRES')
  /// The bases' own packages' parameters (Ifpack2's, MueLu's), one sublist per
  /// base spelling, as the XML text of "gnp: base parameters" ("": none). The
  /// network layer only keeps it; the Tpetra side reads it.
  std::string baseParameters;
  /// What Base::Auto tries, cheapest first (a tie keeps the earlier one). Not
  /// MueLu: no help on the hard matrices, and its setup on gemat12 does not
  /// return (docs/results/hard-matrices-study.md).
  std::vector<Base> baseCandidates{Base::None, Base::Jacobi, Base::GaussSeidel, Base::Riluk, Base::Ilut, Base::Gmres};
  // Two-level GNP, kept only where the validation solve scores it better.
  Coarse coarse = Coarse::Last; ///< where the coarse space joins M₁
  int coarseDimension = 80;     ///< k: Arnoldi steps of the coarse space (directions dropped where H̄ is singular)
  bool coarseInTraining = true; ///< train N with the coarse space in place (it learns what the coarse space leaves)
  int printEvery = 100;         ///< a progress line on rank 0 every this many steps; 0: silent
  Verbosity verbosity = Verbosity::Medium; ///< how much is told on rank 0
  std::string initialModel;                ///< a saved model to start training from ("": random initialisation)
  std::string saveModel;                   ///< where compute() saves the trained model ("": nowhere)
};

/// Why training ended.
enum class StopReason { Steps, Time, Diverged, NoImprovement, BaseConverged };

/// What training did, for reports and tests.
struct TrainingReport {
  int stepsRun = 0;  ///< steps taken
  int bestStep = -1; ///< the step kept (-1: none)
  /// The kept step's score under Options::selection (lower is better): its
  /// training loss, its validation loss, or its validation solve's summed
  /// log10 relative residuals.
  double bestScore = 0.0;
  double firstLoss = 0.0; ///< the loss of step 0
  int validations = 0;    ///< steps judged by a validation selection (0 with the paper's rule)
  /// With Selection::ValidationSolve: the same validation solve's score without
  /// a preconditioner (bestScore holds the kept network's); NaN otherwise.
  double validationUnpreconditioned = std::numeric_limits<double>::quiet_NaN();
  /// With Selection::ValidationSolve and a base: the score of the base alone
  /// (what training has to beat); NaN otherwise.
  double validationBase = std::numeric_limits<double>::quiet_NaN();
  /// Directions of the coarse space kept after training (0: none, or dropped
  /// because the kept step scored better without it).
  int coarseDimension = 0;
  /// With a coarse space and Selection::ValidationSolve: the kept step's
  /// validation solve score with and without it (bestScore is the better one,
  /// the preconditioner's in use); NaN otherwise.
  double scoreWithCoarse = std::numeric_limits<double>::quiet_NaN();
  double scoreWithoutCoarse = std::numeric_limits<double>::quiet_NaN(); ///< see scoreWithCoarse
  /// With Selection::ValidationSolve: false when the kept step scored no
  /// better than the same M without the network (the base, or the identity,
  /// with the coarse space if any): GNP then applies that instead, and
  /// scoreWithoutNetwork is what it scores (bestScore stays the kept step's).
  bool networkUsed = true;
  double scoreWithoutNetwork = std::numeric_limits<double>::quiet_NaN(); ///< that score; NaN unless judged
  double seconds = 0.0;                                                  ///< wall time of training
  StopReason reason = StopReason::Steps;                                 ///< why it ended
  std::string message;                                                   ///< non-empty when training diverged
  std::vector<double> stepSeconds;                                       ///< wall time of each step (slowest rank)
  std::vector<double> stepCpuSeconds;                                    ///< this process's CPU time of each step
};

std::string toString(StopReason reason);

/// Adam's learning rate at `step` (0-based): a linear warm-up over the first
/// warmupSteps steps, then constant or half a cosine that would reach 0 one
/// step after the step budget.
double learningRateAt(const Options& options, int step);

/// The wall-time budget training runs under (0: none): options.maxSeconds, or
/// where that is kAutomaticSeconds, 30 s plus 1 ms per row on each rank. A
/// step costs about 6 to 9 us per row on each rank (docs/performance.md), so
/// that is the sweep's budget on matrices of up to 10^4 rows per rank and
/// about a hundred steps on large ones: at 10^6 rows on 2 ranks, 9 minutes
/// instead of the 10 hours of 8000 steps (docs/results/patience-study.md).
double trainingSeconds(const Options& options, std::int64_t globalRows, int ranks);

/// The parameter-list spellings of a choice's values ("l1", "relative l1", ...),
/// in the order of the enum; Gnp::OptionTable validates and reads them.
template <class E>
const std::vector<std::pair<E, const char*>>& spellings();
template <>
const std::vector<std::pair<Loss, const char*>>& spellings<Loss>();
template <>
const std::vector<std::pair<Schedule, const char*>>& spellings<Schedule>();
template <>
const std::vector<std::pair<Selection, const char*>>& spellings<Selection>();
template <>
const std::vector<std::pair<Base, const char*>>& spellings<Base>();
template <>
const std::vector<std::pair<Composition, const char*>>& spellings<Composition>();
template <>
const std::vector<std::pair<Verbosity, const char*>>& spellings<Verbosity>();
template <>
const std::vector<std::pair<Coarse, const char*>>& spellings<Coarse>();

/// A choice's spelling, e.g. toString(Base::Ilut) = "ilut".
template <class E, class = std::enable_if_t<std::is_enum_v<E>>>
std::string toString(E value) {
  for (const auto& [v, name] : spellings<E>())
    if (v == value) return name;
  return "?";
}

/// The choice a spelling names, e.g. fromString<Base>("ilut") = Base::Ilut; none if it names none.
template <class E, class = std::enable_if_t<std::is_enum_v<E>>>
std::optional<E> fromString(const std::string& spelling) {
  for (const auto& [v, name] : spellings<E>())
    if (spelling == name) return v;
  return std::nullopt;
}

} // namespace Gnp

#endif
