#ifndef GNP_GRADIENTDEPOSITS_HPP
#define GNP_GRADIENTDEPOSITS_HPP

/// \file
/// A dense layer's parameter gradients, Σ_r g_rᵀ x_r and Σ_r g_r over the rows
/// r of row-major blocks g (rows x out) and x (rows x in), as exact sums
/// (Gnp_ExactSum.hpp), so that they are the same on any number of ranks.
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
/// float32 rounding the gradient gets anyway.

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
void gradientDepositsPlain(const float* g, const float* x, std::int64_t rows, int out, int in, int group,
                           double* gw, double* gb);

} // namespace Gnp::kernels

#endif
