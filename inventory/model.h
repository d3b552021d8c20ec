// The inventory's records as they are persisted and served. Observation rows
// are the raw, order-independent facts folded from all workers (min first seen,
// max last seen, summed counters, unions); device rows are derived from them by
// the merge rule in inventory/inventory.h.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.h"

namespace ots {

struct TrafficCounters {
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t packets_sent = 0, bytes_sent = 0;
  uint64_t packets_received = 0, bytes_received = 0;
};

// Everything seen about one MAC address (as source or destination of frames).
struct MacObservation {
  MacAddr mac;
  TrafficCounters traffic;
  std::vector<uint16_t> vlans;  // sorted, unique; 0 = untagged
};

// Everything seen about one IP address (as source or destination of datagrams).
struct IpObservation {
  IpAddr ip;
  TrafficCounters traffic;
  std::vector<uint16_t> vlans;
};

namespace binding_source {
constexpr uint8_t IpSource = 1;   // a frame from this MAC carried this source IP
constexpr uint8_t ArpSender = 2;  // ARP sender hardware/protocol address pair
constexpr uint8_t Ndp = 4;        // IPv6 neighbour advertisement / solicitation source
}  // namespace binding_source

// "This MAC spoke with this IP address."
struct MacIpBinding {
  MacAddr mac;
  IpAddr ip;
  uint8_t sources = 0;  // binding_source bits
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t packets = 0;
};

struct ConnectionKey {
  IpAddr client, server;
  uint8_t transport = 0;  // IP protocol number
  uint16_t server_port = 0;
  auto operator<=>(const ConnectionKey&) const = default;
  bool operator==(const ConnectionKey&) const = default;
};

struct ConnectionObservation {
  ConnectionKey key;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t packets_to_server = 0, bytes_to_server = 0;
  uint64_t packets_to_client = 0, bytes_to_client = 0;
  uint64_t flows = 0;  // flow instances (5-tuples over time) folded into this row
  std::string application;  // protocol our dissectors confirmed, else nDPI's label; "" unknown
};

// An identity fact a dissector reported about one endpoint: for IP protocols
// the endpoint is its IP (the device holding that IP gets the fact), for L2
// protocols (LLDP, CDP, Profinet DCP, GOOSE) its MAC.
struct IdentityObservation {
  std::optional<IpAddr> ip;
  std::optional<MacAddr> mac;
  std::string protocol;  // "s7comm"
  std::string field;     // "orderNumber" (dissectors/dissector.h identity_field_name)
  std::string value;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t count = 0;
  std::string event;  // the message that said it last ("ListIdentity reply")
};

// Whether a sighting at `ts_ns` by `event` is later than the one kept (`kept_ts_ns`, `kept`):
// a tie keeps the greater name, so folding order never decides which event a fact shows.
inline bool is_later_event(int64_t ts_ns, std::string_view event, int64_t kept_ts_ns, std::string_view kept) {
  return ts_ns > kept_ts_ns || (ts_ns == kept_ts_ns && event > kept);
}

// "This endpoint spoke `protocol` as client or server" (a flow confirmed for it).
struct ProtocolObservation {
  std::optional<IpAddr> ip;
  std::optional<MacAddr> mac;
  std::string protocol;
  bool server = false;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t flows = 0;
};

// One command between a client and a server, counted: the communication map.
struct CommandObservation {
  IpAddr client, server;
  std::string protocol;
  uint32_t code = 0;
  std::string name;
  bool is_write = false;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t requests = 0;
  uint64_t errors = 0;  // error / exception responses
};

// "`sender` asked ARP who holds `target`." Requests for addresses nobody holds are what an ARP
// sweep leaves behind; the scanner rule counts them.
struct ArpRequestObservation {
  IpAddr sender, target;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t requests = 0;
};

// A set of observation rows: deltas from a worker, or absolute rows from the store.
struct Observations {
  std::vector<MacObservation> macs;
  std::vector<IpObservation> ips;
  std::vector<MacIpBinding> bindings;
  std::vector<ConnectionObservation> connections;
  std::vector<IdentityObservation> identities;
  std::vector<ProtocolObservation> protocols;
  std::vector<CommandObservation> commands;
  std::vector<ArpRequestObservation> arp_requests;
};

// One identity fact on a device, with its provenance.
struct DeviceFact {
  std::string field;  // "vendor", "productName", "orderNumber", "firmwareVersion", "serialNumber" …
  std::string value;
  std::string protocol;  // which protocol said so ("oui" for the IEEE registry)
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  std::string event;  // which message said so, last ("ListIdentity reply")
};

struct DeviceProtocol {
  std::string protocol;
  bool server = false;  // role: server (slave/outstation) or client (master)
  uint64_t flows = 0;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
};

// One merged device. Its natural key is "mac:aa:bb:.." for a device known by
// its MAC, or "ip:10.0.0.1" for an IP-only device (seen only behind a router or
// only as a destination).
struct Device {
  int64_t id = 0;  // assigned by the store; stable across runs for the same key
  std::string key;
  std::optional<MacAddr> mac;
  std::vector<IpAddr> ips;  // sorted
  std::vector<uint16_t> vlans;
  std::string vendor;  // from the IEEE OUI registry
  TrafficCounters traffic;
  bool is_router = false;  // its MAC carries the traffic of several IPs it does not own

  // OT identity, folded from the dissectors' identity facts (latest value per field wins;
  // every value ever seen stays in `facts` with its provenance).
  std::vector<DeviceFact> facts;
  std::vector<DeviceProtocol> protocols;
  std::string type;                       // "PLC", "RTU", "IED", "HMI", "Engineering workstation" …
  std::vector<std::string> type_reasons;  // why `type` was chosen
  int purdue_level = -1;                  // -1 unknown
  bool programming_device = false;        // sent program download/upload, PLC stop/start …
  bool scanner = false;                   // probed many hosts or ports, or asked many devices who they are
  // The latest value of a field, or "" when no fact names it.
  std::string fact(std::string_view field) const {
    const DeviceFact* best = nullptr;
    for (const DeviceFact& f : facts)
      if (f.field == field && (!best || f.last_seen_ns > best->last_seen_ns)) best = &f;
    return best ? best->value : std::string();
  }
};

}  // namespace ots

template <>
struct std::hash<ots::ConnectionKey> {
  size_t operator()(const ots::ConnectionKey& k) const noexcept {
    uint8_t buf[35];
    std::memcpy(buf, k.client.bytes.data(), 16);
    std::memcpy(buf + 16, k.server.bytes.data(), 16);
    buf[32] = k.transport;
    buf[33] = static_cast<uint8_t>(k.server_port >> 8);
    buf[34] = static_cast<uint8_t>(k.server_port);
    return ots::hash_bytes(buf, sizeof buf);
  }
};
