// S7comm-plus wire grammar (Siemens S7-1200 / S7-1500, protocol id 0x72) above TPKT/COTP:
// the frame (0x72, protocol version, data length, data, optional trailer), the V3 integrity
// part, the data header (opcode, function code, sequence number, session id), S7comm-plus
// variable-length integers, return values, item addresses, and the few request bodies the
// session describes. Pure functions over Bytes: no state, no I/O, no allocation.
//
// Layouts follow the public reverse-engineering work (Wireshark s7comm_plus plugin and the
// S7CommPlusDriver by Thomas Wiens); see s7commplus_tables.h for the code tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/bytes.h"

namespace ots::s7commplus {

enum class Anomaly : uint8_t {
  None,
  InvalidTpkt,         // TPKT header unusable
  InvalidCotp,         // COTP header malformed
  InvalidHeader,       // frame not starting with 0x72, or a trailer that does not match its header
  UnknownVersion,      // protocol version not V1/V2/V3/system event/keep-alive
  LengthMismatch,      // data length disagrees with the bytes present
  Truncated,           // data header or request body ends early
  UnknownOpcode,       // opcode not request / response / notification / response2
  UnknownFunction,     // function code not in the table
  UnmatchedResponse,   // a response without a pending request of that sequence number
  ReassemblyOverflow,  // COTP or S7comm-plus fragment reassembly beyond its cap
  ResyncFailed,        // no TPKT header found again after a gap
  IntegrityUnparsed,   // V3 integrity part (digest) not 32 bytes: the rest is not parsed
  Encrypted,           // after InitSsl the COTP payload is TLS: operations are no longer visible
};
std::string_view anomaly_name(Anomaly a);  // stable: "s7commplus.invalid_header", …

inline constexpr uint8_t kProtocolId = 0x72;

namespace version {
constexpr uint8_t kV1 = 0x01, kV2 = 0x02, kV3 = 0x03, kSystemEvent = 0xFE, kKeepAlive = 0xFF;
}
bool known_version(uint8_t v);

inline constexpr size_t kFrameHeaderSize = 4;  // 0x72, version, data length (BE16)
inline constexpr size_t kTrailerSize = 4;      // 0x72, version, 0x0000
inline constexpr size_t kDigestSize = 32;      // V3 integrity digest

struct Frame {
  uint8_t version = 0;
  Bytes data;                // after the V3 integrity part, if any
  bool has_trailer = false;  // false: a fragment, the data continues in the next frame
  bool has_digest = false;
  uint8_t keepalive_sequence = 0;
};
// One COTP message that starts with 0x72. Keep-alive frames (version 0xFF) are 4 bytes and have no data.
Anomaly parse_frame(Bytes message, Frame& out);

namespace opcode {
constexpr uint8_t kRequest = 0x31, kResponse = 0x32, kNotification = 0x33, kResponse2 = 0x02;
}

struct DataHeader {
  uint8_t opcode = 0;
  uint16_t function = 0;  // requests and responses
  uint16_t sequence = 0;
  uint32_t session_id = 0;  // requests only
  uint8_t transport_flags = 0;
  Bytes body;  // what follows the header (notifications: everything after the opcode)
};
// The reassembled data part of a frame (not a keep-alive).
Anomaly parse_data_header(Bytes data, DataHeader& out);

// ---- Variable-length integers: 7 bits per byte, most significant group first ----------------------
// varuint32: at most 5 bytes; varuint64: at most 9 bytes, the ninth carrying 8 bits.
uint32_t read_varuint32(ByteReader& r);
uint64_t read_varuint64(ByteReader& r);

// A response's return value: the low 16 bits are a signed error code; negative means failure.
bool return_value_is_error(uint64_t return_value);

// ---- Request bodies --------------------------------------------------------------------------------
// Item address (GetMultiVariables / SetMultiVariables): symbol CRC, access area, LID count, LIDs
// (the first LID is the access sub-area).
struct ItemAddress {
  uint32_t symbol_crc = 0;
  uint32_t access_area = 0;
  uint32_t lid_count = 0;
  std::array<uint32_t, 4> lids{};  // the first few LIDs after the sub-area
  uint32_t sub_area = 0;
};
Anomaly parse_item_address(ByteReader& r, ItemAddress& out);

// GetMultiVariables / SetMultiVariables request head: the object whose attributes are addressed
// (0: item addresses follow), item and field counts, and the first address or attribute id.
struct MultiVariableRequest {
  uint32_t object_id = 0;
  uint32_t item_count = 0;
  uint32_t field_count = 0;
  bool has_first = false;
  ItemAddress first;             // object_id == 0
  uint32_t first_attribute = 0;  // object_id != 0
};
Anomaly parse_multi_variable_request(Bytes body, MultiVariableRequest& out);

// CreateObject request: the object it is created in (request id) and the class of the new object.
struct CreateObjectRequest {
  uint32_t request_id = 0;
  uint32_t relation_id = 0;
  uint32_t class_id = 0;
};
Anomaly parse_create_object_request(Bytes body, CreateObjectRequest& out);

// CreateObject response: return value and the ids of the created objects (the first is the new
// object; for a session it is the session id later requests carry).
struct CreateObjectResponse {
  uint64_t return_value = 0;
  uint32_t object_count = 0;
  uint32_t first_object_id = 0;
};
Anomaly parse_create_object_response(Bytes body, CreateObjectResponse& out);

// Requests whose body starts with the 32-bit id of the object they act on
// (DeleteObject, SetVariable, GetVariable, Explore, GetLink, GetVarSubStreamed, Invoke…).
Anomaly parse_object_id(Bytes body, uint32_t& object_id);

// The WString value of the attribute `attribute_id` (encoded as a varuint, datatype flags 0,
// datatype 0x15) anywhere in `body`; empty if absent or not printable.
std::string_view find_wstring_attribute(Bytes body, uint32_t attribute_id);

// The session-version "PAOM" string a PLC returns when a session is created:
// "1;6ES7 214-1HE30-0XB0 ;V2.2" → order number "6ES7 214-1HE30-0XB0", firmware "V2.2".
struct PaomIdentity {
  std::string_view order_number, firmware;
};
std::optional<PaomIdentity> parse_paom_string(std::string_view text);

// "DB3 lid=10.2", "M lid=5", "area 0x32 lid=3451"; the text is written into `buffer`.
std::string_view format_item_address(const ItemAddress& a, std::span<char> buffer);
// Data block number of an access area (0x8A0E0000 + n), or nullopt.
std::optional<uint16_t> data_block_number(uint32_t access_area);

}  // namespace ots::s7commplus
