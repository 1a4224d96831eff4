#ifndef GNP_FNV1A_HPP
#define GNP_FNV1A_HPP

#include <cstddef>
#include <cstdint>

namespace Gnp {

/// The 64-bit FNV-1a hash, fed bytes in pieces: the model file's checksum, the
/// fingerprint of a matrix's values, and a MatrixMarket file's content digest.
/// Not cryptographic: it finds accidents (a torn file, a changed matrix), not forgeries.
class Fnv1a {
public:
  /// Adds `size` bytes.
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) value_ = (value_ ^ bytes[i]) * 1099511628211ull;
  }
  /// Adds the 8 bytes of v, least significant first (the same on every platform).
  void add(std::uint64_t v) {
    for (int byte = 0; byte < 8; ++byte, v >>= 8) value_ = (value_ ^ (v & 0xff)) * 1099511628211ull;
  }
  /// The hash of everything added so far.
  std::uint64_t value() const { return value_; }

private:
  std::uint64_t value_ = 1469598103934665603ull;
};

} // namespace Gnp

#endif
