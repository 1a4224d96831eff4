// The package's own few FGMRES iterations (what "validation solve" selection
// scores a network by): Belos' residuals, the same on any number of ranks, and
// a clear answer when the preconditioner adds nothing or breaks.
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_GlobalSums.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Model.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_Scaling.hpp"
#include "Gnp_ShortSolve.hpp"
#include "Gnp_TestProblems.hpp"
#include "Gnp_TpetraDistributedOperator.hpp"
#include "Gnp_Trainer.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace GnpTest;
using Operator = Gnp::TpetraDistributedOperator<SC, LO, GO, NO>;

namespace {

constexpr int iterations = 10;

// b = A x, x_i ~ N(0, 1) keyed by the global row, as a (localRows, 1) block.
torch::Tensor rightHandSide(const Operator& A) {
  torch::Tensor x = torch::empty({A.localRows(), 1}, torch::kFloat64), b = torch::empty_like(x);
  for (std::int64_t i = 0; i < A.localRows(); ++i)
    x[i][0] = Gnp::gaussian(5, Gnp::RightHandSideStream, 0, A.globalRowIndices()[i], 0);
  A.apply(x.data_ptr<double>(), b.data_ptr<double>(), 1, false);
  return b;
}

std::vector<double> residualsOn(const CommPtr& comm) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), comm);
  const Operator op(A, 1.0);
  return Gnp::shortFlexibleGmres(op, rightHandSide(op), iterations);
}

} // namespace

TEST(ShortSolve, ResidualsAreThoseOfBelosGmres) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0);
  const torch::Tensor b = rightHandSide(op);
  const std::vector<double> mine = Gnp::shortFlexibleGmres(op, b, iterations);

  auto bv = Teuchos::rcp(new mv_type(A->getRangeMap(), 1));
  {
    auto v = bv->getLocalViewHost(Tpetra::Access::OverwriteAll);
    for (std::int64_t i = 0; i < op.localRows(); ++i) v(i, 0) = b[i][0].item<double>();
  }
  auto x = Teuchos::rcp(new mv_type(A->getDomainMap(), 1));
  Teuchos::ParameterList belos;
  belos.set("Num Blocks", iterations);
  belos.set("Maximum Iterations", iterations);
  belos.set("Convergence Tolerance", 1e-15);
  const auto r = Gnp::solveFlexibleGmres<SC, LO, GO, NO>(A, bv, x, Teuchos::null, belos);
  ASSERT_EQ(r.residuals.size(), static_cast<std::size_t>(iterations + 1));
  ASSERT_EQ(mine.size(), static_cast<std::size_t>(iterations));
  for (int i = 0; i < iterations; ++i) EXPECT_NEAR(mine[i], r.residuals[i + 1], 1e-9 * r.residuals[i + 1]) << i;
  EXPECT_LT(mine.back(), 0.9); // it converges: the comparison is not between two flat lines
  EXPECT_NEAR(
      Gnp::residualArea(mine),
      [&] {
        double s = 0;
        for (double v : mine) s += std::log10(v);
        return s;
      }(),
      1e-12);
}

TEST(ShortSolve, TheIdentityAsPreconditionerChangesNothing) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0);
  const torch::Tensor b = rightHandSide(op);
  EXPECT_EQ(Gnp::shortFlexibleGmres(op, b, iterations, [](const torch::Tensor& v) { return v.clone(); }),
            Gnp::shortFlexibleGmres(op, b, iterations));
}

TEST(ShortSolve, ResidualsAreTheSameToTheLastBitOnEveryNumberOfRanks) {
  const auto world = Tpetra::getDefaultComm();
  const std::vector<double> all = residualsOn(world);
  for (int ranks = 1; ranks < world->getSize(); ++ranks) {
    const auto sub = world->split(world->getRank() < ranks ? 0 : 1, world->getRank());
    std::vector<double> fewer(iterations, 0.0);
    if (world->getRank() < ranks) fewer = residualsOn(sub);
    Teuchos::broadcast<int, double>(*world, 0, iterations, fewer.data());
    EXPECT_EQ(fewer, all) << ranks << " vs " << world->getSize() << " ranks";
  }
}

TEST(ShortSolve, APreconditionerThatAddsNothingLeavesTheResidualAtOne) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0);
  const auto residuals =
      Gnp::shortFlexibleGmres(op, rightHandSide(op), iterations, [](const torch::Tensor& v) { return 0.0 * v; });
  EXPECT_EQ(residuals, std::vector<double>(iterations, 1.0));
}

TEST(ShortSolve, APreconditionerThatIgnoresItsInputStallsAfterItsFirstIteration) {
  // What a network that has collapsed to a constant output does: every z is the
  // same, so after the first iteration nothing new enters the basis. A
  // validation solve once scored this as converged (-144 over 10 iterations,
  // with Adam's learning rate 1e-2 on west0479) and kept such a network.
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0);
  const torch::Tensor b = rightHandSide(op);
  const torch::Tensor fixed = torch::ones_like(b) + 0.5 * b; // not parallel to the solution
  const auto residuals =
      Gnp::shortFlexibleGmres(op, b, iterations, [&](const torch::Tensor&) { return fixed.clone(); });
  EXPECT_LT(residuals.front(), 1.0); // the first iteration used z
  EXPECT_EQ(residuals, std::vector<double>(iterations, residuals.front()));
}

TEST(ShortSolve, AStepTooSmallNextToAHugeOutputIsTheEndButNotAnExactSolve) {
  // MueLu's aggregation on cryg2500 (a near-singular coarse level) gives
  // outputs of 1e19: ‖A z‖ is that of directions already in the basis, and the
  // part that reduces the residual falls below the breakdown test. Such a
  // step once scored residual 0: the base "converged" in the validation solve
  // and stalled at 3e-2 in Belos. Here, with A = I: z0 = v0 + big f, then
  // z1 = (1 + big) f + eps e (f, e unit, orthogonal to b and each other), whose
  // best combination leaves eps of b.
  const Operator op(identity(50, Tpetra::getDefaultComm()), 1.0);
  const double rows = static_cast<double>(op.globalRows());
  const auto dot = [&](const torch::Tensor& x, const torch::Tensor& y) {
    return Gnp::globalColumnSums(op.comm(), x * y, rows)[0].item<double>();
  };
  const torch::Tensor b = rightHandSide(op), v0 = b / std::sqrt(dot(b, b));
  torch::Tensor f = torch::zeros_like(b), e = torch::zeros_like(b);
  for (std::int64_t i = 0; i < op.localRows(); ++i) {
    f[i][0] = op.globalRowIndices()[i] % 2 == 0 ? 1.0 : -1.0;
    e[i][0] = op.globalRowIndices()[i] % 3 == 0 ? 1.0 : 0.0;
  }
  f -= dot(f, v0) * v0, f /= std::sqrt(dot(f, f));
  e -= dot(e, v0) * v0 + dot(e, f) * f, e /= std::sqrt(dot(e, e));
  const double big = 1e12, eps = 1e-3;
  const auto residuals = Gnp::shortFlexibleGmres(op, b, iterations, [&](const torch::Tensor& v) {
    return v + big * f * (dot(v0, v) + dot(f, v)) + eps * e * dot(f, v);
  });
  EXPECT_NEAR(residuals[0], 1.0, 1e-6);
  EXPECT_NEAR(residuals[1], eps, 0.1 * eps); // rounding at 1e12 moves it by a few per cent
  EXPECT_EQ(residuals.back(), residuals[1]);
}

TEST(ShortSolve, APreconditionerThatGivesNaNScoresNaNNotABestStep) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0);
  const auto residuals = Gnp::shortFlexibleGmres(op, rightHandSide(op), iterations, [](const torch::Tensor& v) {
    return torch::full_like(v, std::numeric_limits<double>::quiet_NaN());
  });
  ASSERT_EQ(residuals.size(), static_cast<std::size_t>(iterations));
  EXPECT_TRUE(std::isnan(Gnp::residualArea(residuals)));
}

TEST(ShortSolve, AZeroRightHandSideIsSolvedByZero) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0);
  EXPECT_EQ(Gnp::shortFlexibleGmres(op, torch::zeros({op.localRows(), 1}, torch::kFloat64), 3),
            std::vector<double>(3, 0.0));
  EXPECT_THROW(Gnp::shortFlexibleGmres(op, torch::zeros({op.localRows(), 2}, torch::kFloat64), 3),
               std::invalid_argument);
}

TEST(ShortSolve, ValidationSolveSelectionKeepsTheValidatedStepWithTheBestScore) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0 / Gnp::gershgorinBound(*A));
  Gnp::Options options;
  options.steps = 30;
  options.selection = Gnp::Selection::ValidationSolve;
  options.validationEvery = 7;
  options.printEvery = 0;
  torch::manual_seed(options.seed);
  Gnp::ResGcn model(options, op);
  Gnp::Trainer trainer(options, op, torch::zeros({op.localRows(), 0}, torch::kFloat64));
  const Gnp::ValidationSolve& validation = trainer.validation();
  const torch::Tensor b = validation.rightHandSide();
  const double untrained = validation.score(model);
  const Gnp::TrainingReport report = trainer.train(model);
  EXPECT_TRUE(report.bestStep % 7 == 0 || report.bestStep == 29) << report.bestStep;
  // The kept state (parameters and batch-norm statistics) scores what was recorded.
  EXPECT_EQ(validation.score(model), report.bestScore);
  EXPECT_LE(report.bestScore, untrained); // step 0 was a candidate
  EXPECT_EQ(report.validationUnpreconditioned,
            Gnp::residualArea(Gnp::shortFlexibleGmres(op, b, options.validationIterations)));
  EXPECT_LT(report.bestScore, 0.0);
  EXPECT_NE(report.bestScore, trainer.lossHistory()[report.bestStep]);
}

// Training's last line says what it bought: the kept step's score next to the
// base alone's (what it had to beat) and no preconditioner's.
TEST(ShortSolve, TrainingReportsTheBaseAlonesValidationScore) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  const Operator op(A, 1.0 / Gnp::gershgorinBound(*A));
  Gnp::Options options;
  options.steps = 5;
  options.printEvery = 0;
  const Gnp::BlockOperator half = [&](const double* X, double* Y, int columns) {
    for (std::int64_t i = 0; i < op.localRows() * columns; ++i) Y[i] = 0.5 * X[i];
  };
  torch::manual_seed(options.seed);
  Gnp::ResGcn model(options, op);
  Gnp::Trainer withBase(options, op, torch::zeros({op.localRows(), 0}, torch::kFloat64), half);
  const Gnp::TrainingReport report = withBase.train(model);
  const torch::Tensor b = withBase.validation().rightHandSide();
  const Gnp::BlockPreconditioner P = [](const torch::Tensor& v) { return 0.5 * v; };
  EXPECT_EQ(report.validationBase, Gnp::residualArea(Gnp::shortFlexibleGmres(op, b, options.validationIterations, P)));
  torch::manual_seed(options.seed);
  Gnp::ResGcn plain(options, op);
  Gnp::Trainer withoutBase(options, op, torch::zeros({op.localRows(), 0}, torch::kFloat64));
  EXPECT_TRUE(std::isnan(withoutBase.train(plain).validationBase));
}
