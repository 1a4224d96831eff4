#ifndef GNP_ROWGEMM_HPP
#define GNP_ROWGEMM_HPP

/// \file
/// The dense layers' products, row by row: Y[r,:] = bias + X[r,:]·B for a
/// row-major X (rows x K) and B (K x N), float32.
///
/// Why not BLAS: OpenBLAS's sgemm gives a row a result that depends on how many
/// rows it was handed with (its edge kernels round differently), so the same
/// network would compute different numbers on 1 and 2 ranks. Here every output
/// entry is the same chain of fused multiply-adds over k, starting from the
/// bias, whichever block its row falls in: the result of a row does not depend
/// on the other rows. Register-blocked AVX2/FMA code for the network's usual
/// widths (N a multiple of 8, and N = 1), plain loops otherwise and on
/// processors without AVX2 and FMA.

#include <cstdint>

namespace Gnp::kernels {

/// Y = X·B (+ bias on every row, when bias is not null), then max(Y, 0) when
/// relu is true. Y must not overlap X or B. When xMaxima is not null it
/// receives the largest |entry| of each of X's K columns, taken from each block
/// of rows while the product has it in cache: the backward pass's bounds need
/// them, and a pass of their own would read X from memory once more.
void rowGemm(const float* X, const float* B, const float* bias, float* Y, std::int64_t rows, int K, int N,
             bool relu = false, float* xMaxima = nullptr);

/// Y = X·B + X2·B2 (+ bias) for X (rows x K), X2 (rows x K2), B (K x N), B2
/// (K2 x N): both products in one chain per entry, without the two
/// intermediate blocks (a graph layer's convolution and skip connection).
/// x2Maxima: as rowGemm's xMaxima, for X2's K2 columns.
void rowGemm2(const float* X, const float* B, int K, const float* X2, const float* B2, int K2, const float* bias,
              float* Y, std::int64_t rows, int N, float* x2Maxima = nullptr);

/// m[c] = max(m[c], max_r |X[r, c]|) over the rows of X (rows x K); a NaN entry
/// is passed over.
void columnAbsMaxima(const float* X, std::int64_t rows, int K, float* m);

} // namespace Gnp::kernels

#endif
