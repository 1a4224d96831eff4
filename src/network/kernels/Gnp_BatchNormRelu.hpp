#ifndef GNP_BATCHNORMRELU_HPP
#define GNP_BATCHNORMRELU_HPP

/// \file
/// Batch normalisation followed by ReLU over a row-major (rows, F) float32
/// block, and the backward's passes, each as one loop over the block; the
/// ReLU's gradient mask for a dense layer. Every kernel has a plain twin that
/// gives the same bits: per element the same float32 operations in the same
/// order; the maxima are exact; the sums are exact sums (Gnp_ExactSum.hpp),
/// which do not depend on the order of their terms. The fast versions hold the
/// per-feature arrays in registers for the usual widths (16 and 32 features)
/// and use AVX2 where the processor has it.

#include <cstdint>

namespace Gnp::kernels {

/// y = max(0, (x − mean)·scale + bias) per feature.
void batchNormRelu(const float* x, float* y, std::int64_t rows, int F, const float* mean, const float* scale,
                   const float* bias);
/// The same with plain loops only (the reference the fast version must equal).
void batchNormReluPlain(const float* x, float* y, std::int64_t rows, int F, const float* mean, const float* scale,
                        const float* bias);

/// With x̂ = (x − mean)·rstd and gi = g where y > 0, else 0: the largest |gi|
/// and |gi·x̂| per feature (the bounds of batchNormReluSums' terms).
void batchNormReluMaxima(const float* x, const float* y, const float* g, std::int64_t rows, int F, const float* mean,
                         const float* rstd, double* maxG, double* maxGxhat);
/// The same with plain loops only.
void batchNormReluMaximaPlain(const float* x, const float* y, const float* g, std::int64_t rows, int F,
                              const float* mean, const float* rstd, double* maxG, double* maxGxhat);

/// Σ gi and Σ gi·x̂ per feature as exact sums: sumG and sumGxhat come in holding
/// the start values (exact::start) and leave holding start plus sum.
void batchNormReluSums(const float* x, const float* y, const float* g, std::int64_t rows, int F, const float* mean,
                       const float* rstd, double* sumG, double* sumGxhat);
/// The same with plain loops only.
void batchNormReluSumsPlain(const float* x, const float* y, const float* g, std::int64_t rows, int F, const float* mean,
                            const float* rstd, double* sumG, double* sumGxhat);

/// The input's gradient gx = scale·(gi − meanG − x̂·meanGxhat) per feature.
void batchNormReluInputGradient(const float* x, const float* y, const float* g, float* gx, std::int64_t rows, int F,
                                const float* mean, const float* rstd, const float* scale, const float* meanG,
                                const float* meanGxhat);
/// The same with plain loops only.
void batchNormReluInputGradientPlain(const float* x, const float* y, const float* g, float* gx, std::int64_t rows,
                                     int F, const float* mean, const float* rstd, const float* scale,
                                     const float* meanG, const float* meanGxhat);

/// A dense layer's ReLU backward: gm = g where y > 0, else 0, and the largest
/// |gm| of each column into maxima (the exact sums' bounds), in one pass.
void reluGradientAndMaxima(const float* g, const float* y, float* gm, std::int64_t rows, int width, float* maxima);
/// The same with plain loops only.
void reluGradientAndMaximaPlain(const float* g, const float* y, float* gm, std::int64_t rows, int width, float* maxima);

} // namespace Gnp::kernels

#endif
