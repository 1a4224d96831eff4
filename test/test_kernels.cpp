// The hand-written kernels of src/kernels/: exact sums that do not depend on the
// order of their terms, dense products that compute each row alone, the dense
// layers' gradient sums that do not depend on how groups of rows are split, and
// the graph convolution's local product, whose vector code gives the plain loops' bits.
#include "Gnp_GlobalSums.hpp"
#include "Gnp_SerialCommunicator.hpp"
#include "Gnp_TeuchosCommunicator.hpp"
#include "Gnp_TestProblems.hpp"
#include "kernels/Gnp_BatchNormRelu.hpp"
#include "kernels/Gnp_ExactSum.hpp"
#include "kernels/Gnp_ChunkedSums.hpp"
#include "kernels/Gnp_RowGemm.hpp"
#include "kernels/Gnp_SparseRows.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace GnpTest;

namespace {

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

double exactSum(const std::vector<double>& terms, double bound) {
  const double origin = Gnp::exact::start(bound, static_cast<double>(terms.size()));
  double acc = origin;
  for (double t : terms) acc = Gnp::exact::deposit(acc, t);
  return acc - origin;
}

TEST(ExactSum, TermsHalfwayBetweenGridPointsRoundTheSameWhateverCameBefore) {
  // Plain rounding to nearest even sends a half-grid term up or down depending
  // on the accumulator's last bit, so {grid, grid/2} and {grid/2, grid} would
  // sum to 2·grid and to grid.
  const double origin = Gnp::exact::start(1.0, 2.0); // 1.5·2^P: the grid is 2^(P-52)
  const double grid = std::ldexp(1.0, std::ilogb(origin) - 52);
  EXPECT_TRUE(sameBits(exactSum({grid, grid / 2}, 1.0), exactSum({grid / 2, grid}, 1.0)));
  EXPECT_EQ(exactSum({grid / 2, grid}, 1.0), 2 * grid);
}

TEST(ExactSum, SumDoesNotDependOnTheOrderOfItsTermsAndIsCloseToTheTrueSum) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  std::vector<double> terms(100000);
  double bound = 0.0;
  for (auto& t : terms) {
    t = std::ldexp(normal(rng), static_cast<int>(rng() % 40) - 20); // 12 decades of magnitude
    bound = std::max(bound, std::abs(t));
  }
  const double reference = exactSum(terms, bound);
  long double truth = 0.0L;
  for (double t : terms) truth += t;
  for (int shuffle = 0; shuffle < 5; ++shuffle) {
    std::shuffle(terms.begin(), terms.end(), rng);
    EXPECT_TRUE(sameBits(exactSum(terms, bound), reference)) << "shuffle " << shuffle;
  }
  // Each term is rounded to the grid, 2^(L-49) of the bound at most (L = 17 here).
  EXPECT_NEAR(reference, static_cast<double>(truth), terms.size() * std::ldexp(bound, 17 - 50));
  EXPECT_NE(reference, 0.0);
}

TEST(ExactSum, TwoFoldSumKeepsFloat64Precision) {
  // 1 + many tiny terms − 1: one grid would round every tiny term away.
  std::vector<double> terms{1.0};
  for (int i = 0; i < 1000; ++i) terms.push_back(1e-13);
  terms.push_back(-1.0);
  Gnp::exact::TwoFoldSum sum(1.0, static_cast<double>(terms.size()));
  for (double t : terms) sum.add(t);
  double coarse = 0.0, fine = 0.0;
  sum.parts(coarse, fine);
  // Every tiny term falls below the first grid (about 2^-39 here) and is rounded
  // to the second (about 2^-78): an error of 1e-20 at most over 1000 terms, far
  // below float64's 1.1e-16 relative to the bound 1.
  EXPECT_NEAR(coarse + fine, 1000 * 1e-13, 1e-20);
  EXPECT_NE(exactSum(terms, 1.0), coarse + fine); // what the second fold is for
}

TEST(GlobalSums, ColumnSumsAreTheSameOnEveryNumberOfRanks) {
  // A block keyed by global row, summed on all ranks and on rank 0 alone.
  const auto comm = Tpetra::getDefaultComm();
  const int rows = 1001, C = 16;
  auto value = [](int row, int c) {
    return static_cast<float>(std::sin(0.37 * row + c) * std::exp(0.05 * ((row * 7 + c) % 40)));
  };
  const int first = rows * comm->getRank() / comm->getSize(), last = rows * (comm->getRank() + 1) / comm->getSize();
  torch::Tensor mine = torch::empty({last - first, C});
  for (int r = first; r < last; ++r)
    for (int c = 0; c < C; ++c) mine[r - first][c] = value(r, c);
  const torch::Tensor all = Gnp::globalColumnSums(Gnp::TeuchosCommunicator(comm), mine, rows);
  torch::Tensor whole = torch::empty({rows, C});
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < C; ++c) whole[r][c] = value(r, c);
  const torch::Tensor alone = Gnp::globalColumnSums(Gnp::SerialCommunicator(), whole, rows);
  EXPECT_TRUE(torch::equal(all, alone)) << all << alone;
  EXPECT_TRUE(torch::allclose(alone, whole.to(torch::kFloat64).sum(0), 1e-9, 1e-9));
}

class RowGemm : public testing::TestWithParam<int> {};

TEST_P(RowGemm, EachRowIsComputedAloneAndMatchesTheProduct) {
  const int N = GetParam(), K = 16, rows = 37;
  std::mt19937 rng(N);
  std::normal_distribution<float> normal;
  std::vector<float> X(rows * K), B(K * N), bias(N), Y(rows * N);
  for (auto* v : {&X, &B, &bias})
    for (auto& x : *v) x = normal(rng);
  Gnp::kernels::rowGemm(X.data(), B.data(), bias.data(), Y.data(), rows, K, N);
  for (int r = 0; r < rows; ++r)
    for (int n = 0; n < N; ++n) {
      double ref = bias[n];
      for (int k = 0; k < K; ++k) ref += static_cast<double>(X[r * K + k]) * B[k * N + n];
      EXPECT_NEAR(Y[r * N + n], ref, 1e-5 * (1.0 + std::abs(ref)));
    }
  // Any block of the rows, at any offset, gives those rows the same bits.
  for (int start : {0, 1, 5, 13})
    for (int count : {1, 2, 7, 24}) {
      if (start + count > rows) continue;
      std::vector<float> part(count * N);
      Gnp::kernels::rowGemm(X.data() + start * K, B.data(), bias.data(), part.data(), count, K, N);
      EXPECT_EQ(std::memcmp(part.data(), Y.data() + start * N, part.size() * sizeof(float)), 0)
          << count << " rows from row " << start;
    }
}

TEST_P(RowGemm, TwoOperandsSumLikeTheTwoProductsAndEachRowIsComputedAlone) {
  const int N = GetParam(), K = 16, K2 = 8, rows = 29;
  std::mt19937 rng(100 + N);
  std::normal_distribution<float> normal;
  std::vector<float> X(rows * K), X2(rows * K2), B(K * N), B2(K2 * N), bias(N), Y(rows * N);
  for (auto* v : {&X, &X2, &B, &B2, &bias})
    for (auto& x : *v) x = normal(rng);
  Gnp::kernels::rowGemm2(X.data(), B.data(), K, X2.data(), B2.data(), K2, bias.data(), Y.data(), rows, N);
  for (int r = 0; r < rows; ++r)
    for (int n = 0; n < N; ++n) {
      double ref = bias[n];
      for (int k = 0; k < K; ++k) ref += static_cast<double>(X[r * K + k]) * B[k * N + n];
      for (int k = 0; k < K2; ++k) ref += static_cast<double>(X2[r * K2 + k]) * B2[k * N + n];
      EXPECT_NEAR(Y[r * N + n], ref, 1e-5 * (1.0 + std::abs(ref)));
    }
  for (int start : {0, 3, 11})
    for (int count : {1, 5, 13}) {
      std::vector<float> part(count * N);
      Gnp::kernels::rowGemm2(X.data() + start * K, B.data(), K, X2.data() + start * K2, B2.data(), K2, bias.data(),
                             part.data(), count, N);
      EXPECT_EQ(std::memcmp(part.data(), Y.data() + start * N, part.size() * sizeof(float)), 0)
          << count << " rows from row " << start;
    }
}

TEST_P(RowGemm, FusedReluIsTheReluOfTheProduct) {
  const int N = GetParam(), K = 12, rows = 17;
  std::mt19937 rng(200 + N);
  std::normal_distribution<float> normal;
  std::vector<float> X(rows * K), B(K * N), bias(N), Y(rows * N), R(rows * N);
  for (auto* v : {&X, &B, &bias})
    for (auto& x : *v) x = normal(rng);
  Gnp::kernels::rowGemm(X.data(), B.data(), bias.data(), Y.data(), rows, K, N);
  Gnp::kernels::rowGemm(X.data(), B.data(), bias.data(), R.data(), rows, K, N, true);
  int negative = 0;
  for (int i = 0; i < rows * N; ++i) {
    EXPECT_EQ(R[i], std::max(Y[i], 0.0f)) << "entry " << i;
    negative += Y[i] < 0.0f;
  }
  EXPECT_GT(negative, 0); // the ReLU had something to do
}

TEST_P(RowGemm, InputMaximaComeWithTheProductWhichTheyLeaveUnchanged) {
  // Here the parameter is the input's width; 250 rows: more than two of the blocks the maxima are taken on.
  const int K = GetParam(), N = 16, rows = 250;
  std::mt19937 rng(300 + K);
  std::normal_distribution<float> normal;
  std::vector<float> X(rows * K), B(K * N), bias(N), Y(rows * N), Ym(rows * N), Y2(rows * N), Y2m(rows * N);
  for (auto* v : {&X, &B, &bias})
    for (auto& x : *v) x = normal(rng);
  X[200 * K + K - 1] = -40.0f;                          // the largest magnitude, negative, in the last block
  X[100 * K] = std::numeric_limits<float>::quiet_NaN(); // passed over
  std::vector<float> expected(K, 0.0f), maxima(K, -1.0f), maxima2(K, -1.0f);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < K; ++k)
      if (!std::isnan(X[r * K + k])) expected[k] = std::max(expected[k], std::abs(X[r * K + k]));
  Gnp::kernels::rowGemm(X.data(), B.data(), bias.data(), Y.data(), rows, K, N);
  Gnp::kernels::rowGemm(X.data(), B.data(), bias.data(), Ym.data(), rows, K, N, false, maxima.data());
  EXPECT_EQ(maxima, expected);
  EXPECT_EQ(std::memcmp(Y.data(), Ym.data(), Y.size() * sizeof(float)), 0);
  // rowGemm2 takes the maxima of its second operand.
  Gnp::kernels::rowGemm2(B.data(), B.data(), 0, X.data(), B.data(), K, bias.data(), Y2.data(), rows, N);
  Gnp::kernels::rowGemm2(B.data(), B.data(), 0, X.data(), B.data(), K, bias.data(), Y2m.data(), rows, N,
                         maxima2.data());
  EXPECT_EQ(maxima2, expected);
  EXPECT_EQ(std::memcmp(Y2.data(), Y2m.data(), Y2.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(Y2.data(), Y.data(), Y.size() * sizeof(float)), 0);
}

INSTANTIATE_TEST_SUITE_P(Widths, RowGemm, testing::Values(1, 5, 8, 16, 24, 32));

class SparseRows : public testing::TestWithParam<int> {};

TEST_P(SparseRows, TheVectorCodeGivesThePlainLoopsBitsAndTheProduct) {
  // 40 rows, 4 to 11 entries each, columns among 30 owned rows of X and 9 halo rows.
  const int C = GetParam(), rows = 40, owned = 30, remote = 9;
  std::mt19937 rng(C);
  std::normal_distribution<float> normal;
  std::vector<std::size_t> rowPtr{0};
  std::vector<int> colInd;
  std::vector<float> values;
  for (int i = 0; i < rows; ++i) {
    const int entries = 4 + i % 8;
    for (int e = 0; e < entries; ++e) {
      colInd.push_back(static_cast<int>(rng() % (owned + remote)));
      values.push_back(normal(rng));
    }
    rowPtr.push_back(colInd.size());
  }
  std::vector<float> X(owned * C), halo(remote * C), Y(rows * C, 7.0f), plain(rows * C, -7.0f);
  for (auto* v : {&X, &halo})
    for (auto& x : *v) x = normal(rng);
  Gnp::kernels::sparseRows(rowPtr.data(), colInd.data(), values.data(), rows, X.data(), halo.data(), owned, C,
                           Y.data());
  Gnp::kernels::sparseRowsPlain(rowPtr.data(), colInd.data(), values.data(), rows, X.data(), halo.data(), owned, C,
                                plain.data());
  EXPECT_EQ(std::memcmp(Y.data(), plain.data(), Y.size() * sizeof(float)), 0);
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < C; ++c) {
      double ref = 0.0, size = 0.0;
      for (std::size_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) {
        const int j = colInd[k];
        const double term = double(values[k]) * (j < owned ? X[j * C + c] : halo[(j - owned) * C + c]);
        ref += term;
        size += std::abs(term);
      }
      ASSERT_NEAR(Y[i * C + c], ref, 1e-6 * size) << "row " << i << " column " << c;
    }
}

// One vector's embedding (16), the default batch's (64), the paper's (256),
// widths between the 64-column blocks (8, 72, 136), and 5 (plain loops only).
INSTANTIATE_TEST_SUITE_P(Widths, SparseRows, testing::Values(5, 8, 16, 64, 72, 136, 256));

// A batch-norm layer's block: x, its ReLU output y (about half zero), the
// incoming gradient g, and per-feature statistics, for F features.
struct BatchNormBlock {
  static constexpr std::int64_t rows = 203;
  int F;
  std::vector<float> x, y, g, mean, rstd, scale, bias, meanG, meanGxhat;
  explicit BatchNormBlock(int features) : F(features) {
    std::mt19937 rng(F);
    std::normal_distribution<float> normal;
    auto fill = [&](std::vector<float>& v, std::size_t n, float shift) {
      v.resize(n);
      for (auto& e : v) e = normal(rng) + shift;
    };
    fill(x, rows * F, 0.3f), fill(g, rows * F, 0.0f), fill(mean, F, 0.2f), fill(bias, F, 0.0f);
    fill(meanG, F, 0.0f), fill(meanGxhat, F, 0.0f), fill(rstd, F, 0.0f), fill(scale, F, 0.0f);
    for (auto& r : rstd) r = 0.5f + std::abs(r);
    y.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::max(0.0f, x[i] - 0.3f);
  }
};

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
bool sameBits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

class BatchNormRelu : public testing::TestWithParam<int> {};

TEST_P(BatchNormRelu, TheForwardGivesThePlainLoopsBitsAndTheFormula) {
  const BatchNormBlock b(GetParam());
  const int F = b.F;
  std::vector<float> fast(b.x.size(), 7.0f), plain(b.x.size(), -7.0f);
  Gnp::kernels::batchNormRelu(b.x.data(), fast.data(), b.rows, F, b.mean.data(), b.scale.data(), b.bias.data());
  Gnp::kernels::batchNormReluPlain(b.x.data(), plain.data(), b.rows, F, b.mean.data(), b.scale.data(), b.bias.data());
  EXPECT_TRUE(sameBits(fast, plain));
  for (std::size_t i = 0; i < fast.size(); ++i) {
    const int f = static_cast<int>(i % F);
    ASSERT_NEAR(fast[i], std::max(0.0, (double(b.x[i]) - b.mean[f]) * b.scale[f] + b.bias[f]), 1e-5);
  }
}

TEST_P(BatchNormRelu, TheBackwardPassesGiveThePlainLoopsBitsAndTheTrueSums) {
  const BatchNormBlock b(GetParam());
  const int F = b.F;
  std::vector<double> maxG(F), maxGx(F), plainMaxG(F), plainMaxGx(F);
  Gnp::kernels::batchNormReluMaxima(b.x.data(), b.y.data(), b.g.data(), b.rows, F, b.mean.data(), b.rstd.data(),
                                    maxG.data(), maxGx.data());
  Gnp::kernels::batchNormReluMaximaPlain(b.x.data(), b.y.data(), b.g.data(), b.rows, F, b.mean.data(), b.rstd.data(),
                                         plainMaxG.data(), plainMaxGx.data());
  EXPECT_TRUE(sameBits(maxG, plainMaxG));
  EXPECT_TRUE(sameBits(maxGx, plainMaxGx));

  std::vector<double> sumG(F), sumGx(F), origin(2 * F);
  for (int f = 0; f < F; ++f) {
    sumG[f] = origin[f] = Gnp::exact::start(maxG[f], double(b.rows));
    sumGx[f] = origin[F + f] = Gnp::exact::start(maxGx[f], double(b.rows));
  }
  std::vector<double> plainSumG(sumG), plainSumGx(sumGx);
  Gnp::kernels::batchNormReluSums(b.x.data(), b.y.data(), b.g.data(), b.rows, F, b.mean.data(), b.rstd.data(),
                                  sumG.data(), sumGx.data());
  Gnp::kernels::batchNormReluSumsPlain(b.x.data(), b.y.data(), b.g.data(), b.rows, F, b.mean.data(), b.rstd.data(),
                                       plainSumG.data(), plainSumGx.data());
  EXPECT_TRUE(sameBits(sumG, plainSumG));
  EXPECT_TRUE(sameBits(sumGx, plainSumGx));
  for (int f = 0; f < F; ++f) {
    double trueG = 0, size = 0;
    for (std::int64_t i = 0; i < b.rows; ++i)
      if (b.y[i * F + f] > 0) trueG += b.g[i * F + f], size += std::abs(b.g[i * F + f]);
    EXPECT_NEAR(sumG[f] - origin[f], trueG, 1e-6 * size) << "feature " << f;
  }

  std::vector<float> gx(b.x.size(), 7.0f), plainGx(b.x.size(), -7.0f);
  Gnp::kernels::batchNormReluInputGradient(b.x.data(), b.y.data(), b.g.data(), gx.data(), b.rows, F, b.mean.data(),
                                           b.rstd.data(), b.scale.data(), b.meanG.data(), b.meanGxhat.data());
  Gnp::kernels::batchNormReluInputGradientPlain(b.x.data(), b.y.data(), b.g.data(), plainGx.data(), b.rows, F,
                                                b.mean.data(), b.rstd.data(), b.scale.data(), b.meanG.data(),
                                                b.meanGxhat.data());
  EXPECT_TRUE(sameBits(gx, plainGx));
}

TEST_P(BatchNormRelu, TheReluMaskAndItsMaximaGiveThePlainLoopsBits) {
  const BatchNormBlock b(GetParam());
  const int F = b.F;
  std::vector<float> gm(b.x.size(), 7.0f), plain(b.x.size(), -7.0f), maxima(F, 3.0f), plainMaxima(F, -3.0f);
  Gnp::kernels::reluGradientAndMaxima(b.g.data(), b.y.data(), gm.data(), b.rows, F, maxima.data());
  Gnp::kernels::reluGradientAndMaximaPlain(b.g.data(), b.y.data(), plain.data(), b.rows, F, plainMaxima.data());
  EXPECT_TRUE(sameBits(gm, plain));
  EXPECT_TRUE(sameBits(maxima, plainMaxima));
  for (std::size_t i = 0; i < gm.size(); ++i) ASSERT_EQ(gm[i], b.y[i] > 0 ? b.g[i] : 0.0f);
}

// 16 and 32: the fixed widths in registers; 8, 24, 64: other vector widths; 5: odd.
INSTANTIATE_TEST_SUITE_P(Widths, BatchNormRelu, testing::Values(5, 8, 16, 24, 32, 64));

// A layer's gradient sums Σ gᵀx, Σ g over `rows` rows in groups of `group`,
// computed by `kernel` on the rows [first, first + count) (started, deposited,
// start taken off), for in → out widths.
struct Deposits {
  int in, out, group;
  std::int64_t rows = 0;
  std::vector<float> g, x;
  double bound = 0.0, boundBias = 0.0;
  Deposits(int in_, int out_, int group_, int groups)
      : in(in_), out(out_), group(group_), rows(std::int64_t(groups) * group_) {
    std::mt19937 rng(in * 1000 + out * 10 + group);
    std::normal_distribution<float> normal;
    g.resize(rows * out), x.resize(rows * in);
    for (auto& v : g) v = normal(rng), boundBias = std::max(boundBias, double(std::abs(v)));
    double xMax = 0.0;
    for (auto& v : x) v = normal(rng), xMax = std::max(xMax, double(std::abs(v)));
    bound = boundBias * xMax;
  }
  template <class Kernel>
  std::vector<double> sums(Kernel kernel, std::int64_t first, std::int64_t count) const {
    const double n = Gnp::kernels::depositCount(static_cast<double>(rows), group);
    const double w0 = Gnp::exact::start(Gnp::kernels::depositBound(bound, group), n);
    const double b0 = Gnp::exact::start(Gnp::kernels::depositBound(boundBias, group), n);
    std::vector<double> acc(out * in + out);
    std::fill(acc.begin(), acc.begin() + out * in, w0);
    std::fill(acc.begin() + out * in, acc.end(), b0);
    kernel(g.data() + first * out, x.data() + first * in, count, out, in, group, acc.data(), acc.data() + out * in);
    for (int k = 0; k < out * in; ++k) acc[k] -= w0;
    for (int k = 0; k < out; ++k) acc[out * in + k] -= b0;
    return acc;
  }
};

class GradientDeposits : public testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(GradientDeposits, SumsAreTheSameHoweverTheGroupsAreSplitAndCloseToTheTrueSums) {
  const auto [in, out, group] = GetParam();
  const Deposits d(in, out, group, 23);
  const auto whole = d.sums(Gnp::kernels::gradientDeposits, 0, d.rows);
  // The vector code computes what the plain loops compute, bit for bit.
  const auto plain = d.sums(Gnp::kernels::gradientDepositsPlain, 0, d.rows);
  EXPECT_EQ(std::memcmp(whole.data(), plain.data(), whole.size() * sizeof(double)), 0);
  // Rows split between two "ranks" at a group boundary: the sums add up to the
  // same bits (each part lies on the common grid, so the addition is exact).
  for (int cut : {1, 7, 22}) {
    const auto first = d.sums(Gnp::kernels::gradientDeposits, 0, std::int64_t(cut) * group);
    const auto second = d.sums(Gnp::kernels::gradientDeposits, std::int64_t(cut) * group, d.rows - cut * group);
    for (size_t k = 0; k < whole.size(); ++k)
      ASSERT_TRUE(sameBits(first[k] + second[k], whole[k])) << "sum " << k << ", split after group " << cut;
  }
  // And they are the sums, to float32 rounding of the chunks' sums (at most 16
  // terms each, each within the bound).
  for (int o = 0; o < out; ++o) {
    double bias = 0.0;
    for (std::int64_t r = 0; r < d.rows; ++r) bias += d.g[r * out + o];
    EXPECT_NEAR(whole[out * in + o], bias, 1e-6 * d.rows * d.boundBias);
    for (int i = 0; i < in; ++i) {
      double w = 0.0;
      for (std::int64_t r = 0; r < d.rows; ++r) w += double(d.g[r * out + o]) * d.x[r * in + i];
      EXPECT_NEAR(whole[o * in + i], w, 1e-6 * d.rows * d.bound);
    }
  }
}

TEST(GradientDepositsRows, RowsThatAreNotWholeGroupsAreAnError) {
  std::vector<float> g(10), x(10);
  std::vector<double> gw(1), gb(1);
  EXPECT_THROW(Gnp::kernels::gradientDeposits(g.data(), x.data(), 10, 1, 1, 4, gw.data(), gb.data()),
               std::invalid_argument);
}

class ColumnDeposits : public testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(ColumnDeposits, BatchNormSumsAreTheSameHoweverTheGroupsAreSplitAndCloseToTheTrueSums) {
  const auto [C, group] = GetParam();
  const int groups = 23;
  const std::int64_t rows = std::int64_t(groups) * group;
  std::mt19937 rng(C * 100 + group);
  std::normal_distribution<float> normal(3.0f, 2.0f);
  std::vector<float> x(rows * C), shift(C, 3.0f);
  for (auto& v : x) v = normal(rng);
  std::vector<float> lo(C, INFINITY), hi(C, -INFINITY);
  Gnp::kernels::columnRange(x.data(), rows, C, lo.data(), hi.data());
  for (int c = 0; c < C; ++c) {
    float l = INFINITY, h = -INFINITY;
    for (std::int64_t r = 0; r < rows; ++r) l = std::min(l, x[r * C + c]), h = std::max(h, x[r * C + c]);
    EXPECT_EQ(lo[c], l);
    EXPECT_EQ(hi[c], h);
  }
  for (bool square : {false, true}) {
    double bound = 0.0;
    for (float v : x) bound = std::max(bound, square ? (v - 3.0) * (v - 3.0) : std::abs(double(v)));
    const double origin =
        Gnp::exact::start(Gnp::kernels::depositBound(bound, group), Gnp::kernels::depositCount(double(rows), group));
    auto sums = [&](auto kernel, std::int64_t first, std::int64_t count) {
      std::vector<double> acc(C, origin);
      kernel(x.data() + first * C, count, C, group, square ? shift.data() : nullptr, square, acc.data());
      for (auto& a : acc) a -= origin;
      return acc;
    };
    const auto whole = sums(Gnp::kernels::columnDeposits, 0, rows);
    const auto plain = sums(Gnp::kernels::columnDepositsPlain, 0, rows);
    EXPECT_EQ(std::memcmp(whole.data(), plain.data(), C * sizeof(double)), 0) << "square " << square;
    for (int cut : {1, 11}) {
      const auto first = sums(Gnp::kernels::columnDeposits, 0, std::int64_t(cut) * group);
      const auto second = sums(Gnp::kernels::columnDeposits, std::int64_t(cut) * group, rows - cut * group);
      for (int c = 0; c < C; ++c) ASSERT_TRUE(sameBits(first[c] + second[c], whole[c])) << c << " square " << square;
    }
    for (int c = 0; c < C; ++c) {
      double truth = 0.0;
      for (std::int64_t r = 0; r < rows; ++r) {
        const double d = square ? x[r * C + c] - 3.0 : x[r * C + c];
        truth += square ? d * d : d;
      }
      EXPECT_NEAR(whole[c], truth, 1e-6 * rows * bound) << c << " square " << square;
    }
  }
}

// Batch normalisation's widths (16, 32; 5 through the plain loops), groups of
// 16, 1 and 20.
INSTANTIATE_TEST_SUITE_P(Widths, ColumnDeposits,
                         testing::Values(std::tuple{16, 16}, std::tuple{32, 16}, std::tuple{16, 1}, std::tuple{16, 20},
                                         std::tuple{5, 16}));

// The network's widths (1, 16, 32; 1 → 32 the encoder's first layer, 32 → 1
// the decoder's last), others through the plain loops; groups of 16 (the
// paper's batch), 4 (the default batch), 1, and 20 (two chunks per group).
INSTANTIATE_TEST_SUITE_P(Widths, GradientDeposits,
                         testing::Values(std::tuple{1, 32, 16}, std::tuple{16, 16, 16}, std::tuple{16, 32, 16},
                                         std::tuple{32, 32, 16}, std::tuple{32, 16, 16}, std::tuple{32, 1, 16},
                                         std::tuple{32, 32, 20}, std::tuple{16, 16, 1}, std::tuple{5, 3, 16},
                                         std::tuple{1, 24, 16}, std::tuple{1, 6, 7}, std::tuple{32, 32, 4},
                                         std::tuple{16, 16, 4}, std::tuple{16, 32, 4}, std::tuple{32, 1, 4},
                                         std::tuple{16, 3, 4}));

} // namespace
