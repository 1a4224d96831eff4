#ifndef GNP_SPARSEROWS_HPP
#define GNP_SPARSEROWS_HPP

/// \file
/// The graph convolution's local product, float32: Y = A_local·X for this
/// rank's CSR rows and a row-major block of C columns, X's rows being this
/// rank's own (column index < owned) or the halo's (index − owned).
///
/// Each output entry is one chain over the row's stored entries, from 0, with a
/// separate multiply and add per entry: the same bits as the plain loop, and so
/// on every processor and any number of ranks (a row's chain does not depend on
/// the other rows). The AVX2 code keeps a row's outputs in registers, up to 64
/// columns at a time, where the plain loop loads and stores them per entry.

#include <cstddef>
#include <cstdint>

namespace Gnp::kernels {

/// Y (rows x C) = A·[X; halo] for CSR rows (rowPtr, colInd, values).
void sparseRows(const std::size_t* rowPtr, const int* colInd, const float* values, std::int64_t rows, const float* X,
                const float* halo, int owned, int C, float* Y);

/// The same with plain loops only (for processors without AVX2, widths that
/// are not a multiple of 8, and the reference the vector code must equal).
void sparseRowsPlain(const std::size_t* rowPtr, const int* colInd, const float* values, std::int64_t rows,
                     const float* X, const float* halo, int owned, int C, float* Y);

} // namespace Gnp::kernels

#endif
