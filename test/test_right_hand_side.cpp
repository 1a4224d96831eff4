// The protocol's right-hand sides (ones, random solution, random), the
// constant-output deviation, and the rule that flags the b = Â·1 artifact.
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_Metrics.hpp"
#include "Gnp_ProtocolProblem.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_RightHandSide.hpp"
#include "Gnp_RunList.hpp"
#include "Gnp_TestProblems.hpp"

#include <Teuchos_DefaultMpiComm.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>

using namespace GnpTest;
using Gnp::RightHandSide;

namespace {

using Problem = Gnp::ProtocolProblem<SC, LO, GO, NO>;

Problem problemOn(const CommPtr& comm, RightHandSide rhs) {
  return Gnp::protocolProblem<SC, LO, GO, NO>(convectionDiffusion(12, comm), rhs);
}

// This rank's entries of the distributed b against the same global rows of b
// built on this rank alone (MPI_COMM_SELF): equal means b does not depend on
// how rows are split over ranks.
double largestDifferenceFromSerial(RightHandSide rhs) {
  const auto world = Tpetra::getDefaultComm();
  const CommPtr self = Teuchos::rcp(new Teuchos::MpiComm<int>(MPI_COMM_SELF));
  const auto distributed = problemOn(world, rhs);
  const auto serial = problemOn(self, rhs);
  const auto d = distributed.b->getLocalViewHost(Tpetra::Access::ReadOnly);
  const auto s = serial.b->getLocalViewHost(Tpetra::Access::ReadOnly);
  const auto& map = *distributed.b->getMap();
  double worst = 0.0;
  for (std::size_t i = 0; i < d.extent(0); ++i) {
    const GO row = map.getGlobalElement(static_cast<LO>(i));
    worst = std::max(worst, std::abs(d(i, 0) - s(static_cast<std::size_t>(row), 0)));
  }
  double global = 0.0;
  Teuchos::reduceAll(*world, Teuchos::REDUCE_MAX, worst, Teuchos::outArg(global));
  return global;
}

Teuchos::RCP<mv_type> constantVector(const Problem& p, double value) {
  auto v = Teuchos::rcp(new mv_type(p.A->getRangeMap(), 1, false));
  v->putScalar(value);
  return v;
}

} // namespace

TEST(RightHandSide, EachKindIsTheSameOnAnyNumberOfRanks) {
  // b ~ N(0,1) is drawn per global row: bit for bit. Â·x sums each row in the
  // column order of the local matrix, which Tpetra's column map changes with
  // the split: equal to rounding (entries here are O(1)).
  EXPECT_EQ(largestDifferenceFromSerial(RightHandSide::Random), 0.0);
  for (auto rhs : {RightHandSide::Ones, RightHandSide::RandomSolution})
    EXPECT_LT(largestDifferenceFromSerial(rhs), 1e-15) << Gnp::toString(rhs);
}

TEST(RightHandSide, OnesIsTheScaledMatrixTimesTheAllOnesVectorAsBefore) {
  const auto p = problemOn(Tpetra::getDefaultComm(), RightHandSide::Ones);
  EXPECT_EQ(p.rhs, RightHandSide::Ones);
  // The default of protocolProblem is still the paper's right-hand side.
  const auto byDefault = Gnp::protocolProblem<SC, LO, GO, NO>(convectionDiffusion(12, Tpetra::getDefaultComm()));
  mv_type diff(*byDefault.b, Teuchos::Copy);
  diff.update(-1.0, *p.b, 1.0);
  EXPECT_EQ(diff.getVector(0)->normInf(), 0.0);
  // b = Â·1: its sum is the sum of every entry of Â.
  const auto local = p.A->getLocalMatrixHost();
  double entries = 0.0;
  for (std::size_t k = 0; k < local.values.extent(0); ++k) entries += local.values(k);
  double total = 0.0;
  Teuchos::reduceAll(*p.A->getComm(), Teuchos::REDUCE_SUM, entries, Teuchos::outArg(total));
  EXPECT_NEAR(p.b->getVector(0)->meanValue() * p.A->getGlobalNumRows(), total, 1e-12 * std::abs(total));
}

TEST(RightHandSide, RandomSolutionIsTheMatrixTimesAGaussianVectorFromTheFixedSeed) {
  const auto p = problemOn(Tpetra::getDefaultComm(), RightHandSide::RandomSolution);
  mv_type x(p.A->getDomainMap(), 1, false);
  {
    auto view = x.getLocalViewHost(Tpetra::Access::OverwriteAll);
    for (std::size_t i = 0; i < view.extent(0); ++i)
      view(i, 0) = Gnp::gaussian(Gnp::kRightHandSideSeed, Gnp::RightHandSideStream, 0,
                                 x.getMap()->getGlobalElement(static_cast<LO>(i)), 0);
  }
  mv_type b(p.A->getRangeMap(), 1, false);
  p.A->apply(x, b);
  b.update(-1.0, *p.b, 1.0);
  EXPECT_EQ(b.getVector(0)->normInf(), 0.0);
}

TEST(RightHandSide, RandomIsStandardNormalAndNotTheRandomSolutionsVector) {
  const auto p = problemOn(Tpetra::getDefaultComm(), RightHandSide::Random);
  const auto n = static_cast<double>(p.A->getGlobalNumRows()); // 144
  // Mean about 0 and variance about 1 (loose bounds for n = 144 samples).
  EXPECT_LT(std::abs(p.b->getVector(0)->meanValue()), 4.0 / std::sqrt(n));
  const double variance = std::pow(p.b->getVector(0)->norm2(), 2) / n;
  EXPECT_GT(variance, 0.6);
  EXPECT_LT(variance, 1.5);
  const auto other = Gnp::withRightHandSide(p, RightHandSide::RandomSolution);
  EXPECT_EQ(other.rhs, RightHandSide::RandomSolution);
  mv_type diff(*p.b, Teuchos::Copy);
  diff.update(-1.0, *other.b, 1.0);
  EXPECT_GT(diff.getVector(0)->norm2(), 0.1 * p.b->getVector(0)->norm2());
}

TEST(RightHandSide, ConstantDeviationIsZeroForAConstantVectorAndNearOneForARandomOne) {
  const auto p = problemOn(Tpetra::getDefaultComm(), RightHandSide::Random);
  EXPECT_EQ(Gnp::constantDeviation(*constantVector(p, 3.5)), 0.0);
  EXPECT_EQ(Gnp::constantDeviation(*constantVector(p, 0.0)), 0.0); // no 0/0
  EXPECT_GT(Gnp::constantDeviation(*p.b), 0.9);
  // A constant plus 1% noise: about 0.01.
  auto mixed = constantVector(p, 1.0);
  mixed->update(0.01, *p.b, 1.0);
  EXPECT_NEAR(Gnp::constantDeviation(*mixed), 0.01, 0.003);
}

TEST(RightHandSide, OutputDeviationAppliesTheOperatorFirst) {
  const auto p = problemOn(Tpetra::getDefaultComm(), RightHandSide::Ones);
  // Â·(Â·1) is not constant even though 1 is.
  const double ofA = Gnp::outputConstantDeviation<SC, LO, GO, NO>(p.A, *constantVector(p, 1.0));
  const double ofIdentity =
      Gnp::outputConstantDeviation<SC, LO, GO, NO>(identity(144, Tpetra::getDefaultComm()), *constantVector(p, 2.0));
  EXPECT_GT(ofA, 0.05);
  EXPECT_EQ(ofIdentity, 0.0);
}

TEST(RightHandSide, NamesParseLenientlyAndUnknownOnesListTheValidOnes) {
  EXPECT_EQ(Gnp::parseRightHandSide("ones"), RightHandSide::Ones);
  EXPECT_EQ(Gnp::parseRightHandSide(" Random-Solution "), RightHandSide::RandomSolution);
  EXPECT_EQ(Gnp::parseRightHandSide("random_solution"), RightHandSide::RandomSolution);
  EXPECT_EQ(Gnp::parseRightHandSide("RANDOM"), RightHandSide::Random);
  try {
    Gnp::parseRightHandSide("zeros");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"zeros\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("random solution"), std::string::npos) << e.what();
  }
  const auto list = Gnp::parseRightHandSides("ones, random-solution,random");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(Gnp::toString(list), "ones, random solution, random");
  EXPECT_EQ(Gnp::parseRightHandSides(Gnp::toString(list)), list);
  EXPECT_THROW(Gnp::parseRightHandSides("ones,ones"), std::invalid_argument);
  EXPECT_THROW(Gnp::parseRightHandSides(""), std::invalid_argument);
  EXPECT_EQ(Gnp::fileTag(RightHandSide::RandomSolution), "random-solution");
}

TEST(RightHandSide, TheRunListNamesThemAtTheTopAndDefaultsToOnesAndRandomSolution) {
  auto top = Gnp::defaultRunList();
  EXPECT_EQ(Gnp::rightHandSides(top), Gnp::defaultRightHandSides());
  EXPECT_EQ(Gnp::toString(Gnp::defaultRightHandSides()), "ones, random solution");
  top.set(Gnp::kRightHandSideParameter, "random solution");
  EXPECT_EQ(Gnp::rightHandSides(top), std::vector<RightHandSide>{RightHandSide::RandomSolution});
  EXPECT_EQ(Gnp::parseRunList(top).size(), 6u); // not mistaken for a run
  top.set(Gnp::kRightHandSideParameter, "sevens");
  EXPECT_THROW(Gnp::rightHandSides(top), std::invalid_argument);
  top.set(Gnp::kRightHandSideParameter, 3);
  EXPECT_THROW(Gnp::rightHandSides(top), std::invalid_argument);
  // In a run's own sublist it would apply to nothing: an error that says where it belongs.
  auto misplaced = Gnp::defaultRunList();
  misplaced.sublist("GNP").set(Gnp::kRightHandSideParameter, "ones");
  try {
    Gnp::parseRunList(misplaced);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("belongs at the top"), std::string::npos) << e.what();
  }
  // The single-run form takes it at its top.
  Teuchos::ParameterList single;
  single.set("Preconditioner Type", "None");
  single.set(Gnp::kRightHandSideParameter, "random");
  EXPECT_EQ(Gnp::parseRunList(single).size(), 1u);
  EXPECT_EQ(Gnp::rightHandSides(single), std::vector<RightHandSide>{RightHandSide::Random});
}

TEST(ConstantOutputArtifact, NeedsAWinOverNoneAndAFirstIterationThatOnlyWorksOnOnes) {
  const double nan = std::nan("");
  // west0479 after 100 steps: 2.9e-4 after one iteration on ones, 0.92 on b = Â·x.
  EXPECT_TRUE(Gnp::constantOutputArtifact(-461.4, -10.6, 2.9e-4, 0.92, 1.1e-2));
  // jpwh_991 trained: both first iterations alike -> a real preconditioner.
  EXPECT_FALSE(Gnp::constantOutputArtifact(-481.7, -300.0, 0.698, 0.327, 0.49));
  // No win over none -> nothing to explain away.
  EXPECT_FALSE(Gnp::constantOutputArtifact(-5.0, -10.6, 1e-6, 0.9, 1e-4));
  // Without a random-solution run, the output deviation decides.
  EXPECT_TRUE(Gnp::constantOutputArtifact(-400.0, -10.0, 1e-4, nan, 5e-3));
  EXPECT_FALSE(Gnp::constantOutputArtifact(-400.0, -10.0, 1e-4, nan, 0.5));
  // A failed run (no AUC) is never flagged; a failed none is beaten by any AUC.
  EXPECT_FALSE(Gnp::constantOutputArtifact(nan, -10.0, 1e-4, 0.9, 1e-4));
  EXPECT_TRUE(Gnp::constantOutputArtifact(-400.0, nan, 1e-4, 0.9, 1e-4));
}

TEST(Metrics, AnExactSolveScoresAFiniteIterAucAtTheResidualFloor) {
  const double auc = Gnp::iterAuc({1.0, 0.0}, 2);
  EXPECT_DOUBLE_EQ(auc, 2.0 * std::log10(Gnp::kResidualFloor)); // two iterations at the floor, about -15.65 each
  EXPECT_DOUBLE_EQ(Gnp::iterAuc({1.0, 1e-300}, 2), auc);        // below the floor is the floor
  EXPECT_TRUE(std::isfinite(Gnp::timeAuc({1.0, 0.0}, {0.0, 1.0}, 2.0)));
}

TEST(Metrics, AnExactSolverIsNotTheConstantOutputArtifact) {
  // Exact on both right-hand sides: first residuals 0 and rounding noise.
  EXPECT_FALSE(Gnp::constantOutputArtifact(-1565.0, -300.0, 0.0, 0.0, 0.5));
  EXPECT_FALSE(Gnp::constantOutputArtifact(-1565.0, -300.0, 1e-19, 1e-16, 0.5));
}
