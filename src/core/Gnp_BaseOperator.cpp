#include "Gnp_BaseOperator.hpp"

#include "Gnp_HostBridge.hpp"
#include "Gnp_Types.hpp"

#include <Ifpack2_Factory.hpp>
#include <Teuchos_CommHelpers.hpp>
#include <Tpetra_CrsMatrix.hpp>
#include <Tpetra_Vector.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace Gnp {
namespace {

template <class SC, class LO, class GO, class NO>
BlockOperator jacobi(const Tpetra::CrsMatrix<SC, LO, GO, NO>& A, double gamma) {
  Tpetra::Vector<SC, LO, GO, NO> diagonal(A.getRowMap());
  A.getLocalDiagCopy(diagonal);
  auto d = hostRead(diagonal);
  std::vector<double> inverse(d.extent(0));
  for (std::size_t i = 0; i < inverse.size(); ++i) inverse[i] = d(i, 0) != 0.0 ? gamma / d(i, 0) : 0.0;
  return [inverse](const double* X, double* Y, int columns) {
    for (std::size_t i = 0; i < inverse.size(); ++i)
      for (int c = 0; c < columns; ++c) Y[i * columns + c] = inverse[i] * X[i * columns + c];
  };
}

// True on every rank when `ok` is true on every rank.
bool everywhere(const Teuchos::Comm<int>& comm, bool ok) {
  int mine = ok ? 1 : 0, all = 0;
  Teuchos::reduceAll(comm, Teuchos::REDUCE_MIN, mine, Teuchos::outArg(all));
  return all == 1;
}

std::invalid_argument ilutFailure(const std::string& why) {
  return std::invalid_argument("GNP: \"gnp: base preconditioner\" is \"ilut\", but Ifpack2's ILUT of this matrix " +
                               why + "; choose \"none\" or \"jacobi\"");
}

template <class SC, class LO, class GO, class NO>
BlockOperator ilut(const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& A, double gamma) {
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  Teuchos::RCP<Ifpack2::Preconditioner<SC, LO, GO, NO>> P;
  std::string error;
  try {
    P = Ifpack2::Factory::create<Tpetra::RowMatrix<SC, LO, GO, NO>>("ILUT", A);
    P->initialize();
    P->compute();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!everywhere(*A->getComm(), error.empty()))
    throw ilutFailure("cannot be built" + (error.empty() ? std::string(" on another rank") : " (" + error + ")"));
  const auto domain = A->getDomainMap(), range = A->getRangeMap();
  BlockOperator op = [P, domain, range, gamma](const double* X, double* Y, int columns) {
    mv_type x(domain, columns), y(range, columns);
    {
      auto xv = hostOverwrite(x);
      for (std::size_t i = 0; i < xv.extent(0); ++i)
        for (int c = 0; c < columns; ++c) xv(i, c) = X[i * columns + c];
    }
    P->apply(x, y);
    auto yv = hostRead(y);
    for (std::size_t i = 0; i < yv.extent(0); ++i)
      for (int c = 0; c < columns; ++c) Y[i * columns + c] = gamma * yv(i, c);
  };
  // A zero pivot shows as NaN or Inf in the output, not as an error.
  const std::size_t rows = A->getNodeNumRows();
  std::vector<double> ones(rows, 1.0), out(rows);
  op(ones.data(), out.data(), 1);
  bool finite = true;
  for (double v : out) finite = finite && std::isfinite(v);
  if (!everywhere(*A->getComm(), finite)) throw ilutFailure("returns NaN or Inf (a zero pivot?)");
  return op;
}

} // namespace

template <class SC, class LO, class GO, class NO>
BlockOperator makeBaseOperator(Base base, const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& A,
                               double gamma) {
  if (A->getDomainMap()->getNodeNumElements() != A->getNodeNumRows() ||
      A->getRangeMap()->getNodeNumElements() != A->getNodeNumRows())
    throw std::invalid_argument(
        "GNP: a base preconditioner needs the matrix's domain and range maps to hold its "
        "rows' layout (as a matrix read from a MatrixMarket file does)");
  switch (base) {
    case Base::None: return {};
    case Base::Jacobi: return jacobi(*A, gamma);
    case Base::Ilut: return ilut(A, gamma);
    case Base::Auto: break;
  }
  throw std::logic_error("makeBaseOperator: Base::Auto is resolved by Preconditioner::chooseBase");
}

template BlockOperator makeBaseOperator(
    Base,
    const Teuchos::RCP<const Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&,
    double);

} // namespace Gnp
