#ifndef GNP_AUTOPRECONDITIONER_HPP
#define GNP_AUTOPRECONDITIONER_HPP

#include <Teuchos_ParameterList.hpp>
#include <Tpetra_CrsMatrix.hpp>
#include <Tpetra_Operator.hpp>

#include <memory>
#include <string>
#include <vector>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
class Preconditioner;
class CandidateRanking;

/// "Auto": the preconditioner that pays. compute() builds the candidates of
/// "auto: candidates" (cheapest first), solves one validation problem
/// b = A·x (x seeded, the same on any number of ranks) with flexible GMRES and
/// each of them, and keeps the one with the lowest expected time to "auto:
/// tolerance", construction included, for "auto: right-hand sides" solves
/// (Gnp::CandidateRanking, the rule GNP's "auto" base uses too). GNP is trained
/// only when no other candidate reaches the tolerance, as a correction to the
/// best of them that it can use as a base, and is kept only if it ranks first.
/// Rank 0 prints what was tried and why the choice was made. Life cycle as in
/// Ifpack2; apply() is the chosen preconditioner's (the identity for "None").
template <class SC, class LO, class GO, class NO>
class AutoPreconditioner : public Tpetra::Operator<SC, LO, GO, NO> {
public:
  using crs_matrix_type = Tpetra::CrsMatrix<SC, LO, GO, NO>; ///< the matrix type
  using operator_type = Tpetra::Operator<SC, LO, GO, NO>;    ///< a candidate's type
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;       ///< what apply() takes
  using map_type = Tpetra::Map<LO, GO, NO>;                  ///< the maps' type

  /// The default candidates, in the order they are tried.
  static const char* defaultCandidates() { return "RELAXATION, ILUT, MueLu, GMRES, GNP"; }

  /// Keeps A; nothing is built until compute().
  explicit AutoPreconditioner(const Teuchos::RCP<const crs_matrix_type>& A);
  ~AutoPreconditioner() override;

  /// "auto: ..." parameters with defaults, documentation and validators, and
  /// one optional sublist per candidate type (that type's own parameters).
  static Teuchos::RCP<const Teuchos::ParameterList> getValidParameters();
  /// Reads, checks, then commits: unknown names, wrong types, out-of-range
  /// values, unknown or repeated candidates and invalid candidate sublists are
  /// Teuchos::Exceptions::InvalidParameter errors naming the parameter; the
  /// settings stay as they were.
  void setParameters(const Teuchos::ParameterList& params);
  /// The checks of setParameters alone (for factories that validate early).
  static void validateParameters(const Teuchos::ParameterList& params);

  /// Checks A (square, finite, no zero row).
  void initialize();
  /// Whether initialize() has run since the last setParameters().
  bool isInitialized() const { return initialized_; }
  /// Tries the candidates on A's current values and keeps the best; a second
  /// compute() chooses again from scratch (the values may have changed).
  void compute();
  /// Whether compute() has run since the last setParameters() or initialize().
  bool isComputed() const { return computed_; }

  /// Y = beta·Y + alpha·P(X), P the chosen preconditioner. NO_TRANS only.
  void apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode = Teuchos::NO_TRANS,
             SC alpha = Teuchos::ScalarTraits<SC>::one(), SC beta = Teuchos::ScalarTraits<SC>::zero()) const override;
  /// A's domain map.
  Teuchos::RCP<const map_type> getDomainMap() const override { return A_->getDomainMap(); }
  /// A's range map.
  Teuchos::RCP<const map_type> getRangeMap() const override { return A_->getRangeMap(); }
  /// false: the chosen preconditioner may be nonlinear.
  bool hasTransposeApply() const override { return false; }

  /// The chosen candidate's type (after compute): one of the Factory's names.
  const std::string& getChoice() const { return choice_; }
  /// Why it was chosen: one line (after compute).
  std::string getReason() const;
  /// What was tried: every candidate's build time, validation solve and residuals.
  const CandidateRanking& getRanking() const;
  /// The chosen preconditioner (null for "None").
  Teuchos::RCP<operator_type> getChosen() const { return chosen_; }
  /// The trained GNP when it was chosen, else null.
  Teuchos::RCP<Preconditioner<SC, LO, GO, NO>> getGnp() const { return gnp_; }
  /// One line: the state and the choice.
  std::string description() const override;

private:
  struct Settings {
    std::vector<std::string> candidates;
    double tolerance = 1e-8;
    int iterations = 100, restart = 30, rightHandSides = 1;
    bool verbose = true;
    std::string saveChoice;
    Teuchos::ParameterList candidateParameters;
  };
  static Settings read(const Teuchos::ParameterList& params);
  struct Contender; // a candidate being tried: its trial so far, its preconditioner and x
  /// The trials: the classical candidates cheapest first, in turns of whole
  /// restart cycles, the next built only when none tried is on course to
  /// converge; GNP last and only where none converged. Fills ranking_,
  /// tried_; returns a line for each candidate not tried or
  /// stopped early.
  std::string tryCandidates(const mv_type& b);
  /// Builds c's preconditioner; a std::runtime_error (on any rank) is a failed trial.
  void build(Contender& c, const Teuchos::ParameterList& params) const;
  /// Goes on with c's validation solve on b for at most `iterations` more iterations.
  void advance(Contender& c, const mv_type& b, int iterations) const;
  /// Writes the choice to "auto: save choice" as a run-list entry (rank 0; a collective).
  void saveChoice(const Teuchos::ParameterList& chosenParameters) const;
  /// The GNP sublist, with the base set from the best classical trial unless given.
  Teuchos::ParameterList gnpParameters(const CandidateRanking& classical) const;

  Teuchos::RCP<const crs_matrix_type> A_;
  Settings settings_;
  std::unique_ptr<CandidateRanking> ranking_;
  std::vector<Contender> tried_; ///< in the ranking's order, until the choice is made
  std::string choice_;
  Teuchos::RCP<operator_type> chosen_;
  Teuchos::RCP<Preconditioner<SC, LO, GO, NO>> gnp_;
  bool initialized_ = false, computed_ = false;
};

} // namespace Gnp

#endif
