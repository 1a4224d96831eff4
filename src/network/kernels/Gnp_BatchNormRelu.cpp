#include "Gnp_BatchNormRelu.hpp"

#include "Gnp_ExactSum.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace Gnp::kernels {
namespace {

// The fast loops over a row-major (rows, F) block. The
// usual widths are template parameters so that the per-feature arrays live in
// registers and the compiler vectorises across features (with a runtime width
// it kept the float64 accumulators in memory, one scalar at a time);
// FixedF = 0 serves any width up to the validated maximum of 4096.
template <int FixedF>
struct BatchNormReluKernels {
  static constexpr int capacity = FixedF > 0 ? FixedF : 4096;

  __attribute__((target_clones("avx2", "default"))) static void forward(int width, const float* x, float* y,
                                                                        std::int64_t rows, const float* m,
                                                                        const float* scale, const float* b) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], sc[capacity], bb[capacity];
    std::copy(m, m + F, mm), std::copy(scale, scale + F, sc), std::copy(b, b + F, bb);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) y[i * F + f] = std::max(0.0f, (x[i * F + f] - mm[f]) * sc[f] + bb[f]);
  }
  // The largest |g| and |g·x̂| per feature (g the gradient behind the ReLU),
  // computed as sums() computes its terms: the bounds of the exact sums.
  __attribute__((target_clones("avx2", "default"))) static void maxima(int width, const float* x, const float* y,
                                                                       const float* g, std::int64_t rows,
                                                                       const float* m, const float* r, double* maxG,
                                                                       double* maxGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity], mg[capacity], mgx[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr);
    std::fill(mg, mg + F, 0.0f), std::fill(mgx, mgx + F, 0.0f);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f];
        const float gi = yv > 0.0f ? gv : 0.0f;
        mg[f] = std::max(mg[f], std::abs(gi));
        mgx[f] = std::max(mgx[f], std::abs(gi * ((x[i * F + f] - mm[f]) * rr[f])));
      }
    std::copy(mg, mg + F, maxG), std::copy(mgx, mgx + F, maxGxhat);
  }
  // Σg and Σg·x̂ as exact sums (kernels/Gnp_ExactSum.hpp): sumG and sumGxhat
  // come in holding the start values and leave holding start plus sum.
  __attribute__((target_clones("avx2", "default"))) static void sums(int width, const float* x, const float* y,
                                                                     const float* g, std::int64_t rows, const float* m,
                                                                     const float* r, double* sumG, double* sumGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr);
    if constexpr (FixedF > 0 && FixedF % 8 == 0) {
      // Explicit 8-wide vectors (GCC left the loop scalar, and it was ~9% of a step).
      using f8 = float __attribute__((vector_size(32)));
      using exact::Double4;
      constexpr int chunks = FixedF / 8;
      f8 m8[chunks], r8[chunks];
      Double4 accG[chunks][2], accGX[chunks][2];
      std::memcpy(m8, mm, sizeof m8), std::memcpy(r8, rr, sizeof r8);
      std::memcpy(accG, sumG, sizeof accG), std::memcpy(accGX, sumGxhat, sizeof accGX);
      const f8 zero = {};
      for (std::int64_t i = 0; i < rows; ++i)
        for (int c = 0; c < chunks; ++c) {
          f8 gv, yv, xv;
          std::memcpy(&gv, g + i * F + 8 * c, sizeof gv);
          std::memcpy(&yv, y + i * F + 8 * c, sizeof yv);
          std::memcpy(&xv, x + i * F + 8 * c, sizeof xv);
          const f8 gi = yv > zero ? gv : zero;
          const f8 gix = gi * ((xv - m8[c]) * r8[c]);
          exact::deposit(accG[c][0], __builtin_convertvector(__builtin_shufflevector(gi, gi, 0, 1, 2, 3), Double4));
          exact::deposit(accG[c][1], __builtin_convertvector(__builtin_shufflevector(gi, gi, 4, 5, 6, 7), Double4));
          exact::deposit(accGX[c][0], __builtin_convertvector(__builtin_shufflevector(gix, gix, 0, 1, 2, 3), Double4));
          exact::deposit(accGX[c][1], __builtin_convertvector(__builtin_shufflevector(gix, gix, 4, 5, 6, 7), Double4));
        }
      std::memcpy(sumG, accG, sizeof accG), std::memcpy(sumGxhat, accGX, sizeof accGX);
      return;
    }
    // Each row's terms in float32 (the same on any number of ranks), their sums exact.
    double sg[capacity], sgx[capacity];
    std::copy(sumG, sumG + F, sg), std::copy(sumGxhat, sumGxhat + F, sgx);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f];
        const float gi = yv > 0.0f ? gv : 0.0f;
        sg[f] = exact::deposit(sg[f], gi);
        sgx[f] = exact::deposit(sgx[f], gi * ((x[i * F + f] - mm[f]) * rr[f]));
      }
    std::copy(sg, sg + F, sumG), std::copy(sgx, sgx + F, sumGxhat);
  }
  __attribute__((target_clones("avx2", "default"))) static void inputGradient(
      int width, const float* x, const float* y, const float* g, float* gx, std::int64_t rows, const float* m,
      const float* r, const float* scale, const float* meanG, const float* meanGxhat) {
    const int F = FixedF > 0 ? FixedF : width;
    float mm[capacity], rr[capacity], sc[capacity], mg[capacity], mgx[capacity];
    std::copy(m, m + F, mm), std::copy(r, r + F, rr), std::copy(scale, scale + F, sc);
    std::copy(meanG, meanG + F, mg), std::copy(meanGxhat, meanGxhat + F, mgx);
    for (std::int64_t i = 0; i < rows; ++i)
      for (int f = 0; f < F; ++f) {
        const float gv = g[i * F + f], yv = y[i * F + f]; // both loads unconditional: vectorisable
        const float gi = yv > 0.0f ? gv : 0.0f;
        gx[i * F + f] = sc[f] * (gi - mg[f] - (x[i * F + f] - mm[f]) * rr[f] * mgx[f]);
      }
  }
};

template <class Call>
void dispatch(int F, Call call) {
  switch (F) {
    case 16: call(BatchNormReluKernels<16>()); break;
    case 32: call(BatchNormReluKernels<32>()); break;
    default: call(BatchNormReluKernels<0>()); break;
  }
}

__attribute__((target_clones("avx2", "default"))) void reluGradientAndMaximaFast(const float* __restrict g,
                                                                                 const float* __restrict y,
                                                                                 float* __restrict gm,
                                                                                 std::int64_t rows, int width,
                                                                                 float* __restrict m) {
  if (width % 8 == 0 && width <= 64) {
    // Eight columns to a vector (GCC leaves the runtime-width loop scalar).
    using f8 = float __attribute__((vector_size(32)));
    using i8 = int __attribute__((vector_size(32)));
    const int chunks = width / 8;
    f8 acc[8] = {};
    const f8 zero = {};
    for (std::int64_t r = 0; r < rows; ++r)
      for (int k = 0; k < chunks; ++k) {
        f8 v, yv;
        std::memcpy(&v, g + r * width + 8 * k, sizeof v);
        std::memcpy(&yv, y + r * width + 8 * k, sizeof yv);
        v = yv > zero ? v : zero;
        std::memcpy(gm + r * width + 8 * k, &v, sizeof v);
        const f8 a = (f8)((i8)v & 0x7fffffff); // |v|
        acc[k] = a > acc[k] ? a : acc[k];
      }
    std::memcpy(m, acc, sizeof(float) * width);
  } else {
    reluGradientAndMaximaPlain(g, y, gm, rows, width, m);
  }
}

} // namespace

void batchNormRelu(const float* x, float* y, std::int64_t rows, int F, const float* mean, const float* scale,
                   const float* bias) {
  dispatch(F, [&](auto k) { k.forward(F, x, y, rows, mean, scale, bias); });
}

void batchNormReluPlain(const float* x, float* y, std::int64_t rows, int F, const float* mean, const float* scale,
                        const float* bias) {
  for (std::int64_t i = 0; i < rows; ++i)
    for (int f = 0; f < F; ++f) y[i * F + f] = std::max(0.0f, (x[i * F + f] - mean[f]) * scale[f] + bias[f]);
}

void batchNormReluMaxima(const float* x, const float* y, const float* g, std::int64_t rows, int F, const float* mean,
                         const float* rstd, double* maxG, double* maxGxhat) {
  dispatch(F, [&](auto k) { k.maxima(F, x, y, g, rows, mean, rstd, maxG, maxGxhat); });
}

void batchNormReluMaximaPlain(const float* x, const float* y, const float* g, std::int64_t rows, int F,
                              const float* mean, const float* rstd, double* maxG, double* maxGxhat) {
  std::vector<float> mg(F, 0.0f), mgx(F, 0.0f);
  for (std::int64_t i = 0; i < rows; ++i)
    for (int f = 0; f < F; ++f) {
      const float gi = y[i * F + f] > 0.0f ? g[i * F + f] : 0.0f;
      mg[f] = std::max(mg[f], std::abs(gi));
      mgx[f] = std::max(mgx[f], std::abs(gi * ((x[i * F + f] - mean[f]) * rstd[f])));
    }
  std::copy(mg.begin(), mg.end(), maxG), std::copy(mgx.begin(), mgx.end(), maxGxhat);
}

void batchNormReluSums(const float* x, const float* y, const float* g, std::int64_t rows, int F, const float* mean,
                       const float* rstd, double* sumG, double* sumGxhat) {
  dispatch(F, [&](auto k) { k.sums(F, x, y, g, rows, mean, rstd, sumG, sumGxhat); });
}

void batchNormReluSumsPlain(const float* x, const float* y, const float* g, std::int64_t rows, int F, const float* mean,
                            const float* rstd, double* sumG, double* sumGxhat) {
  for (std::int64_t i = 0; i < rows; ++i)
    for (int f = 0; f < F; ++f) {
      const float gi = y[i * F + f] > 0.0f ? g[i * F + f] : 0.0f;
      sumG[f] = exact::deposit(sumG[f], gi);
      sumGxhat[f] = exact::deposit(sumGxhat[f], gi * ((x[i * F + f] - mean[f]) * rstd[f]));
    }
}

void batchNormReluInputGradient(const float* x, const float* y, const float* g, float* gx, std::int64_t rows, int F,
                                const float* mean, const float* rstd, const float* scale, const float* meanG,
                                const float* meanGxhat) {
  dispatch(F, [&](auto k) { k.inputGradient(F, x, y, g, gx, rows, mean, rstd, scale, meanG, meanGxhat); });
}

void batchNormReluInputGradientPlain(const float* x, const float* y, const float* g, float* gx, std::int64_t rows,
                                     int F, const float* mean, const float* rstd, const float* scale,
                                     const float* meanG, const float* meanGxhat) {
  for (std::int64_t i = 0; i < rows; ++i)
    for (int f = 0; f < F; ++f) {
      const float gi = y[i * F + f] > 0.0f ? g[i * F + f] : 0.0f;
      gx[i * F + f] = scale[f] * (gi - meanG[f] - (x[i * F + f] - mean[f]) * rstd[f] * meanGxhat[f]);
    }
}

void reluGradientAndMaxima(const float* g, const float* y, float* gm, std::int64_t rows, int width, float* maxima) {
  reluGradientAndMaximaFast(g, y, gm, rows, width, maxima);
}

void reluGradientAndMaximaPlain(const float* g, const float* y, float* gm, std::int64_t rows, int width,
                                float* maxima) {
  std::fill(maxima, maxima + width, 0.0f);
  for (std::int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < width; ++c) {
      const float v = y[r * width + c] > 0.0f ? g[r * width + c] : 0.0f;
      gm[r * width + c] = v;
      maxima[c] = std::max(maxima[c], std::abs(v));
    }
}

} // namespace Gnp::kernels
