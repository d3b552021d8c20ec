// EtherNet/IP + CIP wire grammar: pure, stateless functions over untrusted bytes.
//
// An EtherNet/IP PDU is a 24-byte little-endian encapsulation header (command, length,
// session handle, status, sender context, options) followed by `length` bytes of
// command-specific data, usually a Common Packet Format (CPF) item list. SendRRData /
// SendUnitData carry CIP messages: a service code (0x80 set in responses), a request
// path (EPATH) or a general / extended status, then service data. Cyclic (class 0/1)
// I/O on UDP 2222 is a bare CPF list: a sequenced address item and a connected data item.
// Framing, request/response matching and events live in enip_session.h; names in enip_tables.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::enip {

constexpr size_t kHeaderSize = 24;
constexpr size_t kMaxPduSize = kHeaderSize + 0xFFFF;  // the length field is 16 bits
constexpr size_t kSendDataPrefix = 6;               // SendRRData / SendUnitData: interface handle, timeout
constexpr size_t kRegisterSessionLength = 4;        // protocol version, options
constexpr size_t kMaxCpfItems = 8;                    // real messages carry 1–4
constexpr size_t kMaxEmbeddedServices = 32;           // Multiple Service Packet entries parsed
constexpr size_t kMaxPathSegments = 16;

// Stable anomaly names ("enip.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None,
  InvalidCommand,         // unknown encapsulation command
  LengthMismatch,         // datagram / command data disagrees with the header length
  InvalidOptions,         // non-zero options field
  InvalidStatus,          // unknown encapsulation status, or a non-zero status in a request
  InvalidCpf,             // malformed Common Packet Format item list, or a missing / wrong item
  InvalidEpath,           // malformed request path
  Truncated,              // a CIP message or service data shorter than its structure
  TooManyItems,           // more CPF items / embedded services than the hard limits
  UnmatchedResponse,      // a CIP response without a request
  TooManyPendingRequests, // the in-flight request table overflowed
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "enip.invalid_command"; "" for None

struct EncapsulationHeader {
  uint16_t command = 0;
  uint16_t length = 0;  // bytes after the header
  uint32_t session_handle = 0;
  uint32_t status = 0;
  uint64_t sender_context = 0;
  uint32_t options = 0;
  size_t pdu_size() const { return kHeaderSize + length; }
};
// Reads the header at the front of `bytes`; false when fewer than 24 bytes.
bool parse_header(Bytes bytes, EncapsulationHeader& out);

// Whether `payload` starts like an EtherNet/IP PDU (known command, zero options, known status,
// a request status of zero, a command-consistent length) or is a whole class 0/1 I/O datagram.
// Used by the descriptor's probe and to resynchronise a TCP stream after a gap.
ProbeResult probe(Bytes payload);
ProbeResult probe_encapsulation(Bytes payload);

struct CpfItem {
  uint16_t type = 0;
  Bytes data;
};
struct CpfList {
  std::array<CpfItem, kMaxCpfItems> items{};
  size_t count = 0;
  Anomaly anomaly = Anomaly::None;
  const CpfItem* find(uint16_t type) const;
};
// Parses an item count and the items, which must fill `bytes` exactly.
CpfList parse_cpf(Bytes bytes);

// A decoded EPATH (padded form, Vol. 1 appendix C).
struct EPath {
  bool valid = true;
  bool has_class = false, has_instance = false, has_attribute = false, has_member = false;
  bool has_connection_point = false, has_port = false, has_symbol = false, has_key = false;
  uint16_t class_id = 0;
  uint32_t instance = 0;
  uint16_t attribute = 0;
  uint32_t member = 0;
  uint32_t connection_point = 0;
  uint16_t port = 0;
  uint32_t link_address = 0;  // first port segment's link address (1-byte or up to 4 bytes)
  std::string_view symbol;    // first ANSI extended symbol segment (Logix tag name)
  uint8_t segments = 0;
};
EPath parse_epath(Bytes path);

struct CipMessage {
  bool is_response = false;
  uint8_t service = 0;  // without the response bit
  EPath path;           // requests
  uint8_t general_status = 0;
  uint16_t extended_status = 0;  // first extended status word, if any
  uint8_t extended_words = 0;
  Bytes data;  // service data after the path / status
  Anomaly anomaly = Anomaly::None;
  bool is_error() const { return is_response && general_status != 0 && general_status != kPartialTransfer; }
  static constexpr uint8_t kPartialTransfer = 0x06;  // more data follows (fragmented reads): not an error
};
CipMessage parse_cip(Bytes message);

// Connection Manager payloads (Vol. 1 §3-5.5).
struct ForwardOpenRequest {
  uint8_t priority_time_tick = 0, timeout_ticks = 0;
  uint32_t o_to_t_id = 0, t_to_o_id = 0;
  uint16_t connection_serial = 0, originator_vendor = 0;
  uint32_t originator_serial = 0;
  uint8_t timeout_multiplier = 0;
  uint32_t o_to_t_rpi_us = 0, t_to_o_rpi_us = 0;
  uint32_t o_to_t_parameters = 0, t_to_o_parameters = 0;  // 16-bit, or 32-bit in Large Forward Open
  uint8_t transport_trigger = 0;
  EPath connection_path;
};
bool parse_forward_open_request(Bytes data, bool large, ForwardOpenRequest& out);

struct ForwardOpenResponse {
  uint32_t o_to_t_id = 0, t_to_o_id = 0;
  uint16_t connection_serial = 0, originator_vendor = 0;
  uint32_t originator_serial = 0;
  uint32_t o_to_t_api_us = 0, t_to_o_api_us = 0;
};
bool parse_forward_open_response(Bytes data, ForwardOpenResponse& out);

// Forward Close request / response and failed Forward Open responses share this triple.
struct ConnectionTriple {
  uint16_t connection_serial = 0, originator_vendor = 0;
  uint32_t originator_serial = 0;
  bool operator==(const ConnectionTriple&) const = default;
};
bool parse_forward_close_request(Bytes data, ConnectionTriple& out);
bool parse_connection_triple(Bytes data, ConnectionTriple& out);  // responses: the triple comes first

struct UnconnectedSend {
  uint8_t priority_time_tick = 0, timeout_ticks = 0;
  Bytes embedded;  // the embedded message request
  EPath route;
};
bool parse_unconnected_send(Bytes data, UnconnectedSend& out);

// Multiple Service Packet: a count and offsets (from the count field) to embedded messages.
// next_embedded() yields them in order; it fails (false, `anomaly` set) on a bad offset.
struct EmbeddedIterator {
  Bytes data;
  uint16_t count = 0;
  uint16_t index = 0;
  Anomaly anomaly = Anomaly::None;
};
bool start_embedded(Bytes data, EmbeddedIterator& it);
bool next_embedded(EmbeddedIterator& it, Bytes& out);

// Execute PCCC: requester id (length, vendor, serial), then the PCCC command.
struct Pccc {
  uint16_t requester_vendor = 0;
  uint32_t requester_serial = 0;
  uint8_t command = 0;  // without the reply bit 0x40
  uint8_t status = 0;
  uint16_t transaction = 0;
  bool has_function = false;
  uint8_t function = 0;  // requests of commands 0x06 / 0x07 / 0x0F
};
bool parse_pccc(Bytes data, bool is_response, Pccc& out);

// Identity object instance attributes 1–8 (ListIdentity item 0x0C and Get_Attributes_All).
struct Identity {
  uint16_t vendor = 0, device_type = 0, product_code = 0;
  uint8_t revision_major = 0, revision_minor = 0;
  uint16_t status = 0;
  uint32_t serial = 0;
  std::string_view product_name;
  bool has_state = false;
  uint8_t state = 0;
  // ListIdentity only.
  uint16_t encapsulation_version = 0;
  uint16_t socket_port = 0;
  uint32_t socket_address = 0;  // host order
};
bool parse_list_identity_item(Bytes item, Identity& out);
bool parse_identity_attributes(Bytes data, Identity& out);  // Get_Attributes_All response data

// One attribute value of a Get_Attribute_List response on the Identity object.
struct AttributeValue {
  uint16_t id = 0;
  uint16_t status = 0;
  Bytes value;
};
// Walks a Get_Attribute_List response of the Identity class; stops at the first attribute of
// unknown size. `reader` starts at the data (count first); returns false at the end.
bool next_identity_attribute(ByteReader& reader, uint16_t& remaining, AttributeValue& out);

// Cyclic I/O datagram: sequenced address item (connection id, sequence number) and a
// connected data item; or a connected address item for unsequenced class 0 data.
struct IoPacket {
  uint32_t connection_id = 0;
  uint32_t sequence = 0;
  bool sequenced = false;
  Bytes data;
};
bool parse_io(Bytes datagram, IoPacket& out);

}  // namespace ots::enip
