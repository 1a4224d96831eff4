#include "Gnp_Random.hpp"

#include <cmath>

namespace Gnp {
namespace {

// SplitMix64 finaliser: a bijective mixer with good avalanche, enough for
// sampling (not for cryptography).
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in (0, 1], never 0, so that log() below is finite.
double uniform(std::uint64_t bits) { return (static_cast<double>(bits >> 11) + 1.0) * (1.0 / 9007199254740992.0); }

} // namespace

double gaussian(std::uint64_t seed, std::uint64_t stream, std::uint64_t step, std::uint64_t row, std::uint64_t column) {
  std::uint64_t h = mix(seed);
  h = mix(h ^ stream);
  h = mix(h ^ step);
  h = mix(h ^ row);
  h = mix(h ^ column);
  const double u1 = uniform(h);
  const double u2 = uniform(mix(h));
  // Box-Muller, one of the pair.
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

} // namespace Gnp
