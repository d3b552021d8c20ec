// DNP3 (IEEE 1815) wire grammar: pure, stateless functions over untrusted bytes.
//
// Three layers, each parsed here without state:
//   data link   0x05 0x64, LEN, control, destination, source (little endian), header CRC,
//               then LEN-5 user-data bytes in blocks of 16, each followed by a 2-byte CRC
//               (dnp3_link.cc);
//   transport   one byte (FIN, FIR, 6-bit sequence) at the front of a frame's user data;
//   application control (FIR, FIN, CON, UNS, sequence), function code, IIN (responses),
//               then object headers: group, variation, qualifier, range, object data
//               (dnp3_app.cc).
// Reassembly of transport segments and request/response matching live in dnp3_session.h.
// Protocol knowledge (link and application function codes, IIN bits, object groups and
// their sizes) lives in the tables of dnp3_link.cc and dnp3_app.cc, reviewable against
// IEEE 1815-2012 (clauses 9, 8, 4.2 and Annex A).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::dnp3 {

// ---- Anomalies ----

// Stable anomaly names ("dnp3.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None,
  BadLinkCrc,              // header CRC mismatch
  BadBlockCrc,             // a user-data block CRC mismatch
  InvalidLength,           // LEN < 5, LEN disagreeing with the link function, short fragment
  InvalidStart,            // a frame does not start with 0x05 0x64
  ReassemblyOverflow,      // an application fragment grew past the reassembly cap
  TransportSequenceError,  // a transport segment out of sequence
  InvalidFunctionCode,     // undefined link or application function code
  ReservedIinSet,          // IIN2 bit 6 or 7 set
  InvalidQualifier,        // reserved prefix / range code, or stop < start
  UnknownObject,           // group / variation whose size is unknown: object parsing stops
  TruncatedObject,         // object header or data shorter than declared
  TooManyObjects,          // more object headers or objects than the per-fragment limits
  UnmatchedResponse,       // a response to no outstanding request
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "dnp3.bad_link_crc"; "" for None

// ---- Data link layer ----

constexpr uint8_t kStart1 = 0x05;
constexpr uint8_t kStart2 = 0x64;
constexpr size_t kLinkHeaderSize = 10;  // start (2), LEN, control, dst (2), src (2), CRC (2)
constexpr uint8_t kMinLinkLength = 5;   // control + addresses
constexpr size_t kBlockSize = 16;       // user-data bytes per CRC block
constexpr size_t kMaxUserData = 255 - kMinLinkLength;
constexpr size_t kMaxFrameSize =
    kLinkHeaderSize + kMaxUserData + 2 * ((kMaxUserData + kBlockSize - 1) / kBlockSize);
constexpr uint16_t kBroadcastMin = 0xFFFD;  // 0xFFFD–0xFFFF are broadcast destinations
constexpr uint16_t kReservedAddressMin = 0xFFF0;

// DNP3 CRC-16: polynomial 0x3D65 (reflected 0xA6BC), initial 0, final complement;
// transmitted little endian.
uint16_t crc16(Bytes data);

// Link control octet.
struct LinkControl {
  bool dir = false;  // set in frames from a master
  bool prm = false;  // primary (initiating) frame
  bool fcb = false;  // primary: frame count bit;   secondary: reserved
  bool fcv = false;  // primary: frame count valid; secondary: DFC (data flow control)
  uint8_t function = 0;
};
LinkControl decode_link_control(uint8_t control);

// Link function codes carrying user data (primary, PRM = 1).
constexpr uint8_t kLinkConfirmedUserData = 3;
constexpr uint8_t kLinkUnconfirmedUserData = 4;

struct LinkHeader {
  uint8_t length = 0;  // LEN: control + addresses + user data, CRCs excluded
  LinkControl control;
  uint16_t destination = 0;
  uint16_t source = 0;
  size_t user_data_size() const { return length >= kMinLinkLength ? size_t{length} - kMinLinkLength : 0; }
  size_t frame_size() const;  // header + user data + block CRCs
  bool carries_user_data() const {
    return control.prm &&
           (control.function == kLinkConfirmedUserData || control.function == kLinkUnconfirmedUserData);
  }
};

enum class LinkStatus : uint8_t { Ok, NeedMoreData, Malformed };
struct LinkHeaderResult {
  LinkStatus status = LinkStatus::NeedMoreData;
  LinkHeader header;
  // When Malformed: InvalidStart / InvalidLength (cannot be framed) or BadLinkCrc (framed by
  // LEN, content unreliable).
  Anomaly anomaly = Anomaly::None;
};
// Parses the link header at the front of `stream` (which may hold more or less than a frame).
LinkHeaderResult parse_link_header(Bytes stream);

// Whether a well-formed header (link function defined for its PRM, LEN consistent with it)
// — the anomaly otherwise: InvalidFunctionCode or InvalidLength.
Anomaly check_link_header(const LinkHeader& header);

// Whether `stream` starts with a DNP3 link header with a valid CRC and a defined link function.
// Used by the descriptor's probe and to resynchronise. Needs kLinkHeaderSize bytes.
ProbeResult probe_link_header(Bytes stream);

// Copies the user data of the frame `frame` (header included, frame_size() bytes) to `out`
// (at least kMaxUserData bytes), checking every block CRC. Returns BadBlockCrc on a mismatch.
Anomaly extract_user_data(const LinkHeader& header, Bytes frame, uint8_t* out);

std::string_view link_function_name(bool primary, uint8_t function);  // "" when undefined

// ---- Transport layer ----

struct TransportHeader {
  bool fin = false;
  bool fir = false;
  uint8_t sequence = 0;  // 0–63
};
TransportHeader decode_transport_header(uint8_t octet);
constexpr uint8_t kTransportSequenceModulo = 64;

// ---- Application layer ----

constexpr uint8_t kFcConfirm = 0;
constexpr uint8_t kFcRead = 1;
constexpr uint8_t kFcWrite = 2;
constexpr uint8_t kFcOpenFile = 25;
constexpr uint8_t kFcAuthenticateRequest = 32;
constexpr uint8_t kFcResponse = 129;
constexpr uint8_t kFcUnsolicitedResponse = 130;
constexpr uint8_t kFcAuthenticateResponse = 131;

constexpr size_t kMaxObjectHeaders = 64;  // per fragment
constexpr uint64_t kMaxObjects = 16384;   // data-carrying objects per fragment (2048 bytes of bits)

struct AppControl {
  bool fir = false;
  bool fin = false;
  bool con = false;
  bool uns = false;
  uint8_t sequence = 0;  // 0–15
};
AppControl decode_app_control(uint8_t octet);

// Internal indications: IIN1 in the low byte, IIN2 in the high byte (bit n of IIN2 = bit 8+n).
namespace iin {
constexpr uint16_t kBroadcast = 1u << 0;
constexpr uint16_t kClass1Events = 1u << 1;
constexpr uint16_t kClass2Events = 1u << 2;
constexpr uint16_t kClass3Events = 1u << 3;
constexpr uint16_t kNeedTime = 1u << 4;
constexpr uint16_t kLocalControl = 1u << 5;
constexpr uint16_t kDeviceTrouble = 1u << 6;
constexpr uint16_t kDeviceRestart = 1u << 7;
constexpr uint16_t kNoFunctionCodeSupport = 1u << 8;
constexpr uint16_t kObjectUnknown = 1u << 9;
constexpr uint16_t kParameterError = 1u << 10;
constexpr uint16_t kEventBufferOverflow = 1u << 11;
constexpr uint16_t kAlreadyExecuting = 1u << 12;
constexpr uint16_t kConfigCorrupt = 1u << 13;
constexpr uint16_t kReserved = (1u << 14) | (1u << 15);
constexpr uint16_t kErrors = kNoFunctionCodeSupport | kObjectUnknown | kParameterError;
}  // namespace iin
std::string_view iin_bit_name(unsigned bit);  // bit 0–15: "Device Restart", "Object Unknown" …
// The name of the lowest IIN2 error bit set ("Function Code Not Supported", …); "" if none.
std::string_view iin_error_name(uint16_t iin);

// Qualifier: bit 7 reserved, bits 4–6 object prefix code, bits 0–3 range specifier code.
enum class PrefixKind : uint8_t { None, Index, Size };
enum class RangeKind : uint8_t { StartStop, AllObjects, Count, FreeFormat };

struct ObjectHeader {
  uint8_t group = 0;
  uint8_t variation = 0;
  uint8_t qualifier = 0;
  PrefixKind prefix = PrefixKind::None;
  uint8_t prefix_size = 0;  // 0, 1, 2 or 4 bytes
  RangeKind range = RangeKind::AllObjects;
  uint32_t start = 0;  // StartStop
  uint32_t stop = 0;
  uint64_t count = 0;  // objects in this header (StartStop: stop - start + 1; AllObjects: 0)
  bool has_first_index = false;
  uint32_t first_index = 0;  // StartStop: start; Index prefix: the first object's index
  bool carries_data = false;
  Bytes objects;  // the object data (with prefixes) of this header
};

enum class ObjectStep : uint8_t { Header, End, Stop };

// Walks the object headers of one application fragment. Object data is skipped by the size
// tables; the walk stops (Stop) at the first malformation, unknown object or limit, with
// anomaly() telling which.
class ObjectWalker {
 public:
  ObjectWalker(Bytes objects, uint8_t function, bool is_response)
      : reader_(objects), function_(function), is_response_(is_response) {}
  ObjectStep next(ObjectHeader& out);
  Anomaly anomaly() const { return anomaly_; }
  // The group / variation of the header that stopped the walk with UnknownObject.
  uint8_t stopped_group() const { return stopped_group_; }
  uint8_t stopped_variation() const { return stopped_variation_; }

 private:
  ObjectStep stop(Anomaly anomaly);
  bool read_objects(ObjectHeader& header);

  ByteReader reader_;
  uint8_t function_;
  bool is_response_;
  size_t headers_ = 0;
  uint64_t objects_ = 0;
  Anomaly anomaly_ = Anomaly::None;
  uint8_t stopped_group_ = 0;
  uint8_t stopped_variation_ = 0;
};

// One application fragment, parsed.
struct Fragment {
  AppControl control;
  uint8_t function = 0;
  bool is_response = false;  // function 129–131 (carries IIN)
  uint16_t iin = 0;
  bool has_first_object = false;
  ObjectHeader first_object;  // its `objects` view points into the fragment bytes
  size_t object_headers = 0;
  bool has_device_attributes = false;  // a group-0 header with data (see DeviceAttributeReader)
  // Open File (g70v3 file command): the requested mode; 0 when absent.
  uint16_t file_mode = 0;
  Anomaly anomaly = Anomaly::None;  // the first malformation (object walk included)
  uint8_t unknown_group = 0;        // when anomaly is UnknownObject
  uint8_t unknown_variation = 0;
  Bytes objects;  // everything after the header, for a second walk (device attributes)
};
Fragment parse_fragment(Bytes fragment);

// File command operation modes (g70v3).
constexpr uint16_t kFileModeRead = 1;

// Device attributes (group 0) found in responses: variation = attribute, value as sent.
struct DeviceAttribute {
  uint8_t variation = 0;
  uint8_t data_type = 0;  // 1 = visible string, 2 = unsigned, 3 = signed, 4 = float, 5 = octet string …
  Bytes value;
};
// Reads the next device attribute from the object headers of a response; false at the end.
// Walks only group-0 headers with start/stop qualifiers (the attribute set index).
class DeviceAttributeReader {
 public:
  explicit DeviceAttributeReader(Bytes objects, uint8_t function) : walker_(objects, function, true) {}
  bool next(DeviceAttribute& out);

 private:
  ObjectWalker walker_;
  ByteReader pending_;  // the remaining objects of the current group-0 header
  uint8_t variation_ = 0;
  uint64_t remaining_ = 0;
};
constexpr uint8_t kAttributeVisibleString = 1;

// Names and properties from the tables.
std::string_view function_name(uint8_t function);  // "Direct Operate"; "" when undefined
bool is_known_function(uint8_t function);
bool is_write_function(uint8_t function);
// is_write_function(), except that opening a file for reading is not a write.
bool is_write(const Fragment& fragment);
// Whether the master waits for a response to `function` (no: Confirm, the "No Ack" forms).
bool expects_response(uint8_t function);
// "Binary Output Command", "Class 0 Data", "Authentication Challenge" …; "" when unknown.
std::string_view object_name(uint8_t group, uint8_t variation);
std::string_view device_attribute_name(uint8_t variation);  // "Product Name and Model" …

}  // namespace ots::dnp3
