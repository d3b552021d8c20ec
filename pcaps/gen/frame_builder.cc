#include "pcaps/gen/frame_builder.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace ots::pcapgen {

namespace {

void put8(Frame& f, uint8_t v) { f.push_back(v); }
void put16(Frame& f, uint16_t v) {
  f.push_back(static_cast<uint8_t>(v >> 8));
  f.push_back(static_cast<uint8_t>(v));
}
void put32(Frame& f, uint32_t v) {
  put16(f, static_cast<uint16_t>(v >> 16));
  put16(f, static_cast<uint16_t>(v));
}
void put_le32(Frame& f, uint32_t v) {
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put(Frame& f, Bytes b) { f.insert(f.end(), b.begin(), b.end()); }
void put_mac(Frame& f, const MacAddr& m) { f.insert(f.end(), m.bytes.begin(), m.bytes.end()); }
void put_v4(Frame& f, const IpAddr& a) { f.insert(f.end(), a.bytes.begin() + 12, a.bytes.end()); }
void put_v6(Frame& f, const IpAddr& a) { f.insert(f.end(), a.bytes.begin(), a.bytes.end()); }
void set16(Frame& f, size_t at, uint16_t v) {
  f[at] = static_cast<uint8_t>(v >> 8);
  f[at + 1] = static_cast<uint8_t>(v);
}

uint64_t sum_words(uint64_t sum, Bytes data) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += uint32_t{data[i]} << 8 | data[i + 1];
  if (i < data.size()) sum += uint32_t{data[i]} << 8;
  return sum;
}
uint16_t fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Checksum over the IPv4/IPv6 pseudo-header and the L4 segment.
uint16_t pseudo_header_checksum(const IpAddr& src, const IpAddr& dst, uint8_t protocol, Bytes segment) {
  uint64_t sum = 0;
  if (src.is_v4()) {
    sum = sum_words(sum, Bytes(src.bytes).subspan(12));
    sum = sum_words(sum, Bytes(dst.bytes).subspan(12));
  } else {
    sum = sum_words(sum, Bytes(src.bytes));
    sum = sum_words(sum, Bytes(dst.bytes));
  }
  sum += protocol;
  sum += segment.size();
  return fold(sum_words(sum, segment));
}

}  // namespace

MacAddr mac(const char* text) {
  auto m = MacAddr::parse(text);
  if (!m) {
    std::fprintf(stderr, "pcapgen: bad MAC literal %s\n", text);
    std::abort();
  }
  return *m;
}

IpAddr ip(const char* text) {
  auto a = IpAddr::parse(text);
  if (!a) {
    std::fprintf(stderr, "pcapgen: bad IP literal %s\n", text);
    std::abort();
  }
  return *a;
}

uint16_t internet_checksum(Bytes data) { return fold(sum_words(0, data)); }

Frame ethernet(const EthernetHeader& header, uint16_t ether_type, Bytes payload) {
  Frame f;
  f.reserve(14 + 4 * header.vlans.size() + payload.size());
  put_mac(f, header.dst);
  put_mac(f, header.src);
  for (size_t i = 0; i < header.vlans.size(); ++i) {
    bool service_tag = header.vlans.size() > 1 && i == 0;
    put16(f, service_tag ? ethertype::QinQ : ethertype::Vlan);
    put16(f, header.vlans[i] & 0x0fff);
  }
  put16(f, ether_type);
  put(f, payload);
  if (f.size() < 60) f.resize(60);  // short frames are padded to the Ethernet minimum (FCS not captured)
  return f;
}

Frame arp(uint16_t operation, const MacAddr& sender_mac, const IpAddr& sender_ip, const MacAddr& target_mac,
          const IpAddr& target_ip) {
  Frame f;
  put16(f, 1);  // Ethernet
  put16(f, ethertype::Ipv4);
  put8(f, 6);
  put8(f, 4);
  put16(f, operation);
  put_mac(f, sender_mac);
  put_v4(f, sender_ip);
  put_mac(f, target_mac);
  put_v4(f, target_ip);
  return f;
}

Frame ipv4(const IpAddr& src, const IpAddr& dst, uint8_t protocol, Bytes payload, const Ipv4Fields& fields) {
  Frame f;
  f.reserve(20 + payload.size());
  put8(f, 0x45);
  put8(f, 0);
  put16(f, static_cast<uint16_t>(20 + payload.size()));
  put16(f, fields.id);
  uint16_t flags_offset = static_cast<uint16_t>(fields.fragment_offset / 8);
  if (fields.dont_fragment) flags_offset |= 0x4000;
  if (fields.more_fragments) flags_offset |= 0x2000;
  put16(f, flags_offset);
  put8(f, fields.ttl);
  put8(f, protocol);
  put16(f, 0);
  put_v4(f, src);
  put_v4(f, dst);
  set16(f, 10, internet_checksum(Bytes(f)));
  put(f, payload);
  return f;
}

Frame ipv6(const IpAddr& src, const IpAddr& dst, uint8_t next_header, Bytes payload, uint8_t hop_limit) {
  Frame f;
  f.reserve(40 + payload.size());
  put32(f, 0x60000000);
  put16(f, static_cast<uint16_t>(payload.size()));
  put8(f, next_header);
  put8(f, hop_limit);
  put_v6(f, src);
  put_v6(f, dst);
  put(f, payload);
  return f;
}

Frame ip_packet(const IpAddr& src, const IpAddr& dst, uint8_t protocol, Bytes payload, uint8_t ttl) {
  if (src.is_v4()) {
    Ipv4Fields fields;
    fields.ttl = ttl;
    return ipv4(src, dst, protocol, payload, fields);
  }
  return ipv6(src, dst, protocol, payload, ttl);
}

std::vector<Frame> ipv4_fragments(const IpAddr& src, const IpAddr& dst, uint8_t protocol, Bytes payload,
                                  size_t max_fragment_payload, uint16_t id, uint8_t ttl) {
  size_t step = std::max<size_t>(8, max_fragment_payload / 8 * 8);
  std::vector<Frame> out;
  for (size_t offset = 0; offset < payload.size(); offset += step) {
    size_t n = std::min(step, payload.size() - offset);
    Ipv4Fields fields{.ttl = ttl, .id = id, .dont_fragment = false,
                      .fragment_offset = static_cast<uint16_t>(offset),
                      .more_fragments = offset + n < payload.size()};
    out.push_back(ipv4(src, dst, protocol, payload.subspan(offset, n), fields));
  }
  return out;
}

std::vector<Frame> ipv6_fragments(const IpAddr& src, const IpAddr& dst, uint8_t next_header, Bytes payload,
                                  size_t max_fragment_payload, uint32_t id, uint8_t hop_limit) {
  size_t step = std::max<size_t>(8, max_fragment_payload / 8 * 8);
  std::vector<Frame> out;
  for (size_t offset = 0; offset < payload.size(); offset += step) {
    size_t n = std::min(step, payload.size() - offset);
    Frame fragment;
    put8(fragment, next_header);
    put8(fragment, 0);
    bool more = offset + n < payload.size();
    put16(fragment, static_cast<uint16_t>(offset | (more ? 1 : 0)));  // offset is a multiple of 8
    put32(fragment, id);
    put(fragment, payload.subspan(offset, n));
    out.push_back(ipv6(src, dst, ip_proto::Ipv6Fragment, fragment, hop_limit));
  }
  return out;
}

Frame tcp(const IpAddr& src, const IpAddr& dst, const TcpFields& fields, Bytes payload) {
  size_t header_len = fields.mss ? 24 : 20;
  Frame f;
  f.reserve(header_len + payload.size());
  put16(f, fields.src_port);
  put16(f, fields.dst_port);
  put32(f, fields.seq);
  put32(f, fields.ack);
  put8(f, static_cast<uint8_t>(header_len / 4 << 4));
  put8(f, fields.flags);
  put16(f, fields.window);
  put16(f, 0);
  put16(f, 0);
  if (fields.mss) {
    put8(f, 2);  // MSS option
    put8(f, 4);
    put16(f, *fields.mss);
  }
  put(f, payload);
  set16(f, 16, pseudo_header_checksum(src, dst, ip_proto::Tcp, Bytes(f)));
  return f;
}

Frame udp(const IpAddr& src, const IpAddr& dst, uint16_t src_port, uint16_t dst_port, Bytes payload) {
  Frame f;
  f.reserve(8 + payload.size());
  put16(f, src_port);
  put16(f, dst_port);
  put16(f, static_cast<uint16_t>(8 + payload.size()));
  put16(f, 0);
  put(f, payload);
  uint16_t sum = pseudo_header_checksum(src, dst, ip_proto::Udp, Bytes(f));
  set16(f, 6, sum == 0 ? 0xffff : sum);  // 0 would mean "no checksum"
  return f;
}

Frame icmp_echo(bool request, uint16_t id, uint16_t sequence, Bytes data) {
  Frame f;
  put8(f, request ? 8 : 0);
  put8(f, 0);
  put16(f, 0);
  put16(f, id);
  put16(f, sequence);
  put(f, data);
  set16(f, 2, internet_checksum(Bytes(f)));
  return f;
}

Frame icmpv6_echo(const IpAddr& src, const IpAddr& dst, bool request, uint16_t id, uint16_t sequence, Bytes data) {
  Frame f;
  put8(f, request ? 128 : 129);
  put8(f, 0);
  put16(f, 0);
  put16(f, id);
  put16(f, sequence);
  put(f, data);
  set16(f, 2, pseudo_header_checksum(src, dst, ip_proto::Icmpv6, Bytes(f)));
  return f;
}

Frame icmpv6_neighbor(const IpAddr& src, const IpAddr& dst, bool advertisement, const IpAddr& target,
                      const MacAddr& link_address) {
  Frame f;
  put8(f, advertisement ? 136 : 135);
  put8(f, 0);
  put16(f, 0);
  put32(f, advertisement ? 0x60000000 : 0);  // solicited + override
  put_v6(f, target);
  put8(f, advertisement ? 2 : 1);  // target / source link-layer address option
  put8(f, 1);                      // length in units of 8 bytes
  put_mac(f, link_address);
  set16(f, 2, pseudo_header_checksum(src, dst, ip_proto::Icmpv6, Bytes(f)));
  return f;
}

IpAddr solicited_node_multicast(const IpAddr& target) {
  IpAddr group = ip("ff02::1:ff00:0");
  std::copy(target.bytes.begin() + 13, target.bytes.end(), group.bytes.begin() + 13);
  return group;
}

MacAddr ipv6_multicast_mac(const IpAddr& group) {
  MacAddr m;
  m.bytes = {0x33, 0x33, group.bytes[12], group.bytes[13], group.bytes[14], group.bytes[15]};
  return m;
}

MacAddr ipv4_multicast_mac(const IpAddr& group) {
  MacAddr m;
  m.bytes = {0x01, 0x00, 0x5e, static_cast<uint8_t>(group.bytes[13] & 0x7f), group.bytes[14], group.bytes[15]};
  return m;
}

Frame gre(uint16_t protocol, Bytes payload, std::optional<uint32_t> sequence) {
  Frame f;
  put16(f, sequence ? 0x1000 : 0);  // S bit, version 0
  put16(f, protocol);
  if (sequence) put32(f, *sequence);
  put(f, payload);
  return f;
}

Frame erspan_type2(uint16_t session_id, uint16_t vlan, uint32_t index, Bytes inner_frame) {
  Frame f;
  put16(f, static_cast<uint16_t>(1 << 12 | (vlan & 0x0fff)));  // version 1 = type II
  put16(f, static_cast<uint16_t>(session_id & 0x03ff));          // COS 0, En 0, T 0
  put32(f, index & 0x000fffff);
  put(f, inner_frame);
  return f;
}

Frame erspan_type3(uint16_t session_id, uint16_t vlan, uint32_t timestamp, Bytes inner_frame) {
  Frame f;
  put16(f, static_cast<uint16_t>(2 << 12 | (vlan & 0x0fff)));  // version 2 = type III
  put16(f, static_cast<uint16_t>(session_id & 0x03ff));
  put32(f, timestamp);
  put16(f, 0);  // SGT
  put16(f, 0);  // P 0, FT 0 (Ethernet frame), HW id 0, D 0, Gra 0, O 0: no platform sub-header
  put(f, inner_frame);
  return f;
}

Frame vxlan(uint32_t vni, Bytes inner_frame) {
  Frame f;
  put32(f, 0x08000000);  // I flag: VNI valid
  put32(f, vni << 8);
  put(f, inner_frame);
  return f;
}

Frame linux_sll(uint16_t packet_type, const MacAddr& address, uint16_t protocol, Bytes payload) {
  Frame f;
  put16(f, packet_type);
  put16(f, 1);  // ARPHRD_ETHER
  put16(f, 6);
  put_mac(f, address);
  put16(f, 0);  // address field is 8 bytes
  put16(f, protocol);
  put(f, payload);
  return f;
}

Frame linux_sll2(uint16_t packet_type, uint32_t interface_index, const MacAddr& address, uint16_t protocol,
                 Bytes payload) {
  Frame f;
  put16(f, protocol);
  put16(f, 0);
  put32(f, interface_index);
  put16(f, 1);  // ARPHRD_ETHER
  put8(f, static_cast<uint8_t>(packet_type));
  put8(f, 6);
  put_mac(f, address);
  put16(f, 0);
  put(f, payload);
  return f;
}

Frame bsd_null(uint32_t address_family, Bytes payload) {
  Frame f;
  put_le32(f, address_family);
  put(f, payload);
  return f;
}

}  // namespace ots::pcapgen
