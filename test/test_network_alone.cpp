// The network layer alone (library gnp_network): trained and applied on a plain
// CSR matrix on one rank, with no Trilinos and no MPI, as it builds wherever only
// LibTorch is. This program links gnp_network and GoogleTest, nothing else.
#include "Gnp_DistributedOperator.hpp"
#include "Gnp_Network.hpp"
#include "Gnp_SerialCommunicator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

namespace {

// Â = A / γ for the 5-point convection–diffusion operator on an N×N grid
// (γ its Gershgorin bound), in CSR, on this one rank.
class LocalCsrOperator : public Gnp::DistributedOperator {
public:
  explicit LocalCsrOperator(int N) : rows_(static_cast<std::int64_t>(N) * N), indices_(rows_) {
    std::iota(indices_.begin(), indices_.end(), 0);
    rowStart_.push_back(0);
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) {
        auto add = [&](int ii, int jj, double v) {
          if (ii < 0 || jj < 0 || ii >= N || jj >= N) return;
          columns_.push_back(ii * N + jj);
          values_.push_back(v);
        };
        add(i - 1, j, -1.2); // convection makes Â nonsymmetric
        add(i, j - 1, -1.0);
        add(i, j, 4.0);
        add(i, j + 1, -1.0);
        add(i + 1, j, -0.8);
        rowStart_.push_back(columns_.size());
      }
    double gamma = 0;
    for (std::int64_t r = 0; r < rows_; ++r) {
      double sum = 0;
      for (std::size_t k = rowStart_[r]; k < rowStart_[r + 1]; ++k) sum += std::abs(values_[k]);
      gamma = std::max(gamma, sum);
    }
    for (double& v : values_) v /= gamma;
  }

  std::int64_t localRows() const override { return rows_; }
  std::int64_t globalRows() const override { return rows_; }
  const std::vector<std::int64_t>& globalRowIndices() const override { return indices_; }
  const Gnp::Communicator& comm() const override { return comm_; }
  void apply(const float* X, float* Y, int C, bool transpose) const override { product(X, Y, C, transpose); }
  void apply(const double* X, double* Y, int C, bool transpose) const override { product(X, Y, C, transpose); }

private:
  template <class T>
  void product(const T* X, T* Y, int C, bool transpose) const {
    std::fill(Y, Y + rows_ * C, T(0));
    for (std::int64_t r = 0; r < rows_; ++r)
      for (std::size_t k = rowStart_[r]; k < rowStart_[r + 1]; ++k) {
        const std::int64_t from = transpose ? r : columns_[k], to = transpose ? columns_[k] : r;
        for (int c = 0; c < C; ++c) Y[to * C + c] += static_cast<T>(values_[k]) * X[from * C + c];
      }
  }

  std::int64_t rows_;
  std::vector<std::int64_t> indices_;
  std::vector<std::size_t> rowStart_;
  std::vector<std::int64_t> columns_;
  std::vector<double> values_;
  Gnp::SerialCommunicator comm_;
};

Gnp::Options shortTraining() {
  Gnp::Options o;
  o.steps = 150;
  o.krylovSamples = 0; // no Arnoldi basis here: Gaussian samples only
  o.printEvery = 0;
  return o;
}

} // namespace

TEST(NetworkAlone, TrainingOnAPlainCsrOperatorLowersTheLossAndBeatsNoPreconditioner) {
  const auto A = std::make_shared<LocalCsrOperator>(16);
  Gnp::Network network(shortTraining(), A);
  const Gnp::TrainingReport report = network.train(nullptr, 0, 0);
  const auto& losses = network.lossHistory();
  ASSERT_EQ(losses.size(), 150u);
  double first = 0, last = 0;
  for (int i = 0; i < 10; ++i) first += losses[i], last += losses[140 + i];
  EXPECT_LT(last, 0.7 * first);
  // The kept step's validation solve (10 FGMRES iterations) against the same solve unpreconditioned.
  EXPECT_LT(report.bestScore, report.validationUnpreconditioned);
}

TEST(NetworkAlone, AppliesAllColumnsInOneBatchLikeOneByOne) {
  const auto A = std::make_shared<LocalCsrOperator>(8);
  Gnp::Options o = shortTraining();
  o.steps = 5;
  Gnp::Network network(o, A);
  network.train(nullptr, 0, 0);
  const std::int64_t n = A->localRows();
  std::vector<double> X(2 * n), Y(2 * n), y(n);
  for (std::int64_t i = 0; i < 2 * n; ++i) X[i] = std::sin(0.3 * i + 1);
  network.apply(X.data(), n, Y.data(), n, 2); // column-major, leading dimension n
  for (int c = 0; c < 2; ++c) {
    network.apply(X.data() + c * n, n, y.data(), n, 1);
    for (std::int64_t i = 0; i < n; ++i) EXPECT_NEAR(Y[c * n + i], y[i], 1e-6 * (1 + std::abs(y[i])));
  }
}
