#include "Gnp_ChunkedSums.hpp"

#include "Gnp_ExactSum.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace Gnp::kernels {
namespace {

// Calls f(c0, c1) for each chunk [c0, c1) of rows: up to depositChunk rows,
// never across a group's end.
template <class F>
void forEachChunk(std::int64_t rows, int group, F f) {
  for (std::int64_t g0 = 0; g0 < rows; g0 += group)
    for (std::int64_t c0 = g0; c0 < g0 + group; c0 += depositChunk) f(c0, std::min(c0 + depositChunk, g0 + group));
}

bool hasAvx2Fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

__attribute__((target("avx2,fma"))) inline void depositAvx2(double* acc, __m256d t) {
  // exact::deposit on four sums: the term's lowest bit set, then the add.
  const __m256d lowBit = _mm256_castsi256_pd(_mm256_set1_epi64x(1));
  _mm256_storeu_pd(acc, _mm256_add_pd(_mm256_loadu_pd(acc), _mm256_or_pd(t, lowBit)));
}

// Eight float32 chunk sums, in float64, onto eight exact sums.
__attribute__((target("avx2,fma"))) inline void depositAvx2(double* acc, __m256 sums) {
  depositAvx2(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(sums)));
  depositAvx2(acc + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(sums, 1)));
}

// Weights for in = 8V (V = 2 or 4): OB outputs at a time, their V vectors of
// chunk sums in registers while the chunk's rows go by; then each sum to
// float64 and onto the exact grid.
template <int V, int OB>
__attribute__((target("avx2,fma"))) void weightsAvx2(const float* g, const float* x, int rowsInChunk, int out, int o0,
                                                     double* gw) {
  constexpr int in = 8 * V;
  // Every loop over k and v unrolled: otherwise GCC keeps p in memory and
  // stores all of it on every row.
  __m256 p[OB][V];
#pragma GCC unroll 4
  for (int k = 0; k < OB; ++k)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) p[k][v] = _mm256_setzero_ps();
  for (int r = 0; r < rowsInChunk; ++r) {
    __m256 xr[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) xr[v] = _mm256_loadu_ps(x + r * in + 8 * v);
#pragma GCC unroll 4
    for (int k = 0; k < OB; ++k) {
      const __m256 go = _mm256_broadcast_ss(g + r * out + o0 + k);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) p[k][v] = _mm256_fmadd_ps(go, xr[v], p[k][v]);
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < OB; ++k)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) depositAvx2(gw + static_cast<std::int64_t>(o0 + k) * in + 8 * v, p[k][v]);
}

// One chunk [c0, c1) of the weights' sums for in = 8V.
template <int V>
__attribute__((target("avx2,fma"))) void weightsChunkAvx2(const float* g, const float* x, std::int64_t c0,
                                                          std::int64_t c1, int out, double* gw) {
  constexpr int OB = 8 / V;
  const float* gc = g + c0 * out;
  const float* xc = x + c0 * 8 * V;
  const int n = static_cast<int>(c1 - c0);
  int o0 = 0;
  for (; o0 + OB <= out; o0 += OB) weightsAvx2<V, OB>(gc, xc, n, out, o0, gw);
  for (; o0 < out; ++o0) weightsAvx2<V, 1>(gc, xc, n, out, o0, gw);
}

// One chunk of the weights' sums for in = 1 (the encoder's first layer),
// vectors across the out = 8·VEC outputs.
template <int VEC>
__attribute__((target("avx2,fma"))) void weightsOneInputChunkAvx2(const float* g, const float* x, std::int64_t c0,
                                                                  std::int64_t c1, double* gw) {
  constexpr int out = 8 * VEC;
  __m256 p[VEC];
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) p[v] = _mm256_setzero_ps();
  for (std::int64_t r = c0; r < c1; ++r) {
    const __m256 xr = _mm256_broadcast_ss(x + r);
#pragma GCC unroll 4
    for (int v = 0; v < VEC; ++v) p[v] = _mm256_fmadd_ps(_mm256_loadu_ps(g + r * out + 8 * v), xr, p[v]);
  }
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) depositAvx2(gw + 8 * v, p[v]);
}

// One chunk of the biases' sums for out = 8·VEC.
template <int VEC>
__attribute__((target("avx2,fma"))) void biasesChunkAvx2(const float* g, std::int64_t c0, std::int64_t c1, double* gb) {
  constexpr int out = 8 * VEC;
  __m256 s[VEC];
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) s[v] = _mm256_setzero_ps();
  for (std::int64_t r = c0; r < c1; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < VEC; ++v) s[v] = _mm256_add_ps(s[v], _mm256_loadu_ps(g + r * out + 8 * v));
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) depositAvx2(gb + 8 * v, s[v]);
}

// Calls f(std::integral_constant<int, out / 8>) for out = 8, 16, 24 or 32;
// false for other widths.
template <class F>
bool withVectors(int out, F f) {
  switch (out) {
    case 8: f(std::integral_constant<int, 1>()); return true;
    case 16: f(std::integral_constant<int, 2>()); return true;
    case 24: f(std::integral_constant<int, 3>()); return true;
    case 32: f(std::integral_constant<int, 4>()); return true;
    default: return false;
  }
}

// One chunk of the column sums of (x − shift) or (x − shift)² for C = 8·VEC.
template <int VEC, bool SQUARE>
__attribute__((target("avx2,fma"))) void columnsChunkAvx2(const float* x, std::int64_t c0, std::int64_t c1,
                                                          const float* shift, double* acc) {
  constexpr int C = 8 * VEC;
  __m256 s[VEC], m[VEC];
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) s[v] = _mm256_setzero_ps(), m[v] = shift ? _mm256_loadu_ps(shift + 8 * v) : s[v];
  for (std::int64_t r = c0; r < c1; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < VEC; ++v) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + r * C + 8 * v), m[v]);
      s[v] = SQUARE ? _mm256_fmadd_ps(d, d, s[v]) : _mm256_add_ps(s[v], d);
    }
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) depositAvx2(acc + 8 * v, s[v]);
}

template <int VEC>
__attribute__((target("avx2,fma"))) void columnRangeAvx2(const float* x, std::int64_t rows, float* lo, float* hi) {
  constexpr int C = 8 * VEC;
  __m256 l[VEC], h[VEC];
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) l[v] = _mm256_loadu_ps(lo + 8 * v), h[v] = _mm256_loadu_ps(hi + 8 * v);
  for (std::int64_t r = 0; r < rows; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < VEC; ++v) {
      const __m256 xv = _mm256_loadu_ps(x + r * C + 8 * v);
      l[v] = _mm256_min_ps(l[v], xv), h[v] = _mm256_max_ps(h[v], xv);
    }
#pragma GCC unroll 4
  for (int v = 0; v < VEC; ++v) _mm256_storeu_ps(lo + 8 * v, l[v]), _mm256_storeu_ps(hi + 8 * v, h[v]);
}

void weightsPlain(const float* g, const float* x, std::int64_t rows, int out, int in, int group, double* gw) {
  forEachChunk(rows, group, [&](std::int64_t c0, std::int64_t c1) {
    for (int o = 0; o < out; ++o)
      for (int i = 0; i < in; ++i) {
        float p = 0.0f;
        for (std::int64_t r = c0; r < c1; ++r) p = std::fma(g[r * out + o], x[r * in + i], p);
        double& acc = gw[static_cast<std::int64_t>(o) * in + i];
        acc = exact::deposit(acc, p);
      }
  });
}

void biasesPlain(const float* g, std::int64_t rows, int out, int group, double* gb) {
  forEachChunk(rows, group, [&](std::int64_t c0, std::int64_t c1) {
    for (int o = 0; o < out; ++o) {
      float s = 0.0f;
      for (std::int64_t r = c0; r < c1; ++r) s += g[r * out + o];
      gb[o] = exact::deposit(gb[o], s);
    }
  });
}

void columnsPlain(const float* x, std::int64_t rows, int C, int group, const float* shift, bool square, double* acc) {
  forEachChunk(rows, group, [&](std::int64_t c0, std::int64_t c1) {
    for (int c = 0; c < C; ++c) {
      const float m = shift ? shift[c] : 0.0f;
      float s = 0.0f;
      for (std::int64_t r = c0; r < c1; ++r) {
        const float d = x[r * C + c] - m;
        s = square ? std::fma(d, d, s) : s + d;
      }
      acc[c] = exact::deposit(acc[c], s);
    }
  });
}

void checkGroups(std::int64_t rows, int group) {
  if (group < 1 || rows % group != 0)
    throw std::invalid_argument("Gnp::kernels: " + std::to_string(rows) + " rows are not whole groups of " +
                                std::to_string(group));
}

} // namespace

double depositBound(double rowTermBound, int group) { return rowTermBound * std::min(group, depositChunk); }

double depositCount(double globalRows, int group) {
  const double chunksPerGroup = (group + depositChunk - 1) / depositChunk;
  return globalRows / group * chunksPerGroup;
}

void gradientDeposits(const float* g, const float* x, std::int64_t rows, int out, int in, int group, double* gw,
                      double* gb) {
  checkGroups(rows, group);
  if (!hasAvx2Fma()) return gradientDepositsPlain(g, x, rows, out, in, group, gw, gb);
  if (in == 16)
    forEachChunk(rows, group, [&](auto c0, auto c1) { weightsChunkAvx2<2>(g, x, c0, c1, out, gw); });
  else if (in == 32)
    forEachChunk(rows, group, [&](auto c0, auto c1) { weightsChunkAvx2<4>(g, x, c0, c1, out, gw); });
  else if (in != 1 || !withVectors(out, [&](auto vec) {
             forEachChunk(rows, group,
                          [&](auto c0, auto c1) { weightsOneInputChunkAvx2<decltype(vec)::value>(g, x, c0, c1, gw); });
           }))
    weightsPlain(g, x, rows, out, in, group, gw);
  if (!withVectors(out, [&](auto vec) {
        forEachChunk(rows, group, [&](auto c0, auto c1) { biasesChunkAvx2<decltype(vec)::value>(g, c0, c1, gb); });
      }))
    biasesPlain(g, rows, out, group, gb);
}

void gradientDepositsPlain(const float* g, const float* x, std::int64_t rows, int out, int in, int group, double* gw,
                           double* gb) {
  checkGroups(rows, group);
  weightsPlain(g, x, rows, out, in, group, gw);
  biasesPlain(g, rows, out, group, gb);
}

void columnRange(const float* x, std::int64_t rows, int C, float* lo, float* hi) {
  if (hasAvx2Fma() && withVectors(C, [&](auto vec) { columnRangeAvx2<decltype(vec)::value>(x, rows, lo, hi); })) return;
  for (std::int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < C; ++c) lo[c] = std::min(lo[c], x[r * C + c]), hi[c] = std::max(hi[c], x[r * C + c]);
}

void columnDeposits(const float* x, std::int64_t rows, int C, int group, const float* shift, bool square, double* acc) {
  checkGroups(rows, group);
  if (hasAvx2Fma() && withVectors(C, [&](auto vec) {
        constexpr int V = decltype(vec)::value;
        forEachChunk(rows, group, [&](auto c0, auto c1) {
          if (square)
            columnsChunkAvx2<V, true>(x, c0, c1, shift, acc);
          else
            columnsChunkAvx2<V, false>(x, c0, c1, shift, acc);
        });
      }))
    return;
  columnsPlain(x, rows, C, group, shift, square, acc);
}

void columnDepositsPlain(const float* x, std::int64_t rows, int C, int group, const float* shift, bool square,
                         double* acc) {
  checkGroups(rows, group);
  columnsPlain(x, rows, C, group, shift, square, acc);
}

} // namespace Gnp::kernels
