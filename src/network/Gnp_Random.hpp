#ifndef GNP_RANDOM_HPP
#define GNP_RANDOM_HPP

#include <cstdint>

namespace Gnp {

/// Counter-based standard normal numbers: the value depends only on the key
/// (seed, stream, step, row, column), never on which rank asks for it or in which
/// order. This is what makes training independent of the number of MPI ranks.
double gaussian(std::uint64_t seed, std::uint64_t stream, std::uint64_t step, std::uint64_t row, std::uint64_t column);

/// Streams of random numbers used by the package (one per purpose).
enum RandomStream : std::uint64_t {
  ArnoldiStartStream = 1,
  KrylovCoefficientStream = 2,
  GaussianSampleStream = 3,
  RightHandSideStream = 4
};

} // namespace Gnp

#endif
