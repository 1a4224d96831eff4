#include "Gnp_RightHandSide.hpp"

#include "Gnp_HostBridge.hpp"
#include "Gnp_Metrics.hpp"
#include "Gnp_Random.hpp"
#include "Gnp_Types.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace Gnp {

std::string toString(RightHandSide rhs) {
  switch (rhs) {
    case RightHandSide::Ones: return "ones";
    case RightHandSide::RandomSolution: return "random solution";
    case RightHandSide::Random: return "random";
  }
  return "?";
}

std::string fileTag(RightHandSide rhs) {
  std::string s = toString(rhs);
  std::replace(s.begin(), s.end(), ' ', '-');
  return s;
}

RightHandSide parseRightHandSide(const std::string& name) {
  std::string s;
  for (char c : name) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c == '-' || c == '_' ? ' ' : c)));
    if (l == ' ' && (s.empty() || s.back() == ' ')) continue; // collapse and trim leading spaces
    s += l;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  for (auto rhs : {RightHandSide::Ones, RightHandSide::RandomSolution, RightHandSide::Random})
    if (s == toString(rhs)) return rhs;
  throw std::invalid_argument("unknown right-hand side \"" + name +
                              "\": use \"ones\" (b = A*1, the paper's), \"random solution\" (b = A*x, x ~ N(0,1)) "
                              "or \"random\" (b ~ N(0,1))");
}

std::vector<RightHandSide> parseRightHandSides(const std::string& list) {
  std::vector<RightHandSide> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = list.find(',', start);
    const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const RightHandSide rhs = parseRightHandSide(item);
    if (std::find(out.begin(), out.end(), rhs) != out.end())
      throw std::invalid_argument("right-hand side \"" + toString(rhs) + "\" is listed twice in \"" + list + "\"");
    out.push_back(rhs);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string toString(const std::vector<RightHandSide>& list) {
  std::string s;
  for (auto rhs : list) s += (s.empty() ? "" : ", ") + toString(rhs);
  return s;
}

std::vector<RightHandSide> defaultRightHandSides() { return {RightHandSide::Ones, RightHandSide::RandomSolution}; }

bool constantOutputArtifact(double aucOnes, double aucNone, double firstResidualOnes,
                            double firstResidualRandomSolution, double deviationOnes) {
  if (!std::isfinite(aucOnes) || aucOnes >= aucNone) return false; // NaN none: any finite AUC beats it
  // An exact solver reaches the floor on both: no artifact.
  if (std::isfinite(firstResidualRandomSolution))
    return std::max(firstResidualOnes, kResidualFloor) < 1e-2 * std::max(firstResidualRandomSolution, kResidualFloor);
  return deviationOnes < kConstantOutputDeviation;
}

template <class SC, class LO, class GO, class NO>
Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> protocolRightHandSide(const Tpetra::CrsMatrix<SC, LO, GO, NO>& A,
                                                                        RightHandSide rhs, std::uint64_t seed) {
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  auto b = Teuchos::rcp(new mv_type(A.getRangeMap(), 1, false));
  // Keyed by global row: the same vector whatever the distribution of rows.
  auto fill = [seed](mv_type& v, std::uint64_t step) {
    const auto& map = *v.getMap();
    auto view = hostOverwrite(v);
    for (std::size_t i = 0; i < view.extent(0); ++i)
      view(i, 0) = gaussian(seed, RightHandSideStream, step, map.getGlobalElement(static_cast<LO>(i)), 0);
  };
  if (rhs == RightHandSide::Random) {
    fill(*b, 1);
    return b;
  }
  mv_type x(A.getDomainMap(), 1, false);
  if (rhs == RightHandSide::Ones)
    x.putScalar(1.0);
  else
    fill(x, 0);
  A.apply(x, *b);
  return b;
}

template <class SC, class LO, class GO, class NO>
double constantDeviation(const Tpetra::MultiVector<SC, LO, GO, NO>& y) {
  using mv_type = Tpetra::MultiVector<SC, LO, GO, NO>;
  const auto column = y.getVector(0);
  const double norm = column->norm2();
  if (norm == 0.0) return 0.0;
  const double mean = column->meanValue();
  mv_type centred(*column, Teuchos::Copy);
  mv_type ones(y.getMap(), 1, false);
  ones.putScalar(1.0);
  centred.update(-mean, ones, 1.0);
  return centred.getVector(0)->norm2() / norm;
}

template <class SC, class LO, class GO, class NO>
double outputConstantDeviation(const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>& M,
                               const Tpetra::MultiVector<SC, LO, GO, NO>& b) {
  if (M.is_null()) return constantDeviation(b);
  Tpetra::MultiVector<SC, LO, GO, NO> y(M->getRangeMap(), 1, false);
  M->apply(b, y);
  return constantDeviation(y);
}

using SC = DefaultScalar;
using LO = DefaultLocalOrdinal;
using GO = DefaultGlobalOrdinal;
using NO = DefaultNode;
template Teuchos::RCP<Tpetra::MultiVector<SC, LO, GO, NO>> protocolRightHandSide(
    const Tpetra::CrsMatrix<SC, LO, GO, NO>&, RightHandSide, std::uint64_t);
template double constantDeviation(const Tpetra::MultiVector<SC, LO, GO, NO>&);
template double outputConstantDeviation(const Teuchos::RCP<const Tpetra::Operator<SC, LO, GO, NO>>&,
                                        const Tpetra::MultiVector<SC, LO, GO, NO>&);

} // namespace Gnp
