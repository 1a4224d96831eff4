// Training does not depend on the number of ranks: trained on 1, 2, ... ranks
// with the same seed, GNP takes the same steps to the last bit (every sum over
// rows is an exact sum, kernels/Gnp_ExactSum.hpp) and its output agrees.
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_TestProblems.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace GnpTest;

namespace {

constexpr int steps = 100;

struct Trained {
  std::vector<double> losses;
  std::vector<double> output; ///< M(r) for a fixed Gaussian r, in global row order
};

// GNP trained on `comm` (the rows spread evenly over its ranks), and its
// output for r_i ~ N(0,1) keyed by the global row i.
Trained trainOn(const std::string& path, const CommPtr& comm, const Teuchos::ParameterList& extra) {
  auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(path, comm);
  // The network alone: an ILUT base ("auto" takes it on these matrices)
  // factors each rank's block, as every Ifpack2 ILUT does, so it depends on
  // the partition.
  Teuchos::ParameterList p(extra);
  if (!p.isParameter("gnp: base preconditioner")) p.set("gnp: base preconditioner", "none");
  auto prec = trainedGnp(A, steps, p);
  mv_type r(A->getDomainMap(), 1), z(A->getDomainMap(), 1);
  const auto map = A->getDomainMap();
  {
    auto v = r.getLocalViewHost(Tpetra::Access::OverwriteAll);
    for (size_t i = 0; i < v.extent(0); ++i)
      v(i, 0) = Gnp::gaussian(11, Gnp::RightHandSideStream, 0, map->getGlobalElement(static_cast<LO>(i)), 0);
  }
  prec->apply(r, z);
  Trained t;
  t.losses = prec->getLossHistory();
  std::vector<double> mine(map->getGlobalNumElements(), 0.0);
  auto v = z.getLocalViewHost(Tpetra::Access::ReadOnly);
  for (size_t i = 0; i < v.extent(0); ++i) mine[map->getGlobalElement(static_cast<LO>(i))] = v(i, 0);
  t.output.resize(mine.size());
  // Each entry is nonzero on one rank only: the sum is exact.
  Teuchos::reduceAll<int, double>(*comm, Teuchos::REDUCE_SUM, static_cast<int>(mine.size()), mine.data(),
                                  t.output.data());
  return t;
}

// Rank 0's copy of t on every rank of comm.
void broadcast(const Teuchos::Comm<int>& comm, Trained& t) {
  int sizes[2] = {static_cast<int>(t.losses.size()), static_cast<int>(t.output.size())};
  Teuchos::broadcast<int, int>(comm, 0, 2, sizes);
  t.losses.resize(sizes[0]);
  t.output.resize(sizes[1]);
  Teuchos::broadcast<int, double>(comm, 0, sizes[0], t.losses.data());
  Teuchos::broadcast<int, double>(comm, 0, sizes[1], t.output.data());
}

// Trains on all ranks and on 1, ..., size-1 of them: the same losses to the
// last bit and the same output to float32 rounding.
void expectTheSameOnEveryNumberOfRanks(const std::string& path, const Teuchos::ParameterList& extra = {}) {
  const auto world = Tpetra::getDefaultComm();
  const Trained all = trainOn(path, world, extra);
  ASSERT_EQ(all.losses.size(), static_cast<size_t>(steps));
  for (int ranks = 1; ranks < world->getSize(); ++ranks) {
    const auto sub = world->split(world->getRank() < ranks ? 0 : 1, world->getRank());
    Trained fewer;
    if (world->getRank() < ranks) fewer = trainOn(path, sub, extra);
    broadcast(*world, fewer);
    ASSERT_EQ(fewer.losses.size(), all.losses.size());
    for (int s = 0; s < steps; ++s)
      EXPECT_EQ(fewer.losses[s], all.losses[s]) << ranks << " vs " << world->getSize() << " ranks, step " << s;
    double diff = 0.0, norm = 0.0;
    for (size_t i = 0; i < all.output.size(); ++i) {
      diff = std::max(diff, std::abs(fewer.output[i] - all.output[i]));
      norm = std::max(norm, std::abs(all.output[i]));
    }
    if (world->getRank() == 0)
      std::printf("%s: %d vs %d ranks: largest output difference %.3g (largest entry %.3g)\n", path.c_str(), ranks,
                  world->getSize(), diff, norm);
    EXPECT_GT(norm, 0.0);
    EXPECT_LE(diff, 1e-6 * norm) << ranks << " vs " << world->getSize() << " ranks: output differs by " << diff
                                 << " (largest entry " << norm << ")";
  }
}

class RankCount : public testing::TestWithParam<std::string> {};

TEST_P(RankCount, TrainingTakesTheSameStepsAndGivesTheSameOutputOnEveryNumberOfRanks) {
  expectTheSameOnEveryNumberOfRanks(GetParam());
}

// The coarse space (its Arnoldi basis, its products over rows, the deflated
// samples or residuals of training) is the same on any number of ranks too.
TEST(TwoLevel, TrainingWithTheCoarseSpaceFirstIsTheSameOnEveryNumberOfRanks) {
  Teuchos::ParameterList p;
  p.set("gnp: coarse space", "first");
  p.set("gnp: coarse dimension", 30);
  expectTheSameOnEveryNumberOfRanks(GNP_TEST_DATA "/west0479.mtx", p);
}

TEST(TwoLevel, TrainingWithTheCoarseSpaceLastAndAGmresBaseIsTheSameOnEveryNumberOfRanks) {
  Teuchos::ParameterList p;
  p.set("gnp: base preconditioner", "gmres");
  p.set("gnp: base gmres iterations", 4);
  p.set("gnp: coarse space", "last");
  p.set("gnp: coarse dimension", 30);
  expectTheSameOnEveryNumberOfRanks(GNP_TEST_DATA "/west0479.mtx", p);
}

INSTANTIATE_TEST_SUITE_P(Matrices, RankCount,
                         testing::Values(exampleMatrixPath(), std::string(GNP_TEST_DATA "/sherman1.mtx")),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param.find("sherman1") != std::string::npos ? "sherman1" : "jpwh_991";
                         });

} // namespace
