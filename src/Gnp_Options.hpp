#ifndef GNP_OPTIONS_HPP
#define GNP_OPTIONS_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace Gnp {

/// Network and training settings; defaults are those of METHOD.md (sections 2-4).
/// Filled from a validated "gnp: ..." parameter list by Gnp::Preconditioner.
struct Options {
  // Network (METHOD.md section 2).
  int layers = 8;          ///< Res-GCONV layers
  int embedding = 16;      ///< feature width of the graph layers
  int hidden = 32;         ///< hidden width of the encoder/decoder MLPs
  int mlpLayers = 4;       ///< linear layers per MLP
  // Training data (section 3).
  int batchSize = 16;      ///< right-hand sides per step
  int krylovSamples = 8;   ///< columns of each batch drawn as Q e (the rest Gaussian)
  int arnoldiSteps = 40;   ///< m
  // Training (section 4).
  int steps = 2000;
  double maxSeconds = 0.0; ///< wall-time budget for training; 0: none
  double learningRate = 1e-3;
  std::uint64_t seed = 0;
  // Progress on rank 0: a line every printEvery steps; 0: silent.
  int printEvery = 100;
};

/// Why training ended.
enum class StopReason { Steps, Time, Diverged };

/// What training did, for reports and tests.
struct TrainingReport {
  int stepsRun = 0;
  int bestStep = -1;
  double bestLoss = 0.0;
  double firstLoss = 0.0;
  double seconds = 0.0;
  StopReason reason = StopReason::Steps;
  std::string message; ///< non-empty when training diverged
  std::vector<double> stepSeconds;    ///< wall time of each step (slowest rank)
  std::vector<double> stepCpuSeconds; ///< this process's CPU time of each step
};

std::string toString(StopReason reason);

} // namespace Gnp

#endif
