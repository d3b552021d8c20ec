// Private to dissectors/decode: the header walk shared by PacketDecoder and
// symmetric_dispatch_hash. Each layer is a small stateless parser; walk_frame()
// chains them (link → VLAN → ARP/IP → L4 → tunnel → inner frame …) and reports
// every layer to a visitor, so the decoder and the dispatch hash follow exactly
// the same path through a frame. A visitor provides:
//   void l2(const L2Header&);        once per link/Ethernet layer (the innermost one is reported last)
//   void arp(const ArpInfo&);
//   void ip(IpHeader&);              may rebuild a fragment: set payload and clear is_fragment
//   void transport(const TransportHeader&);
//   void tunnel(uint8_t depth);      about to decode the packet inside a tunnel
//   void anomaly(DecodeAnomaly);     the walk stops right after
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/net_types.h"
#include "core/packet.h"
#include "dissectors/decode/decoded_packet.h"

namespace ots::decode_detail {

namespace ethertype {
constexpr uint16_t Ipv4 = 0x0800, Arp = 0x0806, Ipv6 = 0x86DD;
constexpr uint16_t Vlan = 0x8100, QinQ = 0x88A8, VlanLegacyQinQ = 0x9100;
constexpr uint16_t TransparentBridging = 0x6558, ErspanI_II = 0x88BE, ErspanIII = 0x22EB;
constexpr uint16_t MinEthertype = 0x0600;  // smaller values are 802.3 length fields
}  // namespace ethertype

constexpr uint16_t kVxlanPort = 4789;
constexpr uint8_t kMaxTunnelDepth = 4;
constexpr int kMaxIpv6ExtensionHeaders = 8;

// The link layer as decoded: real Ethernet, or what a Linux cooked / loopback header tells.
struct L2Header {
  bool has_ethernet = false;
  bool llc = false;  // 802.3 length frame (or SLL LLC): payload starts with the LLC header
  MacAddr src_mac, dst_mac;
  uint8_t vlan_count = 0;
  std::array<uint16_t, 2> vlans{};
  uint16_t ethertype = 0;
  Bytes payload;  // bytes after the ethertype (after the 802.3 length for LLC frames)
};

struct IpHeader {
  uint8_t version = 0;
  IpAddr src, dst;
  uint8_t proto = 0;  // upper-layer protocol (for a fragment: the one named by its fragment header)
  uint8_t ttl = 0;
  Bytes ipv4_header;  // for the checksum
  Bytes packet;       // the whole datagram from its IP header on (as captured)
  Bytes payload;      // trimmed to the datagram length, or what was captured when snapped
  bool is_fragment = false;
  bool more_fragments = false;
  uint32_t fragment_offset = 0;  // bytes
  uint32_t fragment_id = 0;
  bool reassembled = false;  // set by the visitor when it replaced payload with a rebuilt datagram
  // IPv6: a fragment header was met; after reassembly the header chain continues in the payload.
  bool fragment_header_seen = false;
  int extension_headers = 0;
};

struct TransportHeader {
  uint8_t proto = 0;
  uint16_t src_port = 0, dst_port = 0;
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0, tcp_ack = 0;
  uint16_t tcp_window = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  Bytes payload;
};

// Which parser takes the bytes next.
enum class Next : uint8_t { Done, Ethernet, Arp, Ipv4, Ipv6 };

struct Step {
  Next next = Next::Done;
  Bytes bytes;
  DecodeAnomaly anomaly = DecodeAnomaly::None;
};

inline Step fail(DecodeAnomaly a) { return {Next::Done, {}, a}; }

inline Next next_for_ethertype(uint16_t type) {
  switch (type) {
    case ethertype::Ipv4: return Next::Ipv4;
    case ethertype::Ipv6: return Next::Ipv6;
    case ethertype::Arp: return Next::Arp;
    default: return Next::Done;
  }
}

// LLC payload: with a SNAP header (AA AA 03 + OUI + protocol id) the protocol id
// becomes the ethertype (CDP 0x2000, PVST+ 0x010b …); the LLC header stays in payload.
inline void set_llc_payload(Bytes llc, L2Header& l2) {
  l2.llc = true;
  l2.payload = llc;
  if (llc.size() >= 8 && llc[0] == 0xAA && llc[1] == 0xAA && llc[2] == 0x03)
    l2.ethertype = static_cast<uint16_t>(llc[6] << 8 | llc[7]);
}

// Everything after a link header's protocol field: VLAN tags, then an ethertype or 802.3 length.
inline Step parse_ethertype(ByteReader& r, uint16_t type, bool length_field_allowed, L2Header& l2) {
  while (type == ethertype::Vlan || type == ethertype::QinQ || type == ethertype::VlanLegacyQinQ) {
    if (l2.vlan_count == l2.vlans.size()) {
      l2.ethertype = type;  // the third tag's TPID: decoding stops here
      return fail(DecodeAnomaly::TooManyVlanTags);
    }
    uint16_t tci = r.be16();
    uint16_t inner = r.be16();
    if (!r.ok()) return fail(DecodeAnomaly::TruncatedVlan);
    l2.vlans[l2.vlan_count++] = tci & 0x0fff;
    type = inner;
  }
  if (type < ethertype::MinEthertype) {
    l2.ethertype = 0;
    if (length_field_allowed) {
      Bytes rest = r.rest();
      set_llc_payload(rest.first(std::min<size_t>(type, rest.size())), l2);  // drops Ethernet padding
    } else {
      l2.payload = r.rest();
    }
    return {};
  }
  l2.ethertype = type;
  l2.payload = r.rest();
  return {next_for_ethertype(type), l2.payload};
}

inline Step parse_ethernet(Bytes frame, L2Header& l2) {
  ByteReader r(frame);
  Bytes macs = r.bytes(12);
  uint16_t type = r.be16();
  if (!r.ok()) return fail(DecodeAnomaly::TruncatedLink);
  l2.has_ethernet = true;
  l2.dst_mac = MacAddr::from(macs.data());
  l2.src_mac = MacAddr::from(macs.data() + 6);
  return parse_ethertype(r, type, true, l2);
}

// Linux cooked capture: the link-layer address is the sender's; with 6 bytes it is its MAC.
inline Step parse_sll_protocol(ByteReader& r, uint16_t halen, Bytes address, uint16_t protocol,
                               L2Header& l2) {
  if (!r.ok()) return fail(DecodeAnomaly::TruncatedLink);
  if (halen == 6) l2.src_mac = MacAddr::from(address.data());
  constexpr uint16_t kSllLlc = 0x0004;  // payload is an 802.2 LLC frame
  if (protocol == kSllLlc) {
    set_llc_payload(r.rest(), l2);
    return {};
  }
  return parse_ethertype(r, protocol, false, l2);
}

inline Step parse_ip_by_version(Bytes data) {
  if (data.empty()) return fail(DecodeAnomaly::TruncatedLink);
  switch (data[0] >> 4) {
    case 4: return {Next::Ipv4, data};
    case 6: return {Next::Ipv6, data};
    default: return fail(DecodeAnomaly::Ipv4BadVersion);
  }
}

inline Step ip_for_address_family(uint32_t family, Bytes rest, L2Header& l2) {
  switch (family) {
    case 2: return {Next::Ipv4, rest};  // AF_INET everywhere
    case 24:                            // AF_INET6 on NetBSD/OpenBSD
    case 28:                            // FreeBSD
    case 30:                            // macOS
      return {Next::Ipv6, rest};
    default:
      l2.payload = rest;  // not IP: nothing more to decode
      return {};
  }
}

// The link header of a captured frame; for Ethernet the walk continues with parse_ethernet.
inline Step parse_link(LinkType link, Bytes frame, L2Header& l2) {
  ByteReader r(frame);
  switch (link) {
    case LinkType::Ethernet: return {Next::Ethernet, frame};
    case LinkType::Raw: return parse_ip_by_version(frame);
    case LinkType::Ipv4: return {Next::Ipv4, frame};
    case LinkType::Ipv6: return {Next::Ipv6, frame};
    case LinkType::Null: {
      // Host byte order of the capturing machine, which may not be ours: families are small numbers.
      uint32_t family = r.le32();
      if (!r.ok()) return fail(DecodeAnomaly::TruncatedLink);
      if (family > 0xffff) family = __builtin_bswap32(family);
      return ip_for_address_family(family, r.rest(), l2);
    }
    case LinkType::Loop: {
      uint32_t family = r.be32();
      if (!r.ok()) return fail(DecodeAnomaly::TruncatedLink);
      return ip_for_address_family(family, r.rest(), l2);
    }
    case LinkType::LinuxSll: {
      r.skip(4);  // packet type, ARPHRD type
      uint16_t halen = r.be16();
      Bytes address = r.bytes(8);
      uint16_t protocol = r.be16();
      return parse_sll_protocol(r, halen, address, protocol, l2);
    }
    case LinkType::LinuxSll2: {
      uint16_t protocol = r.be16();
      r.skip(2 + 4 + 2 + 1);  // reserved, interface index, ARPHRD type, packet type
      uint8_t halen = r.u8();
      Bytes address = r.bytes(8);
      return parse_sll_protocol(r, halen, address, protocol, l2);
    }
  }
  return fail(DecodeAnomaly::UnsupportedLinkType);
}

// Ethernet/IPv4 ARP only; other hardware/protocol types are left undecoded without an anomaly.
inline DecodeAnomaly parse_arp(Bytes data, ArpInfo& arp, bool& decoded) {
  ByteReader r(data);
  uint16_t hardware = r.be16();
  uint16_t protocol = r.be16();
  uint8_t hardware_len = r.u8();
  uint8_t protocol_len = r.u8();
  arp.operation = r.be16();
  if (!r.ok()) return DecodeAnomaly::TruncatedArp;
  decoded = false;
  if (hardware != 1 || protocol != ethertype::Ipv4 || hardware_len != 6 || protocol_len != 4)
    return DecodeAnomaly::None;
  Bytes sender_mac = r.bytes(6), sender_ip = r.bytes(4), target_mac = r.bytes(6), target_ip = r.bytes(4);
  if (!r.ok()) return DecodeAnomaly::TruncatedArp;
  arp.sender_mac = MacAddr::from(sender_mac.data());
  arp.sender_ip = IpAddr::v4(sender_ip.data());
  arp.target_mac = MacAddr::from(target_mac.data());
  arp.target_ip = IpAddr::v4(target_ip.data());
  decoded = true;
  return DecodeAnomaly::None;
}

// `snapped`: the frame was cut by the capture's snaplen, so lengths larger than
// what was captured are expected rather than malformed.
inline DecodeAnomaly parse_ipv4(Bytes data, bool snapped, IpHeader& ip) {
  ByteReader r(data);
  uint8_t version_ihl = r.u8();
  if (!r.ok()) return DecodeAnomaly::Ipv4BadHeaderLength;
  if (version_ihl >> 4 != 4) return DecodeAnomaly::Ipv4BadVersion;
  size_t header_len = size_t{version_ihl & 0x0fu} * 4;
  if (header_len < 20 || header_len > data.size()) return DecodeAnomaly::Ipv4BadHeaderLength;
  r.skip(1);  // DSCP/ECN
  size_t total_len = r.be16();
  uint16_t id = r.be16();
  uint16_t flags_offset = r.be16();
  ip.ttl = r.u8();
  ip.proto = r.u8();
  r.skip(2);  // checksum: verified by the decoder only
  Bytes src = r.bytes(4), dst = r.bytes(4);
  if (total_len < header_len || (total_len > data.size() && !snapped))
    return DecodeAnomaly::Ipv4BadTotalLength;
  ip.version = 4;
  ip.src = IpAddr::v4(src.data());
  ip.dst = IpAddr::v4(dst.data());
  ip.ipv4_header = data.first(header_len);
  ip.payload = data.subspan(header_len, std::min(total_len, data.size()) - header_len);
  ip.packet = data.first(header_len + ip.payload.size());
  ip.more_fragments = flags_offset & 0x2000;
  ip.fragment_offset = uint32_t{flags_offset & 0x1fffu} * 8;
  ip.fragment_id = id;
  ip.is_fragment = ip.more_fragments || ip.fragment_offset != 0;
  return DecodeAnomaly::None;
}

// Walks IPv6 extension headers from ip.proto over ip.payload until an upper-layer
// protocol or a (real) fragment header; the count limit guarantees progress.
inline DecodeAnomaly walk_ipv6_extensions(IpHeader& ip, bool snapped) {
  enum : uint8_t { HopByHop = 0, Routing = 43, Fragment = 44, Ah = 51, DestinationOptions = 60 };
  const DecodeAnomaly truncated =
      snapped ? DecodeAnomaly::Ipv6Truncated : DecodeAnomaly::Ipv6BadExtensionHeader;
  ByteReader r(ip.payload);
  uint8_t next = ip.proto;
  for (;;) {
    switch (next) {
      case HopByHop:
      case Routing:
      case DestinationOptions:
      case Ah: {
        if (++ip.extension_headers > kMaxIpv6ExtensionHeaders) return DecodeAnomaly::Ipv6BadExtensionHeader;
        size_t len_field = r.peek_u8(1);
        size_t size = next == Ah ? (len_field + 2) * 4 : (len_field + 1) * 8;
        if (!r.has(size)) return truncated;
        next = r.u8();
        r.skip(size - 1);
        break;
      }
      case Fragment: {
        if (++ip.extension_headers > kMaxIpv6ExtensionHeaders || ip.fragment_header_seen)
          return DecodeAnomaly::Ipv6BadExtensionHeader;
        uint8_t fragment_next = r.u8();
        r.skip(1);
        uint16_t offset_flags = r.be16();
        uint32_t id = r.be32();
        if (!r.ok()) return truncated;
        ip.fragment_header_seen = true;
        next = fragment_next;
        uint32_t offset = offset_flags & 0xfff8u;
        bool more = offset_flags & 1;
        if (offset == 0 && !more) break;  // atomic fragment (RFC 6946): the chain goes on
        ip.is_fragment = true;
        ip.more_fragments = more;
        ip.fragment_offset = offset;
        ip.fragment_id = id;
        ip.proto = fragment_next;
        ip.payload = r.rest();
        return DecodeAnomaly::None;
      }
      default:  // upper layer, ESP, or No Next Header (59)
        ip.proto = next;
        ip.payload = r.rest();
        return DecodeAnomaly::None;
    }
  }
}

inline DecodeAnomaly parse_ipv6(Bytes data, bool snapped, IpHeader& ip) {
  ByteReader r(data);
  uint8_t first = r.peek_u8();
  if (!data.empty() && first >> 4 != 6) return DecodeAnomaly::Ipv4BadVersion;
  r.skip(4);  // version, traffic class, flow label
  size_t payload_len = r.be16();
  ip.proto = r.u8();
  ip.ttl = r.u8();
  Bytes src = r.bytes(16), dst = r.bytes(16);
  if (!r.ok()) return DecodeAnomaly::Ipv6Truncated;
  Bytes rest = r.rest();
  if (payload_len > rest.size() && !snapped) return DecodeAnomaly::Ipv6Truncated;
  ip.version = 6;
  ip.src = IpAddr::v6(src.data());
  ip.dst = IpAddr::v6(dst.data());
  // A zero payload length is a jumbogram (or a segmentation-offloaded frame): take what is there.
  ip.payload = payload_len == 0 ? rest : rest.first(std::min(payload_len, rest.size()));
  ip.packet = data.first(40 + ip.payload.size());
  return walk_ipv6_extensions(ip, snapped);
}

inline DecodeAnomaly parse_transport(uint8_t proto, Bytes data, bool snapped, TransportHeader& t) {
  ByteReader r(data);
  t.proto = proto;
  switch (static_cast<IpProto>(proto)) {
    case IpProto::Tcp: {
      t.src_port = r.be16();
      t.dst_port = r.be16();
      t.tcp_seq = r.be32();
      t.tcp_ack = r.be32();
      uint16_t offset_flags = r.be16();
      t.tcp_window = r.be16();
      if (!r.has(4)) return DecodeAnomaly::TruncatedTcp;  // checksum, urgent pointer
      size_t header_len = size_t{offset_flags} >> 12 << 2;
      t.tcp_flags = static_cast<uint8_t>(offset_flags);
      if (header_len < 20) return DecodeAnomaly::TcpBadDataOffset;
      if (header_len > data.size())
        return snapped ? DecodeAnomaly::TruncatedTcp : DecodeAnomaly::TcpBadDataOffset;
      t.payload = data.subspan(header_len);
      return DecodeAnomaly::None;
    }
    case IpProto::Udp: {
      t.src_port = r.be16();
      t.dst_port = r.be16();
      size_t length = r.be16();
      r.skip(2);
      if (!r.ok()) return DecodeAnomaly::TruncatedUdp;
      if (length < 8 || (length > data.size() && !snapped)) return DecodeAnomaly::UdpBadLength;
      t.payload = data.subspan(8, std::min(length, data.size()) - 8);
      return DecodeAnomaly::None;
    }
    case IpProto::Icmp:
    case IpProto::Icmpv6: {
      t.icmp_type = r.u8();
      t.icmp_code = r.u8();
      r.skip(2);  // checksum
      if (!r.ok()) return DecodeAnomaly::TruncatedIcmp;
      t.payload = r.rest();
      return DecodeAnomaly::None;
    }
    default: t.payload = data; return DecodeAnomaly::None;
  }
}

// GRE version 0 (RFC 2784/2890) and the ERSPAN variants carried in it.
inline Step parse_gre(Bytes data) {
  constexpr uint16_t kChecksum = 0x8000, kRouting = 0x4000, kKey = 0x2000, kSequence = 0x1000,
                     kVersion = 0x0007;
  ByteReader r(data);
  uint16_t flags = r.be16();
  uint16_t protocol = r.be16();
  if (!r.ok()) return fail(DecodeAnomaly::TruncatedGre);
  if ((flags & kVersion) != 0 || (flags & kRouting)) return fail(DecodeAnomaly::UnsupportedGre);
  if (flags & kChecksum) r.skip(4);  // checksum + reserved
  if (flags & kKey) r.skip(4);
  if (flags & kSequence) r.skip(4);
  if (!r.ok()) return fail(DecodeAnomaly::TruncatedGre);
  switch (protocol) {
    case ethertype::Ipv4: return {Next::Ipv4, r.rest()};
    case ethertype::Ipv6: return {Next::Ipv6, r.rest()};
    case ethertype::TransparentBridging: return {Next::Ethernet, r.rest()};
    case ethertype::ErspanI_II:
      // Type II carries a sequence number and an 8-byte ERSPAN header; type I has neither.
      if (flags & kSequence) {
        r.skip(8);
        if (!r.ok()) return fail(DecodeAnomaly::TruncatedErspan);
      }
      return {Next::Ethernet, r.rest()};
    case ethertype::ErspanIII: {
      Bytes header = r.bytes(12);
      if (!r.ok()) return fail(DecodeAnomaly::TruncatedErspan);
      if (header[11] & 1) r.skip(8);  // O flag: platform-specific subheader follows
      if (!r.ok()) return fail(DecodeAnomaly::TruncatedErspan);
      return {Next::Ethernet, r.rest()};
    }
    default: return fail(DecodeAnomaly::UnsupportedGre);
  }
}

// The packet inside a transport payload, if it is a tunnel we decapsulate.
inline Step tunnel_inside(const TransportHeader& t) {
  if (t.proto == static_cast<uint8_t>(IpProto::Gre)) return parse_gre(t.payload);
  constexpr uint8_t kVxlanValidVni = 0x08;  // the I flag; without it this is not VXLAN
  if (t.proto == static_cast<uint8_t>(IpProto::Udp) && t.dst_port == kVxlanPort && t.payload.size() >= 8 &&
      (t.payload[0] & kVxlanValidVni))
    return {Next::Ethernet, t.payload.subspan(8)};
  return {};
}

template <typename Visitor>
void walk_frame(LinkType link, Bytes frame, bool snapped, Visitor& v) {
  L2Header link_l2;
  Step step = parse_link(link, frame, link_l2);
  if (link != LinkType::Ethernet) v.l2(link_l2);
  uint8_t depth = 0;
  // Each pass decodes one layer and moves inwards; only a tunnel goes back to an
  // outer kind of layer, and tunnels are limited to kMaxTunnelDepth.
  for (;;) {
    if (step.anomaly != DecodeAnomaly::None) {
      v.anomaly(step.anomaly);
      return;
    }
    switch (step.next) {
      case Next::Done: return;
      case Next::Ethernet: {
        L2Header l2;
        step = parse_ethernet(step.bytes, l2);
        v.l2(l2);
        break;
      }
      case Next::Arp: {
        ArpInfo arp;
        bool decoded = false;
        DecodeAnomaly a = parse_arp(step.bytes, arp, decoded);
        if (decoded) v.arp(arp);
        step = fail(a);
        break;
      }
      case Next::Ipv4:
      case Next::Ipv6: {
        IpHeader ip;
        DecodeAnomaly a = step.next == Next::Ipv4 ? parse_ipv4(step.bytes, snapped, ip)
                                                  : parse_ipv6(step.bytes, snapped, ip);
        if (a == DecodeAnomaly::None) {
          v.ip(ip);
          if (ip.is_fragment) return;  // held or dropped by the visitor: nothing below to decode
          if (ip.reassembled) {
            snapped = false;  // a rebuilt datagram is complete
            if (ip.fragment_header_seen) a = walk_ipv6_extensions(ip, snapped);
          }
        }
        if (a != DecodeAnomaly::None) {
          step = fail(a);
          break;
        }
        TransportHeader t;
        a = parse_transport(ip.proto, ip.payload, snapped, t);
        if (a != DecodeAnomaly::None) {
          step = fail(a);
          break;
        }
        v.transport(t);
        step = tunnel_inside(t);
        if (step.next != Next::Done) {
          if (depth == kMaxTunnelDepth) {
            step = fail(DecodeAnomaly::TunnelTooDeep);
            break;
          }
          v.tunnel(++depth);
        }
        break;
      }
    }
  }
}

}  // namespace ots::decode_detail
