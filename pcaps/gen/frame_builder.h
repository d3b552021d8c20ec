// Builders for synthetic frames: every header the sensor decodes, with correct
// lengths and checksums, so generated captures look like real wire traffic.
// Each function returns the bytes of one layer (header + payload); callers nest
// them inside out: ethernet(..., ipv4(..., tcp(..., payload))).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/net_types.h"

namespace ots::pcapgen {

using Frame = std::vector<uint8_t>;

namespace ethertype {
constexpr uint16_t Ipv4 = 0x0800, Arp = 0x0806, Vlan = 0x8100, QinQ = 0x88a8, Ipv6 = 0x86dd;
constexpr uint16_t TransparentEthernet = 0x6558, ErspanII = 0x88be, ErspanIII = 0x22eb;
}  // namespace ethertype

namespace ip_proto {
constexpr uint8_t Icmp = 1, Tcp = 6, Udp = 17, Gre = 47, Icmpv6 = 58, Ipv6Fragment = 44;
}

MacAddr mac(const char* text);  // aborts on a malformed literal: scenarios are code, not input
IpAddr ip(const char* text);

// Ethernet II. `vlans` are outer first: one tag is 802.1Q (0x8100); with two,
// the outer is an 802.1ad S-tag (0x88a8) and the inner an 802.1Q C-tag. Frames
// shorter than 60 bytes are zero-padded, as a receiving NIC captures them.
struct EthernetHeader {
  MacAddr src, dst;
  std::vector<uint16_t> vlans;
};
Frame ethernet(const EthernetHeader& header, uint16_t ether_type, Bytes payload);

// ARP for IPv4 over Ethernet; operation 1 = request, 2 = reply.
Frame arp(uint16_t operation, const MacAddr& sender_mac, const IpAddr& sender_ip, const MacAddr& target_mac,
          const IpAddr& target_ip);

struct Ipv4Fields {
  uint8_t ttl = 64;
  uint16_t id = 0;
  bool dont_fragment = true;
  uint16_t fragment_offset = 0;  // in bytes; a multiple of 8
  bool more_fragments = false;
};
Frame ipv4(const IpAddr& src, const IpAddr& dst, uint8_t protocol, Bytes payload, const Ipv4Fields& fields = {});
Frame ipv6(const IpAddr& src, const IpAddr& dst, uint8_t next_header, Bytes payload, uint8_t hop_limit = 64);
// IPv4 or IPv6 by the address family of `src`.
Frame ip_packet(const IpAddr& src, const IpAddr& dst, uint8_t protocol, Bytes payload, uint8_t ttl = 64);

// Splits one datagram's payload (the L4 header and data) into IPv4 fragments
// carrying at most `max_fragment_payload` bytes (rounded down to a multiple of 8).
std::vector<Frame> ipv4_fragments(const IpAddr& src, const IpAddr& dst, uint8_t protocol, Bytes payload,
                                  size_t max_fragment_payload, uint16_t id, uint8_t ttl = 64);
// The same for IPv6, with a Fragment extension header in every packet.
std::vector<Frame> ipv6_fragments(const IpAddr& src, const IpAddr& dst, uint8_t next_header, Bytes payload,
                                  size_t max_fragment_payload, uint32_t id, uint8_t hop_limit = 64);

struct TcpFields {
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;  // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
  uint16_t window = 64240;
  std::optional<uint16_t> mss;  // MSS option, as SYNs carry it
};
namespace tcp_flags {
constexpr uint8_t Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10;
}
// The addresses feed the pseudo-header checksum; their family picks IPv4 or IPv6.
Frame tcp(const IpAddr& src, const IpAddr& dst, const TcpFields& fields, Bytes payload);
Frame udp(const IpAddr& src, const IpAddr& dst, uint16_t src_port, uint16_t dst_port, Bytes payload);

Frame icmp_echo(bool request, uint16_t id, uint16_t sequence, Bytes data);
Frame icmpv6_echo(const IpAddr& src, const IpAddr& dst, bool request, uint16_t id, uint16_t sequence, Bytes data);
// Neighbour solicitation (carries the source link-layer address option) or
// advertisement (solicited + override, with the target link-layer address option).
Frame icmpv6_neighbor(const IpAddr& src, const IpAddr& dst, bool advertisement, const IpAddr& target,
                      const MacAddr& link_address);
IpAddr solicited_node_multicast(const IpAddr& target);  // ff02::1:ffXX:XXXX
MacAddr ipv6_multicast_mac(const IpAddr& group);         // 33:33:xx:xx:xx:xx
MacAddr ipv4_multicast_mac(const IpAddr& group);         // 01:00:5e:xx:xx:xx

Frame gre(uint16_t protocol, Bytes payload, std::optional<uint32_t> sequence = std::nullopt);
// ERSPAN headers (to be carried in GRE with a sequence number, protocol 0x88be / 0x22eb).
Frame erspan_type2(uint16_t session_id, uint16_t vlan, uint32_t index, Bytes inner_frame);
Frame erspan_type3(uint16_t session_id, uint16_t vlan, uint32_t timestamp, Bytes inner_frame);
Frame vxlan(uint32_t vni, Bytes inner_frame);  // the UDP payload (destination port 4789)

// Link-layer headers for the non-Ethernet link types.
Frame linux_sll(uint16_t packet_type, const MacAddr& address, uint16_t protocol, Bytes payload);
Frame linux_sll2(uint16_t packet_type, uint32_t interface_index, const MacAddr& address, uint16_t protocol,
                 Bytes payload);
Frame bsd_null(uint32_t address_family, Bytes payload);  // family in little-endian host order

uint16_t internet_checksum(Bytes data);  // RFC 1071; 0 over a buffer whose checksum field is right

}  // namespace ots::pcapgen
