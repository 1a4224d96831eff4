#ifndef GNP_DISTRIBUTEDOPERATOR_HPP
#define GNP_DISTRIBUTEDOPERATOR_HPP

#include "Gnp_Communicator.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace Gnp {

/// The matrix Â as the neural network sees it: a distributed linear operator
/// acting on blocks of this rank's rows. The torch side of the package talks to
/// Tpetra only through this interface, so that LibTorch and Trilinos headers never
/// meet in one translation unit (each costs ~25 s to compile).
///
/// Blocks are row-major `localRows() x numColumns` arrays, the layout of a
/// contiguous torch tensor of shape (localRows, numColumns). apply() is a
/// collective: every rank must call it with the same numColumns.
class DistributedOperator {
public:
  virtual ~DistributedOperator() = default;

  /// Rows of Â on this rank.
  virtual std::int64_t localRows() const = 0;
  /// Rows of Â on all ranks.
  virtual std::int64_t globalRows() const = 0;
  /// Global index of each local row; random samples are drawn per global row so
  /// that they do not depend on the number of ranks.
  virtual const std::vector<std::int64_t>& globalRowIndices() const = 0;
  /// The ranks Â's rows are spread over.
  virtual const Communicator& comm() const = 0;

  /// Y = Â X (transpose = false) or Y = Âᵀ X (transpose = true).
  virtual void apply(const float* X, float* Y, int numColumns, bool transpose) const = 0;
  /// The same in float64 (the loss and the samples).
  virtual void apply(const double* X, double* Y, int numColumns, bool transpose) const = 0;
};

/// A fixed linear operator P on blocks of this rank's rows, laid out as
/// DistributedOperator's: Y = P X. A collective. An empty function: no operator.
using BlockOperator = std::function<void(const double* X, double* Y, int numColumns)>;

} // namespace Gnp

#endif
