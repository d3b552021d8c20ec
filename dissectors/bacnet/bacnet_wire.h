// BACnet/IP wire grammar: BVLC (Annex J), NPDU (clause 6), APDU headers (clause 20), the
// ASN.1-like tag encoding (20.2) and the service bodies the sensor needs. Pure functions over
// Bytes: no state, no I/O, no allocation; each returns Anomaly::None or the named failure.
// Views in the parsed structs point into the datagram they were parsed from.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/bacnet/bacnet_tables.h"

namespace ots::bacnet {

// ---- BVLC ----------------------------------------------------------------------------------------
constexpr size_t kBvlcHeaderSize = 4;
constexpr size_t kBipAddressSize = 6;  // IPv4 address + UDP port
constexpr size_t kBdtEntrySize = 10;   // address + broadcast distribution mask
constexpr size_t kFdtEntrySize = 10;   // address + time-to-live + time remaining

struct Bvlc {
  uint8_t function = 0;
  uint16_t length = 0;
  bool length_mismatch = false;  // length ≠ datagram size: an anomaly, yet the body is the datagram's
  std::array<uint8_t, kBipAddressSize> original_source{};  // Forwarded-NPDU only
  bool forwarded = false;
  uint16_t result_code = 0;    // BVLC-Result
  uint16_t time_to_live = 0;   // Register-Foreign-Device (seconds)
  uint16_t table_entries = 0;  // Write-BDT, Read-BDT-Ack, Read-FDT-Ack, Delete-FDT-Entry
  bool has_npdu = false;
  Bytes npdu;
};
// `datagram` is the whole UDP payload. Its length should equal the BVLC length; when it does not,
// `length_mismatch` is set (bacnet.invalid_bvlc_length) and the body is read from the datagram.
// BVLL bodies of the wrong size are hard InvalidBvlcLength failures.
Anomaly parse_bvlc(Bytes datagram, Bvlc& out);
// The probe's test: a BVLC header (type 0x81, known function) followed, for NPDU-carrying
// functions, by an NPDU version 1 with clear reserved control bits; BVLL-only messages must have
// a BVLC length equal to the datagram length.
bool plausible_bvlc(Bytes datagram);

// ---- NPDU ----------------------------------------------------------------------------------------
struct Npdu {
  uint8_t control = 0;
  bool is_network_message = false;
  bool has_destination = false, has_source = false;
  bool expecting_reply = false;
  uint8_t priority = 0;  // 0 normal, 1 urgent, 2 critical equipment, 3 life safety
  uint16_t dnet = 0;     // 0xFFFF = global broadcast
  Bytes dadr;            // empty = broadcast on DNET
  uint16_t snet = 0;
  Bytes sadr;
  uint8_t hop_count = 0;
  uint8_t message_type = 0;  // network-layer message
  uint16_t vendor_id = 0;    // proprietary network-layer message (type ≥ 0x80)
  Bytes body;                // the APDU, or the network message's parameters
};
Anomaly parse_npdu(Bytes bytes, Npdu& out);

struct NetworkMessage {
  uint8_t type = 0;
  uint16_t first_network = 0;  // DNET (the first of a list)
  uint16_t network_count = 0;  // DNETs named by the message
  uint8_t reason = 0;          // Reject-Message-To-Network
  uint8_t performance_index = 0;
  uint8_t port_count = 0;  // Initialize-Routing-Table(-Ack)
};
Anomaly parse_network_message(const Npdu& npdu, NetworkMessage& out);

// ---- Tags ----------------------------------------------------------------------------------------
constexpr uint32_t kMaxTagDepth = 16;

namespace app_tag {
constexpr uint8_t kNull = 0, kBoolean = 1, kUnsigned = 2, kSigned = 3, kReal = 4, kDouble = 5,
                  kOctetString = 6, kCharacterString = 7, kBitString = 8, kEnumerated = 9, kDate = 10,
                  kTime = 11, kObjectId = 12;
}

enum class TagClass : uint8_t { Application, Context, Opening, Closing };

struct Tag {
  TagClass cls = TagClass::Application;
  uint8_t number = 0;
  uint32_t length = 0;  // value length; for an application Boolean the value itself
  Bytes value;

  bool is_context(uint8_t n) const { return cls == TagClass::Context && number == n; }
  bool is_opening(uint8_t n) const { return cls == TagClass::Opening && number == n; }
  bool is_closing(uint8_t n) const { return cls == TagClass::Closing && number == n; }
  bool is_application(uint8_t n) const { return cls == TagClass::Application && number == n; }
};

// Reads tags one after the other, keeping opening/closing tags balanced (at most kMaxTagDepth
// open). Every tag consumes at least one byte, so a loop over next() always ends.
class TagReader {
 public:
  explicit TagReader(Bytes data) : data_(data) {}

  // The next tag, or false at the end of the data or on a malformed tag (see error()).
  bool next(Tag& tag);
  // The next tag without consuming it (no depth check).
  bool peek(Tag& tag) const;
  bool at_end() const { return pos_ >= data_.size(); }
  uint32_t depth() const { return depth_; }
  Anomaly error() const { return error_; }
  // Consumes tags up to and including the closing tag that brings the depth back to `depth`.
  bool skip_to_depth(uint32_t depth);
  // Walks the remaining tags; the first failure, or Truncated when opening tags stay unclosed.
  Anomaly finish();

 private:
  Bytes data_;
  size_t pos_ = 0;
  uint32_t depth_ = 0;
  std::array<uint8_t, kMaxTagDepth> open_{};  // tag numbers of the open constructed values
  Anomaly error_ = Anomaly::None;
};

// Decodes one tag at the start of `bytes`; `size` is the encoded size (header + value).
Anomaly decode_tag(Bytes bytes, Tag& tag, size_t& size);

// Unsigned / Enumerated contents (1–4 octets).
bool read_unsigned(Bytes value, uint32_t& out);

struct ObjectId {
  uint16_t type = 0;      // 10 bits
  uint32_t instance = 0;  // 22 bits
};
bool read_object_id(Bytes value, ObjectId& out);

// The text of a CharacterString value (charset octet + bytes) as UTF-8: UTF-8 as is, UCS-2,
// UCS-4 and ISO 8859-1 converted into `scratch`; trailing NULs and blanks trimmed. Empty when the
// charset cannot be decoded (DBCS, JIS) or the text holds control characters or bad UTF-8.
std::string_view decode_text(Bytes value, std::span<char> scratch);

// ---- APDU ----------------------------------------------------------------------------------------
struct Apdu {
  uint8_t type = 0;  // pdu::k…
  bool segmented = false, more_follows = false, segmented_response_accepted = false;
  bool negative_ack = false, sent_by_server = false;  // Segment-ACK, Abort
  uint8_t max_segments = 0;                           // decoded: 0 unspecified, 65 = more than 64
  uint16_t max_apdu = 0;                              // decoded octets; 0 when the encoding is reserved
  uint8_t invoke_id = 0;
  uint8_t sequence_number = 0, window_size = 0;  // segmented PDUs and Segment-ACK
  bool has_service = false;
  uint8_t service = 0;
  uint8_t reason = 0;  // Reject / Abort
  Bytes data;          // service parameters
};
Anomaly parse_apdu(Bytes bytes, Apdu& out);

// A property value worth an identity fact: the first primitive value of a device-identity
// property (see property::kIdentityProperties) of a device object, from ReadProperty(-Multiple) ACKs.
struct PropertyValue {
  ObjectId object;
  uint32_t property = 0;
  Tag value;  // an application tag
};
constexpr size_t kMaxPropertyValues = 16;

// The decoded parameters of one service (request or ACK); only the fields its service has.
struct ServiceDetails {
  bool has_object = false;
  ObjectId object;            // the (first) object the service acts on
  uint32_t object_count = 0;  // ReadPropertyMultiple / WritePropertyMultiple object specifications
  bool has_property = false;
  uint32_t property = 0;        // the (first) property
  uint32_t property_count = 0;  // property references
  bool has_array_index = false;
  uint32_t array_index = 0;
  bool has_priority = false;
  uint8_t priority = 0;  // WriteProperty(-Multiple) 1–16
  bool has_limits = false;
  uint32_t low_limit = 0, high_limit = 0;  // Who-Is / Who-Has device instance range
  // I-Am / Who-Am-I / You-Are / I-Have
  bool has_device = false;
  ObjectId device;
  uint32_t max_apdu_accepted = 0;
  uint8_t segmentation = 0;
  bool has_vendor = false;
  uint32_t vendor_id = 0;
  Bytes model_name, serial_number, object_name;  // CharacterString values (charset octet first)
  // ReinitializeDevice / DeviceCommunicationControl
  bool has_state = false;
  uint8_t state = 0;
  bool has_password = false;
  bool has_duration = false;
  uint32_t duration_minutes = 0;
  // Error
  bool has_error = false;
  uint32_t error_class = 0, error_code = 0;
  // Device-identity property values (ReadProperty / ReadPropertyMultiple ACKs)
  std::array<PropertyValue, kMaxPropertyValues> values{};
  size_t value_count = 0;
};

// Decodes apdu.data for the PDU's service. `partial` (the first segment of a segmented PDU)
// tolerates the data ending anywhere. Services without a dedicated decoder get their tags checked.
Anomaly decode_service(const Apdu& apdu, bool partial, ServiceDetails& out);

}  // namespace ots::bacnet
