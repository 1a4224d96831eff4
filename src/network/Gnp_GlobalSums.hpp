#ifndef GNP_GLOBALSUMS_HPP
#define GNP_GLOBALSUMS_HPP

#include "Gnp_Communicator.hpp"
#include <torch/torch.h>

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

} // namespace Gnp

#endif
