// A captured frame as every packet source hands it out.
#pragma once

#include <cstdint>

#include "core/bytes.h"

namespace ots {

// Values are the pcap LINKTYPE_* numbers, so file headers map directly.
enum class LinkType : uint16_t {
  Null = 0,        // BSD loopback: 4-byte host-order address family
  Ethernet = 1,
  Raw = 101,       // raw IPv4 or IPv6, version nibble decides
  Loop = 108,      // OpenBSD loopback: 4-byte network-order address family
  LinuxSll = 113,
  Ipv4 = 228,
  Ipv6 = 229,
  LinuxSll2 = 276,
};

bool is_supported_link_type(uint32_t linktype);

struct PacketView {
  int64_t ts_ns = 0;      // capture time, nanoseconds since the Unix epoch
  uint32_t wire_len = 0;  // length on the wire (may exceed data.size() when snapped)
  Bytes data;             // captured bytes; owned by the source until release()
  LinkType link = LinkType::Ethernet;
  uint16_t interface = 0;  // pcapng interface id, DPDK port, or 0
};

}  // namespace ots
