#include "Gnp_Arnoldi.hpp"

#include "Gnp_HostBridge.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_Types.hpp"
#include "kernels/Gnp_ExactSum.hpp"

#include <Teuchos_CommHelpers.hpp>
#include <Teuchos_LAPACK.hpp>
#include <Tpetra_Vector.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace Gnp {
namespace {

// ⟨a, b⟩ over all ranks as an exact two-fold sum of the rounded products
// (kernels/Gnp_ExactSum.hpp): the same to the last bit on any number of ranks,
// which Tpetra's dot (local sums, then MPI's) is not, and about as precise.
template <class V>
double exactDot(const V& a, const V& b) {
  const auto x = hostRead(a), y = hostRead(b);
  const std::size_t rows = x.extent(0);
  const auto& comm = *a.getMap()->getComm();
  double bound = 0.0, globalBound = 0.0;
  for (std::size_t i = 0; i < rows; ++i) bound = std::max(bound, std::abs(x(i, 0) * y(i, 0)));
  Teuchos::reduceAll<int, double>(comm, Teuchos::REDUCE_MAX, 1, &bound, &globalBound);
  exact::TwoFoldSum sum(globalBound, static_cast<double>(a.getGlobalLength()));
  for (std::size_t i = 0; i < rows; ++i) sum.add(x(i, 0) * y(i, 0));
  double local[2], global[2];
  sum.parts(local[0], local[1]);
  Teuchos::reduceAll<int, double>(comm, Teuchos::REDUCE_SUM, 2, local, global);
  return global[0] + global[1];
}

template <class V>
double exactNorm(const V& a) {
  return std::sqrt(exactDot(a, a));
}

// The thin SVD H̄ = U S Yᵀ of the (m+1) x m Hessenberg matrix (LAPACK's GESVD).
struct ThinSvd {
  int rows, m;
  std::vector<double> s, u, yt; // u: (m+1) x m column-major (when asked for); yt: m x m column-major

  ThinSvd(const Teuchos::SerialDenseMatrix<int, double>& Hbar, bool withU)
      : rows(Hbar.numRows()),
        m(Hbar.numCols()),
        s(m),
        u(withU ? static_cast<size_t>(rows) * m : 1),
        yt(static_cast<size_t>(m) * m) {
    Teuchos::SerialDenseMatrix<int, double> H(Hbar);
    const char jobu = withU ? 'S' : 'N';
    const int ldu = withU ? rows : 1;
    std::vector<double> work(1);
    int info = 0;
    Teuchos::LAPACK<int, double> lapack;
    lapack.GESVD(jobu, 'A', rows, m, H.values(), H.stride(), s.data(), u.data(), ldu, yt.data(), m, work.data(), -1,
                 nullptr, &info);
    work.resize(static_cast<size_t>(work[0]));
    lapack.GESVD(jobu, 'A', rows, m, H.values(), H.stride(), s.data(), u.data(), ldu, yt.data(), m, work.data(),
                 static_cast<int>(work.size()), nullptr, &info);
    if (info != 0) throw std::runtime_error("Gnp::arnoldi: LAPACK GESVD failed (info " + std::to_string(info) + ")");
  }
  // How many singular values exceed tolerance·max (they come sorted).
  int rank(double tolerance) const {
    int kept = 0;
    while (kept < m && s[kept] > tolerance * s[0]) ++kept;
    return kept;
  }
  // Y S⁻¹ for the first `kept` singular values: m x kept, column-major.
  std::vector<double> rightOverS(int kept) const {
    std::vector<double> C(static_cast<size_t>(m) * kept);
    for (int k = 0; k < kept; ++k)
      for (int j = 0; j < m; ++j) C[k * m + j] = yt[j * m + k] / s[k]; // Y(j,k) = Yᵀ(k,j)
    return C;
  }
  // The first `kept` columns of U: (m+1) x kept, column-major.
  std::vector<double> left(int kept) const {
    return std::vector<double>(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(rows) * kept);
  }
};

// V[:, 0:p] C for C (p x kept, column-major), row by row in a fixed order.
template <class MV>
Teuchos::RCP<MV> columnCombinations(const MV& V, int p, const std::vector<double>& C) {
  const int kept = static_cast<int>(C.size()) / p;
  auto Q = Teuchos::rcp(new MV(V.getMap(), kept, false));
  auto v = hostRead(V);
  auto q = hostOverwrite(*Q);
  for (size_t i = 0; i < v.extent(0); ++i)
    for (int k = 0; k < kept; ++k) {
      double sum = 0.0;
      for (int j = 0; j < p; ++j) sum += v(i, j) * C[k * p + j];
      q(i, k) = sum;
    }
  return Q;
}

} // namespace

template <class SC, class LO, class GO, class NO>
ArnoldiResult<SC, LO, GO, NO> arnoldi(const Tpetra::Operator<SC, LO, GO, NO>& A,
                                      const Tpetra::MultiVector<SC, LO, GO, NO>& start, int m) {
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  if (m < 1) throw std::invalid_argument("Gnp::arnoldi: the number of steps must be at least 1");
  ArnoldiResult<SC, LO, GO, NO> result;
  result.V = Teuchos::rcp(new mv_type(A.getRangeMap(), m + 1, true));
  Teuchos::SerialDenseMatrix<int, double> H(m + 1, m);

  auto v0 = result.V->getVectorNonConst(0);
  v0->update(1.0, *start.getVector(0), 0.0);
  const double startNorm = exactNorm(*v0);
  if (!(startNorm > 0.0)) throw std::invalid_argument("Gnp::arnoldi: the start vector is zero");
  result.startNorm = startNorm;
  v0->scale(1.0 / startNorm);

  int steps = 0;
  for (int j = 0; j < m; ++j) {
    auto w = result.V->getVectorNonConst(j + 1);
    A.apply(*result.V->getVector(j), *w);
    const double applied = exactNorm(*w);
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i <= j; ++i) {
        const auto vi = result.V->getVector(i);
        const double h = exactDot(*vi, *w);
        H(i, j) += h;
        w->update(-h, *vi, 1.0);
      }
    }
    const double norm = exactNorm(*w);
    steps = j + 1;
    if (!(norm > 1e-12 * applied)) {
      // Breakdown: Â V_{j+1} lies in span(V_{j+1}); stop with a zero last vector.
      w->putScalar(0.0);
      break;
    }
    H(j + 1, j) = norm;
    w->scale(1.0 / norm);
  }
  result.steps = steps;
  result.H.shape(steps + 1, steps);
  for (int j = 0; j < steps; ++j)
    for (int i = 0; i <= steps; ++i) result.H(i, j) = H(i, j);
  if (steps < m) result.V = result.V->subCopy(Teuchos::Range1D(0, steps));
  return result;
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> krylovSampleBasis(const ArnoldiResult<SC, LO, GO, NO>& arnoldi) {
  const int m = arnoldi.steps;
  const ThinSvd svd(arnoldi.H, false);
  const int kept = svd.rank(1e-12);
  if (kept == 0) return Teuchos::null; // Â V = 0: no Krylov directions to sample
  return columnCombinations(*arnoldi.V, m, svd.rightOverS(kept));
}

template <class SC, class LO, class GO, class NO>
ArnoldiResult<SC, LO, GO, NO> firstSteps(const ArnoldiResult<SC, LO, GO, NO>& arnoldi, int m) {
  if (m >= arnoldi.steps) return arnoldi;
  ArnoldiResult<SC, LO, GO, NO> first;
  first.steps = m;
  first.V = arnoldi.V->subCopy(Teuchos::Range1D(0, m));
  first.H.shape(m + 1, m);
  for (int j = 0; j < m; ++j)
    for (int i = 0; i <= m; ++i) first.H(i, j) = arnoldi.H(i, j);
  return first;
}

template <class SC, class LO, class GO, class NO>
CoarseBasis<SC, LO, GO, NO> coarseBasis(const ArnoldiResult<SC, LO, GO, NO>& arnoldi, double tolerance) {
  const int m = arnoldi.steps;
  const ThinSvd svd(arnoldi.H, true);
  const int kept = svd.rank(tolerance);
  CoarseBasis<SC, LO, GO, NO> coarse;
  coarse.dropped = m - kept;
  if (kept == 0) return coarse;
  coarse.Z = columnCombinations(*arnoldi.V, m, svd.rightOverS(kept));
  coarse.W = columnCombinations(*arnoldi.V, m + 1, svd.left(kept));
  return coarse;
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> seededStartVector(
    const Teuchos::RCP<const Tpetra::Map<LO, GO, NO>>& map, std::uint64_t seed) {
  auto x = Teuchos::rcp(new Tpetra::MultiVector<SC, LO, GO, NO>(map, 1, false));
  auto view = hostOverwrite(*x);
  for (size_t i = 0; i < view.extent(0); ++i)
    view(i, 0) = gaussian(seed, ArnoldiStartStream, 0, map->getGlobalElement(static_cast<LO>(i)), 0);
  return x;
}

using DefaultMV = Tpetra::MultiVector<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
template struct ArnoldiResult<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
template ArnoldiResult<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode> arnoldi(
    const Tpetra::Operator<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&, const DefaultMV&,
    int);
template Teuchos::RCP<DefaultMV> krylovSampleBasis(
    const ArnoldiResult<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&);
template ArnoldiResult<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode> firstSteps(
    const ArnoldiResult<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&, int);
template struct CoarseBasis<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>;
template CoarseBasis<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode> coarseBasis(
    const ArnoldiResult<DefaultScalar, DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>&, double);
template Teuchos::RCP<DefaultMV> seededStartVector(
    const Teuchos::RCP<const Tpetra::Map<DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&, std::uint64_t);

} // namespace Gnp
