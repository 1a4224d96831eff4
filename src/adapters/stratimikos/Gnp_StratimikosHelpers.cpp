#include "Gnp_StratimikosHelpers.hpp"

#include "Gnp_AutoPreconditioner.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_ThyraPreconditionerFactory.hpp"
#include "Gnp_Types.hpp"

#include <Stratimikos_MueLuHelpers.hpp>
#include <Teuchos_AbstractFactoryStd.hpp>
#include <Thyra_Ifpack2PreconditionerFactory.hpp>
#include <Thyra_LinearOpWithSolveFactoryHelpers.hpp>
#include <Thyra_TpetraThyraWrappers.hpp>
#include <Tpetra_CrsMatrix.hpp>

#include <stdexcept>

namespace Gnp {
namespace {

bool registered(Stratimikos::DefaultLinearSolverBuilder& builder, const std::string& name) {
  return Teuchos::sublist(builder.getValidParameters(), "Preconditioner Types")->isSublist(name);
}

} // namespace

void requireFlexibleSolverForGnp(const Teuchos::ParameterList& p) {
  if (!p.isType<std::string>("Preconditioner Type")) return;
  const std::string type = p.get<std::string>("Preconditioner Type");
  if (type != "GNP" && type != "Auto") return;
  if (!p.isType<std::string>("Linear Solver Type") || p.get<std::string>("Linear Solver Type") != "Belos") return;
  std::string solver = "Pseudo Block GMRES"; // Stratimikos' defaults
  bool flexible = false;
  if (p.isSublist("Linear Solver Types") && p.sublist("Linear Solver Types").isSublist("Belos")) {
    const Teuchos::ParameterList& belos = p.sublist("Linear Solver Types").sublist("Belos");
    if (belos.isType<std::string>("Solver Type")) solver = belos.get<std::string>("Solver Type");
    if (belos.isSublist("Solver Types") && belos.sublist("Solver Types").isSublist(solver)) {
      const Teuchos::ParameterList& settings = belos.sublist("Solver Types").sublist(solver);
      flexible = settings.isType<bool>("Flexible Gmres") && settings.get<bool>("Flexible Gmres");
    }
  }
  if (solver != "Block GMRES" || !flexible)
    throw std::invalid_argument(
        (type == "GNP" ? std::string("GNP is a nonlinear preconditioner")
                       : std::string("\"Auto\" may choose a nonlinear preconditioner (GNP, inner GMRES)")) +
        " and needs flexible GMRES, but the Stratimikos list asks Belos for \"" + solver + "\"" +
        (solver == "Block GMRES" ? " without \"Flexible Gmres\" = true" : std::string()) +
        ": set Linear Solver Types / Belos / \"Solver Type\" to \"Block GMRES\" and its Solver Types / Block GMRES / "
        "\"Flexible Gmres\" to true");
}

void enableGnp(Stratimikos::DefaultLinearSolverBuilder& builder, const std::string& name) {
  if (registered(builder, name))
    throw std::logic_error("Gnp::enableGnp: the builder already has a preconditioner type \"" + name + "\"");
  using Base = Thyra::PreconditionerFactoryBase<DefaultScalar>;
  using Impl = ThyraPreconditionerFactory<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
  builder.setPreconditioningStrategyFactory(Teuchos::abstractFactoryStd<Base, Impl>(), name);
}

void enableTpetraPreconditioners(Stratimikos::DefaultLinearSolverBuilder& builder) {
  if (!registered(builder, "GNP")) enableGnp(builder);
  if (!registered(builder, "Auto")) {
    using Base = Thyra::PreconditionerFactoryBase<DefaultScalar>;
    using Impl = ThyraPreconditionerFactory<
        DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode,
        AutoPreconditioner<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>;
    builder.setPreconditioningStrategyFactory(Teuchos::abstractFactoryStd<Base, Impl>(), "Auto");
  }
  if (!registered(builder, "Ifpack2")) {
    using Matrix = Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
    using Base = Thyra::PreconditionerFactoryBase<DefaultScalar>;
    using Impl = Thyra::Ifpack2PreconditionerFactory<Matrix>;
    builder.setPreconditioningStrategyFactory(Teuchos::abstractFactoryStd<Base, Impl>(), "Ifpack2");
  }
  if (!registered(builder, "MueLu"))
    Stratimikos::enableMueLu<DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>(builder);
}

StratimikosResult solveWithStratimikos(
    const Teuchos::RCP<const Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&
        A,
    const Teuchos::RCP<
        const Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>& b,
    const Teuchos::RCP<Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>& x,
    const Teuchos::RCP<Teuchos::ParameterList>& params) {
  using SC = DefaultScalar;
  using LO = DefaultLocalOrdinal;
  using GO = DefaultGlobalOrdinal;
  using NO = DefaultNode;
  requireFlexibleSolverForGnp(*params);
  Stratimikos::DefaultLinearSolverBuilder builder;
  enableTpetraPreconditioners(builder);
  builder.setParameterList(params);
  const auto factory = builder.createLinearSolveStrategy("");
  const auto op = Thyra::createConstLinearOp<SC, LO, GO, NO>(A);
  const auto lows = Thyra::linearOpWithSolve(*factory, op);
  const auto thyraB = Thyra::createConstMultiVector<SC, LO, GO, NO>(b);
  const auto thyraX = Thyra::createMultiVector<SC, LO, GO, NO>(x);
  const Thyra::SolveStatus<SC> status = Thyra::solve<SC>(*lows, Thyra::NOTRANS, *thyraB, thyraX.ptr());

  StratimikosResult r;
  r.converged = status.solveStatus == Thyra::SOLVE_STATUS_CONVERGED;
  r.message = status.message;
  if (!status.extraParameters.is_null() && status.extraParameters->isParameter("Iteration Count"))
    r.iterations = status.extraParameters->get<int>("Iteration Count");
  r.trueResidual = trueRelativeResidual<SC, LO, GO, NO>(*A, *x, *b);
  return r;
}

} // namespace Gnp
