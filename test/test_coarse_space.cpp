// The two-level GNP (docs/method.md section 7): a coarse space from the Arnoldi
// basis, Z with W = Â Z orthonormal, around the one-level M₁ = P + N.
#include "Gnp_Arnoldi.hpp"
#include "Gnp_CoarseSpace.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_TestProblems.hpp"
#include "Gnp_TpetraDistributedOperator.hpp"

#include <Teuchos_StandardParameterEntryValidators.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

using namespace GnpTest;
using Prec = Gnp::Preconditioner<SC, LO, GO, NO>;

namespace {

const std::string west0479 = GNP_TEST_DATA "/west0479.mtx";

Teuchos::RCP<crs_type> read(const std::string& path) {
  return Gnp::readMatrixMarket<SC, LO, GO, NO>(path, Tpetra::getDefaultComm());
}

Gnp::CoarseBasis<SC, LO, GO, NO> coarseBasisOf(const crs_type& A, int steps) {
  const auto start = Gnp::seededStartVector<SC, LO, GO, NO>(A.getRangeMap(), 0);
  return Gnp::coarseBasis(Gnp::arnoldi(A, *start, steps), 1e-10);
}

// The (localRows, k) row-major tensor of a multivector's local rows.
torch::Tensor toTensor(const mv_type& X) {
  const auto v = X.getLocalViewHost(Tpetra::Access::ReadOnly);
  torch::Tensor t =
      torch::empty({static_cast<std::int64_t>(v.extent(0)), static_cast<std::int64_t>(v.extent(1))}, torch::kFloat64);
  auto ta = t.accessor<double, 2>();
  for (size_t i = 0; i < v.extent(0); ++i)
    for (size_t j = 0; j < v.extent(1); ++j) ta[i][j] = v(i, j);
  return t;
}

void fromTensor(const torch::Tensor& t, mv_type& X) {
  auto v = X.getLocalViewHost(Tpetra::Access::OverwriteAll);
  const auto ta = t.accessor<double, 2>();
  for (size_t i = 0; i < v.extent(0); ++i)
    for (size_t j = 0; j < v.extent(1); ++j) v(i, j) = ta[i][j];
}

double largestDeviationFromIdentity(const mv_type& W) {
  double worst = 0.0;
  const int k = static_cast<int>(W.getNumVectors());
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j)
      worst = std::max(worst, std::abs(W.getVector(i)->dot(*W.getVector(j)) - (i == j ? 1.0 : 0.0)));
  return worst;
}

// ‖A Z − W‖ / ‖W‖ (Frobenius).
double relationError(const crs_type& A, const mv_type& Z, const mv_type& W) {
  mv_type AZ(A.getRangeMap(), Z.getNumVectors());
  A.apply(Z, AZ);
  AZ.update(-1.0, W, 1.0);
  std::vector<double> diff(Z.getNumVectors()), norm(Z.getNumVectors());
  AZ.norm2(diff);
  W.norm2(norm);
  double d = 0.0, n = 0.0;
  for (size_t j = 0; j < diff.size(); ++j) d += diff[j] * diff[j], n += norm[j] * norm[j];
  return std::sqrt(d / n);
}

TEST(CoarseBasis, HasOrthonormalWEqualToAZ) {
  const auto A = read(west0479);
  const auto basis = coarseBasisOf(*A, 30);
  ASSERT_FALSE(basis.Z.is_null());
  EXPECT_EQ(basis.Z->getNumVectors() + basis.dropped, 30u);
  EXPECT_LE(largestDeviationFromIdentity(*basis.W), 1e-12);
  EXPECT_LE(relationError(*A, *basis.Z, *basis.W), 1e-8);
}

TEST(CoarseSpace, SolvesExactlyAResidualInTheRangeOfAZ) {
  const auto A = read(west0479);
  const auto basis = coarseBasisOf(*A, 30);
  const auto op = std::make_shared<Gnp::TpetraDistributedOperator<SC, LO, GO, NO>>(A, 1.0);
  const Gnp::CoarseSpace coarse(*op, toTensor(*basis.Z), toTensor(*basis.W), Gnp::Coarse::First);
  // r = W c = A Z c for coefficients c the same on every rank.
  const int k = coarse.dimension();
  torch::Tensor c = torch::empty({k, 1}, torch::kFloat64);
  for (int j = 0; j < k; ++j) c[j][0] = std::cos(1.0 + j);
  const torch::Tensor r = torch::matmul(toTensor(*basis.W), c);
  mv_type rv(A->getRangeMap(), 1), y(A->getDomainMap(), 1), Ay(A->getRangeMap(), 1);
  fromTensor(r, rv);
  fromTensor(coarse.solve(r), y);
  A->apply(y, Ay);
  Ay.update(-1.0, rv, 1.0);
  EXPECT_LE(Ay.getVector(0)->norm2(), 1e-10 * rv.getVector(0)->norm2());
  // What it leaves of r is nothing.
  mv_type left(A->getRangeMap(), 1);
  fromTensor(coarse.deflate(r), left);
  EXPECT_LE(left.getVector(0)->norm2(), 1e-12 * rv.getVector(0)->norm2());
}

// diag(0, 1, 2, 0, 1, 2, ...): Arnoldi breaks down after 3 steps and H is
// singular (the eigenvalue 0): that direction is dropped, nothing is NaN.
TEST(CoarseBasis, DropsTheDirectionsOfASingularHessenbergMatrix) {
  const auto comm = Tpetra::getDefaultComm();
  const int n = 60;
  const auto map = Teuchos::rcp(new map_type(n, 0, comm));
  auto A = Teuchos::rcp(new crs_type(map, 1));
  for (LO i = 0; i < static_cast<LO>(map->getNodeNumElements()); ++i) {
    const GO g = map->getGlobalElement(i);
    A->insertGlobalValues(g, Teuchos::tuple<GO>(g), Teuchos::tuple<SC>(static_cast<double>(g % 3)));
  }
  A->fillComplete();
  const auto basis = coarseBasisOf(*A, 20);
  ASSERT_FALSE(basis.Z.is_null());
  EXPECT_EQ(basis.Z->getNumVectors(), 2u);
  EXPECT_EQ(basis.dropped, 1);
  for (const auto& X : {basis.Z, basis.W})
    for (size_t j = 0; j < X->getNumVectors(); ++j) EXPECT_TRUE(std::isfinite(X->getVector(j)->norm2()));
  EXPECT_LE(relationError(*A, *basis.Z, *basis.W), 1e-12);
}

Teuchos::ParameterList twoLevel(const std::string& where) {
  Teuchos::ParameterList p;
  p.set("gnp: base preconditioner", "none");
  p.set("gnp: coarse space", where);
  return p;
}

// The final true relative residual of FGMRES(10), 100 iterations, on b = A x.
double finalResidual(const Teuchos::RCP<crs_type>& A, const Teuchos::RCP<Prec>& M) {
  return solveRandomSolution(A, M).trueResidual;
}

// On west0479 (ILUT and MueLu fail; one-level GNP stalls near 1e-2), the
// coarse space is kept and takes FGMRES at least five times further (about
// ten: how far depends on the CPU's rounding in training, which differs
// between machines).
TEST(TwoLevelGnp, IsKeptAndConvergesFurtherOnAHardMatrix) {
  const auto A = read(west0479);
  Teuchos::ParameterList none;
  none.set("gnp: base preconditioner", "none");
  const double oneLevel = finalResidual(A, trainedGnp(A, 300, none));
  for (const std::string where : {"first", "last"}) {
    const auto M = trainedGnp(A, 300, twoLevel(where));
    const Gnp::TrainingReport& r = M->getTrainingReport();
    EXPECT_EQ(M->getCoarseDimension(), 80) << where;
    EXPECT_LT(r.scoreWithCoarse, r.scoreWithoutCoarse) << where;
    EXPECT_EQ(r.bestScore, r.scoreWithCoarse) << where;
    const double twoLevelResidual = finalResidual(A, M);
    if (A->getComm()->getRank() == 0)
      std::printf("west0479: final residual %.3g one-level, %.3g with the coarse space %s\n", oneLevel,
                  twoLevelResidual, where.c_str());
    EXPECT_LT(twoLevelResidual, 0.2 * oneLevel) << where;
  }
}

TEST(TwoLevelGnp, SavedAndLoadedAppliesTheSame) {
  const auto A = read(west0479);
  const auto M = trainedGnp(A, 20, twoLevel("last"));
  ASSERT_GT(M->getCoarseDimension(), 0);
  const std::string path = writeTempFile("two_level.gnp", "", A->getComm());
  M->save(path);
  Prec loaded(A);
  loaded.load(path);
  EXPECT_EQ(loaded.getCoarseDimension(), M->getCoarseDimension());
  EXPECT_EQ(loaded.getOptions().coarse, Gnp::Coarse::Last);
  mv_type r(A->getDomainMap(), 1), z1(A->getDomainMap(), 1), z2(A->getDomainMap(), 1);
  r.randomize();
  M->apply(r, z1);
  loaded.apply(r, z2);
  z2.update(-1.0, z1, 1.0);
  EXPECT_LE(z2.getVector(0)->norm2(), 1e-12 * z1.getVector(0)->norm2());
}

TEST(TwoLevelParameters, AreValidatedWithClearErrors) {
  namespace X = Teuchos::Exceptions;
  auto expectRejected = [](const Teuchos::ParameterList& p, const std::string& words) {
    try {
      Prec::validateParameters(p);
      ADD_FAILURE() << "accepted: " << words;
    } catch (const X::InvalidParameter& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  Teuchos::ParameterList p;
  p.set("gnp: coarse dimension", 0);
  expectRejected(p, "\"gnp: coarse dimension\" = 0 is out of range");
  p = Teuchos::ParameterList();
  p.set("gnp: coarse space", "middle");
  expectRejected(p, "one of \"none\", \"first\", \"last\"");
  p = Teuchos::ParameterList();
  p.set("gnp: coarse space in training", "yes");
  expectRejected(p, "\"gnp: coarse space in training\" must be of type bool");
  p = twoLevel("last");
  p.set("gnp: loss", "projected");
  expectRejected(p, "cannot be trained in place");
  // At the defaults too: the message says how out.
  Teuchos::ParameterList projected;
  projected.set("gnp: loss", "projected");
  expectRejected(projected, "\"gnp: coarse space\" \"first\" or \"none\"");
  p.set("gnp: coarse space in training", false);
  EXPECT_FALSE(Prec::validateParameters(p).coarseInTraining);
}

} // namespace
