#ifndef GNP_GLOBALSUMS_HPP
#define GNP_GLOBALSUMS_HPP

#include "Gnp_Communicator.hpp"
#include <torch/torch.h>

#include <vector>

namespace Gnp {

/// In-place sum over ranks of a contiguous float32 or float64 tensor, no autograd.
void allReduceSumInPlace(const Communicator& comm, torch::Tensor& x);

/// In-place maximum over ranks of `count` doubles.
void allReduceMaxInPlace(const Communicator& comm, double* values, int count);

/// The column sums over all ranks of a (rows, C) float32 or float64 block of
/// terms (this rank's rows), in float64, the same to the last bit on any number
/// of ranks (src/kernels/Gnp_ExactSum.hpp). `globalRows` is the number of rows
/// on all ranks together. A collective; no autograd.
torch::Tensor globalColumnSums(const Communicator& comm, const torch::Tensor& terms, double globalRows);

/// Wᵀ V over all ranks for (rows, k) and (rows, B) float64 blocks of this
/// rank's rows: a (k, B) float64 tensor, each entry an exact two-fold sum
/// (kernels/Gnp_ExactSum.hpp), the same to the last bit on any number of
/// ranks. `columnBounds` holds, for each column of W, a bound on its entries'
/// magnitude over all ranks. A collective; no autograd.
torch::Tensor globalInnerProducts(const Communicator& comm, const torch::Tensor& W,
                                  const std::vector<double>& columnBounds, const torch::Tensor& V, double globalRows);

} // namespace Gnp

#endif
