#include "Gnp_GradientDeposits.hpp"

#include "Gnp_ExactSum.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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

// Weights for in = 4V (V = 4 or 8): OB outputs at a time, their V vectors of
// chunk sums in registers while the chunk's rows go by.
template <int V, int OB>
__attribute__((target("avx2,fma"))) void weightsAvx2(const float* g, const __m256d (&xd)[depositChunk][V],
                                                     int rowsInChunk, int out, int o0, double* gw) {
  constexpr int in = 4 * V;
  __m256d p[OB][V];
  for (int k = 0; k < OB; ++k)
    for (int v = 0; v < V; ++v) p[k][v] = _mm256_setzero_pd();
  for (int r = 0; r < rowsInChunk; ++r) {
#pragma GCC unroll 2
    for (int k = 0; k < OB; ++k) {
      const __m256d go = _mm256_set1_pd(static_cast<double>(g[r * out + o0 + k]));
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) p[k][v] = _mm256_fmadd_pd(go, xd[r][v], p[k][v]);
    }
  }
  for (int k = 0; k < OB; ++k)
    for (int v = 0; v < V; ++v) depositAvx2(gw + static_cast<std::int64_t>(o0 + k) * in + 4 * v, p[k][v]);
}

// One chunk [c0, c1) of the weights' sums for in = 4V.
template <int V>
__attribute__((target("avx2,fma"))) void weightsChunkAvx2(const float* g, const float* x, std::int64_t c0,
                                                          std::int64_t c1, int out, double* gw) {
  constexpr int in = 4 * V, OB = 8 / V;
  __m256d xd[depositChunk][V]; // the chunk's x in float64, converted once for all outputs
  for (std::int64_t r = c0; r < c1; ++r)
    for (int v = 0; v < V; ++v) xd[r - c0][v] = _mm256_cvtps_pd(_mm_loadu_ps(x + r * in + 4 * v));
  const float* gc = g + c0 * out;
  const int n = static_cast<int>(c1 - c0);
  int o0 = 0;
  for (; o0 + OB <= out; o0 += OB) weightsAvx2<V, OB>(gc, xd, n, out, o0, gw);
  for (; o0 < out; ++o0) weightsAvx2<V, 1>(gc, xd, n, out, o0, gw);
}

// One chunk of the weights' sums for in = 1 (the encoder's first layer),
// vectors across outputs (out a multiple of 4).
__attribute__((target("avx2,fma"))) void weightsOneInputChunkAvx2(const float* g, const float* x, std::int64_t c0,
                                                                  std::int64_t c1, int out, double* gw) {
  for (int o0 = 0; o0 < out; o0 += 16) {
    __m256d p[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
    const int vectors = std::min(4, (out - o0) / 4);
    for (std::int64_t r = c0; r < c1; ++r) {
      const __m256d xr = _mm256_set1_pd(static_cast<double>(x[r]));
      for (int v = 0; v < vectors; ++v)
        p[v] = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(g + r * out + o0 + 4 * v)), xr, p[v]);
    }
    for (int v = 0; v < vectors; ++v) depositAvx2(gw + o0 + 4 * v, p[v]);
  }
}

// One chunk of the biases' sums for out a multiple of 4 up to 32.
__attribute__((target("avx2,fma"))) void biasesChunkAvx2(const float* g, std::int64_t c0, std::int64_t c1, int out,
                                                         double* gb) {
  const int vectors = out / 4;
  __m256d s[8];
  for (int v = 0; v < vectors; ++v) s[v] = _mm256_setzero_pd();
  for (std::int64_t r = c0; r < c1; ++r)
    for (int v = 0; v < vectors; ++v) s[v] = _mm256_add_pd(s[v], _mm256_cvtps_pd(_mm_loadu_ps(g + r * out + 4 * v)));
  for (int v = 0; v < vectors; ++v) depositAvx2(gb + 4 * v, s[v]);
}

void weightsPlain(const float* g, const float* x, std::int64_t rows, int out, int in, int group, double* gw) {
  forEachChunk(rows, group, [&](std::int64_t c0, std::int64_t c1) {
    for (int o = 0; o < out; ++o)
      for (int i = 0; i < in; ++i) {
        double p = 0.0;
        for (std::int64_t r = c0; r < c1; ++r)
          p = std::fma(static_cast<double>(g[r * out + o]), static_cast<double>(x[r * in + i]), p);
        double& acc = gw[static_cast<std::int64_t>(o) * in + i];
        acc = exact::deposit(acc, p);
      }
  });
}

void biasesPlain(const float* g, std::int64_t rows, int out, int group, double* gb) {
  forEachChunk(rows, group, [&](std::int64_t c0, std::int64_t c1) {
    for (int o = 0; o < out; ++o) {
      double s = 0.0;
      for (std::int64_t r = c0; r < c1; ++r) s += static_cast<double>(g[r * out + o]);
      gb[o] = exact::deposit(gb[o], s);
    }
  });
}

void checkGroups(std::int64_t rows, int group) {
  if (group < 1 || rows % group != 0)
    throw std::invalid_argument("gradientDeposits: " + std::to_string(rows) + " rows are not groups of " +
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
  if (in == 16) forEachChunk(rows, group, [&](auto c0, auto c1) { weightsChunkAvx2<4>(g, x, c0, c1, out, gw); });
  else if (in == 32) forEachChunk(rows, group, [&](auto c0, auto c1) { weightsChunkAvx2<8>(g, x, c0, c1, out, gw); });
  else if (in == 1 && out % 4 == 0)
    forEachChunk(rows, group, [&](auto c0, auto c1) { weightsOneInputChunkAvx2(g, x, c0, c1, out, gw); });
  else weightsPlain(g, x, rows, out, in, group, gw);
  if (out % 4 == 0 && out <= 32)
    forEachChunk(rows, group, [&](auto c0, auto c1) { biasesChunkAvx2(g, c0, c1, out, gb); });
  else biasesPlain(g, rows, out, group, gb);
}

void gradientDepositsPlain(const float* g, const float* x, std::int64_t rows, int out, int in, int group,
                           double* gw, double* gb) {
  checkGroups(rows, group);
  weightsPlain(g, x, rows, out, in, group, gw);
  biasesPlain(g, rows, out, group, gb);
}

} // namespace Gnp::kernels
