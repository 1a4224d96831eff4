#ifndef GNP_TORCHBASELINE_HPP
#define GNP_TORCHBASELINE_HPP

#include "Gnp_ModelFile.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace Gnp {
namespace Bench {

/// A matrix as the baseline takes it: Â's CSR arrays on one process.
struct CsrMatrix {
  std::int64_t rows = 0;
  std::vector<std::int64_t> rowPtr, colInd;
  std::vector<float> values;
};

/// Seconds (median wall, median CPU) of one thing done repeatedly.
struct Timing {
  double wall = 0.0, cpu = 0.0;
};

/// What the plain-LibTorch formulation of GNP costs.
struct BaselineTimings {
  Timing step;    ///< one training step (batch 16): forward, L1 loss, backward, Adam
  Timing apply1;  ///< one apply to one vector (inference)
  Timing apply16; ///< one apply to 16 vectors
};

/// The paper's network written the way the authors' PyTorch code is, in
/// LibTorch: torch::nn::Linear, torch::nn::BatchNorm1d, torch::mm with a sparse
/// COO Â, float32, one process, Adam; Gaussian samples b = Â x. Only for timing:
/// the package's own Gnp::Network is what GNP runs.
BaselineTimings timeTorchBaseline(const CsrMatrix& A, int steps, int applies);

/// The baseline's training losses, step by step, from the package's initial
/// parameters `initial` (Gnp::Network::state() names: the baseline maps its own
/// names onto them) on the right-hand sides rightHandSides(step) (n x 16,
/// row-major, float64; rounded to float32 as the package rounds them). What the
/// authors' code computes: float32 throughout, L1 loss mean |Â M(b) − b|, Adam
/// with learning rate `learningRate`. For checking that the package's network,
/// loss and optimiser are the same mathematics. float64: the same network in
/// float64 after the inputs' rounding to float32 (a reference for the package's
/// float64 loss, and a measure of what rounding alone does to the losses).
std::vector<double> baselineTrainingLosses(const CsrMatrix& A, const std::vector<NamedTensor>& initial,
                                           double learningRate, int steps,
                                           const std::function<std::vector<double>(int)>& rightHandSides,
                                           bool float64 = false);

/// The gradient of the baseline's L1 loss on one batch (as above), from the
/// parameters `initial`, for each parameter under the package's name (float32).
std::vector<NamedTensor> baselineGradients(const CsrMatrix& A, const std::vector<NamedTensor>& initial,
                                           const std::vector<double>& rightHandSides, bool float64 = false);

/// GFLOP/s of a large float32 GEMM (2048³) through LibTorch on this core: the
/// peak a training step's flops are compared with.
double sgemmGflops();

/// Floating-point operations of one training step of the default network
/// (batch 16): dense layers forward and backward (3× the forward) and the graph
/// convolutions' sparse products forward and backward.
double trainingStepFlops(std::int64_t rows, std::int64_t entries, int batch = 16);

} // namespace Bench
} // namespace Gnp

#endif
