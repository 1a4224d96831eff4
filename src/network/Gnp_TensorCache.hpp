#ifndef GNP_TENSORCACHE_HPP
#define GNP_TENSORCACHE_HPP
/// \file
/// A cache of LibTorch's CPU memory blocks for the training loop.
///
/// Why: a training step allocates and frees the same few dozen large blocks
/// (16 to 32 columns of batch-times-rows floats) in the same order every step.
/// glibc's heap, which keeps freed memory (Gnp::Network turns off mmap and
/// trimming: fresh pages cost up to a third of a step), places a new block
/// wherever a hole fits and grows the heap where none does, so its high-water
/// mark ran about a third above the largest amount live at once
/// (docs/performance.md, "Memory"). Here a freed block of at least
/// `minimumBytes` waits for the next request it fits, the smallest waiting
/// block of at least the request and at most twice it (a 32-column block
/// may serve a 16-column request): from the second step on, every large
/// tensor reuses a block of the first, and the heap does not grow.
#include <cstddef>

namespace Gnp {

/// While an object of this class lives, LibTorch's CPU allocator is the cache
/// (installed in the constructor, the previous allocator restored and the
/// cached blocks freed in the destructor). Objects may nest; only the
/// outermost installs. Tensors allocated meanwhile may outlive it: their
/// blocks are then freed as usual. Nothing is installed if another allocator
/// was registered with a higher priority.
class TensorCache {
public:
  /// Blocks below this size are not kept (glibc's bins serve them well).
  static constexpr std::size_t minimumBytes = std::size_t(1) << 16;

  TensorCache();
  ~TensorCache();
  TensorCache(const TensorCache&) = delete;
  TensorCache& operator=(const TensorCache&) = delete;

  /// Bytes in blocks now waiting for reuse (for tests and benchmarks).
  static std::size_t cachedBytes();
  /// Whether the cache is LibTorch's CPU allocator now.
  static bool active();
};

} // namespace Gnp

#endif
