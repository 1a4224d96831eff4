#include "Gnp_GnpSolverManager.hpp"

#include "Gnp_AutoPreconditioner.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Types.hpp"

#include <BelosSolverFactory_Tpetra.hpp>
#include <BelosTpetraAdapter.hpp>
#include <Tpetra_CrsMatrix.hpp>

#include <stdexcept>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
GnpSolverManager<SC, LO, GO, NO>::GnpSolverManager() {
  auto p = Teuchos::rcp(new Teuchos::ParameterList);
  p->set("Flexible Gmres", true);
  inner_.setParameters(p);
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Teuchos::ParameterList> GnpSolverManager<SC, LO, GO, NO>::getValidParameters() const {
  auto valid = Teuchos::rcp(new Teuchos::ParameterList(*inner_.getValidParameters()));
  valid->set("Flexible Gmres", true, "Always true: GNP is a nonlinear preconditioner");
  valid->set("GNP", *Preconditioner<SC, LO, GO, NO>::getValidParameters(),
             "The GNP right preconditioner's parameters (\"gnp: ...\")");
  valid->set("Auto", *AutoPreconditioner<SC, LO, GO, NO>::getValidParameters(),
             "Instead of \"GNP\": Auto's parameters (\"auto: ...\"); it trains GNP only where no other candidate "
             "reaches the tolerance");
  return valid;
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Teuchos::ParameterList> GnpSolverManager<SC, LO, GO, NO>::getCurrentParameters() const {
  auto current = Teuchos::rcp(new Teuchos::ParameterList(*inner_.getCurrentParameters()));
  current->set(useAuto_ ? "Auto" : "GNP", useAuto_ ? autoParams_ : gnpParams_);
  return current;
}

template <class SC, class LO, class GO, class NO>
void GnpSolverManager<SC, LO, GO, NO>::setProblem(const Teuchos::RCP<Belos::LinearProblem<SC, MV, OP>>& problem) {
  problem_ = problem;
  inner_.setProblem(problem);
}

template <class SC, class LO, class GO, class NO>
void GnpSolverManager<SC, LO, GO, NO>::setParameters(const Teuchos::RCP<Teuchos::ParameterList>& params) {
  if (params.is_null()) return;
  // Belos' own lists are not validated by Block GMRES; this one is.
  Teuchos::ParameterList valid(*getValidParameters());
  valid.sublist("GNP").disableRecursiveValidation();
  valid.sublist("Auto").disableRecursiveValidation();
  try {
    params->validateParameters(valid, 0);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("invalid \"") + name + "\" parameter list: " + e.what());
  }
  if (params->isParameter("Flexible Gmres") && !params->get<bool>("Flexible Gmres"))
    throw std::invalid_argument(std::string(name) + ": \"Flexible Gmres\" must be true (GNP is nonlinear)");
  Teuchos::ParameterList belos(*params);
  if (belos.isSublist("GNP") && belos.isSublist("Auto"))
    throw std::invalid_argument(std::string(name) + ": give a \"GNP\" or an \"Auto\" sublist, not both");
  if (belos.isSublist("GNP")) {
    Preconditioner<SC, LO, GO, NO>::validateParameters(belos.sublist("GNP"));
    gnpParams_ = belos.sublist("GNP");
    belos.remove("GNP");
    useAuto_ = false;
    trainedFor_ = Teuchos::null; // build again with the new settings
  }
  if (belos.isSublist("Auto")) {
    AutoPreconditioner<SC, LO, GO, NO>::validateParameters(belos.sublist("Auto"));
    autoParams_ = belos.sublist("Auto");
    belos.remove("Auto");
    useAuto_ = true;
    trainedFor_ = Teuchos::null;
  }
  belos.set("Flexible Gmres", true);
  inner_.setParameters(Teuchos::rcp(new Teuchos::ParameterList(belos)));
}

template <class SC, class LO, class GO, class NO>
void GnpSolverManager<SC, LO, GO, NO>::reset(const Belos::ResetType type) {
  if (type & Belos::Problem) trainedFor_ = Teuchos::null; // the matrix may have changed
  inner_.reset(type);
}

template <class SC, class LO, class GO, class NO>
Belos::ReturnType GnpSolverManager<SC, LO, GO, NO>::solve() {
  if (problem_.is_null()) throw std::logic_error(std::string(name) + ": setProblem() before solve()");
  const auto A = Teuchos::rcp_dynamic_cast<const Tpetra::CrsMatrix<SC, LO, GO, NO>>(problem_->getOperator());
  if (A.is_null())
    throw std::invalid_argument(std::string(name) +
                                ": the linear problem's operator must be a Tpetra::CrsMatrix "
                                "(GNP trains on its graph and values)");
  if (trainedFor_ != problem_->getOperator()) {
    gnp_ = Teuchos::null, auto_ = Teuchos::null;
    if (useAuto_) {
      auto_ = Teuchos::rcp(new AutoPreconditioner<SC, LO, GO, NO>(A));
      auto_->setParameters(autoParams_);
      auto_->compute();
      prec_ = auto_;
    } else {
      gnp_ = Teuchos::rcp(new Preconditioner<SC, LO, GO, NO>(A));
      gnp_->setParameters(gnpParams_);
      gnp_->compute();
      prec_ = gnp_;
    }
    trainedFor_ = problem_->getOperator();
  }
  problem_->setRightPrec(prec_);
  problem_->setProblem();
  inner_.setProblem(problem_);
  return inner_.solve();
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Preconditioner<SC, LO, GO, NO>> GnpSolverManager<SC, LO, GO, NO>::getPreconditioner() const {
  if (auto_.is_null()) return gnp_;
  return auto_->getGnp();
}

template <class SC, class LO, class GO, class NO>
std::string GnpSolverManager<SC, LO, GO, NO>::description() const {
  return std::string("Gnp::GnpSolverManager (\"") + name + "\"): " + inner_.description();
}

void registerBelosSolver() {
  using SC = DefaultScalar;
  using Manager = GnpSolverManager<SC, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
  Belos::Impl::registerSolverSubclassForTypes<Manager, SC, Manager::MV, Manager::OP>(Manager::name);
}

GNP_INSTANTIATE_CLASS(GnpSolverManager)

} // namespace Gnp
