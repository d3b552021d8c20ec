#include <gtest/gtest.h>

#include "dissectors/decode/packet_decoder.h"
#include "tests/unit/decode/frame_builder.h"

namespace ots {
namespace {

using namespace test;

uint64_t hash_of(const Frame& f, LinkType link = LinkType::Ethernet) {
  return symmetric_dispatch_hash(view(f, link));
}

Frame tcp_packet(const Mac& src_mac, const Mac& dst_mac, const Ip4& src, const Ip4& dst, uint16_t sport,
                 uint16_t dport) {
  return ethernet(dst_mac, src_mac, 0x0800, ipv4(src, dst, 6, tcp(sport, dport, tcp_flag::Ack, filler(5))));
}

TEST(DispatchHash, Ipv4BothDirectionsAndAllPorts) {
  uint64_t forward = hash_of(tcp_packet(kMacA, kMacB, kIp1, kIp2, 40000, 502));
  EXPECT_EQ(forward, hash_of(tcp_packet(kMacB, kMacA, kIp2, kIp1, 502, 40000)));
  EXPECT_EQ(forward, hash_of(tcp_packet(kMacA, kMacB, kIp1, kIp2, 40001, 102)));  // ports are not hashed
  EXPECT_NE(forward, hash_of(tcp_packet(kMacA, kMacB, kIp1, Ip4{192, 168, 1, 21}, 40000, 502)));
  EXPECT_NE(forward, hash_of(tcp_packet(kMacA, kMacB, kIp2, kIp2, 40000, 502)));
}

TEST(DispatchHash, Ipv6BothDirections) {
  Frame forward =
      ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 0, ipv6_option_header(17, udp(1, 2, {}))));
  Frame reverse = ethernet(kMacA, kMacB, 0x86dd, ipv6(kIp6b, kIp6a, 17, udp(2, 1, {})));
  EXPECT_EQ(hash_of(forward), hash_of(reverse));
  EXPECT_EQ(hash_of(ipv6(kIp6a, kIp6b, 6, tcp(1, 2, 0, {})), LinkType::Raw), hash_of(reverse));
}

TEST(DispatchHash, FragmentsHashLikeTheirFlow) {
  uint64_t flow = hash_of(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp2, kIp1, 17, udp(2, 1, {}))));
  Frame datagram = udp(1, 2, filler(40));
  for (size_t begin = 0; begin < datagram.size(); begin += 16) {
    Frame piece(datagram.begin() + static_cast<long>(begin),
                datagram.begin() + static_cast<long>(begin + 16));
    Frame v4 = ethernet(kMacB, kMacA, 0x0800,
                        ipv4(kIp1, kIp2, 17, piece,
                             {.fragment_offset = static_cast<uint16_t>(begin),
                              .more_fragments = begin + 16 < datagram.size()}));
    EXPECT_EQ(hash_of(v4), flow) << begin;
  }
  uint64_t flow6 = hash_of(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6b, kIp6a, 17, udp(2, 1, {}))));
  Frame later_fragment =
      ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 44, ipv6_fragment(17, 16, true, 9, filler(16))));
  EXPECT_EQ(hash_of(later_fragment), flow6);
}

TEST(DispatchHash, TunnelsHashOnTheInnerPair) {
  Frame inner = tcp_packet(kMacA, kMacB, kIp1, kIp2, 1, 2);
  uint64_t plain = hash_of(inner);
  const Ip4 outer1{172, 16, 0, 1}, outer2{172, 16, 0, 2};
  auto over = [&](uint8_t proto, const Frame& payload) {
    return ethernet(kMacB, kMacA, 0x0800, ipv4(outer1, outer2, proto, payload));
  };
  EXPECT_EQ(hash_of(over(47, erspan2(inner))), plain);
  EXPECT_EQ(hash_of(over(47, erspan3(inner, true))), plain);
  EXPECT_EQ(hash_of(over(47, gre(0x6558, inner))), plain);
  EXPECT_EQ(hash_of(over(47, gre(0x0800, ipv4(kIp2, kIp1, 6, tcp(2, 1, 0, {}))))), plain);
  EXPECT_EQ(hash_of(over(17, udp(1, 4789, vxlan(inner)))), plain);
  EXPECT_NE(hash_of(over(17, udp(1, 4790, vxlan(inner)))), plain);  // not VXLAN: the outer pair counts
}

TEST(DispatchHash, NonIpFramesHashTheMacPair) {
  Frame lldp = filler(20);
  uint64_t forward = hash_of(ethernet(kMacB, kMacA, 0x88cc, lldp));
  EXPECT_EQ(forward, hash_of(ethernet(kMacA, kMacB, 0x88cc, lldp)));
  EXPECT_NE(forward, hash_of(ethernet({0x01, 0x80, 0xc2, 0, 0, 0x0e}, kMacA, 0x88cc, lldp)));
}

// A broadcast request and its unicast reply meet on one worker (the ARP sweep engine pairs them).
TEST(DispatchHash, ArpRequestAndReplyHashTheirIpPair) {
  const Mac broadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const uint64_t request = hash_of(ethernet(broadcast, kMacA, 0x0806, arp(1, kMacA, kIp1, Mac{}, kIp2)));
  EXPECT_EQ(request, hash_of(ethernet(kMacA, kMacB, 0x0806, arp(2, kMacB, kIp2, kMacA, kIp1))));
  EXPECT_EQ(request, hash_of(tcp_packet(kMacA, kMacB, kIp1, kIp2, 1, 2)));  // with the pair's IP traffic
  EXPECT_NE(request, hash_of(ethernet(broadcast, kMacA, 0x0806, arp(1, kMacA, kIp1, Mac{}, Ip4{192, 168, 1, 99}))));
  // Gratuitous ARPs of one MAC, whatever address they announce, stay together.
  const uint64_t announce = hash_of(ethernet(broadcast, kMacA, 0x0806, arp(1, kMacA, kIp1, Mac{}, kIp1)));
  EXPECT_EQ(announce, hash_of(ethernet(broadcast, kMacA, 0x0806, arp(2, kMacA, kIp2, Mac{}, kIp2))));
}

TEST(DispatchHash, MalformedFramesStillHash) {
  // Stopping early is fine; the hash falls back to what was seen and never crashes.
  Frame f = tcp_packet(kMacA, kMacB, kIp1, kIp2, 1, 2);
  for (size_t cut = 0; cut <= f.size(); ++cut) {
    Frame prefix(f.begin(), f.begin() + static_cast<long>(cut));
    uint64_t h = hash_of(prefix);
    Frame reverse = tcp_packet(kMacB, kMacA, kIp2, kIp1, 2, 1);
    EXPECT_EQ(h, hash_of(Frame(reverse.begin(), reverse.begin() + static_cast<long>(cut)))) << cut;
  }
}

}  // namespace
}  // namespace ots
