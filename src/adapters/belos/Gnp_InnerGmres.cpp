#include "Gnp_InnerGmres.hpp"

#include "Gnp_Types.hpp"

#include <BelosBlockGmresSolMgr.hpp>
#include <BelosLinearProblem.hpp>
#include <BelosTpetraAdapter.hpp>

#include <stdexcept>

namespace Gnp {

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Teuchos::ParameterList> InnerGmres<SC, LO, GO, NO>::getValidParameters() {
  static const Teuchos::RCP<const Teuchos::ParameterList> valid = [] {
    auto p = Teuchos::rcp(new Teuchos::ParameterList("GMRES"));
    p->set("Maximum Iterations", 10, "Inner GMRES iterations per apply (no restart)");
    p->set("Convergence Tolerance", 1e-6, "Inner relative residual at which an apply stops early");
    return Teuchos::RCP<const Teuchos::ParameterList>(p);
  }();
  return valid;
}

template <class SC, class LO, class GO, class NO>
InnerGmres<SC, LO, GO, NO>::InnerGmres(Teuchos::RCP<const operator_type> A, const Teuchos::ParameterList& params)
    : A_(std::move(A)) {
  Teuchos::ParameterList p(params);
  p.validateParametersAndSetDefaults(*getValidParameters());
  iterations_ = p.get<int>("Maximum Iterations");
  tolerance_ = p.get<double>("Convergence Tolerance");
  if (iterations_ < 1) throw std::invalid_argument("GMRES preconditioner: \"Maximum Iterations\" must be at least 1");
  if (!(tolerance_ >= 0.0 && tolerance_ < 1.0))
    throw std::invalid_argument("GMRES preconditioner: \"Convergence Tolerance\" must be in [0, 1)");
}

template <class SC, class LO, class GO, class NO>
void InnerGmres<SC, LO, GO, NO>::apply(const mv_type& X, mv_type& Y, Teuchos::ETransp mode, SC alpha, SC beta) const {
  if (mode != Teuchos::NO_TRANS)
    throw std::invalid_argument("GMRES preconditioner: no transpose (it is a nonlinear operator)");
  auto params = Teuchos::rcp(new Teuchos::ParameterList);
  params->set("Num Blocks", iterations_);
  params->set("Maximum Iterations", iterations_);
  params->set("Convergence Tolerance", tolerance_);
  params->set("Verbosity", static_cast<int>(Belos::Errors));
  auto z = Teuchos::rcp(new mv_type(Y.getMap(), Y.getNumVectors(), true));
  auto x = Teuchos::rcp(new mv_type(X, Teuchos::Copy)); // X may alias Y
  auto problem = Teuchos::rcp(new Belos::LinearProblem<SC, mv_type, operator_type>(A_, z, x));
  problem->setProblem();
  Belos::BlockGmresSolMgr<SC, mv_type, operator_type> solver(problem, params);
  solver.solve(); // an unconverged inner solve is the normal case
  Y.update(alpha, *z, beta);
}

GNP_INSTANTIATE_CLASS(InnerGmres)

} // namespace Gnp
