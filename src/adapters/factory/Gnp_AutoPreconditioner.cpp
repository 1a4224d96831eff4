#include "Gnp_AutoPreconditioner.hpp"

#include "Gnp_Arnoldi.hpp"
#include "Gnp_CandidateRanking.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_Factory.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_StandardParameterEntryValidators.hpp>
#include <Teuchos_XMLParameterListHelpers.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace Gnp {
namespace {

namespace X = Teuchos::Exceptions;

// The validation solve's x: its own stream of draws, not GNP's Arnoldi start.
constexpr std::uint64_t kValidationSeed = 0x4175746f; // "Auto"
// The trials take turns of at least this many iterations (whole restart cycles).
constexpr int kRoundIterations = 20;

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    items.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
  }
  return items;
}

// GNP's base spelling for a classical candidate it can use as its base at
// that candidate's settings ("" where it cannot: GNP then chooses itself).
std::string gnpBaseFor(const std::string& type, const Teuchos::ParameterList& params) {
  if (type == "ILUT" && params.numParams() == 0) return "ilut";
  if (type == "RELAXATION" &&
      (!params.isParameter("relaxation: type") || params.get<std::string>("relaxation: type") == "Jacobi") &&
      params.numParams() <= 1)
    return "jacobi";
  if (type == "GMRES" && !params.isParameter("Convergence Tolerance")) return "gmres";
  return "";
}

// Whether a trial still under way reaches `tolerance` within `budget`
// iterations if its residual keeps falling at its average rate so far.
bool onCourse(const Trial& t, double tolerance, int budget) {
  if (!t.built || t.residuals.empty()) return false;
  const double last = t.residuals.back();
  if (last <= tolerance) return true;
  if (!(last < 1.0)) return false;
  return static_cast<double>(t.residuals.size()) * std::log(tolerance) / std::log(last) <= budget;
}

} // namespace

template <class SC, class LO, class GO, class NO>
AutoPreconditioner<SC, LO, GO, NO>::AutoPreconditioner(const Teuchos::RCP<const crs_matrix_type>& A) : A_(A) {
  if (A_.is_null()) throw std::invalid_argument("Gnp::AutoPreconditioner: the matrix is null");
  settings_ = read(Teuchos::ParameterList());
}

template <class SC, class LO, class GO, class NO>
AutoPreconditioner<SC, LO, GO, NO>::~AutoPreconditioner() = default;

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Teuchos::ParameterList> AutoPreconditioner<SC, LO, GO, NO>::getValidParameters() {
  static Teuchos::RCP<const Teuchos::ParameterList> valid = [] {
    auto p = Teuchos::rcp(new Teuchos::ParameterList("Auto"));
    p->set("auto: candidates", std::string(defaultCandidates()),
           "Preconditioner types to try, comma-separated, in this order (any of the factory's but \"Auto\"); "
           "GNP is trained only when no other reaches the tolerance");
    p->set("auto: tolerance", 1e-8, "Relative residual that counts as solved in the validation solve, in (0, 1)");
    p->set("auto: iterations", 100, "The validation solve's iteration budget per candidate",
           Teuchos::rcp(new Teuchos::EnhancedNumberValidator<int>(1, 100000)));
    p->set("auto: restart", 30, "The validation solve's restart length (flexible GMRES)",
           Teuchos::rcp(new Teuchos::EnhancedNumberValidator<int>(1, 10000)));
    p->set("auto: right-hand sides", 1,
           "How many solves the choice is for: construction is paid once, the iterations this many times",
           Teuchos::rcp(new Teuchos::EnhancedNumberValidator<int>(1, 1000000000)));
    p->set("auto: save choice", std::string(),
           "A file to which compute() writes its choice as a run-list entry (XML: \"Preconditioner Type\" and "
           "\"Preconditioner Parameters\"), which gnp-solve and Gnp::Factory take as it is, so that the next run "
           "builds the choice without trying; a GNP saved by \"gnp: save model\" becomes its \"gnp: initial "
           "model\" (\"\": none)");
    Teuchos::setStringToIntegralParameter<int>("auto: verbosity", "low",
                                               "\"low\": rank 0 prints what was tried and what was chosen; \"none\"",
                                               Teuchos::tuple<std::string>("none", "low"), p.get());
    for (const auto& type : Factory<SC, LO, GO, NO>::types())
      if (type != "Auto")
        p->sublist(type, false, "Parameters of the candidate \"" + type + "\" (its own names)")
            .disableRecursiveValidation();
    return p;
  }();
  return valid;
}

template <class SC, class LO, class GO, class NO>
typename AutoPreconditioner<SC, LO, GO, NO>::Settings AutoPreconditioner<SC, LO, GO, NO>::read(
    const Teuchos::ParameterList& params) {
  Teuchos::ParameterList p(params);
  p.validateParametersAndSetDefaults(*getValidParameters(), 0);
  Settings s;
  std::set<std::string> seen;
  for (const auto& item : splitList(p.get<std::string>("auto: candidates"))) {
    std::string type;
    try {
      type = Factory<SC, LO, GO, NO>::canonicalType(item);
    } catch (const std::invalid_argument& e) {
      throw X::InvalidParameterValue("\"auto: candidates\": " + std::string(e.what()));
    }
    if (type == "Auto") throw X::InvalidParameterValue("\"auto: candidates\": \"Auto\" cannot be its own candidate");
    if (!seen.insert(type).second)
      throw X::InvalidParameterValue("\"auto: candidates\": \"" + type + "\" is listed twice");
    s.candidates.push_back(type);
  }
  if (s.candidates.empty()) throw X::InvalidParameterValue("\"auto: candidates\" is empty; name at least one type");
  s.tolerance = p.get<double>("auto: tolerance");
  if (!(s.tolerance > 0.0 && s.tolerance < 1.0))
    throw X::InvalidParameterValue("\"auto: tolerance\" must be in (0, 1), not " + std::to_string(s.tolerance));
  s.iterations = p.get<int>("auto: iterations");
  s.restart = p.get<int>("auto: restart");
  s.rightHandSides = p.get<int>("auto: right-hand sides");
  s.verbose = p.get<std::string>("auto: verbosity") == "low";
  s.saveChoice = p.get<std::string>("auto: save choice");
  for (const auto& type : Factory<SC, LO, GO, NO>::types()) {
    if (type == "Auto") continue;
    const auto& sub = p.sublist(type);
    try {
      Factory<SC, LO, GO, NO>::validate(type, sub);
    } catch (const std::invalid_argument& e) {
      throw X::InvalidParameterValue("Auto's sublist \"" + type + "\": " + e.what());
    }
    s.candidateParameters.set(type, sub);
  }
  return s;
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::validateParameters(const Teuchos::ParameterList& params) {
  read(params);
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::setParameters(const Teuchos::ParameterList& params) {
  settings_ = read(params);
  initialized_ = computed_ = false;
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::initialize() {
  checkMatrix(*A_, "the matrix given to Auto");
  initialized_ = true;
  computed_ = false;
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::compute() {
  if (!initialized_) initialize();
  computed_ = false;
  chosen_ = Teuchos::null, gnp_ = Teuchos::null;
  tried_.clear();
  requireWritableFolder("\"auto: save choice\"", settings_.saveChoice, *A_->getComm());
  ranking_ = std::make_unique<CandidateRanking>(settings_.tolerance, settings_.iterations, settings_.rightHandSides);
  const auto x = seededStartVector<SC, LO, GO, NO>(A_->getDomainMap(), kValidationSeed);
  mv_type b(A_->getRangeMap(), 1);
  A_->apply(*x, b);
  const std::string notTried = tryCandidates(b);
  const int best = ranking_->best();
  if (best < 0)
    throw std::runtime_error("Auto: none of the candidates could be built or solved:\n" + ranking_->table());
  choice_ = ranking_->trials()[best].name;
  chosen_ = tried_[best].built.op;
  gnp_ = tried_[best].built.gnp;
  const Teuchos::ParameterList chosenParameters = tried_[best].params;
  tried_.clear(); // the others' memory goes now
  if (settings_.verbose && A_->getComm()->getRank() == 0)
    std::cout << "Auto: tried on b = A x, x random (flexible GMRES(" << settings_.restart << "), at most "
              << settings_.iterations << " iterations):\n"
              << ranking_->table() << notTried << "Auto chose " << choice_ << ": " << ranking_->reason() << "\n"
              << std::flush;
  saveChoice(chosenParameters);
  computed_ = true;
}

template <class SC, class LO, class GO, class NO>
struct AutoPreconditioner<SC, LO, GO, NO>::Contender {
  Trial trial;
  typename Factory<SC, LO, GO, NO>::Built built;
  Teuchos::ParameterList params; // what it was built with
  Teuchos::RCP<mv_type> x;       // where its validation solve stands
  bool started = false, done = false;
};

template <class SC, class LO, class GO, class NO>
std::string AutoPreconditioner<SC, LO, GO, NO>::tryCandidates(const mv_type& b) {
  // Cheapest first, in rounds of whole restart cycles, so that a cheap
  // candidate that converges slowly does not spend its whole budget before a
  // stronger one has had a turn; a dearer one is built only while none tried
  // is on course to converge. A solve continued from its last x is the one it
  // would have been uninterrupted: restarted GMRES keeps nothing else.
  std::vector<Contender> contenders;
  bool gnpWanted = false;
  for (const auto& type : settings_.candidates) {
    if (type == "GNP") {
      gnpWanted = true;
      continue;
    }
    contenders.emplace_back();
    contenders.back().trial.name = type;
  }
  const int round = settings_.restart * ((kRoundIterations + settings_.restart - 1) / settings_.restart);
  const auto rankingSoFar = [&] {
    CandidateRanking r(settings_.tolerance, settings_.iterations, settings_.rightHandSides);
    for (const auto& c : contenders)
      if (c.started) r.add(c.trial);
    return r;
  };
  const auto anyOnCourse = [&] {
    return std::any_of(contenders.begin(), contenders.end(), [&](const Contender& c) {
      return c.started && !c.done && onCourse(c.trial, settings_.tolerance, settings_.iterations);
    });
  };
  std::string notTried;
  double spent = 0.0;
  for (bool more = true; more;) {
    more = false;
    for (auto& c : contenders) {
      if (c.done) continue;
      if (!c.started && anyOnCourse()) { // its turn comes if that one stalls
        more = true;
        continue;
      }
      // Going on can save at most what the remaining solves cost with the best so far.
      const CandidateRanking now = rankingSoFar();
      const int best = now.best();
      if (now.anyConverged() && spent >= now.secondsToTolerance(best) - now.trials()[best].buildSeconds) {
        c.done = true;
        notTried += "  " + c.trial.name +
                    (c.started ? ": stopped after " + std::to_string(c.trial.residuals.size()) + " iterations ("
                               : ": not tried (") +
                    now.trials()[best].name +
                    " reaches the tolerance, and going on would cost more than the solves "
                    "it could save)\n";
        continue;
      }
      const double before = c.trial.buildSeconds + c.trial.solveSeconds;
      if (!c.started) build(c, settings_.candidateParameters.sublist(c.trial.name));
      if (!c.done) advance(c, b, round);
      spent += c.trial.buildSeconds + c.trial.solveSeconds - before;
      more = more || !c.done;
    }
  }
  const CandidateRanking classical = rankingSoFar();
  if (gnpWanted && classical.anyConverged()) {
    notTried += "  GNP: not trained (" + classical.trials()[classical.best()].name + " reaches the tolerance)\n";
  } else if (gnpWanted) {
    contenders.emplace_back();
    contenders.back().trial.name = "GNP";
    build(contenders.back(), gnpParameters(classical));
    if (!contenders.back().done) advance(contenders.back(), b, settings_.iterations);
  }
  for (auto& c : contenders) {
    if (!c.started) continue;
    ranking_->add(c.trial);
    tried_.push_back(std::move(c));
  }
  return notTried;
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::build(Contender& c, const Teuchos::ParameterList& params) const {
  using Factory = Gnp::Factory<SC, LO, GO, NO>;
  c.started = true;
  c.params = params;
  std::string failure;
  try {
    c.built = Factory::create(c.trial.name, A_, params);
  } catch (const std::runtime_error& e) { // a failed build is a result; invalid parameters are not
    failure = e.what();
  }
  c.trial.buildSeconds = maxOverRanks(*A_->getComm(), c.built.seconds);
  if (maxOverRanks(*A_->getComm(), failure.empty() ? 0.0 : 1.0) > 0.0) {
    c.trial.built = false;
    c.trial.failure = failure.empty() ? "it could not be built on another rank" : failure;
    c.built = typename Factory::Built();
    c.done = true;
  }
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::advance(Contender& c, const mv_type& b, int iterations) const {
  const int left = settings_.iterations - static_cast<int>(c.trial.residuals.size());
  Teuchos::ParameterList belos;
  // Belos warns about, then shortens, a restart longer than the matrix.
  belos.set("Num Blocks", static_cast<int>(std::min<Tpetra::global_size_t>(settings_.restart, A_->getGlobalNumRows())));
  belos.set("Maximum Iterations", std::min(iterations, left));
  belos.set("Convergence Tolerance", settings_.tolerance);
  // Relative to b, not to where this round starts: the rounds are one solve.
  belos.set("Implicit Residual Scaling", "Norm of RHS");
  belos.set("Explicit Residual Scaling", "Norm of RHS");
  if (c.x.is_null()) c.x = Teuchos::rcp(new mv_type(A_->getDomainMap(), 1));
  const SolveResult r = solveFlexibleGmres<SC, LO, GO, NO>(A_, Teuchos::rcpFromRef(b), c.x, c.built.op, belos);
  c.trial.solveSeconds += maxOverRanks(*A_->getComm(), r.seconds);
  // The first residual is where this round started: the last one of the round before.
  c.trial.residuals.insert(c.trial.residuals.end(), r.residuals.begin() + (r.residuals.empty() ? 0 : 1),
                           r.residuals.end());
  if (r.failed || c.trial.residuals.empty()) {
    c.trial.built = false;
    c.trial.failure = r.failed ? "its validation solve failed: " + r.failure : "its validation solve did not iterate";
    c.built = typename Gnp::Factory<SC, LO, GO, NO>::Built();
    c.done = true;
    return;
  }
  c.done = r.converged || static_cast<int>(c.trial.residuals.size()) >= settings_.iterations;
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::saveChoice(const Teuchos::ParameterList& chosenParameters) const {
  if (settings_.saveChoice.empty()) return;
  Teuchos::ParameterList entry(choice_);
  entry.set("Preconditioner Type", choice_);
  Teuchos::ParameterList& params = entry.sublist("Preconditioner Parameters");
  params.setParameters(chosenParameters);
  // A network saved by this trial is where the next run's starts from.
  if (params.isType<std::string>("gnp: save model") && !params.get<std::string>("gnp: save model").empty()) {
    params.set("gnp: initial model", params.get<std::string>("gnp: save model"));
    params.remove("gnp: save model");
  }
  const auto& comm = *A_->getComm();
  std::string error;
  if (comm.getRank() == 0) try {
      Teuchos::writeParameterListToXmlFile(entry, settings_.saveChoice);
      if (settings_.verbose) std::cout << "Auto: wrote its choice to " << settings_.saveChoice << "\n" << std::flush;
    } catch (const std::exception& e) {
      error = "Auto could not write \"auto: save choice\" '" + settings_.saveChoice + "': " + e.what();
    }
  broadcastString(comm, error);
  if (!error.empty()) throw std::runtime_error(error);
}

template <class SC, class LO, class GO, class NO>
Teuchos::ParameterList AutoPreconditioner<SC, LO, GO, NO>::gnpParameters(const CandidateRanking& classical) const {
  Teuchos::ParameterList p = settings_.candidateParameters.sublist("GNP");
  const int best = classical.best();
  if (p.isParameter("gnp: base preconditioner") || best < 0) return p;
  const std::string& type = classical.trials()[best].name;
  const std::string base = gnpBaseFor(type, settings_.candidateParameters.sublist(type));
  if (!base.empty()) p.set("gnp: base preconditioner", base);
  const Teuchos::ParameterList& gmres = settings_.candidateParameters.sublist("GMRES");
  if (base == "gmres" && gmres.isParameter("Maximum Iterations") && !p.isParameter("gnp: base gmres iterations"))
    p.set("gnp: base gmres iterations", gmres.get<int>("Maximum Iterations"));
  return p;
}

template <class SC, class LO, class GO, class NO>
void AutoPreconditioner<SC, LO, GO, NO>::apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode, SC alpha,
                                               SC beta) const {
  if (!computed_)
    throw std::runtime_error("Gnp::AutoPreconditioner::apply: call initialize() and compute() before apply()");
  if (mode != Teuchos::NO_TRANS)
    throw std::invalid_argument("Gnp::AutoPreconditioner::apply: only NO_TRANS (the choice may be nonlinear)");
  if (chosen_.is_null())
    Y.update(alpha, X, beta);
  else
    chosen_->apply(X, Y, mode, alpha, beta);
}

template <class SC, class LO, class GO, class NO>
std::string AutoPreconditioner<SC, LO, GO, NO>::getReason() const {
  return ranking_ ? ranking_->reason() : std::string("nothing chosen yet: call compute()");
}

template <class SC, class LO, class GO, class NO>
const CandidateRanking& AutoPreconditioner<SC, LO, GO, NO>::getRanking() const {
  if (!ranking_) throw std::logic_error("Gnp::AutoPreconditioner::getRanking: call compute() first");
  return *ranking_;
}

template <class SC, class LO, class GO, class NO>
std::string AutoPreconditioner<SC, LO, GO, NO>::description() const {
  return "Gnp::AutoPreconditioner: {initialized: " + std::to_string(initialized_) +
         ", computed: " + std::to_string(computed_) + ", choice: " + (computed_ ? choice_ : std::string("none yet")) +
         "}";
}

GNP_INSTANTIATE_CLASS(AutoPreconditioner)

} // namespace Gnp
