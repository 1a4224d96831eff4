#ifndef GNP_CHUNKEDSUMS_HPP
#define GNP_CHUNKEDSUMS_HPP

/// \file
/// Exact sums (Gnp_ExactSum.hpp) over the rows of the network's row-major
/// blocks, which are the same on any number of ranks: a dense layer's parameter
/// gradients Σ_r g_rᵀ x_r and Σ_r g_r, and batch normalisation's column sums
/// Σ_r x_r and Σ_r (x_r − m)².
///
/// The rows come in groups: a group is the batch's columns of one matrix row,
/// which always sit on one rank. Within a group, chunks of up to depositChunk
/// consecutive rows are summed first, in float32 with fused multiply-adds in
/// row order (the same chain wherever the group is: the same bits on any
/// number of ranks), and only each chunk's sum goes to float64 and onto the
/// exact grid. One eight-wide multiply-add per eight terms instead of a
/// conversion, a four-wide multiply, a bit operation and an add per four: the
/// exact sums were the largest cost of a training step. A chunk's rounding
/// (16 terms in float32, ~1e-7 of their magnitudes) is of the order of the
/// float32 rounding the sums' results get anyway.

#include <cstdint>

namespace Gnp::kernels {

/// Rows summed before a deposit (at most; fewer where a group ends).
constexpr int depositChunk = 16;

/// The largest magnitude of a deposited term, given a bound on the terms g·x
/// (or g) of one row and the group size.
double depositBound(double rowTermBound, int group);

/// How many terms each sum gets over `globalRows` rows in groups of `group`.
double depositCount(double globalRows, int group);

/// gw (out x in, row-major) += Σ_r g_rᵀ x_r and gb (out) += Σ_r g_r, each entry
/// an exact sum whose accumulator holds its start value on entry (started with
/// depositBound and depositCount). rows must be a multiple of group.
void gradientDeposits(const float* g, const float* x, std::int64_t rows, int out, int in, int group, double* gw,
                      double* gb);

/// The same with plain loops only (for processors without AVX2 and FMA, and the
/// reference the vector code must equal bit for bit).
void gradientDepositsPlain(const float* g, const float* x, std::int64_t rows, int out, int in, int group, double* gw,
                           double* gb);

/// The smallest and largest entry of each of the C columns of x (rows x C):
/// lo and hi come in holding start values (+inf and −inf for a fresh range).
void columnRange(const float* x, std::int64_t rows, int C, float* lo, float* hi);

/// acc[c] += Σ_r (x_rc − shift_c) (square false) or Σ_r (x_rc − shift_c)²
/// (square true) for the C columns of x (rows x C), exact sums started with
/// depositBound and depositCount; shift may be null (no shift). rows must be a
/// multiple of group.
void columnDeposits(const float* x, std::int64_t rows, int C, int group, const float* shift, bool square, double* acc);

/// The same with plain loops only (the reference the vector code must equal).
void columnDepositsPlain(const float* x, std::int64_t rows, int C, int group, const float* shift, bool square,
                         double* acc);

} // namespace Gnp::kernels

#endif
