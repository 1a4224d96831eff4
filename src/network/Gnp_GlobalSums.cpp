#include "Gnp_GlobalSums.hpp"

#include "kernels/Gnp_ExactSum.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace Gnp {
namespace {

// The exact column sums of one rank's (rows, C) block: each column's maximum
// magnitude, the common grid from the global maximum, then the deposits.
template <class T>
std::vector<double> exactLocalColumnSums(const Communicator& comm, const T* x, std::int64_t rows, int C,
                                         double globalRows) {
  std::vector<T> largest(C, T(0));
  for (std::int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < C; ++c) largest[c] = std::max(largest[c], std::abs(x[r * C + c]));
  std::vector<double> origin(largest.begin(), largest.end());
  allReduceMaxInPlace(comm, origin.data(), C);
  for (int c = 0; c < C; ++c) origin[c] = exact::start(origin[c], globalRows);
  std::vector<double> acc(origin);
  constexpr int maxChunks = 16;
  if (C % 4 == 0 && C / 4 <= maxChunks) {
    // Four columns to a vector, the accumulators of a whole row in registers
    // or L1 (the scalar bit operation would leave the loop scalar).
    const int chunks = C / 4;
    exact::Double4 a[maxChunks];
    std::memcpy(a, acc.data(), sizeof(double) * C);
    for (std::int64_t r = 0; r < rows; ++r)
      for (int k = 0; k < chunks; ++k) {
        const T* p = x + r * C + 4 * k;
        exact::deposit(a[k], exact::Double4{static_cast<double>(p[0]), static_cast<double>(p[1]),
                                            static_cast<double>(p[2]), static_cast<double>(p[3])});
      }
    std::memcpy(acc.data(), a, sizeof(double) * C);
  } else {
    for (std::int64_t r = 0; r < rows; ++r)
      for (int c = 0; c < C; ++c) acc[c] = exact::deposit(acc[c], static_cast<double>(x[r * C + c]));
  }
  for (int c = 0; c < C; ++c) acc[c] -= origin[c]; // exact: both in one binade
  return acc;
}

} // namespace

void allReduceSumInPlace(const Communicator& comm, torch::Tensor& x) {
  if (comm.size() == 1) return;
  if (!x.is_contiguous()) throw std::invalid_argument("Gnp::allReduceSumInPlace: tensor not contiguous");
  const int count = static_cast<int>(x.numel());
  if (x.scalar_type() == torch::kFloat32) {
    std::vector<float> send(x.data_ptr<float>(), x.data_ptr<float>() + count);
    comm.sumAll(send.data(), x.data_ptr<float>(), count);
  } else if (x.scalar_type() == torch::kFloat64) {
    std::vector<double> send(x.data_ptr<double>(), x.data_ptr<double>() + count);
    comm.sumAll(send.data(), x.data_ptr<double>(), count);
  } else {
    throw std::invalid_argument("Gnp::allReduceSumInPlace: tensors must be float32 or float64");
  }
}

void allReduceMaxInPlace(const Communicator& comm, double* values, int count) {
  if (comm.size() == 1 || count == 0) return;
  const std::vector<double> send(values, values + count);
  comm.maxAll(send.data(), values, count);
}

torch::Tensor globalColumnSums(const Communicator& comm, const torch::Tensor& terms, double globalRows) {
  if (terms.dim() != 2) throw std::invalid_argument("Gnp::globalColumnSums: expected a (rows, columns) block");
  const torch::Tensor x = terms.detach().contiguous();
  const std::int64_t rows = x.size(0);
  const int C = static_cast<int>(x.size(1));
  std::vector<double> sums;
  if (x.scalar_type() == torch::kFloat32)
    sums = exactLocalColumnSums(comm, x.data_ptr<float>(), rows, C, globalRows);
  else if (x.scalar_type() == torch::kFloat64)
    sums = exactLocalColumnSums(comm, x.data_ptr<double>(), rows, C, globalRows);
  else
    throw std::invalid_argument("Gnp::globalColumnSums: tensors must be float32 or float64");
  torch::Tensor out = torch::tensor(sums, torch::kFloat64);
  allReduceSumInPlace(comm, out); // exact: every local sum lies on the common grid
  return out;
}

torch::Tensor globalInnerProducts(const Communicator& comm, const torch::Tensor& W,
                                  const std::vector<double>& columnBounds, const torch::Tensor& V, double globalRows) {
  const torch::Tensor w = W.detach().to(torch::kFloat64).contiguous(), v = V.detach().to(torch::kFloat64).contiguous();
  const std::int64_t rows = w.size(0);
  const int k = static_cast<int>(w.size(1)), B = static_cast<int>(v.size(1));
  const double *wp = w.data_ptr<double>(), *vp = v.data_ptr<double>();
  // A product's bound from the columns' bounds: one pass over V instead of
  // one over every product (the two-fold sum's precision leaves room for it).
  std::vector<double> vBounds(B, 0.0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < B; ++c) vBounds[c] = std::max(vBounds[c], std::abs(vp[r * B + c]));
  allReduceMaxInPlace(comm, vBounds.data(), B);
  std::vector<exact::TwoFoldSum> sums;
  sums.reserve(static_cast<std::size_t>(k) * B);
  for (int j = 0; j < k; ++j)
    for (int c = 0; c < B; ++c) sums.emplace_back(columnBounds[j] * vBounds[c], globalRows);
  for (std::int64_t r = 0; r < rows; ++r)
    for (int j = 0; j < k; ++j)
      for (int c = 0; c < B; ++c) sums[j * B + c].add(wp[r * k + j] * vp[r * B + c]);
  torch::Tensor parts = torch::empty({2, k, B}, torch::kFloat64);
  double* pp = parts.data_ptr<double>();
  for (int i = 0; i < k * B; ++i) sums[i].parts(pp[i], pp[k * B + i]);
  allReduceSumInPlace(comm, parts); // exact: every part lies on its common grid
  return parts[0] + parts[1];
}

} // namespace Gnp
