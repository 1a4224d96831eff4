// Gnp::TensorCache: while it lives, LibTorch's large CPU blocks are kept when
// freed and handed to the next request they fit; afterwards LibTorch's own
// allocator is back and nothing stays cached.
#include "Gnp_TensorCache.hpp"

#include <c10/core/CPUAllocator.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

constexpr std::int64_t floatsIn4MiB = std::int64_t(1) << 20;

void* blockOf(std::int64_t floats) {
  torch::Tensor t = torch::empty({floats});
  return t.data_ptr();
}

TEST(TensorCache, AFreedLargeBlockServesTheNextRequestOfItsSize) {
  const Gnp::TensorCache cache;
  ASSERT_TRUE(Gnp::TensorCache::active());
  void* first = blockOf(floatsIn4MiB);
  EXPECT_EQ(Gnp::TensorCache::cachedBytes(), 4u << 20);
  EXPECT_EQ(blockOf(floatsIn4MiB), first);
  torch::Tensor held = torch::empty({floatsIn4MiB});
  EXPECT_EQ(held.data_ptr(), first);
  EXPECT_EQ(Gnp::TensorCache::cachedBytes(), 0u);
}

TEST(TensorCache, ABlockServesRequestsDownToHalfItsSizeAndNoSmaller) {
  const Gnp::TensorCache cache;
  void* block = blockOf(floatsIn4MiB);
  torch::Tensor quarter = torch::empty({floatsIn4MiB / 4});
  EXPECT_NE(quarter.data_ptr(), block);
  torch::Tensor half = torch::empty({floatsIn4MiB / 2});
  EXPECT_EQ(half.data_ptr(), block);
  half = torch::Tensor();
  torch::Tensor larger = torch::empty({floatsIn4MiB + 16});
  EXPECT_NE(larger.data_ptr(), block);
}

TEST(TensorCache, SmallBlocksAreNotKept) {
  const Gnp::TensorCache cache;
  blockOf(256);
  EXPECT_EQ(Gnp::TensorCache::cachedBytes(), 0u);
}

TEST(TensorCache, TheCachedMemoryHoldsWhatIsWrittenToIt) {
  const Gnp::TensorCache cache;
  blockOf(floatsIn4MiB);
  const torch::Tensor a = torch::arange(floatsIn4MiB, torch::kFloat32);
  EXPECT_EQ(a[floatsIn4MiB - 1].item<float>(), static_cast<float>(floatsIn4MiB - 1));
  EXPECT_EQ((a * 2.0f).sum().item<double>(), static_cast<double>(floatsIn4MiB) * (floatsIn4MiB - 1));
}

TEST(TensorCache, EndingRestoresLibTorchsAllocatorAndEmptiesTheCache) {
  c10::Allocator* before = c10::GetCPUAllocator();
  torch::Tensor outlives;
  {
    const Gnp::TensorCache cache;
    EXPECT_NE(c10::GetCPUAllocator(), before);
    outlives = torch::full({floatsIn4MiB}, 3.0f);
    blockOf(floatsIn4MiB);
  }
  EXPECT_EQ(c10::GetCPUAllocator(), before);
  EXPECT_FALSE(Gnp::TensorCache::active());
  EXPECT_EQ(Gnp::TensorCache::cachedBytes(), 0u);
  EXPECT_EQ(outlives.sum().item<double>(), 3.0 * floatsIn4MiB); // still valid, freed as usual below
  outlives = torch::Tensor();
  EXPECT_EQ(Gnp::TensorCache::cachedBytes(), 0u);
}

TEST(TensorCache, NestedScopesInstallOnceAndEndWithTheOutermost) {
  c10::Allocator* before = c10::GetCPUAllocator();
  {
    const Gnp::TensorCache outer;
    c10::Allocator* installed = c10::GetCPUAllocator();
    { const Gnp::TensorCache inner; }
    EXPECT_TRUE(Gnp::TensorCache::active());
    EXPECT_EQ(c10::GetCPUAllocator(), installed);
  }
  EXPECT_EQ(c10::GetCPUAllocator(), before);
}

} // namespace
