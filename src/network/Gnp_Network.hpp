#ifndef GNP_NETWORK_HPP
#define GNP_NETWORK_HPP

#include "Gnp_DistributedOperator.hpp"
#include "Gnp_NamedTensor.hpp"
#include "Gnp_Options.hpp"
#include "Gnp_TrainingMonitor.hpp"

#include <memory>
#include <vector>

namespace Gnp {

/// The graph neural network M ≈ Â⁻¹ and its training, as Tpetra-side code sees
/// them: no LibTorch type appears here (the implementation hides it), so the
/// Trilinos-heavy translation units stay free of torch headers.
class Network {
public:
  /// Builds the network with parameters drawn from options.seed, identical on
  /// every rank. `A` must outlive the network.
  Network(const Options& options, std::shared_ptr<const DistributedOperator> A);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  /// The fixed preconditioner P of Â that the network learns a correction to
  /// (Options::base and Options::composition), in training and apply. A
  /// non-empty P sets the decoder's last layer to zero: the untrained network
  /// adds nothing, M starts as P. Call it before train() or setState().
  void setBase(BlockOperator base);
  /// The coarse space around M₁ = P + N (Options::coarse): k directions Z and
  /// W = Â Z (orthonormal columns), this rank's rows, column-major with leading
  /// dimensions ldz and ldw (Tpetra's layout); k = 0 removes it. Call it
  /// before train(); train() removes it when the kept step does better without.
  void setCoarseSpace(const double* Z, std::size_t ldz, const double* W, std::size_t ldw, int k);
  /// Directions of the coarse space in use (0: none).
  int coarseDimension() const;

  /// Whether apply() runs the network (false: N ≡ 0, M is the base or the
  /// identity, with the coarse space if any). train() sets it from the
  /// validation solve (TrainingReport::networkUsed); load() from the file.
  void setNetworkUsed(bool used);
  bool networkUsed() const; ///< see setNetworkUsed

  /// The validation solve's relative residuals r_1..r_k with `base` alone as
  /// the preconditioner, or none when it is empty. A collective.
  std::vector<double> baseResiduals(const BlockOperator& base) const;

  /// Trains on Â. krylovBasis: Q = V Z S⁻¹ for this rank's rows, column-major
  /// with leading dimension ld and `columns` columns (columns may be 0).
  /// `monitor` (may be null) hears of every step and of the end. Throws
  /// std::runtime_error if training diverges before any finite loss.
  /// steps > 0 replaces Options::steps for this training (a warm start's budget).
  TrainingReport train(const double* krylovBasis, std::size_t ld, int columns, TrainingMonitor* monitor = nullptr,
                       int steps = 0);

  /// Y = M(X) for `columns` column-major blocks of this rank's rows (Tpetra's
  /// layout), all columns in one batched pass, inference mode. A collective.
  void apply(const double* X, std::size_t ldx, double* Y, std::size_t ldy, int columns) const;

  /// Every parameter and batch-norm statistic, by name (identical on all ranks).
  std::vector<NamedTensor> state() const;
  /// Replaces the parameters and statistics with `tensors` (from state()); a
  /// missing name or a different shape is std::invalid_argument.
  void setState(const std::vector<NamedTensor>& tensors);

  /// The global loss of every training step.
  const std::vector<double>& lossHistory() const;
  /// Trainable parameters.
  std::int64_t parameterCount() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace Gnp

#endif
