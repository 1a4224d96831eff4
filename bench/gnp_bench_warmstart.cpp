// gnp-bench-warmstart: how many training steps a warm start ("gnp: initial
// model") needs on a changed matrix. For each MatrixMarket file: train on A
// (cold, N steps) and save; perturb every value of A by a factor 1 + eps·g,
// g standard normal (same sparsity); then train on the perturbed matrix once from
// scratch and once from the saved model, N steps each, same seed. Prints the
// step at which each run's best loss so far first reaches the cold run's final
// best loss. Prints figures; never fails on them.
#include "Gnp_MatrixIO.hpp"
#include "Gnp_Preconditioner.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_Types.hpp"

#include <Teuchos_CommandLineProcessor.hpp>
#include <Tpetra_Core.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using SC = Gnp::DefaultScalar;
using LO = Gnp::DefaultLocalOrdinal;
using GO = Gnp::DefaultGlobalOrdinal;
using NO = Gnp::DefaultNode;
using crs_type = Tpetra::CrsMatrix<SC, LO, GO, NO>;

// a_ij · (1 + eps·g_ij), g_ij a standard normal keyed by (i, j): the same on any number of ranks.
void perturb(crs_type& A, double eps) {
  A.resumeFill();
  const auto rowMap = A.getRowMap();
  const auto colMap = A.getColMap();
  for (LO i = 0; i < static_cast<LO>(A.getNodeNumRows()); ++i) {
    const std::size_t n = A.getNumEntriesInLocalRow(i);
    Teuchos::Array<LO> cols(n);
    Teuchos::Array<SC> vals(n);
    A.getLocalRowCopy(i, cols(), vals(), const_cast<std::size_t&>(n));
    const GO gi = rowMap->getGlobalElement(i);
    for (std::size_t k = 0; k < n; ++k) {
      const GO gj = colMap->getGlobalElement(cols[k]);
      vals[k] *=
          1.0 + eps * Gnp::gaussian(0x5eed, 99, 0, static_cast<std::uint64_t>(gi), static_cast<std::uint64_t>(gj));
    }
    A.replaceLocalValues(i, cols(), vals());
  }
  A.fillComplete(A.getDomainMap(), A.getRangeMap());
}

struct Run {
  std::vector<double> losses;
  double seconds = 0;
};

Run train(const Teuchos::RCP<crs_type>& A, int steps, const std::string& initial, const std::string& saveTo) {
  Gnp::Preconditioner<SC, LO, GO, NO> M(A);
  Teuchos::ParameterList p;
  p.set("gnp: training steps", steps);
  p.set("gnp: print frequency", 0);
  p.set("gnp: initial model", initial);
  p.set("gnp: base preconditioner", "none"); // the network's own warm start, as docs/performance.md measured it
  M.setParameters(p);
  M.compute();
  if (!saveTo.empty()) M.save(saveTo);
  return {M.getLossHistory(), M.getTrainingReport().seconds};
}

// First step (1-based) whose best loss so far is <= target; -1 if none.
int stepsToReach(const std::vector<double>& losses, double target) {
  double best = INFINITY;
  for (std::size_t i = 0; i < losses.size(); ++i)
    if ((best = std::min(best, losses[i])) <= target) return static_cast<int>(i) + 1;
  return -1;
}

} // namespace

int main(int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  auto comm = Tpetra::getDefaultComm();
  const bool root = comm->getRank() == 0;
  std::string matrices;
  int steps = 300;
  double eps = 0.05;
  Teuchos::CommandLineProcessor clp(false, true);
  clp.setOption("matrices", &matrices, "Comma-separated MatrixMarket files");
  clp.setOption("steps", &steps, "Training steps of each run");
  clp.setOption("eps", &eps, "Relative size of the perturbation of every value");
  if (clp.parse(argc, argv) != Teuchos::CommandLineProcessor::PARSE_SUCCESSFUL) return 2;
  const std::string model = (std::filesystem::temp_directory_path() / "gnp_warmstart.gnp").string();

  if (root)
    std::printf("%-22s %7s %5s %12s %14s %14s %12s %12s\n", "matrix", "n", "steps", "target loss", "cold: steps to",
                "warm: steps to", "cold loss@1", "warm loss@1");
  std::size_t start = 0;
  while (start < matrices.size()) {
    const std::size_t comma = std::min(matrices.find(',', start), matrices.size());
    const std::string path = matrices.substr(start, comma - start);
    start = comma + 1;
    auto A = Gnp::readMatrixMarket<SC, LO, GO, NO>(path, comm);
    train(A, steps, "", model);
    perturb(*A, eps);
    const Run cold = train(A, steps, "", "");
    const Run warm = train(A, steps, model, "");
    const double target = *std::min_element(cold.losses.begin(), cold.losses.end());
    if (root)
      std::printf("%-22s %7lld %5d %12.4e %14d %14d %12.4e %12.4e\n", std::filesystem::path(path).stem().c_str(),
                  static_cast<long long>(A->getGlobalNumRows()), steps, target, stepsToReach(cold.losses, target),
                  stepsToReach(warm.losses, target), cold.losses.front(), warm.losses.front());
  }
  return 0;
}
