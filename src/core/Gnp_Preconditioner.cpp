#include "Gnp_Preconditioner.hpp"

#include "Gnp_Arnoldi.hpp"
#include "Gnp_BaseOperator.hpp"
#include "Gnp_CandidateRanking.hpp"
#include "Gnp_DistributedOperator.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_Fnv1a.hpp"
#include "Gnp_GraphOperator.hpp"
#include "Gnp_HostBridge.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_ModelFile.hpp"
#include "Gnp_Network.hpp"
#include "Gnp_OptionTable.hpp"
#include "Gnp_ProgressPrinter.hpp"
#include "Gnp_Scaling.hpp"
#include "Gnp_TpetraDistributedOperator.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Teuchos_TimeMonitor.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace Gnp {
namespace {

// Rank 0 reads the whole file; every rank gets its bytes, or the same error.
std::string readOnRoot(const std::string& path, const Teuchos::Comm<int>& comm) {
  std::string bytes, error;
  if (comm.getRank() == 0) try {
      bytes = ModelFile::read(path);
    } catch (const std::invalid_argument& e) {
      error = e.what();
    }
  broadcastString(comm, error);
  if (!error.empty()) throw std::invalid_argument(error);
  broadcastString(comm, bytes);
  return bytes;
}

// What TrainingReport::bestScore measures under the selection rule.
const char* scoreName(const Options& o) {
  switch (o.selection) {
    case Selection::TrainingLoss: return "training loss";
    case Selection::ValidationLoss: return "validation loss";
    case Selection::ValidationSolve: return "validation solve score";
  }
  return "score";
}

// Ifpack2's pattern: one Teuchos::TimeMonitor counter per phase, shared by every
// instance, so that TimeMonitor::summarize() lists GNP's phases beside Belos'.
Teuchos::Time& counter(const std::string& name) {
  Teuchos::RCP<Teuchos::Time> timer = Teuchos::TimeMonitor::lookupCounter(name);
  if (timer.is_null()) timer = Teuchos::TimeMonitor::getNewCounter(name);
  return *timer;
}

// A hash of this rank's entries (positions and value bits): whether A's values
// changed since the network's copy of Â was made.
template <class SC, class LO, class GO, class NO>
std::uint64_t localEntriesHash(const Tpetra::RowMatrix<SC, LO, GO, NO>& A) {
  Fnv1a h;
  forEachLocalEntry(A, [&](LO row, LO column, SC value) {
    double v = static_cast<double>(value);
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    h.add(static_cast<std::uint64_t>(row)), h.add(static_cast<std::uint64_t>(column)), h.add(bits);
  });
  return h.value();
}

void requireSameSize(const ModelFile& m, std::int64_t rows, const std::string& path) {
  if (m.rows != rows)
    throw std::invalid_argument("GNP model file '" + path + "' was trained for a matrix with " +
                                std::to_string(m.rows) + " rows, but this matrix has " + std::to_string(rows) +
                                "; a model only fits the matrix (or a same-sized variant) it was trained for");
}

} // namespace

template <class SC, class LO, class GO, class NO>
Preconditioner<SC, LO, GO, NO>::Preconditioner(const Teuchos::RCP<const row_matrix_type>& A) : A_(A) {
  if (A_.is_null()) throw std::invalid_argument("Gnp::Preconditioner: the matrix is null");
}

template <class SC, class LO, class GO, class NO>
Preconditioner<SC, LO, GO, NO>::~Preconditioner() = default;

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::setMatrix(const Teuchos::RCP<const row_matrix_type>& A) {
  if (A.is_null()) throw std::invalid_argument("Gnp::Preconditioner::setMatrix: the matrix is null");
  checkMatrix(*A, "the matrix given to GNP's setMatrix");
  A_ = A;
  matrixReplaced_ = true;
  computed_ = false;
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Teuchos::ParameterList> Preconditioner<SC, LO, GO, NO>::getValidParameters() {
  return OptionTable::validParameters();
}

template <class SC, class LO, class GO, class NO>
Options Preconditioner<SC, LO, GO, NO>::validateParameters(const Teuchos::ParameterList& params) {
  return OptionTable::read(params);
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::setParameters(const Teuchos::ParameterList& params) {
  options_ = OptionTable::read(params);
  initialized_ = computed_ = false;
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::initialize() {
  Teuchos::TimeMonitor monitor(counter("Gnp::Preconditioner::initialize"));
  Teuchos::Time timer("GNP initialize", true);
  initialized_ = computed_ = false;
  checkMatrix(*A_, "the matrix given to GNP");
  // Checked before training, so that a long training is not lost to a folder that does not exist.
  requireWritableFolder("\"gnp: save model\"", options_.saveModel, *A_->getComm());
  if (options_.initialModel.empty()) {
    buildNetwork(gershgorinBound(*A_), options_.base);
  } else {
    // An initial model that cannot serve is a bad value of "gnp: initial model", found before any training.
    ModelFile m;
    try {
      m = ModelFile::decode(readOnRoot(options_.initialModel, *A_->getComm()), options_.initialModel);
      requireSameSize(m, static_cast<std::int64_t>(A_->getGlobalNumRows()), options_.initialModel);
      m.requireFits(options_, options_.initialModel);
    } catch (const std::invalid_argument& e) {
      throw Teuchos::Exceptions::InvalidParameterValue(e.what());
    }
    // The network goes on as a correction to the base it was trained with ("auto" takes it).
    buildNetwork(gershgorinBound(*A_), options_.base == Base::Auto ? m.options.base : options_.base);
    try {
      network_->setState(m.tensors);
    } catch (const std::invalid_argument& e) {
      throw Teuchos::Exceptions::InvalidParameterValue("GNP model file '" + options_.initialModel +
                                                       "' does not fit this network: " + e.what());
    }
  }
  initialized_ = true;
  trained_ = false;
  ++numInitialize_;
  initializeTime_ += timer.stop();
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::buildNetwork(double gamma, Base base) {
  const auto crs = Teuchos::rcp_dynamic_cast<const Tpetra::CrsMatrix<SC, LO, GO, NO>>(A_);
  if (crs.is_null())
    throw std::invalid_argument(
        "Gnp::Preconditioner: GNP needs a Tpetra::CrsMatrix (its graph convolutions "
        "run on the local CSR arrays)");
  gamma_ = gamma;
  entriesHash_ = localEntriesHash(*A_);
  matrixReplaced_ = false;
  graph_ = std::make_shared<TpetraDistributedOperator<SC, LO, GO, NO>>(crs, 1.0 / gamma_);
  network_ = std::make_unique<Network>(options_, graph_);
  base_ = base;
  network_->setBase(base_ == Base::Auto ? chooseBase(crs) : makeBaseOperator(base_, crs, gamma_, graph_, options_));
}

template <class SC, class LO, class GO, class NO>
std::function<void(const double*, double*, int)> Preconditioner<SC, LO, GO, NO>::chooseBase(
    const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& crs) {
  // Cheapest first: on a tie, the earlier is kept.
  const std::vector<Base>& candidates = options_.baseCandidates;
  CandidateRanking ranking(options_.baseConvergedTolerance, options_.validationIterations);
  std::vector<BlockOperator> built;
  for (Base candidate : candidates) {
    Trial trial;
    trial.name = toString(candidate);
    Teuchos::Time clock("GNP base trial", true);
    try {
      built.push_back(makeBaseOperator(candidate, crs, gamma_, graph_, options_));
    } catch (const BaseUnavailable& e) { // the same on every rank
      built.emplace_back();
      trial.built = false;
      trial.failure = e.reason();
    }
    trial.buildSeconds = clock.stop();
    if (trial.built) {
      clock.reset(), clock.start();
      trial.residuals = network_->baseResiduals(built.back());
      trial.solveSeconds = clock.stop();
    }
    trial.buildSeconds = maxOverRanks(*crs->getComm(), trial.buildSeconds);
    trial.solveSeconds = maxOverRanks(*crs->getComm(), trial.solveSeconds);
    ranking.add(std::move(trial));
  }
  std::string leftOut;
  for (const Trial& t : ranking.trials())
    if (!t.built) leftOut += "; " + t.name + " is out: " + t.failure;
  const int best = ranking.best();
  if (best < 0)
    throw std::invalid_argument(
        "GNP: \"gnp: base preconditioner\" is \"auto\", but no base in \"gnp: base candidates\" can be used for "
        "this matrix" +
        leftOut + "; add \"none\" or \"jacobi\" to the candidates");
  base_ = candidates[best];
  progressPrinter().say(options_, Verbosity::Low,
                        "base preconditioner \"auto\": " + ranking.trials()[best].name +
                            " (validation solve: " + ranking.reason() + ")" + leftOut);
  return built[best];
}

template <class SC, class LO, class GO, class NO>
ProgressPrinter Preconditioner<SC, LO, GO, NO>::progressPrinter() const {
  return ProgressPrinter(Teuchos::getFancyOStream(Teuchos::rcpFromRef(std::cout)), A_->getComm()->getRank() == 0);
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::save(const std::string& path) const {
  if (!computed_)
    throw std::runtime_error("Gnp::Preconditioner::save: nothing to save; call compute() (training) or load() first");
  ModelFile m;
  m.rows = static_cast<std::int64_t>(A_->getGlobalNumRows());
  m.entries = static_cast<std::int64_t>(A_->getGlobalNumEntries());
  m.gamma = gamma_;
  m.options = options_;
  m.options.base = base_;                                         // what "auto" chose: a loaded model has the same base
  if (getCoarseDimension() == 0) m.options.coarse = Coarse::None; // dropped after training
  m.stepsRun = report_.stepsRun;
  m.bestStep = report_.bestStep;
  m.bestScore = report_.bestScore;
  m.networkUsed = network_->networkUsed();
  m.tensors = network_->state();
  std::string error;
  if (A_->getComm()->getRank() == 0) {
    const std::string bytes = m.encode();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out)
      error = "Gnp::Preconditioner::save: cannot write '" + path + "'; check that its folder exists and is writable";
  }
  broadcastString(*A_->getComm(), error);
  if (!error.empty()) throw std::runtime_error(error);
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::load(const std::string& path) {
  Teuchos::TimeMonitor monitor(counter("Gnp::Preconditioner::load"));
  Teuchos::Time timer("GNP load", true);
  initialized_ = computed_ = false;
  const ModelFile m = ModelFile::decode(readOnRoot(path, *A_->getComm()), path);
  checkMatrix(*A_, "the matrix given to GNP");
  requireSameSize(m, static_cast<std::int64_t>(A_->getGlobalNumRows()), path);
  options_ = m.options;
  buildNetwork(m.gamma, options_.base);
  network_->setState(m.tensors);
  network_->setNetworkUsed(m.networkUsed);
  if (options_.coarse != Coarse::None) setCoarseSpace(krylovRun(options_.coarseDimension));
  report_ = TrainingReport();
  report_.stepsRun = m.stepsRun;
  report_.bestStep = m.bestStep;
  report_.bestScore = m.bestScore;
  report_.networkUsed = m.networkUsed;
  initialized_ = computed_ = trained_ = true;
  initializeTime_ += timer.stop();
}

template <class SC, class LO, class GO, class NO>
bool Preconditioner<SC, LO, GO, NO>::valuesChanged() const {
  const int mine = localEntriesHash(*A_) != entriesHash_ ? 1 : 0;
  int any = 0;
  Teuchos::reduceAll<int, int>(*A_->getComm(), Teuchos::REDUCE_MAX, 1, &mine, &any);
  return any != 0;
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::followValues() {
  // The base keeps the kind initialize() chose ("auto" is not asked again): the
  // network was trained as a correction to that base.
  const auto state = network_->state();
  buildNetwork(gershgorinBound(*A_), base_);
  network_->setState(state);
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::compute() {
  if (!initialized_) initialize();
  Teuchos::TimeMonitor monitor(counter("Gnp::Preconditioner::compute"));
  Teuchos::Time timer("GNP compute", true);
  computed_ = false;
  if (matrixReplaced_ || valuesChanged()) followValues();
  // Training samples: Arnoldi on Â from a seeded start vector (docs/method.md
  // section 3); a coarse space comes from the same run (section 7).
  const bool coarse = options_.coarse != Coarse::None;
  const auto krylov =
      krylovRun(coarse ? std::max(options_.arnoldiSteps, options_.coarseDimension) : options_.arnoldiSteps);
  const auto Q = krylovSampleBasis(firstSteps(krylov, options_.arnoldiSteps));
  if (coarse) setCoarseSpace(krylov);
  ProgressPrinter printer = progressPrinter();
  // An eighth: on a sequence of 30 convection-diffusion matrices it kept a fresh
  // build's iterations at a sixth of its cost (docs/performance.md).
  const int steps = !trained_ ? 0 : options_.warmStartSteps > 0 ? options_.warmStartSteps : (options_.steps + 7) / 8;
  if (Q.is_null()) {
    report_ = network_->train(nullptr, 0, 0, &printer, steps);
  } else {
    auto q = hostRead(*Q);
    report_ = network_->train(q.data(), q.stride(1), static_cast<int>(Q->getNumVectors()), &printer, steps);
  }
  computed_ = trained_ = true;
  ++numCompute_;
  computeTime_ += timer.stop();
  if (!options_.saveModel.empty()) save(options_.saveModel);
}

template <class SC, class LO, class GO, class NO>
ArnoldiResult<SC, LO, GO, NO> Preconditioner<SC, LO, GO, NO>::krylovRun(int steps) const {
  const GraphOperator<SC, LO, GO, NO> scaled(graph_, A_->getRangeMap());
  return arnoldi(scaled, *seededStartVector<SC, LO, GO, NO>(A_->getRangeMap(), options_.seed), steps);
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::setCoarseSpace(const ArnoldiResult<SC, LO, GO, NO>& krylov) {
  // 1e-10: Z = V Y S⁻¹ amplifies rounding by 1/s, and Â is scaled to norm <= 1.
  const auto basis = coarseBasis(firstSteps(krylov, options_.coarseDimension), 1e-10);
  const int k = basis.Z.is_null() ? 0 : static_cast<int>(basis.Z->getNumVectors());
  std::string said = "coarse space \"" + toString(options_.coarse) + "\": " + std::to_string(k) + " Arnoldi directions";
  if (basis.dropped > 0)
    said += " (" + std::to_string(basis.dropped) +
            " dropped: their singular values of the Arnoldi Hessenberg matrix are below 1e-10 of the largest)";
  progressPrinter().say(options_, Verbosity::Low, said);
  if (k == 0) {
    network_->setCoarseSpace(nullptr, 0, nullptr, 0, 0);
    return;
  }
  auto z = hostRead(*basis.Z);
  auto w = hostRead(*basis.W);
  network_->setCoarseSpace(z.data(), z.stride(1), w.data(), w.stride(1), k);
}

template <class SC, class LO, class GO, class NO>
bool Preconditioner<SC, LO, GO, NO>::getNetworkUsed() const {
  return network_ ? network_->networkUsed() : false;
}

template <class SC, class LO, class GO, class NO>
int Preconditioner<SC, LO, GO, NO>::getCoarseDimension() const {
  return network_ ? network_->coarseDimension() : 0;
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode, SC alpha,
                                           SC beta) const {
  if (!computed_)
    throw std::runtime_error(
        "Gnp::Preconditioner::apply: the preconditioner is not computed; call "
        "initialize() and compute() (training) before apply()");
  if (mode != Teuchos::NO_TRANS)
    throw std::invalid_argument(
        "Gnp::Preconditioner::apply: GNP is a nonlinear operator and has no "
        "transpose; use mode NO_TRANS (as a right preconditioner of flexible GMRES)");
  if (X.getNumVectors() != Y.getNumVectors())
    throw std::invalid_argument("Gnp::Preconditioner::apply: X has " + std::to_string(X.getNumVectors()) +
                                " columns but Y has " + std::to_string(Y.getNumVectors()));
  if (!X.getMap()->isSameAs(*getDomainMap()) || !Y.getMap()->isSameAs(*getRangeMap()))
    throw std::invalid_argument(
        "Gnp::Preconditioner::apply: the multivectors' maps differ from the "
        "matrix's domain/range map; build X and Y on A->getDomainMap()");
  Teuchos::TimeMonitor monitor(counter("Gnp::Preconditioner::apply"));
  Teuchos::Time timer("GNP apply", true);
  // M(X) goes to a fresh multivector first, so X may alias Y. The network reads
  // X through one pointer and a stride: a non-contiguous view of columns is copied.
  Teuchos::RCP<const mv_type> x = Teuchos::rcpFromRef(X);
  if (!X.isConstantStride()) x = Teuchos::rcp(new mv_type(X, Teuchos::Copy));
  mv_type z(Y.getMap(), Y.getNumVectors(), false);
  {
    auto xv = hostRead(*x);
    auto zv = hostOverwrite(z);
    network_->apply(xv.data(), xv.stride(1), zv.data(), zv.stride(1), static_cast<int>(X.getNumVectors()));
  }
  // M_A(r) = M_Â(r) / γ since A⁻¹ = Â⁻¹ / γ.
  Y.update(alpha / SC(gamma_), z, beta);
  ++numApply_;
  applyTime_ += timer.stop();
}

template <class SC, class LO, class GO, class NO>
const std::vector<double>& Preconditioner<SC, LO, GO, NO>::getLossHistory() const {
  static const std::vector<double> none;
  return network_ ? network_->lossHistory() : none;
}

template <class SC, class LO, class GO, class NO>
std::int64_t Preconditioner<SC, LO, GO, NO>::getParameterCount() const {
  return network_ ? network_->parameterCount() : 0;
}

template <class SC, class LO, class GO, class NO>
std::string Preconditioner<SC, LO, GO, NO>::description() const {
  std::ostringstream os;
  os << "Gnp::Preconditioner: {initialized: " << initialized_ << ", computed: " << computed_
     << ", base: " << toString(base_) << ", network used: " << getNetworkUsed()
     << ", coarse space: " << getCoarseDimension() << ", layers: " << options_.layers
     << ", embedding: " << options_.embedding << ", steps run: " << report_.stepsRun
     << ", kept step: " << report_.bestStep << ", its " << scoreName(options_) << ": " << report_.bestScore << "}";
  return os.str();
}

template <class SC, class LO, class GO, class NO>
void Preconditioner<SC, LO, GO, NO>::describe(Teuchos::FancyOStream& out, const Teuchos::EVerbosityLevel level) const {
  if (level == Teuchos::VERB_NONE || A_->getComm()->getRank() != 0) return;
  out << description() << "\n";
  if (level == Teuchos::VERB_LOW || level == Teuchos::VERB_DEFAULT) return;
  Teuchos::OSTab tab(out);
  out << "matrix: " << A_->getGlobalNumRows() << " rows, " << A_->getGlobalNumEntries() << " entries on "
      << A_->getComm()->getSize() << " ranks; gamma (Gershgorin bound): " << gamma_ << "\n"
      << "network: " << getParameterCount() << " trainable parameters\n"
      << "training: " << report_.stepsRun << " steps in " << report_.seconds << " s (" << toString(report_.reason)
      << "); kept step " << report_.bestStep << ", " << scoreName(options_) << " " << report_.bestScore;
  if (std::isfinite(report_.validationUnpreconditioned))
    out << " (" << report_.validationUnpreconditioned << " without a preconditioner)";
  out << "\ncalls: initialize " << numInitialize_ << " (" << initializeTime_ << " s), compute " << numCompute_ << " ("
      << computeTime_ << " s), apply " << numApply_ << " (" << applyTime_ << " s)\n";
  if (level == Teuchos::VERB_MEDIUM) return;
  out << "settings:\n";
  {
    Teuchos::OSTab settings(out);
    for (const auto& [name, value] : OptionTable::toText(options_)) out << name << " = " << value << "\n";
  }
  if (level == Teuchos::VERB_HIGH) return;
  out << "loss of every step:";
  for (double loss : getLossHistory()) out << " " << loss;
  out << "\n";
}

GNP_INSTANTIATE_CLASS(Preconditioner)

} // namespace Gnp
