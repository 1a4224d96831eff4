// Training aimed at the solver (issue 24 item 3): with "gnp: stationary steps"
// s, the loss is on the residual after s stationary steps x <- x + M(b - A x),
// the steps before the last with M as it stands.
#include "Gnp_Composition.hpp"
#include "Gnp_GlobalSums.hpp"
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Model.hpp"
#include "Gnp_Scaling.hpp"
#include "Gnp_TestProblems.hpp"
#include "Gnp_TpetraDistributedOperator.hpp"
#include "Gnp_Trainer.hpp"

#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace GnpTest;
using Operator = Gnp::TpetraDistributedOperator<SC, LO, GO, NO>;

namespace {

struct Problem {
  Teuchos::RCP<crs_type> A;
  std::unique_ptr<Operator> op;
  Gnp::Options options;
};

Problem jpwh(int stationarySteps) {
  Problem s;
  s.A = Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
  s.op = std::make_unique<Operator>(s.A, 1.0 / Gnp::gershgorinBound(*s.A));
  s.options.stationarySteps = stationarySteps;
  s.options.batchSize = 4;
  s.options.printEvery = 0;
  return s;
}

// A network seeded and trained 300 steps the same way every time (an untrained
// one outputs zero: no step of it leaves anything but b), in training mode.
Gnp::ResGcn trainedNetwork(const Problem& s) {
  Gnp::Options options = s.options;
  options.stationarySteps = 1;
  options.steps = 300;
  options.selection = Gnp::Selection::TrainingLoss;
  torch::manual_seed(options.seed);
  Gnp::ResGcn model(options, *s.op);
  Gnp::Trainer(options, *s.op, torch::zeros({s.op->localRows(), 0}, torch::kFloat64)).train(model);
  model->train();
  return model;
}

// The loss of batch 100 for that network, through the trainer.
double trainersLoss(const Problem& s) {
  Gnp::ResGcn model = trainedNetwork(s);
  Gnp::Trainer trainer(s.options, *s.op, torch::zeros({s.op->localRows(), 0}, torch::kFloat64));
  return trainer.lossAndGradient(model, 100);
}

torch::Tensor columnNorms(const Operator& op, const torch::Tensor& v) {
  return Gnp::globalColumnSums(op.comm(), v.square(), static_cast<double>(op.globalRows())).sqrt();
}

} // namespace

TEST(StationarySteps, TheLossIsTheResidualOfWhatOneStepOfMLeavesScaledToBsNorm) {
  const Problem s = jpwh(2);
  const double trained = trainersLoss(s);

  // By hand, with a network seeded the same: r = b - A M(b) with M in inference
  // mode, scaled per column to b's norm; the loss is mean |A M(r) - r| with M
  // in training mode (the batch's own statistics), as for the paper's loss on b.
  Gnp::ResGcn model = trainedNetwork(s);
  Gnp::Trainer trainer(s.options, *s.op, torch::zeros({s.op->localRows(), 0}, torch::kFloat64));
  const torch::Tensor b = trainer.sampleBatch(100);
  torch::Tensor r;
  {
    torch::NoGradGuard noGrad;
    model->eval();
    r = b - Gnp::applyMatrix(*s.op, model->forward(b.to(torch::kFloat32)).to(torch::kFloat64));
    model->train();
  }
  r = r * (columnNorms(*s.op, b) / columnNorms(*s.op, r));
  torch::Tensor out;
  {
    torch::NoGradGuard noGrad;
    out = model->forward(r.to(torch::kFloat32)).to(torch::kFloat64);
  }
  const double rows = static_cast<double>(s.op->globalRows());
  const double byHand =
      Gnp::globalColumnSums(s.op->comm(), (Gnp::applyMatrix(*s.op, out) - r).abs(), rows).sum().item<double>() /
      (rows * s.options.batchSize);
  EXPECT_NEAR(trained, byHand, 1e-6 * byHand);
  // And it is not the one-step loss on b.
  EXPECT_GT(std::abs(trained - trainersLoss(jpwh(1))), 1e-2 * byHand);
  EXPECT_GT((r - b).norm().item<double>(), 0.1 * b.norm().item<double>()); // M did something
}

TEST(StationarySteps, TrainingWithThreeStepsLowersTheirLossAndIsValidatedLikeEveryCount) {
  Problem s = jpwh(3);
  s.options.steps = 40;
  s.options.selection = Gnp::Selection::TrainingLoss;
  torch::manual_seed(s.options.seed);
  Gnp::ResGcn model(s.options, *s.op);
  Gnp::Trainer trainer(s.options, *s.op, torch::zeros({s.op->localRows(), 0}, torch::kFloat64));
  trainer.train(model);
  const auto& losses = trainer.lossHistory();
  ASSERT_EQ(losses.size(), 40u);
  for (double l : losses) ASSERT_TRUE(std::isfinite(l));
  EXPECT_LT(*std::min_element(losses.end() - 10, losses.end()), 0.8 * losses.front());

  auto prec = Teuchos::rcp(new Gnp::Preconditioner<SC, LO, GO, NO>(s.A));
  for (int bad : {0, 101}) {
    Teuchos::ParameterList p;
    p.set("gnp: stationary steps", bad);
    EXPECT_THROW(prec->setParameters(p), Teuchos::Exceptions::InvalidParameterValue) << bad;
  }
}
