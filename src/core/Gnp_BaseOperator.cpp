#include "Gnp_BaseOperator.hpp"

#include "Gnp_Arnoldi.hpp"
#include "Gnp_Errors.hpp"
#include "Gnp_GraphOperator.hpp"
#include "Gnp_HostBridge.hpp"
#include "Gnp_OptionTable.hpp"
#include "Gnp_Types.hpp"

#include <Ifpack2_Factory.hpp>
#include <MueLu_CreateTpetraPreconditioner.hpp>
#include <Teuchos_CommHelpers.hpp>
#include <Teuchos_LAPACK.hpp>
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

// A base built by a Trilinos package: its type there, how the option spells
// it, and its parameters (the defaults below, then the user's sublist).
struct PackageBase {
  const char* package;
  const char* type;
  Base base;
  Teuchos::ParameterList params;
};

PackageBase packageBase(Base base, const Teuchos::ParameterList& userLists) {
  PackageBase b{basePackage(base), "ILUT", base, {}};
  if (base == Base::Riluk) b.type = "RILUK";
  if (base == Base::GaussSeidel) {
    b.type = "RELAXATION";
    b.params.set("relaxation: type", "Symmetric Gauss-Seidel");
  }
  if (std::string(b.package) == "MueLu") {
    b.type = base == Base::MueLu ? "smoothed aggregation" : "Petrov-Galerkin aggregation";
    b.params.set("verbosity", "none");
    if (base == Base::MueLuPg) {
      b.params.set("multigrid algorithm", "pg");
      b.params.set("problem: symmetric", false);
    }
  }
  const std::string spelling = toString(base);
  if (userLists.isSublist(spelling)) b.params.setParameters(userLists.sublist(spelling));
  return b;
}

BaseUnavailable packageFailure(const PackageBase& b, const std::string& why) {
  const std::string reason = std::string(b.package) + "'s " + b.type + " of this matrix " + why;
  return BaseUnavailable("GNP: \"gnp: base preconditioner\" is \"" + toString(b.base) + "\", but " + reason +
                             "; choose \"none\" or \"jacobi\"",
                         reason);
}

// Throws packageFailure on every rank where any rank's `error` is not empty.
void requireNoErrorAnywhere(const Teuchos::Comm<int>& comm, const PackageBase& b, const std::string& failed,
                            const std::string& error) {
  if (!everywhere(comm, error.empty()))
    throw packageFailure(b, failed + (error.empty() ? std::string(" on another rank") : " (" + error + ")"));
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>> buildPackageBase(
    const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& A, const PackageBase& b) {
  if (std::string(b.package) == "MueLu") {
    auto op = Teuchos::rcp_const_cast<Tpetra::Operator<SC, LO, GO, NO>>(
        Teuchos::rcp_implicit_cast<const Tpetra::Operator<SC, LO, GO, NO>>(A));
    Teuchos::ParameterList params(b.params);
    return MueLu::CreateTpetraPreconditioner<SC, LO, GO, NO>(op, params);
  }
  auto P = Ifpack2::Factory::create<Tpetra::RowMatrix<SC, LO, GO, NO>>(b.type, A);
  P->setParameters(b.params);
  P->initialize();
  P->compute();
  return P;
}

template <class SC, class LO, class GO, class NO>
BlockOperator packaged(const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& A, double gamma,
                       const PackageBase& b) {
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>> P;
  std::string error;
  try {
    P = buildPackageBase(A, b);
  } catch (const std::exception& e) {
    error = withoutSourceLocation(e.what());
  }
  requireNoErrorAnywhere(*A->getComm(), b, "cannot be built", error);
  const auto domain = A->getDomainMap(), range = A->getRangeMap();
  // MueLu 13.2 with a Chebyshev smoother fails on an apply whose column count
  // differs from the first one's (training's batch, then the solve's one
  // column): MueLu's bases apply one column at a time.
  const bool oneColumnAtATime = std::string(b.package) == "MueLu";
  BlockOperator op = [P, domain, range, gamma, oneColumnAtATime](const double* X, double* Y, int columns) {
    const int w = oneColumnAtATime ? 1 : columns;
    for (int first = 0; first < columns; first += w) {
      mv_type x(domain, w), y(range, w);
      {
        auto xv = hostOverwrite(x);
        for (std::size_t i = 0; i < xv.extent(0); ++i)
          for (int c = 0; c < w; ++c) xv(i, c) = X[i * columns + first + c];
      }
      P->apply(x, y);
      auto yv = hostRead(y);
      for (std::size_t i = 0; i < yv.extent(0); ++i)
        for (int c = 0; c < w; ++c) Y[i * columns + first + c] = gamma * yv(i, c);
    }
  };
  // A zero pivot shows as NaN or Inf in the output, not as an error; MueLu's
  // coarse solver (Amesos2's KLU2) may factor at the first apply and fail there.
  const std::size_t rows = A->getNodeNumRows();
  std::vector<double> ones(rows, 1.0), out(rows);
  try {
    op(ones.data(), out.data(), 1);
  } catch (const std::exception& e) {
    error = withoutSourceLocation(e.what());
  }
  requireNoErrorAnywhere(*A->getComm(), b, "cannot be applied", error);
  bool finite = true;
  for (double v : out) finite = finite && std::isfinite(v);
  if (!everywhere(*A->getComm(), finite)) throw packageFailure(b, "returns NaN or Inf (a zero pivot?)");
  return op;
}

// y = argmin ‖β e₁ − H̄ y‖ (LAPACK's GELSS: a singular H̄, after a breakdown on
// a singular Â, gets the least-norm solution instead of Inf).
std::vector<double> leastSquares(const Teuchos::SerialDenseMatrix<int, double>& Hbar, double beta) {
  const int rows = Hbar.numRows(), m = Hbar.numCols();
  Teuchos::SerialDenseMatrix<int, double> H(Hbar);
  std::vector<double> rhs(rows, 0.0), s(m), work(1);
  rhs[0] = beta;
  int rank = 0, info = 0;
  Teuchos::LAPACK<int, double> lapack;
  lapack.GELSS(rows, m, 1, H.values(), H.stride(), rhs.data(), rows, s.data(), 1e-12, &rank, work.data(), -1, &info);
  work.resize(static_cast<std::size_t>(work[0]));
  lapack.GELSS(rows, m, 1, H.values(), H.stride(), rhs.data(), rows, s.data(), 1e-12, &rank, work.data(),
               static_cast<int>(work.size()), &info);
  if (info != 0) throw std::runtime_error("GNP's GMRES base: LAPACK GELSS failed (info " + std::to_string(info) + ")");
  rhs.resize(m);
  return rhs;
}

template <class SC, class LO, class GO, class NO>
BlockOperator gmres(std::shared_ptr<const DistributedOperator> Ahat,
                    const Teuchos::RCP<const Tpetra::Map<LO, GO, NO>>& map, int iterations) {
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  const auto op = std::make_shared<GraphOperator<SC, LO, GO, NO>>(std::move(Ahat), map);
  return [op, map, iterations](const double* X, double* Y, int columns) {
    const std::size_t rows = map->getNodeNumElements();
    for (int c = 0; c < columns; ++c) {
      mv_type r(map, 1);
      {
        auto rv = hostOverwrite(r);
        for (std::size_t i = 0; i < rows; ++i) rv(i, 0) = X[i * columns + c];
      }
      ArnoldiResult<SC, LO, GO, NO> krylov;
      try {
        krylov = arnoldi(*op, r, iterations);
      } catch (const std::invalid_argument&) { // r = 0 on every rank: x = 0
        for (std::size_t i = 0; i < rows; ++i) Y[i * columns + c] = 0.0;
        continue;
      }
      const std::vector<double> y = leastSquares(krylov.H, krylov.startNorm);
      auto v = hostRead(*krylov.V);
      for (std::size_t i = 0; i < rows; ++i) {
        double sum = 0.0;
        for (int j = 0; j < krylov.steps; ++j) sum += v(i, j) * y[j];
        Y[i * columns + c] = sum;
      }
    }
  };
}

} // namespace

const char* basePackage(Base base) {
  switch (base) {
    case Base::Ilut:
    case Base::Riluk:
    case Base::GaussSeidel: return "Ifpack2";
    case Base::MueLu:
    case Base::MueLuPg: return "MueLu";
    default: return nullptr;
  }
}

template <class SC, class LO, class GO, class NO>
BlockOperator makeBaseOperator(Base base, const Teuchos::RCP<const Tpetra::CrsMatrix<SC, LO, GO, NO>>& A, double gamma,
                               std::shared_ptr<const DistributedOperator> Ahat, const Options& options) {
  if (A->getDomainMap()->getNodeNumElements() != A->getNodeNumRows() ||
      A->getRangeMap()->getNodeNumElements() != A->getNodeNumRows())
    throw std::invalid_argument(
        "GNP: a base preconditioner needs the matrix's domain and range maps to hold its "
        "rows' layout (as a matrix read from a MatrixMarket file does)");
  switch (base) {
    case Base::None: return {};
    case Base::Jacobi: return jacobi(*A, gamma);
    case Base::Ilut:
    case Base::Riluk:
    case Base::GaussSeidel:
    case Base::MueLu:
    case Base::MueLuPg: return packaged(A, gamma, packageBase(base, OptionTable::baseParameterLists(options)));
    case Base::Gmres: return gmres<SC, LO, GO, NO>(std::move(Ahat), A->getRangeMap(), options.baseGmresIterations);
    case Base::Auto: break;
  }
  throw std::logic_error("makeBaseOperator: Base::Auto is resolved by Preconditioner::chooseBase");
}

template BlockOperator makeBaseOperator(
    Base,
    const Teuchos::RCP<const Tpetra::CrsMatrix<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&,
    double, std::shared_ptr<const DistributedOperator>, const Options&);

} // namespace Gnp
