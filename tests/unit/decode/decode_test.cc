#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <string>

#include "dissectors/decode/packet_decoder.h"
#include "tests/unit/decode/frame_builder.h"

namespace ots {
namespace {

using namespace test;

Frame payload_bytes() { return filler(10); }

Frame tcp_frame() {
  return ethernet(kMacB, kMacA, 0x0800,
                  ipv4(kIp1, kIp2, 6, tcp(40000, 502, tcp_flag::Psh | tcp_flag::Ack, payload_bytes())));
}

bool same_bytes(Bytes a, const Frame& b) { return Frame(a.begin(), a.end()) == b; }

class DecodeTest : public ::testing::Test {
 protected:
  // The decoded views point into the frame, so the fixture keeps every frame alive.
  DecodedPacket decode(const Frame& f, LinkType link = LinkType::Ethernet, uint32_t wire_len = 0) {
    const Frame& kept = frames.emplace_back(f);
    DecodedPacket out;
    EXPECT_EQ(decoder.decode(view(kept, link, 1'000'000'000, wire_len), out), DecodeResult::Decoded);
    return out;
  }
  std::deque<Frame> frames;
  PacketDecoder decoder;
};

TEST_F(DecodeTest, EthernetIpv4Tcp) {
  DecodedPacket p = decode(tcp_frame());
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(p.has_ethernet);
  EXPECT_EQ(p.src_mac.bytes, kMacA);
  EXPECT_EQ(p.dst_mac.bytes, kMacB);
  EXPECT_EQ(p.ethertype, 0x0800);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.src_ip, IpAddr::v4(kIp1.data()));
  EXPECT_EQ(p.dst_ip, IpAddr::v4(kIp2.data()));
  EXPECT_EQ(p.ip_proto, 6);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 502);
  EXPECT_EQ(p.tcp_flags, tcp_flag::Psh | tcp_flag::Ack);
  EXPECT_EQ(p.tcp_seq, 1000u);
  EXPECT_EQ(p.tcp_ack, 2000u);
  EXPECT_EQ(p.tcp_window, 8192);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));
  EXPECT_EQ(p.tunnel_depth, 0);
  EXPECT_FALSE(p.reassembled);
  EXPECT_EQ(decoder.stats().frames, 1u);
  EXPECT_EQ(decoder.stats().ipv4, 1u);
  EXPECT_EQ(decoder.stats().tcp, 1u);
}

TEST_F(DecodeTest, EthernetPaddingIsTrimmedByIpTotalLength) {
  Frame f = ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, tcp(1, 2, tcp_flag::Syn, {})));
  Frame padded = cat({f, Frame(60 - f.size(), 0xee)});
  DecodedPacket p = decode(padded);
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(p.payload.empty());

  Frame u = ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, udp(1, 2, {7})));
  p = decode(cat({u, Frame(60 - u.size(), 0xee)}));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(same_bytes(p.payload, {7}));
}

TEST_F(DecodeTest, VlanTags) {
  Frame inner = ipv4(kIp1, kIp2, 17, udp(1000, 2000, {1, 2, 3}));
  DecodedPacket p = decode(ethernet(kMacB, kMacA, 0x0800, inner, {{0x8100, 10}}));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.vlans[0], 10);
  EXPECT_EQ(p.dst_port, 2000);

  p = decode(ethernet(kMacB, kMacA, 0x0800, inner, {{0x88a8, 100}, {0x8100, 4095}}));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.vlans[0], 100);
  EXPECT_EQ(p.vlans[1], 4095);
  EXPECT_EQ(p.ethertype, 0x0800);
  EXPECT_EQ(p.src_port, 1000);

  p = decode(ethernet(kMacB, kMacA, 0x0800, inner, {{0x9100, 1}, {0x8100, 2}, {0x8100, 3}}));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::TooManyVlanTags);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.ip_version, 0);

  Frame truncated = ethernet(kMacB, kMacA, 0x8100, {0x00});
  EXPECT_EQ(decode(truncated).anomaly, DecodeAnomaly::TruncatedVlan);
  EXPECT_EQ(decoder.stats().anomalies[static_cast<size_t>(DecodeAnomaly::TruncatedVlan)], 1u);
}

TEST_F(DecodeTest, NonIpEthertypeKeepsL3Payload) {
  Frame lldp = {0x02, 0x07, 0x04, 1, 2, 3, 4, 5, 6, 0x00, 0x00};
  DecodedPacket p = decode(ethernet({0x01, 0x80, 0xc2, 0, 0, 0x0e}, kMacA, 0x88cc, lldp, {{0x8100, 5}}));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ethertype, 0x88cc);
  EXPECT_FALSE(p.llc);
  EXPECT_EQ(p.vlans[0], 5);
  EXPECT_TRUE(same_bytes(p.l3_payload, lldp));
  EXPECT_EQ(p.ip_version, 0);
  EXPECT_EQ(decoder.stats().other_l3, 1u);
}

TEST_F(DecodeTest, Llc8023Frames) {
  // CDP: LLC/SNAP with Cisco OUI, protocol id 0x2000; the frame is padded to 60 bytes.
  Frame snap = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02, 0xb4, 0xaa};
  Frame f = ethernet({0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}, kMacA, static_cast<uint16_t>(snap.size()), snap);
  DecodedPacket p = decode(cat({f, Frame(60 - f.size(), 0)}));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(p.llc);
  EXPECT_EQ(p.ethertype, 0x2000);
  EXPECT_TRUE(same_bytes(p.l3_payload, snap));

  // STP: plain LLC (DSAP/SSAP 0x42), no SNAP.
  Frame stp = {0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00};
  p = decode(ethernet({0x01, 0x80, 0xc2, 0, 0, 0}, kMacA, static_cast<uint16_t>(stp.size()), stp));
  EXPECT_TRUE(p.llc);
  EXPECT_EQ(p.ethertype, 0);
  EXPECT_TRUE(same_bytes(p.l3_payload, stp));

  // A length field larger than the frame keeps what is there.
  p = decode(ethernet({0x01, 0x80, 0xc2, 0, 0, 0}, kMacA, 1500, stp));
  EXPECT_TRUE(same_bytes(p.l3_payload, stp));
}

TEST_F(DecodeTest, Arp) {
  DecodedPacket p = decode(ethernet(kMacB, kMacA, 0x0806, arp(1, kMacA, kIp1, {}, kIp2)));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  ASSERT_TRUE(p.has_arp);
  EXPECT_EQ(p.arp.operation, 1);
  EXPECT_EQ(p.arp.sender_mac.bytes, kMacA);
  EXPECT_EQ(p.arp.sender_ip, IpAddr::v4(kIp1.data()));
  EXPECT_TRUE(p.arp.target_mac.is_zero());
  EXPECT_EQ(p.arp.target_ip, IpAddr::v4(kIp2.data()));
  EXPECT_EQ(decoder.stats().arp, 1u);

  Frame full = arp(2, kMacA, kIp1, kMacB, kIp2);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    p = decode(ethernet(kMacB, kMacA, 0x0806, Frame(full.begin(), full.begin() + static_cast<long>(cut))));
    EXPECT_EQ(p.anomaly, DecodeAnomaly::TruncatedArp) << cut;
    EXPECT_FALSE(p.has_arp);
  }

  Frame other_hardware = full;
  other_hardware[1] = 6;  // IEEE 802 networks: not decoded, not malformed
  p = decode(ethernet(kMacB, kMacA, 0x0806, other_hardware));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_FALSE(p.has_arp);
}

TEST_F(DecodeTest, Ipv4HeaderChecks) {
  Frame segment = tcp(1, 2, tcp_flag::Ack, payload_bytes());
  DecodedPacket p =
      decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, segment, {.bad_checksum = true})));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::Ipv4BadChecksum);
  EXPECT_EQ(p.dst_port, 2);  // decoding went on
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));

  p = decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, segment, {.option_bytes = 8})));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.dst_port, 2);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));

  Frame bad_version = ipv4(kIp1, kIp2, 6, segment);
  bad_version[0] = 0x55;
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, bad_version)).anomaly, DecodeAnomaly::Ipv4BadVersion);

  Frame short_ihl = ipv4(kIp1, kIp2, 6, segment);
  short_ihl[0] = 0x44;
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, short_ihl)).anomaly, DecodeAnomaly::Ipv4BadHeaderLength);

  Frame long_ihl = ipv4(kIp1, kIp2, 6, {});
  long_ihl[0] = 0x4f;  // 60 bytes of header in a 20-byte packet
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, long_ihl)).anomaly, DecodeAnomaly::Ipv4BadHeaderLength);

  Frame below_header =
      ipv4(kIp1, kIp2, 6, segment, {.total_length_delta = -static_cast<int>(segment.size()) - 1});
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, below_header)).anomaly, DecodeAnomaly::Ipv4BadTotalLength);
}

TEST_F(DecodeTest, Ipv4TotalLengthBeyondCaptureIsFineOnlyWhenSnapped) {
  Frame f = ethernet(kMacB, kMacA, 0x0800,
                     ipv4(kIp1, kIp2, 6, tcp(1, 2, 0, payload_bytes()), {.total_length_delta = 100}));
  EXPECT_EQ(decode(f).anomaly, DecodeAnomaly::Ipv4BadTotalLength);
  DecodedPacket p = decode(f, LinkType::Ethernet, static_cast<uint32_t>(f.size() + 100));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));
}

TEST_F(DecodeTest, TcpChecks) {
  Frame with_options = tcp(1, 2, tcp_flag::Syn, payload_bytes(), 5, 6, 12);
  DecodedPacket p = decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, with_options)));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));

  Frame small_offset = tcp(1, 2, 0, payload_bytes());
  small_offset[12] = 0x40;
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, small_offset))).anomaly,
            DecodeAnomaly::TcpBadDataOffset);

  Frame large_offset = tcp(1, 2, 0, {});
  large_offset[12] = 0xf0;
  Frame f = ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, large_offset));
  EXPECT_EQ(decode(f).anomaly, DecodeAnomaly::TcpBadDataOffset);
  EXPECT_EQ(decode(f, LinkType::Ethernet, static_cast<uint32_t>(f.size() + 40)).anomaly,
            DecodeAnomaly::TruncatedTcp);

  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, filler(19)))).anomaly,
            DecodeAnomaly::TruncatedTcp);
}

TEST_F(DecodeTest, UdpChecks) {
  DecodedPacket p =
      decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, udp(53, 5353, payload_bytes()))));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.src_port, 53);
  EXPECT_EQ(p.dst_port, 5353);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));
  EXPECT_EQ(decoder.stats().udp, 1u);

  // A UDP length shorter than the IP payload trims the payload.
  p = decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, udp(1, 2, payload_bytes(), -4))));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.payload.size(), payload_bytes().size() - 4);

  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, udp(1, 2, {}, -1)))).anomaly,
            DecodeAnomaly::UdpBadLength);
  Frame too_long = ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, udp(1, 2, payload_bytes(), 50)));
  EXPECT_EQ(decode(too_long).anomaly, DecodeAnomaly::UdpBadLength);
  // Snapped: what was captured is the payload.
  p = decode(too_long, LinkType::Ethernet, static_cast<uint32_t>(too_long.size() + 50));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));

  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 17, filler(7)))).anomaly,
            DecodeAnomaly::TruncatedUdp);
}

TEST_F(DecodeTest, IcmpAndOtherProtocols) {
  DecodedPacket p = decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 1, icmp(8, 0, payload_bytes()))));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.icmp_type, 8);
  EXPECT_EQ(p.icmp_code, 0);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));

  p = decode(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 58, icmp(135, 0, payload_bytes()))));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ip_proto, 58);
  EXPECT_EQ(p.icmp_type, 135);
  EXPECT_EQ(decoder.stats().icmp, 2u);

  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 1, {8, 0, 0}))).anomaly,
            DecodeAnomaly::TruncatedIcmp);

  p = decode(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 132, payload_bytes())));  // SCTP
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ip_proto, 132);
  EXPECT_EQ(p.src_port, 0);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));
}

TEST_F(DecodeTest, Ipv6ExtensionHeaders) {
  Frame segment = tcp(44818, 50000, tcp_flag::Ack, payload_bytes());
  DecodedPacket p = decode(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 6, segment, 255)));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.src_ip, IpAddr::v6(kIp6a.data()));
  EXPECT_EQ(p.dst_ip, IpAddr::v6(kIp6b.data()));
  EXPECT_EQ(p.ttl, 255);
  EXPECT_EQ(p.src_port, 44818);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));

  // hop-by-hop → routing → AH → destination options → TCP
  Frame chain =
      ipv6_option_header(43, ipv6_option_header(51, ipv6_ah(60, ipv6_option_header(6, segment, 1)), 2));
  p = decode(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 0, chain)));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ip_proto, 6);
  EXPECT_EQ(p.dst_port, 50000);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));

  // Atomic fragment (offset 0, no more fragments): just a header in the chain.
  p = decode(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 44, ipv6_fragment(6, 0, false, 9, segment))));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.dst_port, 50000);
  EXPECT_FALSE(p.is_fragment);

  p = decode(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 59, {})));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ip_proto, 59);

  Frame long_chain = segment;
  uint8_t next = 6;
  for (int i = 0; i < 9; ++i) {
    long_chain = ipv6_option_header(next, long_chain);
    next = 60;
  }
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 60, long_chain))).anomaly,
            DecodeAnomaly::Ipv6BadExtensionHeader);

  Frame cut_chain = {6, 3, 0, 0, 0, 0, 0, 0};  // claims 32 bytes, has 8
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, 0, cut_chain))).anomaly,
            DecodeAnomaly::Ipv6BadExtensionHeader);

  Frame wrong_version = ipv6(kIp6a, kIp6b, 6, segment);
  wrong_version[0] = 0x40;
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x86dd, wrong_version)).anomaly, DecodeAnomaly::Ipv4BadVersion);

  Frame too_long = ipv6(kIp6a, kIp6b, 6, segment);
  too_long[5] += 10;
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x86dd, too_long)).anomaly, DecodeAnomaly::Ipv6Truncated);
  EXPECT_EQ(decode(ethernet(kMacB, kMacA, 0x86dd, Frame(39, 0x60))).anomaly, DecodeAnomaly::Ipv6Truncated);
}

TEST_F(DecodeTest, LinuxCookedCaptures) {
  Frame ip = ipv4(kIp1, kIp2, 17, udp(1, 2, payload_bytes()));
  Frame sll;
  put16(sll, 0);  // to us
  put16(sll, 1);  // ARPHRD_ETHER
  put16(sll, 6);
  append(sll, kMacA);
  put16(sll, 0);  // address padding
  put16(sll, 0x0800);
  DecodedPacket p = decode(cat({sll, ip}), LinkType::LinuxSll);
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_FALSE(p.has_ethernet);
  EXPECT_EQ(p.src_mac.bytes, kMacA);
  EXPECT_TRUE(p.dst_mac.is_zero());
  EXPECT_EQ(p.ethertype, 0x0800);
  EXPECT_EQ(p.dst_port, 2);

  Frame sll_vlan = sll;
  sll_vlan[14] = 0x81;
  sll_vlan[15] = 0x00;
  put16(sll_vlan, 7);
  put16(sll_vlan, 0x0800);
  p = decode(cat({sll_vlan, ip}), LinkType::LinuxSll);
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.vlans[0], 7);
  EXPECT_EQ(p.dst_port, 2);

  Frame sll2;
  put16(sll2, 0x86dd);
  put16(sll2, 0);
  put32(sll2, 3);  // interface index
  put16(sll2, 1);
  put8(sll2, 4);  // outgoing
  put8(sll2, 6);
  append(sll2, kMacB);
  put16(sll2, 0);
  p = decode(cat({sll2, ipv6(kIp6a, kIp6b, 6, tcp(1, 2, tcp_flag::Syn, {}))}), LinkType::LinuxSll2);
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.src_mac.bytes, kMacB);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.tcp_flags, tcp_flag::Syn);

  Frame no_mac = sll;
  no_mac[5] = 0;  // address length 0 (e.g. a tunnel interface)
  p = decode(cat({no_mac, ip}), LinkType::LinuxSll);
  EXPECT_TRUE(p.src_mac.is_zero());
  EXPECT_EQ(p.dst_port, 2);

  EXPECT_EQ(decode(Frame(sll.begin(), sll.begin() + 15), LinkType::LinuxSll).anomaly,
            DecodeAnomaly::TruncatedLink);
  EXPECT_EQ(decode(Frame(sll2.begin(), sll2.begin() + 19), LinkType::LinuxSll2).anomaly,
            DecodeAnomaly::TruncatedLink);
}

TEST_F(DecodeTest, RawAndIpLinkTypes) {
  Frame v4 = ipv4(kIp1, kIp2, 6, tcp(1, 2, 0, {}));
  Frame v6 = ipv6(kIp6a, kIp6b, 17, udp(3, 4, {}));
  EXPECT_EQ(decode(v4, LinkType::Raw).ip_version, 4);
  EXPECT_EQ(decode(v6, LinkType::Raw).ip_version, 6);
  EXPECT_EQ(decode(v4, LinkType::Ipv4).dst_port, 2);
  EXPECT_EQ(decode(v6, LinkType::Ipv6).dst_port, 4);
  DecodedPacket p = decode(v4, LinkType::Raw);
  EXPECT_FALSE(p.has_ethernet);
  EXPECT_EQ(p.ethertype, 0);
  EXPECT_EQ(decode(v6, LinkType::Ipv4).anomaly, DecodeAnomaly::Ipv4BadVersion);
  EXPECT_EQ(decode(v4, LinkType::Ipv6).anomaly, DecodeAnomaly::Ipv4BadVersion);
  EXPECT_EQ(decode(Frame{0x50, 0, 0}, LinkType::Raw).anomaly, DecodeAnomaly::Ipv4BadVersion);
  EXPECT_EQ(decode(Frame{}, LinkType::Raw).anomaly, DecodeAnomaly::TruncatedLink);
}

TEST_F(DecodeTest, NullAndLoopLinkTypes) {
  Frame v4 = ipv4(kIp1, kIp2, 6, tcp(1, 2, 0, {}));
  Frame v6 = ipv6(kIp6a, kIp6b, 17, udp(3, 4, {}));
  auto family_le = [](uint32_t f) {
    return Frame{static_cast<uint8_t>(f), static_cast<uint8_t>(f >> 8), static_cast<uint8_t>(f >> 16),
                 static_cast<uint8_t>(f >> 24)};
  };
  auto family_be = [](uint32_t f) {
    Frame out;
    put32(out, f);
    return out;
  };
  EXPECT_EQ(decode(cat({family_le(2), v4}), LinkType::Null).dst_port, 2);
  EXPECT_EQ(decode(cat({family_be(2), v4}), LinkType::Null).dst_port, 2);
  for (uint32_t family : {24u, 28u, 30u}) {
    EXPECT_EQ(decode(cat({family_le(family), v6}), LinkType::Null).dst_port, 4) << family;
    EXPECT_EQ(decode(cat({family_be(family), v6}), LinkType::Null).dst_port, 4) << family;
    EXPECT_EQ(decode(cat({family_be(family), v6}), LinkType::Loop).dst_port, 4) << family;
  }
  EXPECT_EQ(decode(cat({family_be(2), v4}), LinkType::Loop).dst_port, 2);

  DecodedPacket p = decode(cat({family_le(7), v4}), LinkType::Null);  // not IP
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ip_version, 0);
  EXPECT_EQ(p.l3_payload.size(), v4.size());

  EXPECT_EQ(decode(Frame{2, 0, 0}, LinkType::Null).anomaly, DecodeAnomaly::TruncatedLink);
  EXPECT_EQ(decode(Frame{0, 0, 0}, LinkType::Loop).anomaly, DecodeAnomaly::TruncatedLink);
  EXPECT_EQ(decode(v4, static_cast<LinkType>(147)).anomaly, DecodeAnomaly::UnsupportedLinkType);
  EXPECT_EQ(decode(Frame(13, 0)).anomaly, DecodeAnomaly::TruncatedLink);
}

// The inner frame every tunnel test carries.
Frame inner_ethernet() {
  return ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, tcp(40000, 102, tcp_flag::Ack, payload_bytes())),
                  {{0x8100, 33}});
}

const Mac kRouterA{0x00, 0x00, 0x5e, 0x00, 0x01, 0x01};
const Mac kRouterB{0x00, 0x00, 0x5e, 0x00, 0x01, 0x02};
const Ip4 kOuter1{172, 16, 0, 1};
const Ip4 kOuter2{172, 16, 0, 2};

Frame over_gre(const Frame& gre_payload) {
  return ethernet(kRouterB, kRouterA, 0x0800, ipv4(kOuter1, kOuter2, 47, gre_payload), {{0x8100, 900}});
}

void expect_inner_ethernet(const DecodedPacket& p, uint8_t depth) {
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.tunnel_depth, depth);
  EXPECT_TRUE(p.has_ethernet);
  EXPECT_EQ(p.src_mac.bytes, kMacA);
  EXPECT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.vlans[0], 33);
  EXPECT_EQ(p.src_ip, IpAddr::v4(kIp1.data()));
  EXPECT_EQ(p.dst_ip, IpAddr::v4(kIp2.data()));
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 102);
  EXPECT_TRUE(same_bytes(p.payload, payload_bytes()));
}

TEST_F(DecodeTest, GreCarryingIp) {
  Frame inner4 = ipv4(kIp1, kIp2, 17, udp(1, 161, payload_bytes()));
  DecodedPacket p = decode(over_gre(gre(0x0800, inner4, {.checksum = true, .key = true, .sequence = true})));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.tunnel_depth, 1);
  EXPECT_FALSE(p.has_ethernet);  // the outer Ethernet header is forgotten
  EXPECT_EQ(p.vlan_count, 0);
  EXPECT_EQ(p.src_ip, IpAddr::v4(kIp1.data()));
  EXPECT_EQ(p.dst_port, 161);
  EXPECT_EQ(decoder.stats().tunneled, 1u);
  EXPECT_EQ(decoder.stats().ipv4, 2u);

  p = decode(over_gre(gre(0x86dd, ipv6(kIp6a, kIp6b, 6, tcp(5, 6, 0, {})), {.key = true})));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.dst_port, 6);
}

TEST_F(DecodeTest, GreTransparentBridgingAndErspan) {
  expect_inner_ethernet(decode(over_gre(gre(0x6558, inner_ethernet()))), 1);
  expect_inner_ethernet(decode(over_gre(gre(0x88BE, inner_ethernet()))), 1);  // ERSPAN type I
  expect_inner_ethernet(decode(over_gre(erspan2(inner_ethernet()))), 1);
  expect_inner_ethernet(decode(over_gre(erspan3(inner_ethernet(), false))), 1);
  expect_inner_ethernet(decode(over_gre(erspan3(inner_ethernet(), true))), 1);
  expect_inner_ethernet(
      decode(ethernet(kRouterB, kRouterA, 0x86dd, ipv6(kIp6a, kIp6b, 47, erspan3(inner_ethernet(), true)))),
      1);
  EXPECT_EQ(decoder.stats().tunneled, 6u);
}

TEST_F(DecodeTest, Vxlan) {
  Frame f = ethernet(kRouterB, kRouterA, 0x0800,
                     ipv4(kOuter1, kOuter2, 17, udp(51000, 4789, vxlan(inner_ethernet()))));
  expect_inner_ethernet(decode(f), 1);

  // Without the I flag it is plain UDP to port 4789.
  Frame not_vxlan = vxlan(inner_ethernet());
  not_vxlan[0] = 0;
  DecodedPacket p =
      decode(ethernet(kRouterB, kRouterA, 0x0800, ipv4(kOuter1, kOuter2, 17, udp(51000, 4789, not_vxlan))));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::None);
  EXPECT_EQ(p.tunnel_depth, 0);
  EXPECT_EQ(p.dst_port, 4789);
}

TEST_F(DecodeTest, GreProblems) {
  DecodedPacket p = decode(over_gre(gre(0x0800, {}, {.version = 1})));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::UnsupportedGre);
  EXPECT_EQ(p.ip_proto, 47);
  EXPECT_EQ(p.src_ip, IpAddr::v4(kOuter1.data()));  // the outer packet is what we know
  EXPECT_EQ(decode(over_gre(gre(0x8847, filler(20)))).anomaly, DecodeAnomaly::UnsupportedGre);  // MPLS
  Frame routing = gre(0x0800, filler(20));
  routing[0] |= 0x40;
  EXPECT_EQ(decode(over_gre(routing)).anomaly, DecodeAnomaly::UnsupportedGre);
  EXPECT_EQ(decode(over_gre({0x00, 0x00, 0x08})).anomaly, DecodeAnomaly::TruncatedGre);
  Frame keyed = gre(0x0800, {}, {.key = true});
  keyed.resize(keyed.size() - 1);
  EXPECT_EQ(decode(over_gre(keyed)).anomaly, DecodeAnomaly::TruncatedGre);
  EXPECT_EQ(decode(over_gre(gre(0x88BE, filler(7), {.sequence = true}))).anomaly,
            DecodeAnomaly::TruncatedErspan);
  EXPECT_EQ(decode(over_gre(gre(0x22EB, filler(11)))).anomaly, DecodeAnomaly::TruncatedErspan);
  Frame subheader_missing = filler(12);
  subheader_missing[11] = 1;
  EXPECT_EQ(decode(over_gre(gre(0x22EB, subheader_missing))).anomaly, DecodeAnomaly::TruncatedErspan);
  EXPECT_EQ(decode(over_gre(gre(0x6558, filler(10)))).anomaly, DecodeAnomaly::TruncatedLink);
}

Frame nest(int layers) {
  Frame f = inner_ethernet();
  for (int i = 0; i < layers; ++i)
    f = ethernet(kRouterB, kRouterA, 0x0800, ipv4(kOuter1, kOuter2, 47, i % 2 ? erspan2(f) : gre(0x6558, f)));
  return f;
}

TEST_F(DecodeTest, TunnelDepthLimit) {
  expect_inner_ethernet(decode(nest(4)), 4);
  DecodedPacket p = decode(nest(5));
  EXPECT_EQ(p.anomaly, DecodeAnomaly::TunnelTooDeep);
  EXPECT_EQ(p.tunnel_depth, 4);
  EXPECT_EQ(p.ip_proto, 47);
}

// Decoding every prefix of a valid frame never crashes; a prefix that stops inside
// the headers never looks complete; cut by a snaplen inside the payload it decodes
// fully with the captured part as payload; cut without a snaplen it is malformed.
struct TruncationCase {
  const char* name;
  Frame frame;
  LinkType link;
  size_t header_len;  // bytes before the innermost payload
  uint8_t depth;
  uint8_t proto;
};

TEST_F(DecodeTest, EveryPrefixOfValidFrames) {
  Frame payload = payload_bytes();
  Frame plain = ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, tcp(1, 2, 0, payload)), {{0x8100, 3}});
  Frame v6 =
      ethernet(kMacB, kMacA, 0x86dd,
               ipv6(kIp6a, kIp6b, 0, ipv6_option_header(60, ipv6_option_header(17, udp(1, 2, payload)))));
  Frame erspan = ethernet(
      kRouterB, kRouterA, 0x0800,
      ipv4(kOuter1, kOuter2, 47,
           erspan3(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 6, tcp(1, 2, 0, payload))), true)));
  Frame vx = ethernet(
      kRouterB, kRouterA, 0x0800,
      ipv4(kOuter1, kOuter2, 17,
           udp(9, 4789, vxlan(ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, 1, icmp(8, 0, payload)))))));
  Frame sll;
  put16(sll, 0);
  put16(sll, 1);
  put16(sll, 6);
  append(sll, kMacA);
  put16(sll, 0);
  put16(sll, 0x0800);
  Frame cooked = cat({sll, ipv4(kIp1, kIp2, 17, udp(1, 2, payload))});
  std::vector<TruncationCase> cases = {
      {"vlan tcp", plain, LinkType::Ethernet, plain.size() - payload.size(), 0, 6},
      {"ipv6 ext udp", v6, LinkType::Ethernet, v6.size() - payload.size(), 0, 17},
      {"erspan3", erspan, LinkType::Ethernet, erspan.size() - payload.size(), 1, 6},
      {"vxlan icmp", vx, LinkType::Ethernet, vx.size() - payload.size(), 1, 1},
      {"sll udp", cooked, LinkType::LinuxSll, cooked.size() - payload.size(), 0, 17},
  };
  for (const TruncationCase& c : cases) {
    ASSERT_EQ(decode(c.frame, c.link).anomaly, DecodeAnomaly::None) << c.name;
    for (size_t cut = 0; cut < c.frame.size(); ++cut) {
      Frame prefix(c.frame.begin(), c.frame.begin() + static_cast<long>(cut));
      DecodedPacket snapped = decode(prefix, c.link, static_cast<uint32_t>(c.frame.size()));
      if (cut >= c.header_len) {
        EXPECT_EQ(snapped.anomaly, DecodeAnomaly::None) << c.name << " cut " << cut;
        EXPECT_EQ(snapped.tunnel_depth, c.depth) << c.name << " cut " << cut;
        EXPECT_EQ(snapped.payload.size(), cut - c.header_len) << c.name << " cut " << cut;
      } else {
        bool looks_complete = snapped.anomaly == DecodeAnomaly::None && snapped.tunnel_depth == c.depth &&
                              snapped.ip_proto == c.proto;
        EXPECT_FALSE(looks_complete) << c.name << " cut " << cut;
      }
      DecodedPacket unsnapped = decode(prefix, c.link);
      EXPECT_NE(unsnapped.anomaly, DecodeAnomaly::None) << c.name << " cut " << cut;
    }
  }
}

TEST(AnomalyName, OneStableNamePerValue) {
  std::set<std::string> names;
  for (size_t i = 1; i < static_cast<size_t>(DecodeAnomaly::kCount); ++i) {
    std::string name = anomaly_name(static_cast<DecodeAnomaly>(i));
    EXPECT_EQ(name.rfind("decode.", 0), 0u) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(DecodeAnomaly::kCount) - 1);
  EXPECT_STREQ(anomaly_name(DecodeAnomaly::Ipv4BadChecksum), "decode.ipv4_bad_checksum");
  EXPECT_STREQ(anomaly_name(DecodeAnomaly::TunnelTooDeep), "decode.tunnel_too_deep");
  EXPECT_STREQ(anomaly_name(DecodeAnomaly::None), "none");
}

}  // namespace
}  // namespace ots
