// The network and its training: the sparse-product autograd function, the
// architecture, scale equivariance, Arnoldi, training and rank-count independence.
#include "Gnp_Arnoldi.hpp"
#include "Gnp_Model.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_SparseProduct.hpp"
#include "Gnp_TestProblems.hpp"
#include "Gnp_TpetraDistributedOperator.hpp"
#include "Gnp_Trainer.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Teuchos_TimeMonitor.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>

using namespace GnpTest;
using Graph = Gnp::TpetraDistributedOperator<SC, LO, GO, NO>;
using Prec = Gnp::Preconditioner<SC, LO, GO, NO>;

namespace {

CommPtr world() { return Tpetra::getDefaultComm(); }

double globalSum(const Gnp::Communicator& comm, double local) {
  double global = 0.0;
  comm.sumAll(&local, &global, 1);
  return global;
}

// A tensor of shape (localRows, C) whose entries depend only on the global row.
torch::Tensor rowSeededTensor(const Graph& graph, int C, std::uint64_t seed, torch::Dtype dtype) {
  torch::Tensor t = torch::empty({graph.localRows(), C}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (std::int64_t i = 0; i < graph.localRows(); ++i)
    for (int c = 0; c < C; ++c) a[i][c] = std::sin(0.37 * graph.globalRowIndices()[i] + 1.3 * c + seed);
  return t.to(dtype);
}

// Row i holds one entry, in column (i + 1) mod n: on more than one rank a rank's
// rows do not reference all of its own columns, so its column map does not start
// with them (as on west0479 and rajat19, which have zero diagonals).
Teuchos::RCP<crs_type> cyclicShift(int n, const CommPtr& comm) {
  const auto map = Teuchos::rcp(new map_type(n, 0, comm));
  auto A = Teuchos::rcp(new crs_type(map, 1));
  for (size_t k = 0; k < map->getNodeNumElements(); ++k) {
    const GO i = map->getGlobalElement(static_cast<LO>(k));
    const GO j = (i + 1) % n;
    const SC v = 1.0 + static_cast<SC>(i % 3);
    A->insertGlobalValues(i, Teuchos::ArrayView<const GO>(&j, 1), Teuchos::ArrayView<const SC>(&v, 1));
  }
  A->fillComplete();
  return A;
}

// Row i holds entries in columns i, (i + n/3) mod n and n − 1 − i, so that on 3
// ranks each rank needs rows of both others; the column map is given, listing the
// remote columns last and in descending order, owners' ranks descending too.
// Tpetra's Import then lists the halo's rows by owner, ascending: unlike the
// column map, so the halo's rows arrive out of order.
Teuchos::RCP<crs_type> remoteColumnsDescending(int n, const CommPtr& comm) {
  const auto map = Teuchos::rcp(new map_type(n, 0, comm));
  auto columnsOf = [n](GO i) { return std::vector<GO>{i, (i + n / 3) % n, n - 1 - i}; };
  std::set<GO> own, remote;
  for (size_t k = 0; k < map->getNodeNumElements(); ++k)
    for (const GO j : columnsOf(map->getGlobalElement(static_cast<LO>(k))))
      (map->isNodeGlobalElement(j) ? own : remote).insert(j);
  Teuchos::Array<GO> columns(own.begin(), own.end());
  columns.insert(columns.end(), remote.rbegin(), remote.rend());
  const auto columnMap =
      Teuchos::rcp(new map_type(Teuchos::OrdinalTraits<Tpetra::global_size_t>::invalid(), columns(), 0, comm));
  auto A = Teuchos::rcp(new crs_type(map, columnMap, 3));
  for (size_t k = 0; k < map->getNodeNumElements(); ++k) {
    const GO i = map->getGlobalElement(static_cast<LO>(k));
    std::set<GO> distinct;
    for (const GO j : columnsOf(i)) distinct.insert(j);
    for (const GO j : distinct) {
      const SC v = 1.0 + 0.1 * static_cast<SC>(j) - 0.01 * static_cast<SC>(i);
      A->insertGlobalValues(i, Teuchos::ArrayView<const GO>(&j, 1), Teuchos::ArrayView<const SC>(&v, 1));
    }
  }
  A->fillComplete(map, map);
  return A;
}

// max |Y − scale·A X| (or scale·Aᵀ X) over this rank's rows, the reference from
// Tpetra's own apply; X and Y are (localRows, C) float64 blocks.
double differenceFromTpetra(const crs_type& A, double scale, const torch::Tensor& X, const torch::Tensor& Y,
                            bool transpose) {
  const int C = static_cast<int>(X.size(1));
  mv_type x(A.getDomainMap(), C), y(A.getRangeMap(), C);
  {
    auto xv = x.getLocalViewHost(Tpetra::Access::OverwriteAll);
    auto Xa = X.accessor<double, 2>();
    for (std::int64_t i = 0; i < X.size(0); ++i)
      for (int c = 0; c < C; ++c) xv(i, c) = Xa[i][c];
  }
  A.apply(x, y, transpose ? Teuchos::TRANS : Teuchos::NO_TRANS, scale);
  auto yv = y.getLocalViewHost(Tpetra::Access::ReadOnly);
  auto Ya = Y.accessor<double, 2>();
  double err = 0.0;
  for (std::int64_t i = 0; i < Y.size(0); ++i)
    for (int c = 0; c < C; ++c) err = std::max(err, std::abs(yv(i, c) - Ya[i][c]));
  return err;
}

// max |Â X − (scale·A) X| over this rank's rows, and the same for Âᵀ.
std::pair<double, double> productErrors(const Teuchos::RCP<crs_type>& A, double scale) {
  Graph graph(A, scale);
  const torch::Tensor X = rowSeededTensor(graph, 3, 1, torch::kFloat64);
  double err[2] = {0.0, 0.0};
  for (bool transpose : {false, true}) {
    torch::Tensor Y = torch::empty_like(X);
    graph.apply(X.data_ptr<double>(), Y.data_ptr<double>(), 3, transpose);
    err[transpose] = differenceFromTpetra(*A, scale, X, Y, transpose);
  }
  return {err[0], err[1]};
}

} // namespace

TEST(SparseProduct, ForwardAndTransposeEqualTpetraWhenRowsSkipTheirOwnColumns) {
  const auto A = cyclicShift(12, world());
  const auto [forward, transpose] = productErrors(A, 0.5);
  EXPECT_LT(forward, 1e-15);
  EXPECT_LT(transpose, 1e-15);
  // And GNP trains on it: a failure here once was "the matrix's column map does not
  // start with its domain map's elements" (or a hang when one rank threw).
  const auto prec = trainedGnp(A, 3);
  EXPECT_EQ(prec->getLossHistory().size(), 3u);
}

TEST(SparseProduct, ForwardAndTransposeEqualTpetraWhenTheHaloArrivesOutOfColumnMapOrder) {
  const auto A = remoteColumnsDescending(30, world());
  const auto [forward, transpose] = productErrors(A, 0.5);
  EXPECT_LT(forward, 1e-14);
  EXPECT_LT(transpose, 1e-14);
}

TEST(SparseProduct, ForwardEqualsTpetraApplyOfTheScaledMatrix) {
  auto A = convectionDiffusion(9, world());
  Graph graph(A, 0.25);
  const torch::Tensor X = rowSeededTensor(graph, 3, 1, torch::kFloat64);
  const torch::Tensor Y = Gnp::sparseProduct(graph, X);
  EXPECT_LT(differenceFromTpetra(*A, 0.25, X, Y, false), 1e-14);
}

TEST(SparseProduct, GradientMatchesCentralFiniteDifferencesOnANonsymmetricMatrix) {
  // f(X) = Σ W ⊙ (Â X)²: its gradient needs Âᵀ, so a missing transpose fails.
  auto A = convectionDiffusion(7, world());
  Graph graph(A, 0.2);
  const auto& comm = graph.comm();
  const torch::Tensor W = rowSeededTensor(graph, 2, 5, torch::kFloat64);
  auto f = [&](const torch::Tensor& X) { return (W * Gnp::sparseProduct(graph, X).square()).sum(); };
  torch::Tensor X = rowSeededTensor(graph, 2, 9, torch::kFloat64).requires_grad_(true);
  f(X).backward();
  const torch::Tensor grad = X.grad().clone();

  const double eps = 1e-6;
  double maxErr = 0.0, maxGrad = 0.0;
  const std::int64_t n = graph.globalRows();
  for (std::int64_t g = 0; g < n; g += 5) { // every 5th global row, both columns
    for (int c = 0; c < 2; ++c) {
      torch::NoGradGuard noGrad;
      auto it = std::find(graph.globalRowIndices().begin(), graph.globalRowIndices().end(), g);
      const bool mine = it != graph.globalRowIndices().end();
      const std::int64_t i = mine ? it - graph.globalRowIndices().begin() : -1;
      torch::Tensor Xp = X.detach().clone(), Xm = X.detach().clone();
      if (mine) Xp[i][c] += eps, Xm[i][c] -= eps;
      const double fd = (globalSum(comm, f(Xp).item<double>()) - globalSum(comm, f(Xm).item<double>())) / (2 * eps);
      const double analytic = globalSum(comm, mine ? grad[i][c].item<double>() : 0.0);
      maxErr = std::max(maxErr, std::abs(fd - analytic));
      maxGrad = std::max(maxGrad, std::abs(analytic));
    }
  }
  EXPECT_GT(maxGrad, 1e-3);
  EXPECT_LT(maxErr, 1e-6 * std::max(1.0, maxGrad));
}

TEST(Model, DefaultArchitectureHas10001TrainableParameters) {
  auto A = convectionDiffusion(4, world());
  Graph graph(A, 1.0);
  Gnp::ResGcn model(Gnp::Options{}, graph);
  EXPECT_EQ(model->parameterCount(), 10001);
}

TEST(Preconditioner, IsScaleEquivariantAndMapsZeroToZero) {
  auto A = convectionDiffusion(12, world());
  auto prec = trainedGnp(A, 5);
  mv_type r(A->getDomainMap(), 1), z(A->getDomainMap(), 1), zs(A->getDomainMap(), 1);
  r.randomize();
  prec->apply(r, z);
  const double zNorm = z.getVector(0)->norm2();
  ASSERT_GT(zNorm, 0.0);
  for (double alpha : {1e-3, 7.0}) {
    mv_type rs(r, Teuchos::Copy);
    rs.scale(alpha);
    prec->apply(rs, zs);
    zs.update(-alpha, z, 1.0);
    EXPECT_LT(zs.getVector(0)->norm2(), 1e-5 * alpha * zNorm) << "alpha = " << alpha;
  }
  mv_type zero(A->getDomainMap(), 1);
  zs.putScalar(3.0);
  prec->apply(zero, zs);
  EXPECT_EQ(zs.getVector(0)->normInf(), 0.0);
}

TEST(Preconditioner, AppliesAllColumnsInOneBatchLikeOneByOneAndHonoursAlphaBetaAndAliasing) {
  auto A = convectionDiffusion(10, world());
  auto prec = trainedGnp(A, 3);
  mv_type X(A->getDomainMap(), 3), Y(A->getDomainMap(), 3);
  X.randomize();
  prec->apply(X, Y);
  for (size_t c = 0; c < 3; ++c) {
    mv_type x(A->getDomainMap(), 1), y(A->getDomainMap(), 1);
    x.getVectorNonConst(0)->update(1.0, *X.getVector(c), 0.0);
    prec->apply(x, y);
    y.getVectorNonConst(0)->update(-1.0, *Y.getVector(c), 1.0);
    EXPECT_LT(y.getVector(0)->norm2(), 1e-5 * Y.getVector(c)->norm2());
  }
  // Y = 2 Y + 0.5 M(X) with X aliasing Y.
  mv_type Z(Y, Teuchos::Copy), MZ(A->getDomainMap(), 3);
  prec->apply(Z, MZ);
  prec->apply(Z, Z, Teuchos::NO_TRANS, 0.5, 2.0);
  MZ.update(2.0, Y, 0.5); // expected: 2 Y + 0.5 M(Y)
  MZ.update(-1.0, Z, 1.0);
  std::vector<double> norms(3);
  MZ.norm2(norms);
  for (double v : norms) EXPECT_LT(v, 1e-5 * Y.getVector(0)->norm2());
}

TEST(Arnoldi, SatisfiesTheArnoldiRelationWithOrthonormalBasis) {
  auto A = convectionDiffusion(16, world());
  const int m = 40;
  auto start = Gnp::seededStartVector<SC, LO, GO, NO>(A->getDomainMap(), 3);
  const auto result = Gnp::arnoldi(*A, *start, m);
  ASSERT_EQ(result.steps, m);
  // ‖A V_m − V_{m+1} H̄‖_F
  mv_type AV(A->getRangeMap(), m), VH(A->getRangeMap(), m);
  A->apply(*result.V->subView(Teuchos::Range1D(0, m - 1)), AV);
  for (int j = 0; j < m; ++j)
    for (int i = 0; i <= m; ++i) VH.getVectorNonConst(j)->update(result.H(i, j), *result.V->getVector(i), 1.0);
  AV.update(-1.0, VH, 1.0);
  std::vector<double> res(m);
  AV.norm2(res);
  for (double v : res) EXPECT_LT(v, 1e-12);
  // ‖VᵀV − I‖_max
  double orth = 0.0;
  for (int i = 0; i <= m; ++i)
    for (int j = 0; j <= m; ++j)
      orth = std::max(orth, std::abs(result.V->getVector(i)->dot(*result.V->getVector(j)) - (i == j)));
  EXPECT_LT(orth, 1e-12);
}

TEST(Arnoldi, BreaksDownCleanlyOnTheIdentity) {
  auto A = identity(50, world());
  auto start = Gnp::seededStartVector<SC, LO, GO, NO>(A->getDomainMap(), 1);
  const auto result = Gnp::arnoldi(*A, *start, 40);
  EXPECT_EQ(result.steps, 1);
  EXPECT_NEAR(result.H(0, 0), 1.0, 1e-14);
  const auto Q = Gnp::krylovSampleBasis(result);
  ASSERT_FALSE(Q.is_null());
  EXPECT_EQ(Q->getNumVectors(), 1u);
  EXPECT_TRUE(std::isfinite(Q->getVector(0)->norm2()));
  // Training on the identity runs without NaN (trained although no preconditioner already solves it).
  Teuchos::ParameterList always;
  always.set("gnp: base converged tolerance", 0.0);
  auto prec = trainedGnp(A, 5, always);
  EXPECT_EQ(prec->getTrainingReport().stepsRun, 5);
  EXPECT_TRUE(std::isfinite(prec->getTrainingReport().bestScore));
}

TEST(Training, LowersTheLossOnConvectionDiffusion) {
  auto A = convectionDiffusion(16, world());
  Teuchos::ParameterList paper;
  paper.set("gnp: best step selection", "training loss");
  auto prec = trainedGnp(A, 150, paper);
  const auto& losses = prec->getLossHistory();
  ASSERT_EQ(losses.size(), 150u);
  double first = 0, last = 0;
  for (int i = 0; i < 10; ++i) first += losses[i], last += losses[140 + i];
  EXPECT_LT(last, 0.7 * first);
  EXPECT_LE(prec->getTrainingReport().bestScore, *std::min_element(losses.begin(), losses.end()));
}

TEST(Training, StopsAtTheTimeBudget) {
  Teuchos::ParameterList budget;
  budget.set("gnp: max training time", 0.5);
  auto prec = trainedGnp(convectionDiffusion(16, world()), 100000, budget);
  EXPECT_EQ(prec->getTrainingReport().reason, Gnp::StopReason::Time);
  EXPECT_LT(prec->getTrainingReport().stepsRun, 100000);
}

TEST(Training, DivergenceStopsTrainingAndKeepsTheBestFiniteStep) {
  // A learning rate of 1e12 makes Adam's first steps overflow float32.
  auto A = convectionDiffusion(8, world());
  Teuchos::ParameterList huge;
  huge.set("gnp: learning rate", 1e12);
  auto prec = trainedGnp(A, 50, huge);
  const auto& report = prec->getTrainingReport();
  EXPECT_EQ(report.reason, Gnp::StopReason::Diverged);
  EXPECT_NE(report.message.find("diverged"), std::string::npos);
  EXPECT_LT(report.stepsRun, 50);
  ASSERT_GE(report.bestStep, 0);
  EXPECT_TRUE(std::isfinite(report.bestScore));
  mv_type r(A->getDomainMap(), 1), z(A->getDomainMap(), 1);
  r.randomize();
  prec->apply(r, z);
  EXPECT_TRUE(std::isfinite(z.getVector(0)->norm2()));
}

TEST(Preconditioner, ItsPhasesAreTeuchosTimeMonitorCounters) {
  auto prec = trainedGnp(convectionDiffusion(8, world()), 3);
  mv_type x(prec->getDomainMap(), 1), y(prec->getRangeMap(), 1);
  x.putScalar(1.0);
  const auto apply = Teuchos::TimeMonitor::lookupCounter("Gnp::Preconditioner::apply");
  const int before = apply.is_null() ? 0 : apply->numCalls();
  prec->apply(x, y);
  prec->apply(x, y);
  for (const char* phase : {"initialize", "compute", "apply"})
    EXPECT_FALSE(Teuchos::TimeMonitor::lookupCounter(std::string("Gnp::Preconditioner::") + phase).is_null()) << phase;
  EXPECT_EQ(Teuchos::TimeMonitor::lookupCounter("Gnp::Preconditioner::apply")->numCalls(), before + 2);
}

TEST(Preconditioner, DescribeGrowsWithTheVerbosityOnRankZero) {
  auto prec = trainedGnp(convectionDiffusion(8, world()), 3);
  auto text = [&](Teuchos::EVerbosityLevel level) {
    std::ostringstream os;
    auto out = Teuchos::getFancyOStream(Teuchos::rcpFromRef(os));
    prec->describe(*out, level);
    return os.str();
  };
  if (world()->getRank() != 0) {
    EXPECT_EQ(text(Teuchos::VERB_EXTREME), "");
    return;
  }
  EXPECT_EQ(text(Teuchos::VERB_LOW), prec->description() + "\n");
  EXPECT_NE(prec->description().find("its validation solve score: "), std::string::npos) << prec->description();
  const std::string medium = text(Teuchos::VERB_MEDIUM), high = text(Teuchos::VERB_HIGH),
                    extreme = text(Teuchos::VERB_EXTREME);
  EXPECT_NE(medium.find("training: 3 steps in "), std::string::npos) << medium;
  EXPECT_EQ(medium.find("gnp: layers"), std::string::npos) << medium;
  EXPECT_NE(high.find("gnp: layers = 8"), std::string::npos) << high;
  EXPECT_NE(high.find("gnp: training steps = 3"), std::string::npos) << high;
  EXPECT_EQ(high.find("loss of every step"), std::string::npos);
  EXPECT_NE(extreme.find("loss of every step: "), std::string::npos) << extreme;
  EXPECT_EQ(text(Teuchos::VERB_NONE), "");
}
