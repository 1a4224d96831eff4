// "Auto" and the rule it shares with GNP's "auto" base (Gnp::CandidateRanking).
#include "Gnp_AutoPreconditioner.hpp"
#include "Gnp_CandidateRanking.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_Factory.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_TestProblems.hpp"

#include <Teuchos_XMLParameterListHelpers.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace GnpTest;
using Auto = Gnp::AutoPreconditioner<SC, LO, GO, NO>;
using Gnp::CandidateRanking;
using Gnp::Trial;

namespace {

Trial trial(const std::string& name, double build, double solve, std::vector<double> residuals) {
  Trial t;
  t.name = name, t.buildSeconds = build, t.solveSeconds = solve, t.residuals = std::move(residuals);
  return t;
}

Teuchos::ParameterList autoList(const std::string& candidates) {
  Teuchos::ParameterList p;
  p.set("auto: candidates", candidates);
  p.set("auto: verbosity", "none");
  return p;
}

Teuchos::RCP<Auto> computedAuto(const Teuchos::RCP<crs_type>& A, const Teuchos::ParameterList& p) {
  auto prec = Teuchos::rcp(new Auto(A));
  prec->setParameters(p);
  prec->initialize();
  prec->compute();
  return prec;
}

} // namespace

TEST(CandidateRanking, ATrialThatReachesTheToleranceBeatsAFasterOneThatDoesNot) {
  CandidateRanking r(1e-8, 3);
  r.add(trial("fast", 0.0, 0.001, {1e-2, 1e-4, 1e-6}));
  r.add(trial("slow", 5.0, 1.0, {1e-3, 1e-9}));
  EXPECT_EQ(r.best(), 1);
  EXPECT_EQ(r.iterationsToTolerance(1), 2);
  EXPECT_EQ(r.iterationsToTolerance(0), -1);
  EXPECT_TRUE(r.anyConverged());
}

TEST(CandidateRanking, AmongThoseThatReachItTheShortestTimeWithConstructionWins) {
  CandidateRanking r(1e-8, 100);
  r.add(trial("cheap build, many iterations", 0.0, 0.5, std::vector<double>(50, 1e-9)));
  r.add(trial("dear build, few iterations", 1.0, 0.01, {1e-9}));
  // 0 + 0.5/50·1 = 0.01 s against 1.0 + 0.01 s: the first iteration already reaches it.
  EXPECT_DOUBLE_EQ(r.secondsToTolerance(0), 0.01);
  EXPECT_DOUBLE_EQ(r.secondsToTolerance(1), 1.01);
  EXPECT_EQ(r.best(), 0);
}

TEST(CandidateRanking, MoreRightHandSidesFavourTheCheaperSolve) {
  const auto a = trial("ILU-like", 1.0, 0.1, std::vector<double>(10, 1.0));
  const auto b = trial("Jacobi-like", 0.0, 1.0, std::vector<double>(10, 1.0));
  auto converged = [](Trial t) {
    t.residuals.back() = 1e-9;
    return t;
  };
  CandidateRanking one(1e-8, 10, 1), many(1e-8, 10, 10);
  for (auto* r : {&one, &many}) r->add(converged(a)), r->add(converged(b));
  EXPECT_EQ(one.best(), 1);  // 1.1 s against 1.0 s
  EXPECT_EQ(many.best(), 0); // 2.0 s against 10 s
}

TEST(CandidateRanking, WithoutConvergenceTheLowestResidualAreaWinsWithTheLastResidualHeld) {
  CandidateRanking r(1e-12, 4);
  r.add(trial("steady", 0.0, 0.0, {1e-1, 1e-2, 1e-3, 1e-4})); // area -10
  r.add(trial("stopped early", 0.0, 0.0, {1e-3}));            // held: -12
  EXPECT_DOUBLE_EQ(r.residualArea(0), -10.0);
  EXPECT_DOUBLE_EQ(r.residualArea(1), -12.0);
  EXPECT_EQ(r.best(), 1);
  EXPECT_NE(r.reason().find("stopped early"), std::string::npos) << r.reason();
}

TEST(CandidateRanking, ATrialThatWasNotBuiltIsNeverChosenAndTiesGoToTheFirst) {
  CandidateRanking r(1e-8, 2);
  Trial broken = trial("broken", 0.0, 0.0, {1e-20, 1e-20});
  broken.built = false;
  r.add(broken);
  EXPECT_EQ(r.best(), -1);
  r.add(trial("first", 0.0, 0.0, {0.5, 0.5}));
  r.add(trial("second", 0.0, 0.0, {0.5, 0.5}));
  EXPECT_EQ(r.best(), 1);
  EXPECT_TRUE(std::isinf(r.residualArea(0)));
}

TEST(Auto, OnAnEasyMatrixKeepsAClassicalCandidateThatReachesTheToleranceAndTrainsNoGnp) {
  const auto A = convectionDiffusion(16, Tpetra::getDefaultComm());
  Teuchos::ParameterList p = autoList(Auto::defaultCandidates());
  p.set("auto: right-hand sides", 1000); // try every classical candidate
  const auto prec = computedAuto(A, p);
  const auto& ranking = prec->getRanking();
  ASSERT_EQ(ranking.trials().size(), 4u); // RELAXATION, ILUT, MueLu, GMRES; no GNP
  for (const auto& t : ranking.trials()) EXPECT_NE(t.name, "GNP");
  EXPECT_TRUE(prec->getGnp().is_null());
  const int best = ranking.best();
  EXPECT_EQ(prec->getChoice(), ranking.trials()[best].name);
  EXPECT_GT(ranking.iterationsToTolerance(best), 0);
  for (int i = 0; i < static_cast<int>(ranking.trials().size()); ++i)
    EXPECT_LE(ranking.secondsToTolerance(best), ranking.secondsToTolerance(i)) << ranking.trials()[i].name;
}

TEST(Auto, AppliesExactlyWhatItChose) {
  const auto A = convectionDiffusion(12, Tpetra::getDefaultComm());
  const auto prec = computedAuto(A, autoList("ILUT"));
  ASSERT_EQ(prec->getChoice(), "ILUT");
  mv_type x(A->getDomainMap(), 3), viaAuto(A->getRangeMap(), 3), direct(A->getRangeMap(), 3);
  x.randomize();
  prec->apply(x, viaAuto);
  prec->getChosen()->apply(x, direct);
  viaAuto.update(-1.0, direct, 1.0);
  std::vector<double> diff(3);
  viaAuto.normInf(diff);
  for (double d : diff) EXPECT_EQ(d, 0.0);
}

TEST(Auto, ChoosingNoneAppliesTheIdentity) {
  const auto A = identity(20, Tpetra::getDefaultComm());
  const auto prec = computedAuto(A, autoList("None"));
  EXPECT_EQ(prec->getChoice(), "None");
  mv_type x(A->getDomainMap(), 1), y(A->getRangeMap(), 1);
  x.randomize();
  prec->apply(x, y, Teuchos::NO_TRANS, 2.0, 0.0);
  y.update(-2.0, x, 1.0);
  EXPECT_EQ(y.getVector(0)->normInf(), 0.0);
}

TEST(Auto, StopsTryingOnceTryingHasCostMoreThanTheSolvesItCouldSave) {
  // On the identity "None" solves in one iteration: for one solve nothing else is worth building.
  const auto A = identity(50, Tpetra::getDefaultComm());
  EXPECT_EQ(computedAuto(A, autoList("None, ILUT")).get()->getRanking().trials().size(), 1u);
  Teuchos::ParameterList many = autoList("None, ILUT");
  many.set("auto: right-hand sides", 1000000000);
  EXPECT_EQ(computedAuto(A, many)->getRanking().trials().size(), 2u);
}

TEST(Auto, ADearerCandidateWaitsWhileACheaperOneIsOnCourseAndASlowOneIsStoppedInTurn) {
  // FGMRES(10), turns of 20 iterations. Jacobi's first turn leaves it on course
  // (at its average rate it would reach 1e-8 within the 100 iterations), so
  // ILUT waits; its second turn does not, so ILUT is built, reaches the
  // tolerance in its first turn, and Jacobi gets no third.
  const auto A = convectionDiffusion(32, Tpetra::getDefaultComm());
  Teuchos::ParameterList p = autoList("RELAXATION, ILUT");
  p.set("auto: restart", 10);
  const auto prec = computedAuto(A, p);
  const auto& ranking = prec->getRanking();
  ASSERT_EQ(ranking.trials().size(), 2u);
  EXPECT_EQ(prec->getChoice(), "ILUT");
  const auto& jacobi = ranking.trials()[0].residuals;
  ASSERT_EQ(jacobi.size(), 40u);
  const auto projected = [&](std::size_t k) { return k * std::log(1e-8) / std::log(jacobi[k - 1]); };
  EXPECT_LE(projected(20), 100.0);
  EXPECT_GT(projected(40), 100.0);
  EXPECT_EQ(ranking.iterationsToTolerance(0), -1);
  EXPECT_GT(ranking.iterationsToTolerance(1), 0);
  EXPECT_LE(ranking.iterationsToTolerance(1), 20);
}

TEST(Auto, SavesItsChoiceAsARunEntryThatTheFactoryBuildsWithoutTrying) {
  const auto comm = Tpetra::getDefaultComm();
  const auto A = convectionDiffusion(16, comm);
  const std::string path = testing::TempDir() + "auto_choice_np" + std::to_string(comm->getSize()) + ".xml";
  Teuchos::ParameterList p = autoList("ILUT");
  p.sublist("ILUT").set("fact: ilut level-of-fill", 2.0);
  p.set("auto: save choice", path);
  const auto prec = computedAuto(A, p);
  const auto entry = Teuchos::getParametersFromXmlFile(path);
  EXPECT_EQ(entry->get<std::string>("Preconditioner Type"), "ILUT");
  const auto& params = entry->sublist("Preconditioner Parameters");
  EXPECT_EQ(params.get<double>("fact: ilut level-of-fill"), 2.0);
  const auto built = Gnp::Factory<SC, LO, GO, NO>::create(entry->get<std::string>("Preconditioner Type"), A, params);
  EXPECT_EQ(built.type, prec->getChoice());
  EXPECT_TRUE(built.automatic.is_null());
}

TEST(Auto, ASavedGnpChoiceStartsFromTheNetworkItSaved) {
  const auto comm = Tpetra::getDefaultComm();
  const auto A = convectionDiffusion(8, comm);
  const std::string stem = testing::TempDir() + "auto_gnp_np" + std::to_string(comm->getSize());
  Teuchos::ParameterList p = autoList("GNP");
  p.set("auto: save choice", stem + ".xml");
  p.sublist("GNP").set("gnp: training steps", 5);
  p.sublist("GNP").set("gnp: verbosity", "none");
  p.sublist("GNP").set("gnp: save model", stem + ".gnp");
  ASSERT_EQ(computedAuto(A, p)->getChoice(), "GNP");
  const auto entry = Teuchos::getParametersFromXmlFile(stem + ".xml");
  const auto& params = entry->sublist("Preconditioner Parameters");
  EXPECT_EQ(params.get<std::string>("gnp: initial model"), stem + ".gnp");
  EXPECT_FALSE(params.isParameter("gnp: save model"));
  const auto built = Gnp::Factory<SC, LO, GO, NO>::create("GNP", A, params);
  ASSERT_FALSE(built.gnp.is_null());
}

TEST(Auto, ASaveChoiceInAFolderThatDoesNotExistIsRefusedBeforeTrying) {
  const auto A = convectionDiffusion(8, Tpetra::getDefaultComm());
  Teuchos::ParameterList p = autoList("ILUT");
  p.set("auto: save choice", "/no-such-folder-for-gnp/choice.xml");
  Auto prec(A);
  prec.setParameters(p);
  prec.initialize();
  try {
    prec.compute();
    ADD_FAILURE() << "expected a refusal";
  } catch (const Teuchos::Exceptions::InvalidParameterValue& e) {
    EXPECT_NE(std::string(e.what()).find("\"auto: save choice\" '/no-such-folder-for-gnp/choice.xml'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(prec.isComputed());
}

TEST(Auto, TrainsGnpOnlyWhereNoOtherCandidateReachesTheToleranceAndOnItsBestBase) {
  const auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(GNP_TEST_DATA "/west0479.mtx", Tpetra::getDefaultComm());
  Teuchos::ParameterList p = autoList("GMRES, GNP");
  p.set("auto: iterations", 5);
  p.sublist("GNP").set("gnp: training steps", 20);
  p.sublist("GNP").set("gnp: verbosity", "none");
  const auto prec = computedAuto(A, p);
  const auto& trials = prec->getRanking().trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1].name, "GNP");
  EXPECT_FALSE(prec->getRanking().anyConverged());
  EXPECT_EQ(prec->getChoice(), trials[prec->getRanking().best()].name);
  EXPECT_EQ(prec->getChoice() == "GNP", !prec->getGnp().is_null());
  // Built through the factory, the same choice is reported with GNP's training when it won.
  const auto built = Gnp::Factory<SC, LO, GO, NO>::create("auto", A, p);
  ASSERT_FALSE(built.automatic.is_null());
  EXPECT_EQ(built.automatic->getChoice() == "GNP", !built.gnp.is_null());
  if (!built.gnp.is_null()) {
    EXPECT_EQ(built.gnp->getBase(), Gnp::Base::Gmres);
  }
}

TEST(Auto, EveryRankMakesTheSameChoice) {
  const auto comm = Tpetra::getDefaultComm();
  const auto A = convectionDiffusion(16, comm);
  Teuchos::ParameterList p = autoList(Auto::defaultCandidates());
  p.set("auto: right-hand sides", 1000);
  const auto prec = computedAuto(A, p);
  std::string rootChoice = prec->getChoice();
  Gnp::broadcastString(*comm, rootChoice);
  EXPECT_EQ(prec->getChoice(), rootChoice);
  std::string rootReason = prec->getReason();
  Gnp::broadcastString(*comm, rootReason);
  EXPECT_EQ(prec->getReason(), rootReason);
}

TEST(Auto, InvalidParametersNameTheParameterAndLeaveTheSettings) {
  namespace X = Teuchos::Exceptions;
  const auto A = convectionDiffusion(8, Tpetra::getDefaultComm());
  Auto prec(A);
  prec.setParameters(autoList("ILUT"));
  auto expectRefused = [&](const Teuchos::ParameterList& p, const std::string& named) {
    try {
      prec.setParameters(p);
      ADD_FAILURE() << "expected a refusal naming " << named;
    } catch (const X::InvalidParameter& e) {
      EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << e.what();
    }
  };
  expectRefused(autoList("ILUT, Magic"), "Magic");
  expectRefused(autoList("ILUT, ilut"), "listed twice");
  expectRefused(autoList("ILUT, Auto"), "its own candidate");
  expectRefused(autoList(" "), "");
  for (double bad : {0.0, 1.0, std::nan("")}) {
    auto p = autoList("ILUT");
    p.set("auto: tolerance", bad);
    expectRefused(p, "auto: tolerance");
  }
  auto p = autoList("ILUT");
  p.set("auto: iterations", 0);
  expectRefused(p, "auto: iterations");
  p = autoList("ILUT");
  p.set("auto: bogus", 1);
  expectRefused(p, "auto: bogus");
  p = autoList("ILUT");
  p.sublist("ILUT").set("fact: bogus", 1.0);
  expectRefused(p, "fact: bogus");
  p = autoList("ILUT");
  p.sublist("GNP").set("gnp: layers", -3);
  expectRefused(p, "gnp: layers");
  // The last good settings stand.
  prec.initialize();
  prec.compute();
  EXPECT_EQ(prec.getChoice(), "ILUT");
  EXPECT_EQ(prec.getRanking().trials().size(), 1u);
}
