#include <gtest/gtest.h>

#include <deque>

#include "dissectors/decode/packet_decoder.h"
#include "tests/unit/decode/frame_builder.h"

namespace ots {
namespace {

using namespace test;

constexpr int64_t kSecond = 1'000'000'000;
const Mac kMacC{0x02, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc};

// A UDP datagram of 8 + 40 bytes, cut into fragments on 8-byte boundaries.
Frame udp_datagram() { return udp(5000, 20000, filler(40)); }

Frame slice(const Frame& f, size_t begin, size_t end) {
  return Frame(f.begin() + static_cast<long>(begin), f.begin() + static_cast<long>(end));
}

Frame v4_fragment(const Frame& datagram, size_t begin, size_t end, uint16_t id = 7, const Mac& src = kMacA,
                  uint8_t ttl = 64) {
  return ethernet(kMacB, src, 0x0800,
                  ipv4(kIp1, kIp2, 17, slice(datagram, begin, end),
                       {.id = id,
                        .fragment_offset = static_cast<uint16_t>(begin),
                        .more_fragments = end < datagram.size(),
                        .ttl = ttl}));
}

Frame v6_fragment(const Frame& fragmentable, size_t begin, size_t end, uint8_t next = 17,
                  uint32_t id = 0x01020304) {
  return ethernet(kMacB, kMacA, 0x86dd,
                  ipv6(kIp6a, kIp6b, 44,
                       ipv6_fragment(next, static_cast<uint16_t>(begin), end < fragmentable.size(), id,
                                     slice(fragmentable, begin, end))));
}

bool same_bytes(Bytes a, const Frame& b) { return Frame(a.begin(), a.end()) == b; }

class FragmentTest : public ::testing::Test {
 protected:
  // The decoded views point into the frame, so the fixture keeps every frame alive.
  DecodeResult decode(const Frame& f, int64_t ts = kSecond) {
    return decoder.decode(view(frames.emplace_back(f), LinkType::Ethernet, ts), out);
  }
  std::deque<Frame> frames;
  void expect_reassembled_udp() {
    EXPECT_TRUE(out.reassembled);
    EXPECT_FALSE(out.is_fragment);
    EXPECT_EQ(out.src_port, 5000);
    EXPECT_EQ(out.dst_port, 20000);
    EXPECT_TRUE(same_bytes(out.payload, filler(40)));
  }
  PacketDecoder decoder;
  DecodedPacket out;
};

TEST_F(FragmentTest, Ipv4InOrder) {
  Frame d = udp_datagram();
  Frame f1 = v4_fragment(d, 0, 16), f2 = v4_fragment(d, 16, 32), f3 = v4_fragment(d, 32, 48);
  EXPECT_EQ(decode(f1), DecodeResult::Held);
  EXPECT_EQ(decode(f2), DecodeResult::Held);
  ASSERT_EQ(decode(f3, 2 * kSecond), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::None);
  expect_reassembled_udp();
  EXPECT_EQ(out.ip_proto, 17);
  EXPECT_EQ(out.src_ip, IpAddr::v4(kIp1.data()));
  EXPECT_EQ(out.ts_ns, 2 * kSecond);
  EXPECT_EQ(out.wire_len, f1.size() + f2.size() + f3.size());
  EXPECT_EQ(decoder.stats().fragments, 3u);
  EXPECT_EQ(decoder.stats().reassembled, 1u);
  EXPECT_EQ(decoder.stats().fragments_dropped, 0u);
  EXPECT_EQ(decoder.stats().udp, 1u);
}

TEST_F(FragmentTest, Ipv4OutOfOrderCarriesFirstFragmentL2) {
  Frame d = udp_datagram();
  EXPECT_EQ(decode(v4_fragment(d, 32, 48, 7, kMacC, 60)), DecodeResult::Held);
  EXPECT_EQ(decode(v4_fragment(d, 0, 16, 7, kMacA, 61)), DecodeResult::Held);
  ASSERT_EQ(decode(v4_fragment(d, 16, 32, 7, kMacC, 62)), DecodeResult::Decoded);
  expect_reassembled_udp();
  EXPECT_EQ(out.src_mac.bytes, kMacA);
  EXPECT_EQ(out.ttl, 61);
  EXPECT_TRUE(out.l3_payload.empty());
}

TEST_F(FragmentTest, Ipv4DuplicatesAreHarmless) {
  Frame d = udp_datagram();
  EXPECT_EQ(decode(v4_fragment(d, 0, 16)), DecodeResult::Held);
  EXPECT_EQ(decode(v4_fragment(d, 0, 16)), DecodeResult::Held);
  EXPECT_EQ(decode(v4_fragment(d, 8, 24)), DecodeResult::Held);  // identical overlapping bytes
  ASSERT_EQ(decode(v4_fragment(d, 24, 48)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::None);
  expect_reassembled_udp();
}

TEST_F(FragmentTest, Ipv4OverlapKeepsFirstData) {
  Frame d = udp_datagram();
  Frame evil = d;
  for (size_t i = 8; i < 16; ++i) evil[i] = 0xee;
  EXPECT_EQ(decode(v4_fragment(d, 0, 16)), DecodeResult::Held);
  ASSERT_EQ(decode(v4_fragment(evil, 8, 24)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::Ipv4FragmentOverlap);
  EXPECT_TRUE(out.is_fragment);
  EXPECT_EQ(out.src_port, 0);
  ASSERT_EQ(decode(v4_fragment(d, 24, 48)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::None);
  expect_reassembled_udp();  // the first copy of bytes 8..16 won
  EXPECT_EQ(decoder.stats().anomalies[static_cast<size_t>(DecodeAnomaly::Ipv4FragmentOverlap)], 1u);

  // The completing fragment itself overlaps with different bytes: reported on the datagram.
  EXPECT_EQ(decode(v4_fragment(d, 0, 16, 8)), DecodeResult::Held);
  ASSERT_EQ(decode(v4_fragment(evil, 8, 48, 8)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::Ipv4FragmentOverlap);
  expect_reassembled_udp();
}

TEST_F(FragmentTest, Ipv4ConflictingEndIsRefused) {
  Frame d = udp_datagram();
  EXPECT_EQ(decode(v4_fragment(d, 32, 48)), DecodeResult::Held);
  Frame shorter = slice(d, 0, 40);
  ASSERT_EQ(decode(v4_fragment(shorter, 32, 40)),
            DecodeResult::Decoded);  // a second, different last fragment
  EXPECT_EQ(out.anomaly, DecodeAnomaly::Ipv4FragmentOverlap);
  EXPECT_EQ(decode(v4_fragment(d, 0, 16)), DecodeResult::Held);
  ASSERT_EQ(decode(v4_fragment(d, 16, 32)), DecodeResult::Decoded);
  expect_reassembled_udp();
  EXPECT_EQ(decoder.stats().fragments_dropped, 1u);
}

TEST_F(FragmentTest, Ipv4TimeoutOnPacketTime) {
  Frame d = udp_datagram();
  EXPECT_EQ(decode(v4_fragment(d, 0, 16), 10 * kSecond), DecodeResult::Held);
  EXPECT_EQ(decode(v4_fragment(d, 16, 32), 20 * kSecond), DecodeResult::Held);
  // 31 s after the first fragment: the datagram has expired before this one arrives.
  EXPECT_EQ(decode(v4_fragment(d, 32, 48), 41 * kSecond), DecodeResult::Held);
  EXPECT_EQ(decoder.stats().fragments_dropped, 2u);
  EXPECT_EQ(decoder.stats().reassembled, 0u);
  // The rest arrives in time for the new datagram.
  EXPECT_EQ(decode(v4_fragment(d, 0, 16), 42 * kSecond), DecodeResult::Held);
  ASSERT_EQ(decode(v4_fragment(d, 16, 32), 43 * kSecond), DecodeResult::Decoded);
  expect_reassembled_udp();
}

TEST_F(FragmentTest, Ipv4TooLarge) {
  Frame d = udp_datagram();
  EXPECT_EQ(decode(v4_fragment(d, 0, 16)), DecodeResult::Held);
  Frame beyond = ethernet(
      kMacB, kMacA, 0x0800,
      ipv4(kIp1, kIp2, 17, filler(16), {.id = 7, .fragment_offset = 65512, .more_fragments = false}));
  ASSERT_EQ(decode(beyond), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::Ipv4FragmentTooLarge);
  EXPECT_TRUE(out.is_fragment);
  EXPECT_EQ(decoder.stats().fragments_dropped, 2u);  // the whole datagram went
  // The datagram is gone: its remaining fragments start over.
  EXPECT_EQ(decode(v4_fragment(d, 16, 48)), DecodeResult::Held);
}

TEST_F(FragmentTest, ByteBudgetEvictsOldest) {
  PacketDecoder small({.max_fragment_bytes = 300, .fragment_timeout_ns = 30 * kSecond});
  Frame d = udp_datagram();
  DecodedPacket p;
  for (uint16_t id = 1; id <= 5; ++id)
    EXPECT_EQ(small.decode(view(v4_fragment(d, 0, 16, id)), p), DecodeResult::Held) << id;
  // Each first fragment costs 16 bytes + bookkeeping: only the newest few fit.
  EXPECT_GT(small.stats().fragments_dropped, 0u);
  EXPECT_EQ(small.decode(view(v4_fragment(d, 16, 48, 5)), p), DecodeResult::Decoded);
  EXPECT_TRUE(p.reassembled);
  EXPECT_EQ(small.decode(view(v4_fragment(d, 16, 48, 1)), p), DecodeResult::Held);  // id 1 was evicted

  // A single datagram larger than the whole budget is dropped.
  Frame big = udp(1, 2, filler(600));
  EXPECT_EQ(small.decode(view(v4_fragment(big, 0, 600, 9)), p), DecodeResult::Decoded);
  EXPECT_TRUE(p.is_fragment);
}

TEST_F(FragmentTest, Ipv6InOrderAndOutOfOrder) {
  Frame d = udp_datagram();
  EXPECT_EQ(decode(v6_fragment(d, 0, 24)), DecodeResult::Held);
  ASSERT_EQ(decode(v6_fragment(d, 24, 48)), DecodeResult::Decoded);
  EXPECT_EQ(out.ip_version, 6);
  EXPECT_EQ(out.ip_proto, 17);
  EXPECT_EQ(out.src_ip, IpAddr::v6(kIp6a.data()));
  expect_reassembled_udp();

  EXPECT_EQ(decode(v6_fragment(d, 32, 48, 17, 99)), DecodeResult::Held);
  EXPECT_EQ(decode(v6_fragment(d, 16, 32, 17, 99)), DecodeResult::Held);
  ASSERT_EQ(decode(v6_fragment(d, 0, 16, 17, 99)), DecodeResult::Decoded);
  expect_reassembled_udp();
  EXPECT_EQ(decoder.stats().reassembled, 2u);
}

TEST_F(FragmentTest, Ipv6HeaderChainContinuesInReassembledPayload) {
  Frame fragmentable = ipv6_option_header(17, udp_datagram());  // destination options, then UDP
  EXPECT_EQ(decode(v6_fragment(fragmentable, 0, 16, 60)), DecodeResult::Held);
  ASSERT_EQ(decode(v6_fragment(fragmentable, 16, fragmentable.size(), 60)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(out.ip_proto, 17);
  expect_reassembled_udp();

  // A second fragment header inside the reassembled payload is malformed.
  Frame nested = ipv6_fragment(17, 0, true, 5, udp_datagram());
  EXPECT_EQ(decode(v6_fragment(nested, 0, 16, 44)), DecodeResult::Held);
  ASSERT_EQ(decode(v6_fragment(nested, 16, nested.size(), 44)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::Ipv6BadExtensionHeader);
}

TEST_F(FragmentTest, Ipv6OverlapAndTimeout) {
  Frame d = udp_datagram();
  Frame evil = d;
  evil[20] ^= 0xff;
  EXPECT_EQ(decode(v6_fragment(d, 0, 24)), DecodeResult::Held);
  ASSERT_EQ(decode(v6_fragment(evil, 16, 32)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::Ipv4FragmentOverlap);
  ASSERT_EQ(decode(v6_fragment(d, 32, 48)), DecodeResult::Decoded);
  expect_reassembled_udp();

  EXPECT_EQ(decode(v6_fragment(d, 0, 24, 17, 1000), kSecond), DecodeResult::Held);
  EXPECT_EQ(decode(v6_fragment(d, 24, 48, 17, 1000), 40 * kSecond), DecodeResult::Held);
  EXPECT_EQ(decoder.stats().fragments_dropped, 1u);
}

TEST_F(FragmentTest, FragmentsOfDifferentVlansAreDifferentDatagrams) {
  Frame d = udp_datagram();
  Frame first =
      ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, slice(d, 0, 24), {.id = 3, .more_fragments = true}),
               {{0x8100, 10}});
  Frame second_other_vlan =
      ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, slice(d, 24, 48), {.id = 3, .fragment_offset = 24}),
               {{0x8100, 11}});
  EXPECT_EQ(decode(first), DecodeResult::Held);
  EXPECT_EQ(decode(second_other_vlan), DecodeResult::Held);
}

TEST_F(FragmentTest, ReassembledDatagramCarryingATunnel) {
  Frame inner =
      ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, tcp(1111, 2222, tcp_flag::Ack, filler(30))));
  Frame gre_payload = gre(0x6558, inner);
  const Ip4 outer1{172, 16, 0, 1}, outer2{172, 16, 0, 2};
  auto piece = [&](size_t begin, size_t end) {
    return ethernet(kMacB, kMacA, 0x0800,
                    ipv4(outer1, outer2, 47, slice(gre_payload, begin, end),
                         {.id = 44,
                          .fragment_offset = static_cast<uint16_t>(begin),
                          .more_fragments = end < gre_payload.size()}));
  };
  EXPECT_EQ(decode(piece(32, gre_payload.size())), DecodeResult::Held);
  ASSERT_EQ(decode(piece(0, 32)), DecodeResult::Decoded);
  EXPECT_EQ(out.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(out.reassembled);
  EXPECT_EQ(out.tunnel_depth, 1);
  EXPECT_EQ(out.src_ip, IpAddr::v4(kIp1.data()));
  EXPECT_EQ(out.dst_port, 2222);
  EXPECT_TRUE(same_bytes(out.payload, filler(30)));
}

}  // namespace
}  // namespace ots
