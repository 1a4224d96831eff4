// Any classical base (issue 24 item 2): MueLu's smoothed and Petrov–Galerkin
// aggregation as bases, every package base's own parameters by its own
// sublist of "gnp: base parameters", and the bases "auto" tries.
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_TestProblems.hpp"

#include <Ifpack2_Factory.hpp>
#include <MueLu_CreateTpetraPreconditioner.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <filesystem>

using namespace GnpTest;
using Prec = Gnp::Preconditioner<SC, LO, GO, NO>;
using op_type = Tpetra::Operator<SC, LO, GO, NO>;

namespace {

CommPtr world() { return Tpetra::getDefaultComm(); }

// One step with the base's own judgement of training off: what GNP applies is
// the base where the step does not beat it, and the base plus an untrained
// correction (zero) where it does.
Teuchos::ParameterList withBase(const std::string& base) {
  Teuchos::ParameterList p;
  p.set("gnp: base preconditioner", base);
  p.set("gnp: base converged tolerance", 0.0);
  return p;
}

// The error building GNP with `p` throws on A (std::invalid_argument, the same
// on every rank); "" if it builds.
std::string buildError(const Teuchos::RCP<crs_type>& A, const Teuchos::ParameterList& p) {
  try {
    trainedGnp(A, 1, p);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// Ifpack2's ILUT with "fact: ilut level-of-fill" = `fill`.
Teuchos::ParameterList ilutFill(double fill) {
  Teuchos::ParameterList lists;
  lists.sublist("ilut").set("fact: ilut level-of-fill", fill);
  return lists;
}

// The largest relative difference of GNP's apply from `P`'s over two random columns.
double relativeDifference(const op_type& gnp, const op_type& P) {
  mv_type r(P.getDomainMap(), 2), zGnp(P.getDomainMap(), 2), zP(P.getDomainMap(), 2);
  r.randomize();
  gnp.apply(r, zGnp);
  P.apply(r, zP);
  zGnp.update(-1.0, zP, 1.0);
  double worst = 0.0;
  for (std::size_t c = 0; c < 2; ++c)
    worst = std::max(worst, zGnp.getVector(c)->normInf() / zP.getVector(c)->normInf());
  return worst;
}

Teuchos::RCP<op_type> mueLu(const Teuchos::RCP<crs_type>& A, Teuchos::ParameterList params) {
  params.set("verbosity", "none");
  return MueLu::CreateTpetraPreconditioner<SC, LO, GO, NO>(Teuchos::RCP<op_type>(A), params);
}

Teuchos::RCP<op_type> ifpack2Ilut(const Teuchos::RCP<crs_type>& A, const Teuchos::ParameterList& params) {
  auto ilut = Ifpack2::Factory::create<Tpetra::RowMatrix<SC, LO, GO, NO>>("ILUT", Teuchos::RCP<const crs_type>(A));
  ilut->setParameters(params);
  ilut->initialize();
  ilut->compute();
  return ilut;
}

} // namespace

TEST(Bases, AnUntrainedNetworkOnAMueLuBaseIsMueLusVCycle) {
  // 48^2 rows: more than MueLu's coarse size of 2000, so there are two levels.
  auto A = convectionDiffusion(48, world());
  const auto gnp = trainedGnp(A, 1, withBase("muelu"));
  EXPECT_EQ(gnp->getBase(), Gnp::Base::MueLu);
  EXPECT_LT(relativeDifference(*gnp, *mueLu(A, {})), 1e-12);
}

TEST(Bases, TheMueLuPgBaseIsPetrovGalerkinAggregationAndNotTheSymmetricOne) {
  auto A = convectionDiffusion(48, world());
  const auto gnp = trainedGnp(A, 1, withBase("muelu-pg"));
  EXPECT_EQ(gnp->getBase(), Gnp::Base::MueLuPg);
  Teuchos::ParameterList pg;
  pg.set("multigrid algorithm", "pg");
  pg.set("problem: symmetric", false);
  EXPECT_LT(relativeDifference(*gnp, *mueLu(A, pg)), 1e-12);
  EXPECT_GT(relativeDifference(*gnp, *mueLu(A, {})), 1e-6);
}

TEST(Bases, EachBaseTakesItsOwnSublistOfTheBaseParameters) {
  auto A = convectionDiffusion(6, world());
  Teuchos::ParameterList p = withBase("ilut");
  p.set("gnp: base parameters", ilutFill(2.0));
  // A muelu sublist beside it is not the ILUT's business.
  p.sublist("gnp: base parameters").sublist("muelu").set("max levels", 1);
  const auto gnp = trainedGnp(A, 1, p);
  EXPECT_LT(relativeDifference(*gnp, *ifpack2Ilut(A, ilutFill(2.0).sublist("ilut"))), 1e-12);
  EXPECT_GT(relativeDifference(*gnp, *ifpack2Ilut(A, {})), 1e-6);
}

TEST(Bases, AMueLuBaseTakesItsSublist) {
  auto A = convectionDiffusion(48, world());
  Teuchos::ParameterList p = withBase("muelu");
  Teuchos::ParameterList smoother; // MueLu's default smoother is a Gauss-Seidel sweep
  smoother.set("smoother: type", "CHEBYSHEV");
  p.sublist("gnp: base parameters").set("muelu", smoother);
  const auto gnp = trainedGnp(A, 1, p);
  EXPECT_LT(relativeDifference(*gnp, *mueLu(A, smoother)), 1e-12);
  EXPECT_GT(relativeDifference(*gnp, *mueLu(A, {})), 1e-6);
}

TEST(Bases, TheBaseParametersAreCheckedWhenTheListIsRead) {
  Teuchos::ParameterList unknownSublist;
  unknownSublist.sublist("gnp: base parameters").sublist("ilu");
  const std::string sublist = parameterError(unknownSublist);
  EXPECT_NE(sublist.find("\"ilu\""), std::string::npos) << sublist;
  EXPECT_NE(sublist.find("\"muelu-pg\""), std::string::npos) << sublist;

  Teuchos::ParameterList unknownIfpack2;
  unknownIfpack2.sublist("gnp: base parameters").sublist("riluk").set("fact: bogus", 1);
  const std::string ifpack2 = parameterError(unknownIfpack2);
  EXPECT_NE(ifpack2.find("fact: bogus"), std::string::npos) << ifpack2;
  EXPECT_NE(ifpack2.find("Ifpack2"), std::string::npos) << ifpack2;

  Teuchos::ParameterList notAList;
  notAList.set("gnp: base parameters", 3);
  EXPECT_NE(parameterError(notAList).find("ParameterList"), std::string::npos) << parameterError(notAList);
}

TEST(Bases, AParameterMueLuRefusesIsAClearErrorWhenTheBaseIsBuiltOnEveryRank) {
  Teuchos::ParameterList p = withBase("muelu");
  p.sublist("gnp: base parameters").sublist("muelu").set("multigrid algorithm", "nonsense");
  const std::string what = buildError(convectionDiffusion(48, world()), p);
  ASSERT_FALSE(what.empty()) << "no error";
  EXPECT_NE(what.find("MueLu"), std::string::npos) << what;
  EXPECT_NE(what.find("nonsense"), std::string::npos) << what;
  EXPECT_EQ(what.find("Throw number"), std::string::npos) << what;
}

TEST(Bases, AutoTriesTheBaseCandidatesAndTakesTheOneThatRanksFirst) {
  // On 64 rows MueLu is one level, its coarse solver: exact, so it converges
  // in the validation solve at once, where no base does not.
  auto A = convectionDiffusion(8, world());
  Teuchos::ParameterList p = withBase("auto");
  p.set("gnp: base candidates", "none, muelu");
  EXPECT_EQ(trainedGnp(A, 1, p)->getBase(), Gnp::Base::MueLu);
  p.set("gnp: base candidates", "jacobi");
  EXPECT_EQ(trainedGnp(A, 1, p)->getBase(), Gnp::Base::Jacobi);
}

// west0479: almost every diagonal entry is zero, so Ifpack2's factorisations
// return NaN (zero pivots) on any number of ranks.
const std::string west0479 = GNP_TEST_DATA "/west0479.mtx";

TEST(Bases, AutoLeavesOutACandidateThatCannotBeUsedAndSaysWhy) {
  const auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(west0479, world());
  Teuchos::ParameterList p = withBase("auto");
  p.set("gnp: base candidates", "riluk, jacobi");
  p.set("gnp: verbosity", "low");
  p.set("gnp: print frequency", 1000); // 0 silences GNP
  testing::internal::CaptureStdout();
  const auto gnp = trainedGnp(A, 1, p);
  const std::string said = testing::internal::GetCapturedStdout();
  EXPECT_EQ(gnp->getBase(), Gnp::Base::Jacobi);
  if (world()->getRank() == 0) {
    EXPECT_NE(said.find("riluk is out: Ifpack2's RILUK of this matrix returns NaN or Inf"), std::string::npos) << said;
  }
}

TEST(Bases, AutoWithNoCandidateThatCanBeUsedIsAnErrorNamingEachFailure) {
  const auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(west0479, world());
  Teuchos::ParameterList p = withBase("auto");
  p.set("gnp: base candidates", "riluk, ilut");
  const std::string what = buildError(A, p);
  ASSERT_FALSE(what.empty()) << "auto without a usable candidate was accepted";
  EXPECT_NE(what.find("no base in \"gnp: base candidates\" can be used"), std::string::npos) << what;
  EXPECT_NE(what.find("riluk is out: Ifpack2's RILUK"), std::string::npos) << what;
  EXPECT_NE(what.find("ilut is out: Ifpack2's ILUT"), std::string::npos) << what;
}

TEST(Bases, TheBaseCandidatesAreBasesNamedOnceEach) {
  for (const char* bad : {"none, auto", "ilut, ilut", "", "none, ilu"}) {
    Teuchos::ParameterList p;
    p.set("gnp: base candidates", bad);
    EXPECT_NE(parameterError(p).find("gnp: base candidates"), std::string::npos) << bad << ": " << parameterError(p);
  }
  Teuchos::ParameterList spaced;
  spaced.set("gnp: base candidates", " gmres,muelu-pg ");
  Prec prec(convectionDiffusion(4, world()));
  prec.setParameters(spaced);
  const std::vector<Gnp::Base> expected{Gnp::Base::Gmres, Gnp::Base::MueLuPg};
  EXPECT_EQ(prec.getOptions().baseCandidates, expected);
}

TEST(Bases, TheBaseParametersTravelWithASavedModel) {
  auto A = convectionDiffusion(6, world());
  Teuchos::ParameterList p = withBase("ilut");
  p.set("gnp: base parameters", ilutFill(2.0));
  p.set("gnp: base candidates", "jacobi, ilut");
  const auto trained = trainedGnp(A, 2, p);
  const std::string path = (std::filesystem::temp_directory_path() / "gnp_base_parameters.gnp").string();
  trained->save(path);
  Prec loaded(A);
  loaded.load(path);
  EXPECT_EQ(loaded.getOptions().baseParameters, trained->getOptions().baseParameters);
  EXPECT_EQ(loaded.getOptions().baseCandidates, trained->getOptions().baseCandidates);
  EXPECT_LT(relativeDifference(loaded, *trained), 1e-12);
}
