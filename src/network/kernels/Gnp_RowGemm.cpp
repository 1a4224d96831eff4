#include "kernels/Gnp_RowGemm.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

namespace Gnp::kernels {
namespace {

// RB rows at a time, N = 8·NV columns: RB·NV accumulators in registers; for
// each k, NV vectors of B and one broadcast of X per row. A second operand
// (X2, B2, K2 > 0) continues the same chain.
template <int NV, int RB>
__attribute__((target("avx2,fma"))) inline void accumulateAvx2(__m256 (&acc)[RB][NV], const float* X, const float* B,
                                                               int K) {
  constexpr int N = 8 * NV;
  for (int k = 0; k < K; ++k) {
    __m256 b[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) b[v] = _mm256_loadu_ps(B + static_cast<std::int64_t>(k) * N + 8 * v);
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r) {
      const __m256 x = _mm256_broadcast_ss(X + static_cast<std::int64_t>(r) * K + k);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_fmadd_ps(x, b[v], acc[r][v]);
    }
  }
}

template <int NV, int RB, bool RELU>
__attribute__((target("avx2,fma"))) inline void rowBlockAvx2(const float* X, const float* B, int K, const float* X2,
                                                             const float* B2, int K2, const float* bias, float* Y) {
  constexpr int N = 8 * NV;
  // Unrolled early, so that GCC keeps the accumulators in registers (left to
  // its late unrolling it stored all of them to the stack on every k).
  __m256 acc[RB][NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    const __m256 b0 = bias ? _mm256_loadu_ps(bias + 8 * v) : _mm256_setzero_ps();
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r) acc[r][v] = b0;
  }
  accumulateAvx2<NV, RB>(acc, X, B, K);
  if (K2 > 0) accumulateAvx2<NV, RB>(acc, X2, B2, K2);
#pragma GCC unroll 8
  for (int r = 0; r < RB; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v)
      _mm256_storeu_ps(Y + static_cast<std::int64_t>(r) * N + 8 * v,
                       RELU ? _mm256_max_ps(acc[r][v], _mm256_setzero_ps()) : acc[r][v]);
}

template <int NV, int RB>
__attribute__((target("avx2,fma"))) void rowGemmAvx2(const float* X, const float* B, int K, const float* X2,
                                                     const float* B2, int K2, const float* bias, float* Y,
                                                     std::int64_t rows, bool relu) {
  constexpr int N = 8 * NV;
  std::int64_t r = 0;
  auto at = [&](const float* M, int width, std::int64_t row) { return M ? M + row * width : M; };
  if (relu) {
    for (; r + RB <= rows; r += RB) rowBlockAvx2<NV, RB, true>(X + r * K, B, K, at(X2, K2, r), B2, K2, bias, Y + r * N);
    for (; r < rows; ++r) rowBlockAvx2<NV, 1, true>(X + r * K, B, K, at(X2, K2, r), B2, K2, bias, Y + r * N);
  } else {
    for (; r + RB <= rows; r += RB)
      rowBlockAvx2<NV, RB, false>(X + r * K, B, K, at(X2, K2, r), B2, K2, bias, Y + r * N);
    for (; r < rows; ++r) rowBlockAvx2<NV, 1, false>(X + r * K, B, K, at(X2, K2, r), B2, K2, bias, Y + r * N);
  }
}

// N = 1: a dot product per row, in 8 lanes over k and then a fixed reduction
// tree (the same for every row).
__attribute__((target("avx2,fma"))) void rowDotAvx2(const float* X, const float* B, const float* bias, float* Y,
                                                    std::int64_t rows, int K, bool relu) {
  const int K8 = K - K % 8;
  const float b0 = bias ? bias[0] : 0.0f;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* x = X + r * K;
    __m256 acc = _mm256_setzero_ps();
    for (int k = 0; k < K8; k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(B + k), acc);
    const __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    const __m128 q = _mm_add_ps(h, _mm_movehl_ps(h, h));
    float sum = _mm_cvtss_f32(_mm_add_ss(q, _mm_shuffle_ps(q, q, 1)));
    for (int k = K8; k < K; ++k) sum += x[k] * B[k];
    Y[r] = relu ? std::max(b0 + sum, 0.0f) : b0 + sum;
  }
}

void rowGemmPlain(const float* X, const float* B, int K, const float* X2, const float* B2, int K2, const float* bias,
                  float* Y, std::int64_t rows, int N, bool relu) {
  for (std::int64_t r = 0; r < rows; ++r) {
    float* y = Y + r * N;
    for (int n = 0; n < N; ++n) y[n] = bias ? bias[n] : 0.0f;
    for (int k = 0; k < K; ++k) {
      const float x = X[r * K + k];
      const float* b = B + static_cast<std::int64_t>(k) * N;
      for (int n = 0; n < N; ++n) y[n] += x * b[n];
    }
    for (int k = 0; k < K2; ++k) {
      const float x = X2[r * K2 + k];
      const float* b = B2 + static_cast<std::int64_t>(k) * N;
      for (int n = 0; n < N; ++n) y[n] += x * b[n];
    }
    if (relu)
      for (int n = 0; n < N; ++n) y[n] = std::max(y[n], 0.0f);
  }
}

bool hasAvx2Fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

// Eight columns to a vector (GCC leaves the runtime-width loop scalar).
template <int V>
__attribute__((target("avx2"))) void columnAbsMaximaAvx2(const float* X, std::int64_t rows, float* m) {
  __m256 acc[V];
  const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) acc[v] = _mm256_loadu_ps(m + 8 * v);
  for (std::int64_t r = 0; r < rows; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
      const __m256 a = _mm256_and_ps(_mm256_loadu_ps(X + r * 8 * V + 8 * v), magnitude);
      acc[v] = _mm256_blendv_ps(acc[v], a, _mm256_cmp_ps(a, acc[v], _CMP_GT_OQ)); // a > acc ? a : acc
    }
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) _mm256_storeu_ps(m + 8 * v, acc[v]);
}

// Y = X·B (+ X2·B2) (+ bias) (then ReLU) for `rows` rows: the register-blocked
// code for the usual widths (N = 1 only with one operand), plain loops otherwise.
void productRows(const float* X, const float* B, int K, const float* X2, const float* B2, int K2, const float* bias,
                 float* Y, std::int64_t rows, int N, bool relu) {
  if (hasAvx2Fma()) {
    switch (N) {
      case 1:
        if (!X2) return rowDotAvx2(X, B, bias, Y, rows, K, relu);
        break;
      case 8: return rowGemmAvx2<1, 8>(X, B, K, X2, B2, K2, bias, Y, rows, relu);
      case 16: return rowGemmAvx2<2, 6>(X, B, K, X2, B2, K2, bias, Y, rows, relu);
      case 24: return rowGemmAvx2<3, 4>(X, B, K, X2, B2, K2, bias, Y, rows, relu);
      case 32: return rowGemmAvx2<4, 3>(X, B, K, X2, B2, K2, bias, Y, rows, relu);
      default: break;
    }
  }
  rowGemmPlain(X, B, K, X2, B2, K2, bias, Y, rows, N, relu);
}

// Runs product(r0, r1) over blocks of rows and, when maxima is not null, takes
// the maxima of X's rows of each block right after it. The block (a multiple of
// every row-block height above) stays in the first-level cache.
template <class Product>
void withMaxima(const float* X, int K, std::int64_t rows, float* maxima, Product product) {
  if (!maxima) return product(0, rows);
  std::fill(maxima, maxima + K, 0.0f);
  constexpr std::int64_t block = 96;
  for (std::int64_t r0 = 0; r0 < rows; r0 += block) {
    const std::int64_t r1 = std::min(rows, r0 + block);
    product(r0, r1);
    columnAbsMaxima(X + r0 * K, r1 - r0, K, maxima);
  }
}

} // namespace

void columnAbsMaxima(const float* X, std::int64_t rows, int K, float* m) {
  if (hasAvx2Fma()) {
    switch (K) {
      case 8: return columnAbsMaximaAvx2<1>(X, rows, m);
      case 16: return columnAbsMaximaAvx2<2>(X, rows, m);
      case 24: return columnAbsMaximaAvx2<3>(X, rows, m);
      case 32: return columnAbsMaximaAvx2<4>(X, rows, m);
      default: break;
    }
  }
  for (std::int64_t r = 0; r < rows; ++r)
    for (int k = 0; k < K; ++k) {
      const float a = std::abs(X[r * K + k]);
      m[k] = a > m[k] ? a : m[k];
    }
}

void rowGemm(const float* X, const float* B, const float* bias, float* Y, std::int64_t rows, int K, int N, bool relu,
             float* xMaxima) {
  withMaxima(X, K, rows, xMaxima, [&](std::int64_t r0, std::int64_t r1) {
    productRows(X + r0 * K, B, K, nullptr, nullptr, 0, bias, Y + r0 * N, r1 - r0, N, relu);
  });
}

void rowGemm2(const float* X, const float* B, int K, const float* X2, const float* B2, int K2, const float* bias,
              float* Y, std::int64_t rows, int N, float* x2Maxima) {
  withMaxima(X2, K2, rows, x2Maxima, [&](std::int64_t r0, std::int64_t r1) {
    productRows(X + r0 * K, B, K, X2 + r0 * K2, B2, K2, bias, Y + r0 * N, r1 - r0, N, false);
  });
}

} // namespace Gnp::kernels
