#ifndef GNP_LAYERFUNCTIONS_HPP
#define GNP_LAYERFUNCTIONS_HPP

/// \file
/// The network's layers as autograd functions: the forward passes in the
/// package's own kernels (kernels/), the backward passes with float64 parameter
/// gradients as exact sums (Gnp::Float64Gradients), so that training is the
/// same on any number of ranks. The modules of Gnp_Model.hpp hold the
/// parameters and call these.

#include "Gnp_Communicator.hpp"
#include "Gnp_DistributedOperator.hpp"

#include <torch/torch.h>

namespace Gnp {

class Float64Gradients;

/// y = x Wᵀ + b over the last dimension of x (and its ReLU if relu), each row
/// computed alone; training: keep what the backward needs (x's column maxima).
torch::Tensor denseLayer(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                         Float64Gradients* grads, bool relu, bool training);

/// A graph layer's convolution plus its skip connection, y = (Â x) Waᵀ + ba +
/// x Wcᵀ + bc for x (rows, B, e), Â applied to each of the B·e columns, in one
/// product pass; Â x is not kept for the backward.
torch::Tensor graphConvolution(const torch::Tensor& x, const torch::Tensor& wa, const torch::Tensor& ba,
                               const torch::Tensor& wc, const torch::Tensor& bc, const DistributedOperator* A,
                               Float64Gradients* grads, bool training);

/// Training-mode batch normalisation and ReLU of a (rows, F) block given the
/// global statistics (mean, rstd = 1/√(var + ε)); the backward's sums over all
/// ranks are exact.
torch::Tensor batchNormReluTraining(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                    const torch::Tensor& mean, const torch::Tensor& rstd, double globalRows,
                                    const Communicator* comm, Float64Gradients* grads);

/// max(0, (x − mean)·rstd·w + b) per feature of a contiguous (rows, F) block in
/// one pass, no gradient (an apply's batch norm with the running statistics).
torch::Tensor batchNormReluInference(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& rstd,
                                     const torch::Tensor& weight, const torch::Tensor& bias);

} // namespace Gnp

#endif
