// SmallVector and SpillBuffer: the per-flow containers that keep dissector sessions small.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/small_vector.h"
#include "core/spill_buffer.h"

namespace ots {
namespace {

TEST(SmallVector, StaysInlineUntilFullThenMovesToTheHeapKeepingOrder) {
  SmallVector<int, 2> v;
  EXPECT_TRUE(v.empty());
  v.push_back(1);
  v.push_back(2);
  const int* inline_storage = v.data();
  EXPECT_EQ(v.capacity(), 2u);
  v.push_back(3);
  EXPECT_NE(v.data(), inline_storage);
  EXPECT_GE(v.capacity(), 3u);
  for (int i = 4; i <= 40; ++i) v.push_back(i);
  ASSERT_EQ(v.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(v[i], i + 1);
  EXPECT_EQ(v.back(), 40);
}

TEST(SmallVector, PopTruncateAndClearResetElementsAndGiveTheHeapBack) {
  SmallVector<std::vector<int>, 1> v;
  v.emplace_back().push_back(7);
  v.emplace_back().push_back(8);
  v.emplace_back().push_back(9);
  v.pop_back();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1], std::vector<int>{8});
  v.truncate(1);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0], std::vector<int>{7});
  // A slot handed out again starts empty, not with what an earlier element held.
  EXPECT_TRUE(v.emplace_back().empty());
  v.clear();
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.capacity(), 1u);
  v.push_back({1, 2});
  EXPECT_EQ(v[0].size(), 2u);
}

TEST(SmallVector, HoldsMoveOnlyElementsAndWorksWithoutInlineSlots) {
  SmallVector<std::unique_ptr<int>, 0> v;
  EXPECT_EQ(v.begin(), v.end());
  for (int i = 0; i < 5; ++i) v.push_back(std::make_unique<int>(i));
  ASSERT_EQ(v.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(*v[i], i);
}

TEST(SpillBuffer, HoldsMemoryOnlyWhileBytesWait) {
  SpillBuffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.view().size(), 0u);
  const uint8_t first[] = {1, 2, 3};
  const uint8_t second[] = {4, 5};
  b.append(first);
  b.append(second);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b.view()[0], 1);
  EXPECT_EQ(b.view()[4], 5);
  b.consume(2);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.view()[0], 3);
  b.consume(3);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.view().data(), nullptr);  // given back, not kept for the next split message
}

TEST(SpillBuffer, GrowsPastItsFirstCapacity) {
  SpillBuffer b;
  std::vector<uint8_t> big(1000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i);
  b.append(Bytes(big).first(10));
  b.append(Bytes(big).subspan(10));
  ASSERT_EQ(b.size(), big.size());
  EXPECT_TRUE(std::equal(big.begin(), big.end(), b.view().begin()));
  b.append({});
  EXPECT_EQ(b.size(), big.size());
  b.clear();
  EXPECT_TRUE(b.empty());
}

}  // namespace
}  // namespace ots
