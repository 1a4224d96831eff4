#ifndef GNP_SPARSEPRODUCT_HPP
#define GNP_SPARSEPRODUCT_HPP

#include "Gnp_DistributedOperator.hpp"

#include <torch/torch.h>

namespace Gnp {

/// The graph convolution's sparse product Y = Â X as one autograd function.
/// X holds this rank's rows (shape localRows x C, float32 or float64); the forward
/// is the Tpetra apply (NO_TRANS) and the backward the TRANS apply, dX = Âᵀ dY, so
/// Tpetra does the halo exchange and nothing is gathered on one rank. A collective:
/// every rank must run forward and backward together.
torch::Tensor sparseProduct(const DistributedOperator& A, const torch::Tensor& X);

} // namespace Gnp

#endif
