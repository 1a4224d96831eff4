#ifndef GNP_FLOAT64GRADIENTS_HPP
#define GNP_FLOAT64GRADIENTS_HPP

#include "Gnp_Communicator.hpp"

#include <torch/torch.h>

#include <unordered_map>

namespace Gnp {

/// Float64 gradients of the network's parameters from the last backward pass.
///
/// Why: each parameter gradient is a sum over rows, and the rows are split
/// across ranks. Summed in float32, the partial sums round differently on 1 and
/// 2 ranks, and Adam (which normalises every gradient entry) turns that noise
/// into full-size steps on entries whose exact gradient is ~0: training would
/// depend on the number of ranks. So Dense and GlobalBatchNorm accumulate their
/// parameter gradients here in float64; the trainer sums them over ranks in
/// float64 and rounds to float32 once, giving the same float32 gradient on any
/// number of ranks. The sums are exact sums (kernels/Gnp_ExactSum.hpp), so
/// that they do not depend on which rank holds which rows either.
class Float64Gradients {
public:
  /// Gradients of blocks whose rows are spread over `comm`.
  explicit Float64Gradients(const Communicator& comm) : comm_(&comm) {}
  /// Forgets every gradient (before a forward pass).
  void clear() { grads_.clear(); }
  /// The communicator the rows are spread over.
  const Communicator& comm() const { return *comm_; }
  /// Rows of the blocks of the current pass on all ranks (the count that fixes
  /// the exact sums' grids); set by the network before each forward pass.
  void setGlobalRows(double rows) { globalRows_ = rows; }
  /// The count set by setGlobalRows().
  double globalRows() const { return globalRows_; }
  /// Adds grad64 to the float64 gradient of `parameter`.
  void add(const torch::Tensor& parameter, const torch::Tensor& grad64);
  /// The gradient of `parameter` in float64, zero if the last pass gave none.
  torch::Tensor get(const torch::Tensor& parameter) const;

private:
  const Communicator* comm_;
  double globalRows_ = 0.0;
  std::unordered_map<const void*, torch::Tensor> grads_;
};

} // namespace Gnp

#endif
