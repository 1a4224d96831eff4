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
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  const int m = arnoldi.steps;
  const int rows = m + 1;
  // Thin SVD of H̄ ((m+1) x m): only S and Zᵀ are needed.
  Teuchos::SerialDenseMatrix<int, double> H(arnoldi.H);
  std::vector<double> s(m), zt(static_cast<size_t>(m) * m), work(1);
  double dummyU = 0.0;
  int info = 0;
  Teuchos::LAPACK<int, double> lapack;
  lapack.GESVD('N', 'A', rows, m, H.values(), H.stride(), s.data(), &dummyU, 1, zt.data(), m, work.data(), -1, nullptr,
               &info);
  work.resize(static_cast<size_t>(work[0]));
  lapack.GESVD('N', 'A', rows, m, H.values(), H.stride(), s.data(), &dummyU, 1, zt.data(), m, work.data(),
               static_cast<int>(work.size()), nullptr, &info);
  if (info != 0)
    throw std::runtime_error("Gnp::krylovSampleBasis: LAPACK GESVD failed (info " + std::to_string(info) + ")");
  int kept = 0;
  while (kept < m && s[kept] > 1e-12 * s[0]) ++kept;

  // C = Z S⁻¹ (m x kept), then Q = V_m C on this rank's rows.
  std::vector<double> C(static_cast<size_t>(m) * kept);
  for (int k = 0; k < kept; ++k)
    for (int j = 0; j < m; ++j) C[k * m + j] = zt[j * m + k] / s[k]; // Z(j,k) = Zᵀ(k,j)
  if (kept == 0) return Teuchos::null;                               // Â V = 0: no Krylov directions to sample
  auto Q = Teuchos::rcp(new mv_type(arnoldi.V->getMap(), kept, false));
  auto v = hostRead(*arnoldi.V);
  auto q = hostOverwrite(*Q);
  for (size_t i = 0; i < v.extent(0); ++i)
    for (int k = 0; k < kept; ++k) {
      double sum = 0.0;
      for (int j = 0; j < m; ++j) sum += v(i, j) * C[k * m + j];
      q(i, k) = sum;
    }
  return Q;
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
template Teuchos::RCP<DefaultMV> seededStartVector(
    const Teuchos::RCP<const Tpetra::Map<DefaultLocalOrdinal, DefaultGlobalOrdinal, DefaultNode>>&, std::uint64_t);

} // namespace Gnp
