// Differential decoding for the fast-path tests and fuzzer: every frame goes to a decoder
// with the fast path and to one without it (the general header walk), and the two results
// are compared field by field – byte views by content and by where they point – together
// with the decoders' statistics.
#pragma once

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>

#include "core/bytes.h"
#include "core/net_types.h"
#include "core/packet.h"
#include "dissectors/decode/decoded_packet.h"
#include "dissectors/decode/packet_decoder.h"

namespace ots::test {

// Trip-wires: a new field must be added to the comparisons below (and to dirty_packet()).
static_assert(sizeof(DecodedPacket) == 200, "compare the new DecodedPacket field in packet_difference()");
static_assert(sizeof(DecoderStats) == 12 * 8 + static_cast<size_t>(DecodeAnomaly::kCount) * 8,
              "compare the new DecoderStats counter in stats_difference()");
static_assert(std::is_trivially_copyable_v<DecodedPacket>);

class Differences {
 public:
  explicit Differences(std::ostringstream& out) : out_(out) {}

  template <typename T>
  void field(const char* name, const T& a, const T& b) {
    if (!(a == b)) out_ << name << ": " << show(a) << " vs " << show(b) << "; ";
  }

  // Views must have the same length and bytes, and point to the same place: the same offset
  // into the frame, or both nowhere (null), or both outside the frame (the reassembly buffer,
  // which each decoder has its own of).
  void view(const char* name, Bytes a, Bytes b, Bytes frame) {
    auto where = [&](Bytes v) -> int64_t {
      if (v.data() == nullptr) return -1;
      auto p = reinterpret_cast<uintptr_t>(v.data()), begin = reinterpret_cast<uintptr_t>(frame.data());
      return p >= begin && p <= begin + frame.size() ? static_cast<int64_t>(p - begin) : -2;
    };
    if (a.size() != b.size() || where(a) != where(b) || !std::equal(a.begin(), a.end(), b.begin()))
      out_ << name << ": " << a.size() << " bytes at " << where(a) << " vs " << b.size() << " bytes at "
           << where(b) << "; ";
  }

 private:
  template <typename T>
  static std::string show(const T& v) {
    if constexpr (std::is_same_v<T, MacAddr> || std::is_same_v<T, IpAddr>) {
      return v.str();
    } else if constexpr (std::is_enum_v<T>) {
      return std::to_string(static_cast<int>(v));
    } else if constexpr (std::is_arithmetic_v<T>) {
      return std::to_string(v);
    } else {  // std::array of numbers
      std::string s;
      for (auto x : v) s += std::to_string(x) + " ";
      return s;
    }
  }
  std::ostringstream& out_;
};

// Empty when `a` and `b` (decodings of `frame`) are the same in every field.
inline std::string packet_difference(const DecodedPacket& a, const DecodedPacket& b, Bytes frame) {
  std::ostringstream out;
  Differences d(out);
  d.field("ts_ns", a.ts_ns, b.ts_ns);
  d.field("wire_len", a.wire_len, b.wire_len);
  d.field("has_ethernet", a.has_ethernet, b.has_ethernet);
  d.field("llc", a.llc, b.llc);
  d.field("src_mac", a.src_mac, b.src_mac);
  d.field("dst_mac", a.dst_mac, b.dst_mac);
  d.field("vlan_count", a.vlan_count, b.vlan_count);
  d.field("vlans", a.vlans, b.vlans);
  d.field("ethertype", a.ethertype, b.ethertype);
  d.field("has_arp", a.has_arp, b.has_arp);
  d.field("arp.operation", a.arp.operation, b.arp.operation);
  d.field("arp.sender_mac", a.arp.sender_mac, b.arp.sender_mac);
  d.field("arp.target_mac", a.arp.target_mac, b.arp.target_mac);
  d.field("arp.sender_ip", a.arp.sender_ip, b.arp.sender_ip);
  d.field("arp.target_ip", a.arp.target_ip, b.arp.target_ip);
  d.field("ip_version", a.ip_version, b.ip_version);
  d.field("src_ip", a.src_ip, b.src_ip);
  d.field("dst_ip", a.dst_ip, b.dst_ip);
  d.field("ip_proto", a.ip_proto, b.ip_proto);
  d.field("ttl", a.ttl, b.ttl);
  d.field("reassembled", a.reassembled, b.reassembled);
  d.field("frames", a.frames, b.frames);
  d.view("ip_packet", a.ip_packet, b.ip_packet, frame);
  d.field("is_fragment", a.is_fragment, b.is_fragment);
  d.field("src_port", a.src_port, b.src_port);
  d.field("dst_port", a.dst_port, b.dst_port);
  d.field("tcp_flags", a.tcp_flags, b.tcp_flags);
  d.field("tcp_seq", a.tcp_seq, b.tcp_seq);
  d.field("tcp_ack", a.tcp_ack, b.tcp_ack);
  d.field("tcp_window", a.tcp_window, b.tcp_window);
  d.field("icmp_type", a.icmp_type, b.icmp_type);
  d.field("icmp_code", a.icmp_code, b.icmp_code);
  d.field("tunnel_depth", a.tunnel_depth, b.tunnel_depth);
  d.view("l3_payload", a.l3_payload, b.l3_payload, frame);
  d.view("payload", a.payload, b.payload, frame);
  d.field("anomaly", a.anomaly, b.anomaly);
  return out.str();
}

inline std::string stats_difference(const DecoderStats& a, const DecoderStats& b) {
  std::ostringstream out;
  Differences d(out);
  d.field("stats.frames", a.frames, b.frames);
  d.field("stats.ipv4", a.ipv4, b.ipv4);
  d.field("stats.ipv6", a.ipv6, b.ipv6);
  d.field("stats.arp", a.arp, b.arp);
  d.field("stats.tcp", a.tcp, b.tcp);
  d.field("stats.udp", a.udp, b.udp);
  d.field("stats.icmp", a.icmp, b.icmp);
  d.field("stats.other_l3", a.other_l3, b.other_l3);
  d.field("stats.tunneled", a.tunneled, b.tunneled);
  d.field("stats.fragments", a.fragments, b.fragments);
  d.field("stats.reassembled", a.reassembled, b.reassembled);
  d.field("stats.fragments_dropped", a.fragments_dropped, b.fragments_dropped);
  for (size_t i = 0; i < static_cast<size_t>(DecodeAnomaly::kCount); ++i)
    d.field(anomaly_name(static_cast<DecodeAnomaly>(i)), a.anomalies[i], b.anomalies[i]);
  return out.str();
}

// A packet with every field set to something a decoder never leaves behind by itself, so a
// field a decoder forgets to write shows up as a difference.
inline DecodedPacket dirty_packet() {
  static const uint8_t kJunk[4] = {0xde, 0xad, 0xbe, 0xef};
  DecodedPacket p;
  p.ts_ns = -7;
  p.wire_len = 0xdead;
  p.has_ethernet = p.llc = p.has_arp = p.reassembled = p.is_fragment = true;
  p.src_mac = p.dst_mac = p.arp.sender_mac = p.arp.target_mac = MacAddr::from(kJunk);
  p.vlan_count = 9;
  p.vlans = {0xabc, 0xdef};
  p.ethertype = 0xdead;
  p.arp.operation = 77;
  p.src_ip = p.dst_ip = p.arp.sender_ip = p.arp.target_ip = IpAddr::v4(0xdeadbeef);
  p.ip_version = p.ip_proto = p.ttl = p.tcp_flags = p.icmp_type = p.icmp_code = p.tunnel_depth = 0xee;
  p.frames = 0xdead;
  p.src_port = p.dst_port = p.tcp_window = 0xdead;
  p.tcp_seq = p.tcp_ack = 0xdeadbeef;
  p.ip_packet = p.l3_payload = p.payload = Bytes(kJunk, 3);
  p.anomaly = DecodeAnomaly::TunnelTooDeep;
  return p;
}

inline DecoderConfig with_fast_path(DecoderConfig config, bool fast_path) {
  config.fast_path = fast_path;
  return config;
}

// Two decoders fed the same frames in the same order: one with the fast path, one without.
class DifferentialDecoder {
 public:
  explicit DifferentialDecoder(DecoderConfig config = {})
      : fast_(with_fast_path(config, true)), walk_(with_fast_path(config, false)) {}

  // Empty when both decoders returned the same result, filled `out` alike and count alike.
  std::string decode(const PacketView& packet) {
    DecodedPacket fast_out = dirty_packet(), walk_out = dirty_packet();
    DecodeResult fast_result = fast_.decode(packet, fast_out);
    DecodeResult walk_result = walk_.decode(packet, walk_out);
    std::string diff = fast_result == walk_result ? "" : "result; ";
    diff += packet_difference(fast_out, walk_out, packet.data);
    diff += stats_difference(fast_.stats(), walk_.stats());
    return diff;
  }

  const PacketDecoder& fast() const { return fast_; }
  const PacketDecoder& walk() const { return walk_; }

 private:
  PacketDecoder fast_;
  PacketDecoder walk_;
};

}  // namespace ots::test
