// What the L2–L4 decoder learns from one frame. Views point into the frame
// (or into the reassembler's buffer for a reassembled IP datagram) and are
// valid until the next decode call.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/net_types.h"

namespace ots {

enum class DecodeAnomaly : uint8_t {
  None = 0,
  TruncatedLink,        // link header shorter than its fixed size
  UnsupportedLinkType,
  TruncatedVlan,
  TooManyVlanTags,      // more than two tags
  TruncatedArp,
  Ipv4BadVersion,
  Ipv4BadHeaderLength,
  Ipv4BadTotalLength,
  Ipv4BadChecksum,
  Ipv4FragmentOverlap,
  Ipv4FragmentTooLarge,
  Ipv6Truncated,
  Ipv6BadExtensionHeader,
  TruncatedTcp,
  TcpBadDataOffset,
  TruncatedUdp,
  UdpBadLength,
  TruncatedIcmp,
  TruncatedGre,
  UnsupportedGre,
  TruncatedErspan,
  TunnelTooDeep,
  kCount
};

const char* anomaly_name(DecodeAnomaly a);  // stable names, e.g. "decode.ipv4_bad_checksum"

enum class IpProto : uint8_t { Icmp = 1, Tcp = 6, Udp = 17, Gre = 47, Icmpv6 = 58, Other = 255 };

namespace tcp_flag {
constexpr uint8_t Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10, Urg = 0x20;
}

struct ArpInfo {
  uint16_t operation = 0;  // 1 request, 2 reply
  MacAddr sender_mac, target_mac;
  IpAddr sender_ip, target_ip;
};

struct DecodedPacket {
  int64_t ts_ns = 0;
  uint32_t wire_len = 0;

  // Innermost Ethernet header (after ERSPAN/GRE-TEB decapsulation).
  // Linux cooked captures (SLL/SLL2) have no Ethernet header: has_ethernet stays false, but
  // src_mac is the sender's link-layer address when it is 6 bytes long (dst_mac stays zero).
  bool has_ethernet = false;
  // 802.3 length frame: l3_payload starts with the LLC header (after the length field, padding
  // trimmed) and ethertype is the SNAP protocol id when there is a SNAP header (CDP 0x2000), else 0.
  bool llc = false;
  MacAddr src_mac, dst_mac;
  uint8_t vlan_count = 0;
  std::array<uint16_t, 2> vlans{};  // outer first; vlan id only (12 bits)
  uint16_t ethertype = 0;           // after VLAN tags; 0 for link types without one

  bool has_arp = false;
  ArpInfo arp;

  uint8_t ip_version = 0;  // 0: no IP layer
  IpAddr src_ip, dst_ip;
  uint8_t ip_proto = 0;    // raw protocol number (IpProto values for the common ones)
  uint8_t ttl = 0;         // IPv4 TTL or IPv6 hop limit
  // This datagram was rebuilt from fragments: payload points into the decoder's buffer, the L2
  // fields and TTL are those of the fragment at offset 0, ts_ns is the completing fragment's
  // time and wire_len the sum of the fragments' wire lengths.
  bool reassembled = false;
  uint16_t frames = 1;       // frames this packet stands for (the fragments of a reassembled datagram)
  Bytes ip_packet;           // the datagram from its IP header on; empty when reassembled (not contiguous)
  bool is_fragment = false;  // a fragment that could not be (yet) reassembled: no L4 below

  uint16_t src_port = 0, dst_port = 0;  // TCP/UDP
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0, tcp_ack = 0;
  uint16_t tcp_window = 0;
  uint8_t icmp_type = 0, icmp_code = 0;

  uint8_t tunnel_depth = 0;  // GRE / ERSPAN / VXLAN layers removed; the outer headers are forgotten

  Bytes l3_payload;  // for non-IP ethertypes (LLDP, Profinet, GOOSE …): bytes after the ethertype
                     // (Ethernet padding included, except for 802.3 length frames)
  Bytes payload;     // TCP/UDP payload (or ICMP body)

  // First problem met; decoding stops there, except for Ipv4BadChecksum and Ipv4FragmentOverlap
  // which are recorded while decoding continues (a later fatal anomaly replaces them).
  // The Ipv4* version/fragment anomalies are also used for IPv6 (version nibble, fragments).
  DecodeAnomaly anomaly = DecodeAnomaly::None;
};

}  // namespace ots
