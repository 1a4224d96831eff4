#ifndef GNP_EXACTSUM_HPP
#define GNP_EXACTSUM_HPP

/// \file
/// Sums whose value does not depend on the order of their terms, and so not on
/// how the rows are split over ranks (docs/architecture.md, "Rank-count
/// independence").
///
/// Every sum gets a grid before it starts: the spacing 2^(P-52) of the doubles
/// in [2^P, 2^(P+1)), with P taken from a bound on the terms' magnitude and on
/// their number, both the same on every rank. The accumulator starts at 1.5·2^P
/// and, with that bound, never leaves the binade, so each addition rounds the
/// new term alone to the grid (round to nearest; a tie is impossible because
/// the term's lowest significand bit is set first, far below the grid). Terms
/// rounded to a common grid add without error in any order, on one rank or
/// over MPI: the sum is the same to the last bit on any number of ranks. The
/// price is precision: a term is rounded to about 2^(L-50) of the bound, L =
/// log2 of the number of terms (1e-9 relative for 2^20 terms), which is far
/// below the float32 rounding of what the sums feed.

#include <cmath>
#include <cstdint>
#include <cstring>

namespace Gnp::exact {

/// The accumulator's start value for a sum of at most `count` terms whose
/// magnitudes are at most `bound`. Its binade fixes the grid. A zero or
/// non-finite bound gives 1.5: zero terms sum to zero on any grid, and a
/// non-finite term makes the sum non-finite as it should.
inline double start(double bound, double count) {
  if (!(bound > 0.0) || !std::isfinite(bound)) return 1.5;
  int e = 0, l = 0;
  std::frexp(bound, &e);                     // bound < 2^e
  std::frexp(count < 1.0 ? 1.0 : count, &l); // count < 2^l
  // |sum| < count·2^e <= 2^(P-2): the accumulator stays in [2^P, 2^(P+1)), with
  // one bit of room for terms that float32 rounding put slightly above the bound.
  return std::ldexp(1.5, e + l + 2);
}

/// t with its lowest significand bit set. The change is far below the grid,
/// but it makes the rounding to the grid a function of t alone: a term exactly
/// halfway between two grid points would otherwise round to the even one,
/// which depends on the accumulator and so on the order.
inline double tieFree(double t) {
  std::uint64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  bits |= 1u;
  std::memcpy(&t, &bits, sizeof t);
  return t;
}

/// acc + t, with t rounded to acc's grid (acc started at start()).
inline double deposit(double acc, double t) { return acc + tieFree(t); }

/// An exact sum with about twice the precision: a second accumulator, on a grid
/// 2^(L-50) times finer, takes what the first one rounds away from each term.
/// For float64 work (the Arnoldi process) where one grid's precision would show.
class TwoFoldSum {
public:
  /// A sum of at most `count` terms no larger than `bound` in magnitude.
  TwoFoldSum(double bound, double count)
      : origin1_(start(bound, count)), origin2_(start(grid(origin1_), count)), acc1_(origin1_), acc2_(origin2_) {}
  /// Adds t.
  void add(double t) {
    t = tieFree(t);
    const double before = acc1_;
    acc1_ += t;
    // Both exact: acc1 stays in its binade, and what rounding to a grid takes
    // from a double is a double.
    acc2_ = deposit(acc2_, t - (acc1_ - before));
  }
  /// The two parts of the sum (each exact, to be summed over ranks separately).
  void parts(double& coarse, double& fine) const { coarse = acc1_ - origin1_, fine = acc2_ - origin2_; }

private:
  static double grid(double origin) {
    int e = 0;
    std::frexp(origin, &e); // origin in [2^(e-1), 2^e): the grid is 2^(e-53)
    return std::ldexp(1.0, e - 53);
  }
  double origin1_, origin2_, acc1_, acc2_;
};

/// Four doubles, for the kernels' explicit vector code.
using Double4 = double __attribute__((vector_size(32)));
/// The same 256 bits as four integers (for the bit operation of tieFree).
using Int4 = long long __attribute__((vector_size(32)));

/// deposit on four sums at once (by reference: AVX vectors passed by value
/// would change the ABI of the functions compiled without AVX).
inline void deposit(Double4& acc, const Double4& t) { acc += (Double4)((Int4)t | 1); }

} // namespace Gnp::exact

#endif
