// compute() follows the matrix (Ifpack2's life cycle): after A's values change,
// compute() trains on the new values, from the network it has.
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Scaling.hpp"
#include "Gnp_TestProblems.hpp"

#include <Tpetra_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>

using namespace GnpTest;
using Prec = Gnp::Preconditioner<SC, LO, GO, NO>;

namespace {

Teuchos::RCP<crs_type> jpwh991() {
  return Gnp::readMatrixMarket<SC, LO, GO, NO>(exampleMatrixPath(), Tpetra::getDefaultComm());
}

// Off-diagonal entries times `factor`, in place (the structure stays).
void scaleOffDiagonal(crs_type& A, double factor) {
  A.resumeFill();
  const auto rows = A.getRowMap(), columns = A.getColMap();
  for (LO i = 0; i < static_cast<LO>(A.getNodeNumRows()); ++i) {
    crs_type::nonconst_local_inds_host_view_type indices("indices", A.getNumEntriesInLocalRow(i));
    crs_type::nonconst_values_host_view_type values("values", A.getNumEntriesInLocalRow(i));
    size_t count = 0;
    A.getLocalRowCopy(i, indices, values, count);
    for (size_t k = 0; k < count; ++k)
      if (columns->getGlobalElement(indices(k)) != rows->getGlobalElement(i)) values(k) *= factor;
    A.replaceLocalValues(i, indices, values);
  }
  A.fillComplete();
}

Teuchos::ParameterList training(int steps) {
  Teuchos::ParameterList p;
  p.set("gnp: training steps", steps);
  p.set("gnp: base preconditioner", "none");
  p.set("gnp: print frequency", 0);
  return p;
}

// FGMRES(10) iterations to 1e-8 on b = A x, x the same random vector each time.
int iterations(const Teuchos::RCP<crs_type>& A, const Teuchos::RCP<Prec>& M) {
  Teuchos::ParameterList belos;
  belos.set("Maximum Iterations", 300);
  return solveRandomSolution(A, M, belos).iterations;
}

} // namespace

TEST(Recompute, AfterTheValuesChangeComputeTrainsOnTheNewValues) {
  const auto A = jpwh991();
  auto M = Teuchos::rcp(new Prec(A));
  M->setParameters(training(300));
  M->compute();
  const double oldGamma = M->getScaling();
  scaleOffDiagonal(*A, 0.3);
  const int stale = iterations(A, M); // the network trained for the old values
  M->compute();
  EXPECT_EQ(M->getScaling(), Gnp::gershgorinBound(*A));
  EXPECT_NE(M->getScaling(), oldGamma);

  auto fresh = Teuchos::rcp(new Prec(A));
  fresh->setParameters(training(300));
  fresh->compute();
  const int recomputed = iterations(A, M), rebuilt = iterations(A, fresh);
  RecordProperty("iterations", std::to_string(stale) + " stale, " + std::to_string(recomputed) + " recomputed (" +
                                   std::to_string(M->getTrainingReport().stepsRun) + " steps), " +
                                   std::to_string(rebuilt) + " rebuilt");
  EXPECT_LT(recomputed, stale);
  EXPECT_LE(recomputed, rebuilt + rebuilt / 2) << "a fresh build needs " << rebuilt;
}

TEST(Recompute, OnUnchangedValuesComputeTrainsOnFromTheKeptNetwork) {
  const auto A = convectionDiffusion(16, Tpetra::getDefaultComm());
  auto M = Teuchos::rcp(new Prec(A));
  M->setParameters(training(100));
  M->compute();
  const double gamma = M->getScaling();
  const double firstCold = M->getLossHistory().front();
  const double lastCold = M->getLossHistory().back();
  M->compute();
  EXPECT_EQ(M->getScaling(), gamma);
  EXPECT_EQ(M->getNumCompute(), 2);
  // A warm start: the second training's first loss is near where the first ended.
  EXPECT_LT(M->getLossHistory().front(), 0.5 * (firstCold + lastCold));
}

TEST(Recompute, SetMatrixTakesAnotherMatrixAndTheNextComputeWarmStartsOnIt) {
  const auto A = jpwh991();
  auto M = Teuchos::rcp(new Prec(A));
  M->setParameters(training(200));
  M->compute();
  const auto B = jpwh991();
  scaleOffDiagonal(*B, 0.3);
  M->setMatrix(B);
  EXPECT_FALSE(M->isComputed());
  EXPECT_THROW(M->apply(mv_type(B->getDomainMap(), 1), *Teuchos::rcp(new mv_type(B->getRangeMap(), 1))),
               std::runtime_error);
  M->compute();
  EXPECT_EQ(M->getMatrix(), B);
  EXPECT_EQ(M->getScaling(), Gnp::gershgorinBound(*B));
  EXPECT_LT(iterations(B, M), 300);
  EXPECT_THROW(M->setMatrix(Teuchos::null), std::invalid_argument);
}

TEST(Recompute, AWarmStartTrainsForTheWarmStartStepsAndAFreshStartForTheTrainingSteps) {
  const auto A = convectionDiffusion(12, Tpetra::getDefaultComm());
  auto M = Teuchos::rcp(new Prec(A));
  Teuchos::ParameterList p = training(40);
  p.set("gnp: warm start steps", 7);
  M->setParameters(p);
  M->compute();
  EXPECT_EQ(M->getTrainingReport().stepsRun, 40);
  M->compute(); // from the network it trained: a warm start
  EXPECT_EQ(M->getTrainingReport().stepsRun, 7);
  M->initialize(); // the seeded network again: a fresh start
  M->compute();
  EXPECT_EQ(M->getTrainingReport().stepsRun, 40);
  p.set("gnp: warm start steps", 0); // 0: an eighth of the training steps
  M->setParameters(p);
  M->compute();
  M->compute();
  EXPECT_EQ(M->getTrainingReport().stepsRun, 5);
}
