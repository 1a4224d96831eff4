#ifndef GNP_MODEL_HPP
#define GNP_MODEL_HPP

#include "Gnp_DistributedOperator.hpp"
#include "Gnp_Float64Gradients.hpp"
#include "Gnp_NamedTensor.hpp"
#include "Gnp_Options.hpp"

#include <torch/torch.h>

#include <memory>

namespace Gnp {

/// A dense layer's shape: in → out features, and whether a ReLU follows.
struct DenseOptions {
  int in = 1;        ///< input features
  int out = 1;       ///< output features
  bool relu = false; ///< y = max(x Wᵀ + b, 0)
};

/// A dense layer y = x Wᵀ + b in float32 with float64 parameter gradients (see
/// Float64Gradients), optionally followed by a ReLU fused into the product.
/// Parameters and initialisation are torch::nn::Linear's.
class DenseImpl : public torch::nn::Module {
public:
  /// A layer of the options' shape whose gradients go to `grads`.
  DenseImpl(const DenseOptions& options, Float64Gradients& grads);
  /// x Wᵀ + b (or its ReLU) for x: (rows, in).
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight; ///< (out, in)
  torch::Tensor bias;   ///< (out)

private:
  Float64Gradients* grads_;
  bool relu_;
};
TORCH_MODULE(Dense);

/// An MLP's shape: in → hidden → ... → out over `linearLayers` dense layers.
struct MlpOptions {
  int in = 1;             ///< input features
  int hidden = 32;        ///< features between the layers
  int out = 1;            ///< output features
  int linearLayers = 4;   ///< dense layers
  bool finalRelu = false; ///< whether the last layer has a ReLU too (the others always do)
};

/// A multilayer perceptron: `linearLayers` Dense layers in→hidden→...→out with a
/// ReLU after each but the last (and after the last too when finalRelu), fused
/// into the layers' products. The layers are registered as "0", "2", "4", ...:
/// the names torch::nn::Sequential gave them when ReLU modules sat in between,
/// so that models saved then still load.
class MlpImpl : public torch::nn::Module {
public:
  /// The layers, their gradients going to `grads`.
  MlpImpl(const MlpOptions& options, Float64Gradients& grads);
  /// The layers applied in turn to x: (..., in).
  torch::Tensor forward(torch::Tensor x);
  /// The last layer.
  Dense& last() { return layers_.back(); }

private:
  std::vector<Dense> layers_;
};
TORCH_MODULE(Mlp);

/// Batch normalisation whose statistics are taken over the rows of all ranks
/// (an all-reduce of sums), so that the network does not depend on how the rows
/// are distributed. Biased variance for normalising, unbiased for the running
/// estimate, momentum 0.1, eps 1e-5: the PyTorch conventions.
class GlobalBatchNormImpl : public torch::nn::Module {
public:
  /// Normalises `features` columns with statistics summed over `comm`.
  GlobalBatchNormImpl(int features, const Communicator& comm, Float64Gradients& grads);
  /// ReLU(BN(x)) for x: (rows, features), this rank's rows, which come in
  /// groups of `group` that are never split between ranks (the batch's columns
  /// of one matrix row; kernels/Gnp_ChunkedSums.hpp). The ReLU that follows
  /// every normalisation in Res-GCONV is fused in (one pass fewer).
  /// globalRows: the rows on all ranks, when the caller knows them (otherwise
  /// they are counted, an all-reduce).
  torch::Tensor forward(const torch::Tensor& x, int group = 1, double globalRows = 0.0);

  torch::Tensor weight;       ///< the scale γ per feature
  torch::Tensor bias;         ///< the shift β per feature
  torch::Tensor running_mean; ///< for inference
  torch::Tensor running_var;  ///< for inference

private:
  const Communicator* comm_;
  Float64Gradients* grads_;
};
TORCH_MODULE(GlobalBatchNorm);

/// The scale-equivariant residual graph convolutional network of docs/method.md
/// section 2: M(r) approximates Â⁻¹ r for each column r of a block.
class ResGcnImpl : public torch::nn::Module {
public:
  /// The network of `options` (seeded initialisation) on the graph of Â.
  ResGcnImpl(const Options& options, const DistributedOperator& A);
  /// b: (localRows, B) float32, one right-hand side per column; returns M(b).
  /// A collective (sparse products and the global norms of the columns).
  torch::Tensor forward(const torch::Tensor& b);

  /// Sets the decoder's last layer to zero: the output is then 0 for every
  /// input. Every other parameter keeps its seeded draw.
  void zeroOutput();

  /// Trainable parameters.
  std::int64_t parameterCount() const;
  /// Parameter gradients of the last backward pass, in float64.
  Float64Gradients& float64Gradients() { return *grads_; }

private:
  const DistributedOperator* A_;
  std::unique_ptr<Float64Gradients> grads_;
  Mlp encoder_{nullptr}, decoder_{nullptr};
  std::vector<Dense> convolutions_, skips_;
  std::vector<GlobalBatchNorm> norms_;
};
TORCH_MODULE(ResGcn);

/// A module's parameters, then its buffers, each under its registered (dotted) name.
std::vector<std::pair<std::string, torch::Tensor>> namedState(torch::nn::Module& module);

/// The same as float32 copies: what a model file stores.
std::vector<NamedTensor> namedTensors(torch::nn::Module& module);

/// Rank 0's parameters and buffers, copied to every rank.
void broadcastFromRoot(torch::nn::Module& module, const Communicator& comm);

} // namespace Gnp

#endif
