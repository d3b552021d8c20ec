#include "core/packet_ring.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ots {
namespace {

PacketView view_of(const std::vector<uint8_t>& bytes, int64_t ts) {
  PacketView v;
  v.ts_ns = ts;
  v.wire_len = static_cast<uint32_t>(bytes.size() + 4);
  v.data = Bytes(bytes);
  v.link = LinkType::Raw;
  v.interface = 3;
  return v;
}

TEST(PacketRing, KeepsOrderAndContentAcrossWrapAround) {
  PacketRing ring(4096);
  uint64_t pushed = 0, popped = 0;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 3; ++i) {
      std::vector<uint8_t> bytes(100 + (pushed % 300), static_cast<uint8_t>(pushed));
      ASSERT_TRUE(ring.try_push(view_of(bytes, static_cast<int64_t>(pushed))));
      ++pushed;
    }
    PacketView v;
    while (ring.front(v)) {
      EXPECT_EQ(v.ts_ns, static_cast<int64_t>(popped));
      EXPECT_EQ(v.data.size(), 100 + (popped % 300));
      EXPECT_EQ(v.data[0], static_cast<uint8_t>(popped));
      EXPECT_EQ(v.wire_len, v.data.size() + 4);
      EXPECT_EQ(v.link, LinkType::Raw);
      EXPECT_EQ(v.interface, 3);
      ring.pop();
      ++popped;
    }
  }
  EXPECT_EQ(pushed, popped);
}

TEST(PacketRing, RefusesWhenFullAndWhenAPacketCanNeverFit) {
  PacketRing ring(1024);
  std::vector<uint8_t> bytes(200, 1);
  int accepted = 0;
  while (ring.try_push(view_of(bytes, 0))) ++accepted;
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 6);
  std::vector<uint8_t> huge(600, 2);
  PacketRing other(1024);
  EXPECT_FALSE(other.try_push(view_of(huge, 0)));
}

TEST(PacketRing, OneProducerOneConsumerThreads) {
  PacketRing ring(64 * 1024);
  constexpr uint64_t kPackets = 200000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < kPackets;) {
      std::vector<uint8_t> bytes(60 + i % 64, static_cast<uint8_t>(i));
      if (ring.try_push(view_of(bytes, static_cast<int64_t>(i)))) ++i;
      else std::this_thread::yield();
    }
  });
  uint64_t next = 0;
  while (next < kPackets) {
    PacketView v;
    if (!ring.front(v)) continue;
    ASSERT_EQ(v.ts_ns, static_cast<int64_t>(next));
    ASSERT_EQ(v.data.size(), 60 + next % 64);
    ASSERT_EQ(v.data.back(), static_cast<uint8_t>(next));
    ring.pop();
    ++next;
  }
  producer.join();
}

}  // namespace
}  // namespace ots
