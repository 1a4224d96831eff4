#ifndef GNP_RIGHTHANDSIDE_HPP
#define GNP_RIGHTHANDSIDE_HPP

#include <Tpetra_CrsMatrix.hpp>
#include <Tpetra_MultiVector.hpp>
#include <Tpetra_Operator.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace Gnp {

/// Which system the evaluation protocol solves (docs/method.md section 5).
/// - Ones: b = Â·1, the paper's. Its exact solution is constant, which is also
///   what a barely trained network outputs, so it flatters GNP.
/// - RandomSolution: b = Â·x, x ~ N(0, I): the distribution GNP trains on; the
///   honest default for claims.
/// - Random: b ~ N(0, I).
/// The random vectors come from the counter-based generator, keyed by global
/// row, so they are the same on any number of ranks.
enum class RightHandSide { Ones, RandomSolution, Random };

/// The seed of the protocol's random right-hand sides (fixed, so that every
/// run and every program solves the same systems).
constexpr std::uint64_t kRightHandSideSeed = 20240501;

/// "ones", "random solution" or "random".
std::string toString(RightHandSide rhs);

/// Short file-name form: "ones", "random-solution", "random".
std::string fileTag(RightHandSide rhs);

/// Parses one name (case-insensitive; '-' and '_' count as spaces). Unknown
/// names are std::invalid_argument listing the valid ones.
RightHandSide parseRightHandSide(const std::string& name);

/// Parses a comma-separated list ("ones, random solution"): no duplicates,
/// not empty.
std::vector<RightHandSide> parseRightHandSides(const std::string& list);

/// The comma-separated form of a list, as parseRightHandSides reads it.
std::string toString(const std::vector<RightHandSide>& list);

/// What gnp-solve and gnp-bench run when nothing says otherwise: the paper's
/// b = Â·1 next to b = Â·x, so that nobody reads one for the other.
std::vector<RightHandSide> defaultRightHandSides();

/// b for the (already scaled) matrix A. A collective.
template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> protocolRightHandSide(const Tpetra::CrsMatrix<SC, LO, GO, NO>& A,
                                                                        RightHandSide rhs,
                                                                        std::uint64_t seed = kRightHandSideSeed);

/// ‖y − mean(y)·1‖ / ‖y‖ for the first column of y (0 for y = 0): how far a
/// preconditioner's output is from a constant vector. Near 0 for an untrained
/// GNP, about 1 for a random vector. A collective.
template <class SC, class LO, class GO, class NO>
double constantDeviation(const Tpetra::MultiVector<SC, LO, GO, NO>& y);

/// constantDeviation(M(b)); a null M is no preconditioner (M(b) = b). A collective.
template <class SC, class LO, class GO, class NO>
double outputConstantDeviation(const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
                               const Tpetra::MultiVector<SC, LO, GO, NO>& b);

/// Outputs whose constantDeviation is below this count as constant.
constexpr double kConstantOutputDeviation = 1e-2;

/// Whether a preconditioner's result on b = Â·1 is the constant-output
/// artifact rather than preconditioning: it beats no preconditioner there
/// (aucOnes < aucNone, Iter-AUC), and either its first iteration on b = Â·1 cut
/// the residual 100 times more than its first iteration on b = Â·x did
/// (firstResidualRandomSolution given), or, without that run, its output on
/// b = Â·1 is constant (deviationOnes < kConstantOutputDeviation). The first
/// test is the sharper one: a near-constant output can hide its variation in
/// Â's near-null space (lns_3937: deviation 0.55, one iteration to 1e-7).
/// Pass NaN for what was not measured; a NaN AUC is never an artifact.
bool constantOutputArtifact(double aucOnes, double aucNone, double firstResidualOnes,
                            double firstResidualRandomSolution, double deviationOnes);

} // namespace Gnp

#endif
