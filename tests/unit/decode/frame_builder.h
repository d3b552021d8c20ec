// Byte-by-byte frame builders for the decoder tests: each returns the encoded
// layer with its payload appended, so frames read inside-out:
//   ethernet(kMacA, kMacB, 0x0800, ipv4(kIp1, kIp2, 6, tcp(1234, 502, ...)))
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "core/packet.h"

namespace ots::test {

using Frame = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;
using Ip4 = std::array<uint8_t, 4>;
using Ip6 = std::array<uint8_t, 16>;

inline const Mac kMacA{0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
inline const Mac kMacB{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
inline const Ip4 kIp1{10, 0, 0, 1};
inline const Ip4 kIp2{192, 168, 1, 20};
inline const Ip6 kIp6a{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline const Ip6 kIp6b{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};

inline void put8(Frame& f, uint8_t v) { f.push_back(v); }
inline void put16(Frame& f, uint16_t v) {
  f.push_back(static_cast<uint8_t>(v >> 8));
  f.push_back(static_cast<uint8_t>(v));
}
inline void put32(Frame& f, uint32_t v) {
  put16(f, static_cast<uint16_t>(v >> 16));
  put16(f, static_cast<uint16_t>(v));
}
template <typename Range>
void append(Frame& f, const Range& bytes) {
  f.insert(f.end(), bytes.begin(), bytes.end());
}
inline Frame cat(std::initializer_list<Frame> parts) {
  Frame f;
  for (const Frame& p : parts) append(f, p);
  return f;
}
inline Frame filler(size_t n, uint8_t first = 0x41) {
  Frame f;
  for (size_t i = 0; i < n; ++i) f.push_back(static_cast<uint8_t>(first + i));
  return f;
}

struct Vlan {
  uint16_t tpid = 0x8100;
  uint16_t id = 0;
};

inline Frame ethernet(const Mac& dst, const Mac& src, uint16_t type, const Frame& payload,
                      std::initializer_list<Vlan> vlans = {}) {
  Frame f;
  append(f, dst);
  append(f, src);
  for (const Vlan& v : vlans) {
    put16(f, v.tpid);
    put16(f, static_cast<uint16_t>(0xe000 | v.id));  // priority bits must be masked away
  }
  put16(f, type);
  append(f, payload);
  return f;
}

inline uint16_t internet_checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t{p[i]} << 8 | p[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

struct Ipv4Options {
  uint16_t id = 0x1234;
  uint16_t fragment_offset = 0;  // bytes, multiple of 8
  bool more_fragments = false;
  uint8_t ttl = 64;
  size_t option_bytes = 0;  // multiple of 4
  bool bad_checksum = false;
  int total_length_delta = 0;  // added to the correct total length
};

inline Frame ipv4(const Ip4& src, const Ip4& dst, uint8_t proto, const Frame& payload, Ipv4Options o = {}) {
  Frame f;
  size_t header_len = 20 + o.option_bytes;
  put8(f, static_cast<uint8_t>(0x40 | header_len / 4));
  put8(f, 0);
  put16(f, static_cast<uint16_t>(static_cast<int>(header_len + payload.size()) + o.total_length_delta));
  put16(f, o.id);
  put16(f, static_cast<uint16_t>((o.more_fragments ? 0x2000 : 0) | o.fragment_offset / 8));
  put8(f, o.ttl);
  put8(f, proto);
  put16(f, 0);
  append(f, src);
  append(f, dst);
  for (size_t i = 0; i < o.option_bytes; ++i) put8(f, 1);  // NOP options
  uint16_t checksum = internet_checksum(f.data(), f.size());
  if (o.bad_checksum) checksum ^= 0x5a5a;
  f[10] = static_cast<uint8_t>(checksum >> 8);
  f[11] = static_cast<uint8_t>(checksum);
  append(f, payload);
  return f;
}

// `payload` starts with any extension headers; `next` names the first of them.
inline Frame ipv6(const Ip6& src, const Ip6& dst, uint8_t next, const Frame& payload,
                  uint8_t hop_limit = 64) {
  Frame f;
  put32(f, 0x60000000);
  put16(f, static_cast<uint16_t>(payload.size()));
  put8(f, next);
  put8(f, hop_limit);
  append(f, src);
  append(f, dst);
  append(f, payload);
  return f;
}

// Hop-by-hop / routing / destination options header of 8 * (len + 1) bytes.
inline Frame ipv6_option_header(uint8_t next, const Frame& rest, uint8_t len_units = 0) {
  Frame f;
  put8(f, next);
  put8(f, len_units);
  for (size_t i = 2; i < 8u * (len_units + 1u); ++i) put8(f, 0);
  append(f, rest);
  return f;
}

// Authentication header: 4 * (len + 2) bytes.
inline Frame ipv6_ah(uint8_t next, const Frame& rest, uint8_t len_units = 4) {
  Frame f;
  put8(f, next);
  put8(f, len_units);
  for (size_t i = 2; i < 4u * (len_units + 2u); ++i) put8(f, 0);
  append(f, rest);
  return f;
}

inline Frame ipv6_fragment(uint8_t next, uint16_t offset, bool more, uint32_t id, const Frame& rest) {
  Frame f;
  put8(f, next);
  put8(f, 0);
  put16(f, static_cast<uint16_t>(offset | (more ? 1 : 0)));
  put32(f, id);
  append(f, rest);
  return f;
}

inline Frame tcp(uint16_t src_port, uint16_t dst_port, uint8_t flags, const Frame& payload,
                 uint32_t seq = 1000, uint32_t ack = 2000, size_t option_bytes = 0) {
  Frame f;
  put16(f, src_port);
  put16(f, dst_port);
  put32(f, seq);
  put32(f, ack);
  put16(f, static_cast<uint16_t>((20 + option_bytes) / 4 << 12 | flags));
  put16(f, 8192);
  put32(f, 0);
  for (size_t i = 0; i < option_bytes; ++i) put8(f, 1);
  append(f, payload);
  return f;
}

inline Frame udp(uint16_t src_port, uint16_t dst_port, const Frame& payload, int length_delta = 0) {
  Frame f;
  put16(f, src_port);
  put16(f, dst_port);
  put16(f, static_cast<uint16_t>(static_cast<int>(8 + payload.size()) + length_delta));
  put16(f, 0);
  append(f, payload);
  return f;
}

inline Frame icmp(uint8_t type, uint8_t code, const Frame& body) {
  Frame f;
  put8(f, type);
  put8(f, code);
  put16(f, 0);
  append(f, body);
  return f;
}

inline Frame arp(uint16_t operation, const Mac& sender_mac, const Ip4& sender_ip, const Mac& target_mac,
                 const Ip4& target_ip) {
  Frame f;
  put16(f, 1);
  put16(f, 0x0800);
  put8(f, 6);
  put8(f, 4);
  put16(f, operation);
  append(f, sender_mac);
  append(f, sender_ip);
  append(f, target_mac);
  append(f, target_ip);
  return f;
}

struct GreOptions {
  bool checksum = false, key = false, sequence = false;
  uint8_t version = 0;
};

inline Frame gre(uint16_t protocol, const Frame& payload, GreOptions o = {}) {
  Frame f;
  put16(f, static_cast<uint16_t>((o.checksum ? 0x8000 : 0) | (o.key ? 0x2000 : 0) |
                                 (o.sequence ? 0x1000 : 0) | o.version));
  put16(f, protocol);
  if (o.checksum) put32(f, 0);
  if (o.key) put32(f, 0xabcd);
  if (o.sequence) put32(f, 77);
  append(f, payload);
  return f;
}

// GRE + ERSPAN type II header + the mirrored Ethernet frame.
inline Frame erspan2(const Frame& inner) {
  Frame header;
  put32(header, 0x10000000 | 42);  // version 1, session 42
  put32(header, 0);
  return gre(0x88BE, cat({header, inner}), {.sequence = true});
}

inline Frame erspan3(const Frame& inner, bool platform_subheader) {
  Frame header;
  put32(header, 0x20000000);
  put32(header, 0x12345678);  // timestamp
  put32(header, platform_subheader ? 1 : 0);
  if (platform_subheader) {
    put32(header, 0xdeadbeef);
    put32(header, 0xcafef00d);
  }
  return gre(0x22EB, cat({header, inner}), {.sequence = true});
}

inline Frame vxlan(const Frame& inner, uint32_t vni = 100) {
  Frame f;
  put32(f, 0x08000000);
  put32(f, vni << 8);
  append(f, inner);
  return f;
}

inline PacketView view(const Frame& f, LinkType link = LinkType::Ethernet, int64_t ts_ns = 1'000'000'000,
                       uint32_t wire_len = 0) {
  PacketView p;
  p.ts_ns = ts_ns;
  p.data = Bytes(f);
  p.wire_len = wire_len != 0 ? wire_len : static_cast<uint32_t>(f.size());
  p.link = link;
  return p;
}

}  // namespace ots::test
