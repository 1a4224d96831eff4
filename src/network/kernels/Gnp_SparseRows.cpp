#include "kernels/Gnp_SparseRows.hpp"

#include <immintrin.h>

#include <algorithm>

namespace Gnp::kernels {
namespace {

bool hasAvx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

// Columns [c0, c0 + 8·NV) of every row. No FMA in the target: a fused
// multiply-add would round differently from the plain loop's multiply and add.
template <int NV>
__attribute__((target("avx2"))) void columnsAvx2(const std::size_t* rowPtr, const int* colInd, const float* values,
                                                 std::int64_t rows, const float* X, const float* halo, int owned, int C,
                                                 int c0, float* Y) {
  const std::size_t stride = static_cast<std::size_t>(C);
  for (std::int64_t i = 0; i < rows; ++i) {
    __m256 acc[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[v] = _mm256_setzero_ps();
    for (std::size_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) {
      const int j = colInd[k];
      const float* xj =
          (j < owned ? X + static_cast<std::size_t>(j) * stride : halo + static_cast<std::size_t>(j - owned) * stride) +
          c0;
      const __m256 a = _mm256_set1_ps(values[k]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[v] = _mm256_add_ps(acc[v], _mm256_mul_ps(a, _mm256_loadu_ps(xj + 8 * v)));
    }
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) _mm256_storeu_ps(Y + static_cast<std::size_t>(i) * stride + c0 + 8 * v, acc[v]);
  }
}

} // namespace

void sparseRowsPlain(const std::size_t* rowPtr, const int* colInd, const float* values, std::int64_t rows,
                     const float* X, const float* halo, int owned, int C, float* Y) {
  const std::size_t stride = static_cast<std::size_t>(C);
  std::fill(Y, Y + static_cast<std::size_t>(rows) * stride, 0.0f);
  for (std::int64_t i = 0; i < rows; ++i) {
    float* y = Y + static_cast<std::size_t>(i) * stride;
    for (std::size_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) {
      const float a = values[k];
      const int j = colInd[k];
      const float* xj =
          j < owned ? X + static_cast<std::size_t>(j) * stride : halo + static_cast<std::size_t>(j - owned) * stride;
      for (std::size_t c = 0; c < stride; ++c) y[c] += a * xj[c];
    }
  }
}

void sparseRows(const std::size_t* rowPtr, const int* colInd, const float* values, std::int64_t rows, const float* X,
                const float* halo, int owned, int C, float* Y) {
  if (!hasAvx2() || C % 8 != 0) return sparseRowsPlain(rowPtr, colInd, values, rows, X, halo, owned, C, Y);
  // 64 columns at a time: 8 accumulators, the rest of the 16 registers for the loads.
  for (int c0 = 0; c0 < C; c0 += 64) {
    switch (std::min(C - c0, 64) / 8) {
      case 1: columnsAvx2<1>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
      case 2: columnsAvx2<2>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
      case 3: columnsAvx2<3>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
      case 4: columnsAvx2<4>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
      case 5: columnsAvx2<5>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
      case 6: columnsAvx2<6>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
      case 7: columnsAvx2<7>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
      default: columnsAvx2<8>(rowPtr, colInd, values, rows, X, halo, owned, C, c0, Y); break;
    }
  }
}

} // namespace Gnp::kernels
