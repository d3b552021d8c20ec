// The contract between the flow layer and application-protocol dissectors.
//
// A dissector is three layers (STYLE.md lessons 7–9): a pure, stateless wire
// parser; a per-flow session (request/response matching, limits) that the flow
// layer feeds with data / gap / end; and events reported to an EventSink.
// Each protocol lives in dissectors/<name>/ and is registered by one
// DissectorDescriptor plus one `ots_add_dissector(<name>)` line in
// dissectors/CMakeLists.txt.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/bytes.h"
#include "core/net_types.h"
#include "dissectors/flow/tcp_reassembler.h"  // Direction

namespace ots {

// Who a fact is about.
enum class Side : uint8_t { Client, Server };

// Where the bytes came from and when.
struct FlowContext {
  int64_t ts_ns = 0;
  uint8_t transport = 0;  // IP protocol number; 0 for L2 protocols (Profinet DCP, GOOSE, LLDP)
  IpAddr client_ip, server_ip;
  uint16_t client_port = 0, server_port = 0;
  MacAddr client_mac, server_mac;  // for L2 protocols: client = frame source, server = frame destination
  uint16_t vlan = 0;
};

// Identity facts feed the device inventory. Each names one field of the device
// record of the side it is about.
enum class IdentityField : uint8_t {
  Vendor,
  ProductName,      // model / product name
  OrderNumber,      // e.g. Siemens MLFB
  FirmwareVersion,
  HardwareRevision,
  SerialNumber,
  Hostname,         // station / PLC / system name
  ModuleName,
  DeviceType,       // "PLC", "RTU", "IED", "HMI", "Engineering workstation", …
  Role,             // "master", "slave", "publisher" …
  OperatingSystem,
  CpuState,         // "RUN", "STOP"
  Description,
  Software,         // program and version a host runs: SSH banner, HTTP User-Agent / Server
  Domain,           // Windows / NetBIOS domain (NTLM, SMB)
  kCount
};

const char* identity_field_name(IdentityField f);  // camelCase: "vendor", "productName", …

// One protocol operation (a request or its response) in a protocol-neutral shape
// that the communication map, the baseline and the rule engine all use.
struct Operation {
  uint32_t code = 0;           // function code / service / command id
  std::string_view name;       // "Read Holding Registers" — static storage
  bool is_request = true;
  bool is_write = false;       // changes process state, configuration or program
  bool is_error = false;       // exception / error response
  uint32_t address = 0;        // first register / IOA / DB offset, when has_range
  uint32_t quantity = 0;
  bool has_range = false;
  uint32_t unit = 0;           // Modbus unit id, DNP3 destination, CASDU, S7 DB number …
  std::string_view object;     // item / object / block name, when the protocol has one
};

// Things threat intelligence matches on that are not device identity: names a host
// looked up or contacted, fingerprints of its TLS stack, hashes of files it moved.
enum class Observable : uint8_t {
  Domain,          // DNS query/answer name, TLS SNI, HTTP Host (lower case, no trailing dot)
  Url,             // absolute URL of an HTTP request: http://host/path?query
  Ja3,             // MD5 hex of the JA3 string (TLS ClientHello)
  Ja3s,            // MD5 hex of the JA3S string (TLS ServerHello)
  Ja4,             // JA4 fingerprint string (TLS ClientHello)
  CertSha1,        // hex SHA-1 of a DER certificate the server presented
  CertSha256,      // hex SHA-256 of a DER certificate
  FileMd5,         // hex digest of a file body carried over HTTP / FTP / SMB
  FileSha1,
  FileSha256,
  kCount
};

const char* observable_name(Observable o);  // "domain", "url", "ja3", …

class EventSink {
 public:
  virtual ~EventSink() = default;
  // The flow has been recognised as `protocol` (a whole message parsed).
  virtual void protocol_confirmed(const FlowContext& ctx, std::string_view protocol) = 0;
  // `event` names the message that said it ("ListIdentity reply", "Read SZL 0x0011 reply …"):
  // static text, the fact's provenance in the inventory.
  virtual void identity(const FlowContext& ctx, std::string_view protocol, Side side, IdentityField field,
                        std::string_view value, std::string_view event) = 0;
  virtual void operation(const FlowContext& ctx, std::string_view protocol, Side from, const Operation& op) = 0;
  // A named anomaly such as "modbus.invalid_length" (stable names; rules match on them).
  virtual void anomaly(const FlowContext& ctx, std::string_view protocol, std::string_view name) = 0;
  // An indicator-matchable value seen on the flow, said by `side`. Sinks that do not
  // match indicators (most tests) ignore it.
  virtual void observable(const FlowContext& ctx, std::string_view protocol, Side side, Observable kind,
                          std::string_view value) {
    (void)ctx, (void)protocol, (void)side, (void)kind, (void)value;
  }
};

class DissectorSession {
 public:
  virtual ~DissectorSession() = default;
  // TCP: in-order stream bytes of one direction. UDP / L2: one whole datagram or frame.
  virtual void data(const FlowContext& ctx, Direction dir, Bytes bytes) = 0;
  // TCP only: `length` bytes are missing in `dir`; resynchronise or give up.
  virtual void gap(const FlowContext& ctx, Direction dir, uint64_t length) = 0;
  virtual void end(const FlowContext& ctx, Direction dir) = 0;
  // A session that has given up (repeated violations) is dropped by the flow layer.
  virtual bool rejected() const = 0;
};

enum class ProbeResult : uint8_t { NoMatch, Match, NeedMoreData };

namespace transport_bit {
constexpr uint8_t Tcp = 1, Udp = 2, Ethernet = 4;
}

struct DissectorDescriptor {
  std::string_view name;             // "modbus"
  uint8_t transports = 0;            // transport_bit
  std::span<const uint16_t> ports;   // server ports that hint at the protocol
  std::span<const uint16_t> ethertypes;
  // Looks at the first payload seen in a direction; a port is only a hint, the probe decides.
  ProbeResult (*probe)(Direction dir, Bytes payload) = nullptr;
  std::unique_ptr<DissectorSession> (*make_session)(EventSink& sink) = nullptr;
};

// Every registered dissector (generated from the ots_add_dissector() list).
std::span<const DissectorDescriptor* const> all_dissectors();

}  // namespace ots
