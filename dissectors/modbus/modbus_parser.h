// Modbus/TCP wire grammar: pure, stateless functions over untrusted bytes.
//
// An ADU is an MBAP header (transaction id, protocol id = 0, length, unit id)
// followed by a PDU (function code + data). The functions here parse one MBAP
// header or one PDU and report malformed input as a named anomaly; request /
// response matching and stream framing live in modbus_session.h.
// Protocol knowledge (function, exception, diagnostic, MEI, device-object and
// UMAS names) lives in the tables of modbus_parser.cc, reviewable against the
// Modbus Application Protocol Specification V1.1b3 and public UMAS write-ups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::modbus {

constexpr size_t kMbapHeaderSize = 7;        // transaction id, protocol id, length, unit id
constexpr uint16_t kMinLength = 2;           // MBAP length counts the unit id and the PDU
constexpr uint16_t kMaxSpecLength = 254;     // unit id + 253-byte PDU (spec limit)
constexpr uint16_t kMaxTolerantLength = 260; // some devices overshoot; beyond this we stop framing
constexpr size_t kMaxAduSize = 6 + kMaxTolerantLength;

constexpr uint8_t kExceptionBit = 0x80;
constexpr uint8_t kFcDiagnostics = 8;
constexpr uint8_t kFcReportServerId = 17;
constexpr uint8_t kFcEncapsulatedInterface = 43;
constexpr uint8_t kFcUmas = 0x5A;
constexpr uint8_t kMeiCanOpen = 13;
constexpr uint8_t kMeiReadDeviceId = 14;
constexpr uint8_t kUmasStatusOk = 0xFE;
constexpr uint8_t kUmasStatusError = 0xFD;

// Stable anomaly names ("modbus.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None,
  InvalidProtocolId,
  InvalidLength,
  InvalidFunctionCode,
  InvalidQuantity,
  ByteCountMismatch,
  InvalidCoilValue,
  UnmatchedResponse,
  InvalidExceptionCode,
  TooManyPendingRequests,
  TruncatedPdu,
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "modbus.invalid_length"; "" for None

struct MbapHeader {
  uint16_t transaction_id = 0;
  uint16_t protocol_id = 0;
  uint16_t length = 0;  // bytes after the length field: unit id + PDU
  uint8_t unit_id = 0;
  size_t adu_size() const { return 6 + size_t{length}; }
  size_t pdu_size() const { return size_t{length} - 1; }
};

enum class MbapStatus : uint8_t { Ok, NeedMoreData, Malformed };
struct MbapResult {
  MbapStatus status = MbapStatus::NeedMoreData;
  MbapHeader header;
  Anomaly anomaly = Anomaly::None;  // InvalidProtocolId / InvalidLength when Malformed
};
// Parses the MBAP header at the front of `stream` (which may hold more or less than one ADU).
// A length of 255..260 is accepted (framing continues) but PDU parsing flags it.
MbapResult parse_mbap(Bytes stream);

// Whether `stream` starts with a plausible ADU travelling in `dir`: protocol id 0, a sane
// length and a function code known for that direction (requests: a public or UMAS code;
// responses: the same, or its exception form with a 1-byte exception code).
// Used by the descriptor's probe and to resynchronise after a gap. Needs 8 bytes.
ProbeResult probe_header(Direction dir, Bytes stream);

// One parsed PDU. Fields that a PDU does not carry stay zero / empty.
struct Pdu {
  uint8_t function_code = 0;   // without the exception bit
  bool is_exception = false;   // function code had 0x80 set (responses only)
  uint8_t exception_code = 0;
  bool has_sub_function = false;
  uint16_t sub_function = 0;   // FC8 sub-function, FC43 MEI type, UMAS function code (requests)
  bool has_range = false;
  uint16_t address = 0;        // first coil / register / FIFO pointer
  uint16_t quantity = 0;
  uint16_t read_quantity = 0;  // FC23 requests: registers to read (the range above is the write)
  uint16_t byte_count = 0;     // data byte count of FC1–4 / FC23 read responses
  // FC43 / MEI 14 Read Device Identification.
  uint8_t read_device_id_code = 0;
  uint8_t object_id = 0;       // request: first object; response: next object id
  uint8_t conformity_level = 0;
  bool more_follows = false;
  uint8_t object_count = 0;
  Bytes object_list;           // validated list of object_count objects, see next_device_object()
  // FC17 Report Server ID response: server id, run indicator and additional data.
  Bytes server_id_data;
  // FC 0x5A Schneider UMAS.
  uint8_t umas_session_key = 0;
  uint8_t umas_status = 0;     // responses: 0xFE OK, 0xFD error
  bool is_umas_error = false;
  Anomaly anomaly = Anomaly::None;  // the first malformation found
};

// Parse a PDU sent by a client (`pdu` = function code + data, i.e. the ADU after its MBAP header).
Pdu parse_request(Bytes pdu);
// Parse a PDU sent by a server.
Pdu parse_response(Bytes pdu);
// Cross-checks a response against the request it answers (byte counts implied by quantities).
Anomaly check_response(const Pdu& request, const Pdu& response);

struct DeviceIdObject {
  uint8_t id = 0;
  Bytes value;
};
// Reads the next object of a validated Pdu::object_list; false at the end.
bool next_device_object(ByteReader& list, DeviceIdObject& out);

// Names from the tables; "" when the code has no entry.
std::string_view function_name(uint8_t function_code);  // "Read Holding Registers"
bool is_known_function(uint8_t function_code);          // public, user-defined or UMAS
std::string_view exception_name(uint8_t exception_code);
std::string_view diagnostic_name(uint16_t sub_function);
std::string_view mei_name(uint8_t mei_type);
std::string_view device_object_name(uint8_t object_id);  // "VendorName"; "" for private objects
std::string_view umas_name(uint8_t umas_function);
// The sub-function name that qualifies `function_code` (FC8, FC43, UMAS); "" otherwise.
std::string_view sub_function_name(uint8_t function_code, uint16_t sub_function);
// Whether the operation changes process state, configuration or program.
bool is_write(uint8_t function_code, bool has_sub_function, uint16_t sub_function);

// The longest run of printable ASCII in `bytes` (trimmed), if it is at least `min_length` long;
// used to pull a readable text out of the device-specific FC17 server id.
std::string_view longest_printable_run(Bytes bytes, size_t min_length);

}  // namespace ots::modbus
