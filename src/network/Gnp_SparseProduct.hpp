#ifndef GNP_SPARSEPRODUCT_HPP
#define GNP_SPARSEPRODUCT_HPP

#include "Gnp_DistributedOperator.hpp"

#include <torch/torch.h>

namespace Gnp {

/// Carries a DistributedOperator through an autograd context's saved_data,
/// which holds only IValues (registered as the custom class gnp.OperatorHolder).
/// It only borrows: the operator outlives the autograd graph (the network that
/// owns it is alive until backward ends).
struct OperatorHolder : torch::CustomClassHolder {
  explicit OperatorHolder(const DistributedOperator* a) : op(a) {} ///< borrows `a`
  const DistributedOperator* op;                                   ///< the operator carried
};

/// The sparse product Y = Â X as one autograd function (the loss's product;
/// the graph layers apply Â inside their own function, Gnp_Model.cpp).
/// X holds this rank's rows (shape localRows x C, float32 or float64); the forward
/// is the Tpetra apply (NO_TRANS) and the backward the TRANS apply, dX = Âᵀ dY, so
/// Tpetra does the halo exchange and nothing is gathered on one rank. A collective:
/// every rank must run forward and backward together.
torch::Tensor sparseProduct(const DistributedOperator& A, const torch::Tensor& X);

} // namespace Gnp

#endif
