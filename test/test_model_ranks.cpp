// A model saved on one number of ranks applies identically on another:
//   test_model_ranks save DIR   (e.g. on 2 ranks) trains, saves DIR/model.gnp
//                               and M(b) for b = A·1 as DIR/output.mtx;
//   test_model_ranks load DIR   (e.g. on 1 rank) loads the model, applies it
//                               to the same b and compares.
#include "Gnp_Preconditioner.hpp"
#include "Gnp_TestProblems.hpp"

#include <MatrixMarket_Tpetra.hpp>
#include <Tpetra_Core.hpp>

#include <cmath>
#include <cstdio>
#include <string>

using namespace GnpTest;

int main(int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  if (argc != 3) return 2;
  const std::string mode = argv[1], dir = argv[2];
  const auto comm = Tpetra::getDefaultComm();
  const auto A = convectionDiffusion(20, comm);
  mv_type ones(A->getDomainMap(), 1), b(A->getRangeMap(), 1), y(A->getDomainMap(), 1);
  ones.putScalar(1.0);
  A->apply(ones, b);
  Gnp::Preconditioner<SC, LO, GO, NO> M(A);
  using Writer = Tpetra::MatrixMarket::Writer<crs_type>;
  using Reader = Tpetra::MatrixMarket::Reader<crs_type>;
  if (mode == "save") {
    Teuchos::ParameterList p;
    p.set("gnp: training steps", 20);
    p.set("gnp: print frequency", 0);
    p.set("gnp: base preconditioner", "none"); // an ILUT base depends on the partition
    M.setParameters(p);
    M.compute();
    M.save(dir + "/model.gnp");
    M.apply(b, y);
    Writer::writeDenseFile(dir + "/output.mtx", y);
    return 0;
  }
  M.load(dir + "/model.gnp");
  M.apply(b, y);
  auto map = A->getDomainMap();
  const auto saved = Reader::readDenseFile(dir + "/output.mtx", comm, map);
  y.update(-1.0, *saved, 1.0);
  const double diff = y.getVector(0)->normInf(), scale = saved->getVector(0)->normInf();
  if (comm->getRank() == 0)
    std::printf("model saved on another rank count: max |difference| %.3e, max |M(b)| %.3e on %d rank(s)\n", diff,
                scale, comm->getSize());
  // The network computes the same on any number of ranks (exact sums, row-by-row
  // products); b = A·1 comes from Tpetra's apply, whose sums may round
  // differently when the rows are split, and the saved output passes through text.
  return diff <= 1e-5 * scale && scale > 0.0 ? 0 : 1;
}
