#ifndef GNP_VALIDATIONSOLVE_HPP
#define GNP_VALIDATIONSOLVE_HPP

#include "Gnp_CoarseSpace.hpp"
#include "Gnp_Model.hpp"
#include "Gnp_ShortSolve.hpp"

namespace Gnp {

/// The validation solve that judges training steps (Selection::ValidationSolve)
/// and the base (Base::Auto): Options::validationIterations FGMRES iterations,
/// no restart, on one fixed right-hand side b = Â x, x ~ N(0, I) per global row
/// (the same on any number of ranks), scored by the sum of the log10 relative
/// residuals (lower is better). Every score is identical on all ranks; each
/// call is a collective.
class ValidationSolve {
public:
  /// The solve for Â, with `base` the fixed P of M₁ = P + N (empty: none) and
  /// `coarse` the coarse space around M₁ (empty: none).
  ValidationSolve(const Options& options, const DistributedOperator& A, BlockOperator base = {},
                  CoarseSpace coarse = {});

  /// The fixed right-hand side, this rank's rows (drawn once, here).
  const torch::Tensor& rightHandSide() const { return b_; }
  /// The score with `model` as it is (with the base and the coarse space, if any) as the right
  /// preconditioner, the model in inference mode and back in training mode after.
  double score(ResGcn& model) const;
  /// The score of the same M with N ≡ 0: the base (or the identity) and the coarse space alone.
  double scoreWithoutNetwork() const;
  /// That solve's relative residuals r_1..r_k.
  std::vector<double> residualsWithoutNetwork() const;
  /// The score without a preconditioner.
  double unpreconditionedScore() const;
  /// The score of the base alone (without one when there is no base).
  double baseScore() const { return residualArea(baseResiduals()); }
  /// That solve's relative residuals r_1..r_k.
  std::vector<double> baseResiduals() const;

  /// The coarse space's dimension (0: none).
  int coarseDimension() const { return coarse_.dimension(); }

  /// The key of the validation draws: a step that training never reaches.
  static constexpr std::uint64_t key = ~std::uint64_t(0);

private:
  Options options_;
  const DistributedOperator* A_;
  BlockOperator base_;
  CoarseSpace coarse_;
  torch::Tensor b_;
};

/// f() with the model in inference mode (running batch-norm statistics, no
/// autograd), then back in training mode.
template <class F>
double inInferenceMode(ResGcn& model, F f) {
  torch::NoGradGuard noGrad;
  model->eval();
  const double value = f();
  model->train();
  return value;
}

} // namespace Gnp

#endif
