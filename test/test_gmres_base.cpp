// "gnp: base preconditioner" = "gmres": inner GMRES as the P that the network
// corrects, the strongest free preconditioner on the matrices ILU and AMG fail on.
#include "Gnp_BaseOperator.hpp"
#include "Gnp_FlexibleGmres.hpp"
#include "Gnp_GlobalSums.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Scaling.hpp"
#include "Gnp_ShortSolve.hpp"
#include "Gnp_TestProblems.hpp"
#include "Gnp_TpetraDistributedOperator.hpp"

#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

using namespace GnpTest;

namespace {

const std::string west0479 = GNP_TEST_DATA "/west0479.mtx";

struct Scaled {
  Teuchos::RCP<crs_type> A;
  std::shared_ptr<Gnp::TpetraDistributedOperator<SC, LO, GO, NO>> Ahat;
};

Scaled read(const std::string& path) {
  Scaled s;
  s.A = Gnp::readMatrixMarket<SC, LO, GO, NO>(path, Tpetra::getDefaultComm());
  s.Ahat = std::make_shared<Gnp::TpetraDistributedOperator<SC, LO, GO, NO>>(s.A, 1.0 / Gnp::gershgorinBound(*s.A));
  return s;
}

// A right-hand side of Gaussian-like entries keyed by the global row.
torch::Tensor rightHandSide(const Gnp::DistributedOperator& op) {
  torch::Tensor b = torch::empty({op.localRows(), 1}, torch::kFloat64);
  for (std::int64_t i = 0; i < op.localRows(); ++i) b[i][0] = std::sin(1.0 + 0.37 * op.globalRowIndices()[i]);
  return b;
}

torch::Tensor applyBlock(const Gnp::BlockOperator& P, const torch::Tensor& b) {
  torch::Tensor y = torch::empty_like(b);
  P(b.data_ptr<double>(), y.data_ptr<double>(), static_cast<int>(b.size(1)));
  return y;
}

double relativeResidual(const Gnp::DistributedOperator& op, const torch::Tensor& b, const torch::Tensor& x) {
  torch::Tensor Ax = torch::empty_like(x);
  op.apply(x.data_ptr<double>(), Ax.data_ptr<double>(), 1, false);
  return std::sqrt(Gnp::globalColumnSums(op.comm(), (b - Ax).square(), op.globalRows())[0].item<double>() /
                   Gnp::globalColumnSums(op.comm(), b.square(), op.globalRows())[0].item<double>());
}

TEST(GmresBase, GivesTheMinimalResidualOfItsKrylovSpace) {
  const Scaled s = read(west0479);
  const Gnp::BlockOperator P = Gnp::makeBaseOperator(Gnp::Base::Gmres, Teuchos::rcp_const_cast<const crs_type>(s.A),
                                                     Gnp::gershgorinBound(*s.A), s.Ahat, Gnp::Options());
  const torch::Tensor b = rightHandSide(*s.Ahat);
  const double reached = relativeResidual(*s.Ahat, b, applyBlock(P, b));
  // Unpreconditioned (F)GMRES from x = 0 minimises over the same space.
  const double gmres = Gnp::shortFlexibleGmres(*s.Ahat, b, 10).back();
  EXPECT_NEAR(reached, gmres, 1e-8 * gmres);
  EXPECT_LT(reached, 1.0);
  // Nonlinear, but scale-equivariant: P(3b) = 3 P(b).
  const torch::Tensor x = applyBlock(P, b);
  const double scale = x.abs().max().item<double>();
  const double deviation = (applyBlock(P, 3.0 * b) - 3.0 * x).abs().max().item<double>() / scale;
  EXPECT_LE(deviation, 1e-9);
}

TEST(GmresBase, ComposesAndTrainsWithTheNetwork) {
  const Scaled s = read(west0479);
  Teuchos::ParameterList p;
  p.set("gnp: base preconditioner", "gmres");
  p.set("gnp: base gmres iterations", 5);
  const auto M = trainedGnp(s.A, 20, p);
  EXPECT_EQ(M->getBase(), Gnp::Base::Gmres);
  const Gnp::TrainingReport& r = M->getTrainingReport();
  // Training starts from P alone (the network's last layer is zero) and keeps
  // nothing worse; inner GMRES is much better than nothing on west0479.
  EXPECT_LE(r.bestScore, r.validationBase);
  EXPECT_LT(r.validationBase, r.validationUnpreconditioned);
}

} // namespace
