#ifndef GNP_TORCHBASELINE_HPP
#define GNP_TORCHBASELINE_HPP

#include <cstdint>
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
  Timing step;     ///< one training step (batch 16): forward, L1 loss, backward, Adam
  Timing apply1;   ///< one apply to one vector (inference)
  Timing apply16;  ///< one apply to 16 vectors
};

/// The paper's network written the way the authors' PyTorch code is, in
/// LibTorch: torch::nn::Linear, torch::nn::BatchNorm1d, torch::mm with a sparse
/// COO Â, float32, one process, Adam; Gaussian samples b = Â x. Only for timing:
/// the package's own Gnp::Network is what GNP runs.
BaselineTimings timeTorchBaseline(const CsrMatrix& A, int steps, int applies);

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
