#include "Gnp_TestProblems.hpp"

#include "Gnp_ConvectionDiffusion.hpp"

#include <Tpetra_Core.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace GnpTest {

Teuchos::RCP<crs_type> convectionDiffusion(int N, const CommPtr& comm) {
  return Gnp::convectionDiffusion<SC, LO, GO, NO>(N, 100.0, 50.0, comm);
}

Teuchos::RCP<crs_type> identity(int n, const CommPtr& comm) {
  auto map = Teuchos::rcp(new map_type(static_cast<GO>(n), 0, comm));
  auto A = Teuchos::rcp(new crs_type(map, 1));
  for (LO lid = 0; lid < static_cast<LO>(map->getNodeNumElements()); ++lid) {
    const GO row = map->getGlobalElement(lid);
    A->insertGlobalValues(row, Teuchos::tuple<GO>(row), Teuchos::tuple<SC>(1.0));
  }
  A->fillComplete();
  return A;
}

std::string writeTempFile(const std::string& name, const std::string& text, const CommPtr& comm) {
  const auto dir = std::filesystem::temp_directory_path() / "gnp-tests";
  const std::string path = (dir / name).string();
  if (comm->getRank() == 0) {
    std::filesystem::create_directories(dir);
    std::ofstream(path) << text;
  }
  comm->barrier();
  return path;
}

std::string exampleMatrixPath() { return GNP_EXAMPLE_MATRIX_PATH; }

Gnp::SolveResult solveRandomSolution(const Teuchos::RCP<crs_type>& A,
                                     const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
                                     const Teuchos::ParameterList& belos) {
  auto x = Teuchos::rcp(new mv_type(A->getDomainMap(), 1)), b = Teuchos::rcp(new mv_type(A->getRangeMap(), 1));
  mv_type solution(A->getDomainMap(), 1);
  Teuchos::ScalarTraits<SC>::seedrandom(7);
  solution.randomize();
  A->apply(solution, *b);
  Teuchos::ParameterList settings = Gnp::defaultBelosParameters();
  settings.setParameters(belos);
  return Gnp::solveFlexibleGmres<SC, LO, GO, NO>(A, b, x, M, settings);
}

std::string parameterError(const Teuchos::ParameterList& p) {
  Gnp::Preconditioner<SC, LO, GO, NO> prec(convectionDiffusion(4, Tpetra::getDefaultComm()));
  try {
    prec.setParameters(p);
  } catch (const Teuchos::Exceptions::InvalidParameter& e) {
    return e.what();
  }
  return "";
}

Teuchos::RCP<Gnp::Preconditioner<SC, LO, GO, NO>> trainedGnp(const Teuchos::RCP<crs_type>& A, int steps,
                                                             const Teuchos::ParameterList& extra) {
  auto prec = Teuchos::rcp(new Gnp::Preconditioner<SC, LO, GO, NO>(A));
  Teuchos::ParameterList p;
  p.set("gnp: training steps", steps);
  p.set("gnp: print frequency", 0);
  p.set("gnp: max training time", 0.0); // the steps asked for, however loaded the machine (no automatic budget)
  // The paper's network: the default base and coarse space solve the small test
  // matrices without training.
  p.set("gnp: base preconditioner", "none");
  p.set("gnp: coarse space", "none");
  p.setParameters(extra);
  prec->setParameters(p);
  prec->initialize();
  prec->compute();
  return prec;
}

} // namespace GnpTest
