#include "Gnp_TensorCache.hpp"

#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <mutex>
#include <map>
#include <new>
#include <vector>

namespace Gnp {
namespace {

// LibTorch's own CPU alignment; each block carries its size in a header of
// this length in front of the pointer handed out, so that freeing needs no lookup.
constexpr std::size_t alignment = 64;

struct Pool {
  std::mutex mutex;
  std::multimap<std::size_t, void*> free; // by size; the headers' addresses
  int depth = 0;
  bool installed = false;
  c10::Allocator* previous = nullptr;
};

// Never destroyed: tensors from the cache may be freed during static destruction.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

void release(void* ptr) {
  if (!ptr) return;
  void* base = static_cast<char*>(ptr) - alignment;
  const std::size_t size = *static_cast<std::size_t*>(base);
  Pool& p = pool();
  if (size >= TensorCache::minimumBytes) {
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.installed) {
      p.free.emplace(size, base);
      return;
    }
  }
  std::free(base);
}

class CachingAllocator final : public c10::Allocator {
public:
  c10::DataPtr allocate(std::size_t n) const override {
    const c10::Device cpu(c10::DeviceType::CPU);
    if (n == 0) return {nullptr, nullptr, &release, cpu};
    if (n >= TensorCache::minimumBytes) {
      Pool& p = pool();
      std::lock_guard<std::mutex> lock(p.mutex);
      const auto it = p.free.lower_bound(n);
      if (it != p.free.end() && it->first <= 2 * n) {
        void* base = it->second;
        p.free.erase(it);
        void* ptr = static_cast<char*>(base) + alignment;
        return {ptr, ptr, &release, cpu};
      }
    }
    void* base = nullptr;
    if (posix_memalign(&base, alignment, n + alignment) != 0) throw std::bad_alloc();
    *static_cast<std::size_t*>(base) = n;
    void* ptr = static_cast<char*>(base) + alignment;
    return {ptr, ptr, &release, cpu};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }
};

CachingAllocator& cachingAllocator() {
  static CachingAllocator* a = new CachingAllocator;
  return *a;
}

} // namespace

TensorCache::TensorCache() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (p.depth++ > 0) return;
  p.previous = c10::GetCPUAllocator();
  c10::SetCPUAllocator(&cachingAllocator(), 0);
  p.installed = c10::GetCPUAllocator() == &cachingAllocator();
}

TensorCache::~TensorCache() {
  Pool& p = pool();
  std::vector<void*> blocks;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    if (--p.depth > 0 || !p.installed) return;
    c10::SetCPUAllocator(p.previous, 0);
    p.installed = false;
    for (const auto& [size, base] : p.free) blocks.push_back(base);
    p.free.clear();
  }
  for (void* base : blocks) std::free(base);
}

std::size_t TensorCache::cachedBytes() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  std::size_t bytes = 0;
  for (const auto& entry : p.free) bytes += entry.first;
  return bytes;
}

bool TensorCache::active() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.installed;
}

} // namespace Gnp
