// A Trilinos application that knows nothing about GNP beyond one call that
// registers it with Stratimikos: it reads a matrix and a Stratimikos XML file,
// solves, and prints the outcome. Usage: consumer A.mtx stratimikos.xml
#include <Gnp_StratimikosHelpers.hpp>

#include <MatrixMarket_Tpetra.hpp>
#include <Teuchos_XMLParameterListHelpers.hpp>
#include <Tpetra_Core.hpp>

#include <cstdio>
#include <iostream>

int main(int argc, char* argv[]) {
  Tpetra::ScopeGuard tpetra(&argc, &argv);
  if (argc != 3) {
    std::cerr << "usage: consumer A.mtx stratimikos.xml\n";
    return 2;
  }
  using crs_type = Tpetra::CrsMatrix<double>;
  using mv_type = Tpetra::MultiVector<double>;
  auto comm = Tpetra::getDefaultComm();
  try {
    const auto A = Tpetra::MatrixMarket::Reader<crs_type>::readSparseFile(argv[1], comm);
    auto b = Teuchos::rcp(new mv_type(A->getRangeMap(), 1));
    auto x = Teuchos::rcp(new mv_type(A->getDomainMap(), 1));
    mv_type ones(A->getDomainMap(), 1);
    ones.putScalar(1.0);
    A->apply(ones, *b);
    const auto result = Gnp::solveWithStratimikos(A, b, x, Teuchos::getParametersFromXmlFile(argv[2]));
    if (comm->getRank() == 0)
      std::printf("consumer: %s after %d iterations, true relative residual %.3e\n",
                  result.converged ? "converged" : "not converged", result.iterations, result.trueResidual);
  } catch (const std::exception& e) {
    if (comm->getRank() == 0) std::cerr << "consumer: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
