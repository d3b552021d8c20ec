#include "detect/engine/key_set.h"

#include <gtest/gtest.h>

namespace ots::detect {
namespace {

TEST(KeySet, RemembersEveryKeyThroughGrowthAndForgetsOnClear) {
  KeySet set;
  constexpr uint64_t kKeys = 100'000;
  // Keys that share their low bits must still spread (and be told apart).
  auto key = [](uint64_t i) { return (i << 32) | 0x5; };
  for (uint64_t i = 0; i < kKeys; ++i) ASSERT_TRUE(set.insert(key(i))) << i;
  EXPECT_EQ(set.size(), kKeys);
  for (uint64_t i = 0; i < kKeys; ++i) ASSERT_FALSE(set.insert(key(i))) << i;
  EXPECT_EQ(set.size(), kKeys);
  set.clear();
  EXPECT_EQ(set.size(), 0u);
  EXPECT_TRUE(set.insert(key(7)));
  EXPECT_FALSE(set.insert(key(7)));
}

TEST(KeySet, KeyZeroIsAKeyLikeAnyOther) {
  KeySet set;
  EXPECT_TRUE(set.insert(0));
  EXPECT_FALSE(set.insert(0));
  EXPECT_EQ(set.size(), 1u);
}

}  // namespace
}  // namespace ots::detect
