// Private to dissectors/decode: the decoder's fast path for the frames an OT SPAN port
// mostly carries – Ethernet II, at most two VLAN tags, IPv4 without options or
// fragmentation or IPv6 without extension headers, then TCP, UDP or ICMP – decoded in one
// straight pass without the walk's per-layer structs. It only accepts a frame whose decoding
// by walk_frame() would meet no other layer and no anomaly other than a bad IPv4 checksum,
// and then produces exactly what the walk would; anything else goes to the walk.
// tests/unit/decode/fast_path_test.cc and tests/fuzz/decode/decode_diff_fuzz.cc hold the
// two paths to that.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "core/bytes.h"
#include "core/net_types.h"
#include "core/packet.h"
#include "dissectors/decode/decoded_packet.h"
#include "dissectors/decode/frame_walker.h"
#include "dissectors/decode/packet_decoder.h"

namespace ots::decode_detail {

// RFC 1071: the ones' complement sum does not depend on byte order and may be taken over
// 32-bit words, so the header is summed as native-order words, one load each. A header is
// valid when its sum folds to 0xffff, whatever the order. A trailing odd byte is not summed
// (IPv4 headers are multiples of four bytes).
inline bool ipv4_checksum_ok(Bytes header) {
  uint64_t sum = 0;
  size_t i = 0;
  for (; i + 4 <= header.size(); i += 4) {
    uint32_t word;
    std::memcpy(&word, header.data() + i, 4);
    sum += word;
  }
  if (i + 2 <= header.size()) {
    uint16_t half;
    std::memcpy(&half, header.data() + i, 2);
    sum += half;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

// Fixed-offset reads for the fast path; the caller has checked the span is long enough.
inline uint16_t be16_at(Bytes b, size_t i) { return static_cast<uint16_t>(b[i] << 8 | b[i + 1]); }
inline uint32_t be32_at(Bytes b, size_t i) {
  return uint32_t{b[i]} << 24 | uint32_t{b[i + 1]} << 16 | uint32_t{b[i + 2]} << 8 | b[i + 3];
}

// Decodes `packet` into `out` and counts it in `stats` (all but `frames`) when it is the
// common case described above; returns false, having changed neither, otherwise.
inline bool decode_common_case(const PacketView& packet, DecodedPacket& out, DecoderStats& stats) {
  const Bytes frame = packet.data;
  // A snapped frame relaxes the length checks; the walk knows how.
  if (packet.link != LinkType::Ethernet || frame.size() < packet.wire_len || frame.size() < 14) return false;

  // Link: Ethernet II and up to two VLAN tags (a third one is an anomaly).
  uint16_t type = be16_at(frame, 12);
  size_t l3_offset = 14;
  uint8_t vlan_count = 0;
  std::array<uint16_t, 2> vlans{};
  while (type == ethertype::Vlan || type == ethertype::QinQ || type == ethertype::VlanLegacyQinQ) {
    if (vlan_count == vlans.size() || frame.size() < l3_offset + 4) return false;
    vlans[vlan_count++] = be16_at(frame, l3_offset) & 0x0fff;
    type = be16_at(frame, l3_offset + 2);
    l3_offset += 4;
  }
  const Bytes l3 = frame.subspan(l3_offset);

  // Network layer: the checks of parse_ipv4/parse_ipv6 for a complete frame, narrowed to
  // headers without options, fragmentation or extension headers.
  uint8_t ip_version, proto, ttl;
  bool checksum_ok = true;
  Bytes ip_packet, ip_payload;
  if (type == ethertype::Ipv4) {
    constexpr size_t kHeaderLen = 20;
    constexpr uint16_t kMoreFragmentsAndOffset = 0x3fff;
    if (l3.size() < kHeaderLen || l3[0] != 0x45) return false;  // version 4, no options
    size_t total_len = be16_at(l3, 2);
    if (total_len < kHeaderLen || total_len > l3.size() || (be16_at(l3, 6) & kMoreFragmentsAndOffset))
      return false;
    ip_version = 4;
    ttl = l3[8];
    proto = l3[9];
    ip_packet = l3.first(total_len);
    ip_payload = ip_packet.subspan(kHeaderLen);
    checksum_ok = ipv4_checksum_ok(l3.first(kHeaderLen));
  } else if (type == ethertype::Ipv6) {
    constexpr size_t kHeaderLen = 40;
    if (l3.size() < kHeaderLen || l3[0] >> 4 != 6) return false;
    size_t payload_len = be16_at(l3, 4);
    // Zero is a jumbogram or an offloaded frame: the walk takes what is there.
    if (payload_len == 0 || payload_len > l3.size() - kHeaderLen) return false;
    ip_version = 6;
    proto = l3[6];  // extension headers are not among the protocols accepted below
    ttl = l3[7];
    ip_packet = l3.first(kHeaderLen + payload_len);
    ip_payload = ip_packet.subspan(kHeaderLen);
  } else {
    return false;
  }

  // Transport: parse_transport's checks for a complete datagram, and no tunnel inside.
  uint16_t src_port = 0, dst_port = 0, tcp_window = 0;
  uint32_t tcp_seq = 0, tcp_ack = 0;
  uint8_t tcp_flags = 0, icmp_type = 0, icmp_code = 0;
  Bytes payload;
  uint64_t* transport_counter;
  switch (static_cast<IpProto>(proto)) {
    case IpProto::Tcp: {
      if (ip_payload.size() < 20) return false;
      uint16_t offset_flags = be16_at(ip_payload, 12);
      size_t header_len = size_t{offset_flags} >> 12 << 2;
      if (header_len < 20 || header_len > ip_payload.size()) return false;
      src_port = be16_at(ip_payload, 0);
      dst_port = be16_at(ip_payload, 2);
      tcp_seq = be32_at(ip_payload, 4);
      tcp_ack = be32_at(ip_payload, 8);
      tcp_flags = static_cast<uint8_t>(offset_flags);
      tcp_window = be16_at(ip_payload, 14);
      payload = ip_payload.subspan(header_len);
      transport_counter = &stats.tcp;
      break;
    }
    case IpProto::Udp: {
      if (ip_payload.size() < 8) return false;
      size_t length = be16_at(ip_payload, 4);
      if (length < 8 || length > ip_payload.size()) return false;
      src_port = be16_at(ip_payload, 0);
      dst_port = be16_at(ip_payload, 2);
      payload = ip_payload.subspan(8, length - 8);
      constexpr uint8_t kVxlanValidVni = 0x08;  // as tunnel_inside(): this is decapsulated
      if (dst_port == kVxlanPort && payload.size() >= 8 && (payload[0] & kVxlanValidVni)) return false;
      transport_counter = &stats.udp;
      break;
    }
    case IpProto::Icmp:
    case IpProto::Icmpv6:
      if (ip_payload.size() < 4) return false;
      icmp_type = ip_payload[0];
      icmp_code = ip_payload[1];
      payload = ip_payload.subspan(4);
      transport_counter = &stats.icmp;
      break;
    default: return false;
  }

  // Accepted: from here on nothing fails. Every field is written once, in declaration order;
  // resetting the 200 bytes first would cost as much again.
  static_assert(sizeof(DecodedPacket) == 200, "a new DecodedPacket field must be written here too");
  ++(ip_version == 4 ? stats.ipv4 : stats.ipv6);
  ++*transport_counter;
  out.ts_ns = packet.ts_ns;
  out.wire_len = packet.wire_len;
  out.has_ethernet = true;
  out.llc = false;
  out.src_mac = MacAddr::from(frame.data() + 6);
  out.dst_mac = MacAddr::from(frame.data());
  out.vlan_count = vlan_count;
  out.vlans = vlans;
  out.ethertype = type;
  out.has_arp = false;
  // Field by field: GCC clears a whole ArpInfo here with a byte-wise rep stos.
  out.arp.operation = 0;
  out.arp.sender_mac = out.arp.target_mac = MacAddr{};
  out.arp.sender_ip = out.arp.target_ip = IpAddr{};
  out.ip_version = ip_version;
  if (ip_version == 4) {
    out.src_ip = IpAddr::v4(l3.data() + 12);
    out.dst_ip = IpAddr::v4(l3.data() + 16);
  } else {
    out.src_ip = IpAddr::v6(l3.data() + 8);
    out.dst_ip = IpAddr::v6(l3.data() + 24);
  }
  out.ip_proto = proto;
  out.ttl = ttl;
  out.reassembled = false;
  out.frames = 1;
  out.ip_packet = ip_packet;
  out.is_fragment = false;
  out.src_port = src_port;
  out.dst_port = dst_port;
  out.tcp_flags = tcp_flags;
  out.tcp_seq = tcp_seq;
  out.tcp_ack = tcp_ack;
  out.tcp_window = tcp_window;
  out.icmp_type = icmp_type;
  out.icmp_code = icmp_code;
  out.tunnel_depth = 0;
  out.l3_payload = l3;
  out.payload = payload;
  out.anomaly = DecodeAnomaly::None;
  if (!checksum_ok) {
    ++stats.anomalies[static_cast<size_t>(DecodeAnomaly::Ipv4BadChecksum)];
    out.anomaly = DecodeAnomaly::Ipv4BadChecksum;
  }
  return true;
}

}  // namespace ots::decode_detail
