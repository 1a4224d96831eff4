#include "Gnp_GnpSolverManager.hpp"

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
  return valid;
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Teuchos::ParameterList> GnpSolverManager<SC, LO, GO, NO>::getCurrentParameters() const {
  auto current = Teuchos::rcp(new Teuchos::ParameterList(*inner_.getCurrentParameters()));
  current->set("GNP", gnpParams_);
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
  try {
    params->validateParameters(valid, 0);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("invalid \"") + name + "\" parameter list: " + e.what());
  }
  if (params->isParameter("Flexible Gmres") && !params->get<bool>("Flexible Gmres"))
    throw std::invalid_argument(std::string(name) + ": \"Flexible Gmres\" must be true (GNP is nonlinear)");
  Teuchos::ParameterList belos(*params);
  if (belos.isSublist("GNP")) {
    Preconditioner<SC, LO, GO, NO>::validateParameters(belos.sublist("GNP"));
    gnpParams_ = belos.sublist("GNP");
    belos.remove("GNP");
    gnp_ = Teuchos::null; // retrain with the new settings
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
  if (gnp_.is_null() || trainedFor_ != problem_->getOperator()) {
    gnp_ = Teuchos::rcp(new Preconditioner<SC, LO, GO, NO>(A));
    gnp_->setParameters(gnpParams_);
    gnp_->compute();
    trainedFor_ = problem_->getOperator();
  }
  problem_->setRightPrec(gnp_);
  problem_->setProblem();
  inner_.setProblem(problem_);
  return inner_.solve();
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
