// IEC 60870-5-104 wire grammar: pure, stateless functions over untrusted bytes.
//
// An APDU is the APCI (start 0x68, APDU length 4..253, four control octets) optionally
// followed by an ASDU. The control field selects the frame format:
//   I-format (bit 0 = 0): numbered information transfer, N(S) / N(R), carries an ASDU;
//   S-format (bits 0-1 = 01): supervisory acknowledgement, N(R) only;
//   U-format (bits 0-1 = 11): STARTDT / STOPDT / TESTFR act or con, one function bit set.
// The ASDU is parsed in the common IEC 60870-5-104 profile: 1-byte type id, 1-byte variable
// structure qualifier (SQ bit + number of objects), 2-byte cause of transmission (cause,
// P/N and test bits, originator address), 2-byte common address (CASDU) and 3-byte
// information object addresses. Element sizes per type id come from kTypes
// (iec104_parser.cc), reviewable against IEC 60870-5-101 §7.3 and IEC 60870-5-104 §8.
// Stream framing, sequence tracking and events live in iec104_session.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::iec104 {

constexpr uint8_t kStartByte = 0x68;
constexpr size_t kApciSize = 6;        // start, length, four control octets
constexpr uint8_t kMinApduLength = 4;  // the APDU length counts the control octets and the ASDU
constexpr uint8_t kMaxApduLength = 253;
constexpr size_t kMaxApduSize = 2 + kMaxApduLength;
constexpr size_t kAsduHeaderSize = 6;  // type id, VSQ, COT (2), common address (2)
constexpr size_t kIoaSize = 3;
constexpr size_t kMaxAsduSize = kMaxApduLength - 4;
constexpr uint16_t kSequenceModulus = 32768;  // N(S) / N(R) are 15-bit counters
constexpr uint16_t kGlobalCommonAddress = 0xFFFF;

// Stable anomaly names ("iec104.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None,
  InvalidStart,         // a frame does not begin with 0x68
  InvalidLength,        // APDU length outside 4..253, not 4 for S/U frames, or too short for an ASDU header
  InvalidUFormat,       // U-format control field without exactly one function bit, or non-zero octets 2-4
  InvalidSFormat,       // S-format control field with reserved bits set
  UnknownTypeId,        // type id not in kTypes: the information objects cannot be walked
  InvalidCause,         // cause of transmission 0 or a reserved value (14-19, 42, 43)
  LengthMismatch,       // the information objects do not fill the APDU exactly
  TooManyObjects,       // the declared objects cannot fit in any APDU
  UnexpectedDirection,  // see check_direction() / check_u_direction()
  SequenceError,        // N(S) is not the next one expected in its direction
  TruncatedApdu,        // the stream ended inside an APDU
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "iec104.invalid_length"; "" for None

// ---- Stream framing ----

enum class FrameStatus : uint8_t { Ok, NeedMoreData, Malformed };
struct FrameResult {
  FrameStatus status = FrameStatus::NeedMoreData;
  size_t apdu_size = 0;             // 2 + APDU length, when Ok
  Anomaly anomaly = Anomaly::None;  // InvalidStart / InvalidLength when Malformed
};
// Looks at the start byte and APDU length at the front of `stream` (which may hold more or
// less than one APDU) and says how long the APDU is.
FrameResult frame_apdu(Bytes stream);

// Whether `stream` starts with a plausible APDU: start byte, a length in range and a
// well-formed control field for its format; I-format frames also need a known type id and a
// non-zero cause of transmission. Used by the descriptor's probe and to resynchronise after
// a gap. Needs 6 bytes (S/U) or 9 bytes (I).
ProbeResult probe_apdu(Bytes stream);

// ---- Protocol tables ----

enum class TypeClass : uint8_t {
  Monitoring,     // process information in monitoring direction (1-40)
  Command,        // process information in control direction (45-64)
  System,         // system information in monitoring direction (70)
  SystemCommand,  // system information in control direction (100-107)
  Parameter,      // parameters in control direction (110-113)
  File,           // file transfer, both directions (120-127)
};

// How an element (the information object without its IOA) is laid out.
enum class ValueKind : uint8_t {
  None,                 // not decoded (protection events, packed points, file transfer, test words)
  SinglePoint,          // SIQ
  DoublePoint,          // DIQ
  StepPosition,         // VTI + QDS
  Bitstring,            // BSI + QDS
  Normalized,           // NVA + QDS
  Scaled,               // SVA + QDS
  Float,                // IEEE 754 + QDS
  Counter,              // BCR (counter + sequence / carry / adjusted / invalid)
  NormalizedNoQuality,  // NVA
  SingleCommand,        // SCO
  DoubleCommand,        // DCO
  RegulatingStep,       // RCO
  NormalizedSetpoint,   // NVA + QOS
  ScaledSetpoint,       // SVA + QOS
  FloatSetpoint,        // IEEE 754 + QOS
  BitstringCommand,     // BSI
  Qualifier,            // one qualifier octet: COI, QOI, QCC, QRP, QPA
  ClockSync,            // CP56Time2a only
  NormalizedParameter,  // NVA + QPM
  ScaledParameter,      // SVA + QPM
  FloatParameter,       // IEEE 754 + QPM
};

enum class TimeTag : uint8_t { NoTime, Cp24, Cp56 };  // a time tag ending the element

constexpr uint8_t kVariableSize = 0xFF;  // F_SG_NA_1: segment length in the element

struct TypeInfo {
  uint8_t id = 0;
  std::string_view name;     // "C_SC_NA_1"
  uint8_t element_size = 0;  // bytes after the IOA, time tag included; kVariableSize for segments
  TypeClass type_class = TypeClass::Monitoring;
  ValueKind value = ValueKind::None;
  TimeTag time = TimeTag::NoTime;
  bool changes_state = false;  // commands, set-points, clock sync, reset process, parameters
};
// nullptr for type ids without an entry.
const TypeInfo* type_info(uint8_t type_id);

// Cause of transmission names ("spontaneous", "activation confirmation"); "" for reserved causes.
std::string_view cause_name(uint8_t cause);
bool is_valid_cause(uint8_t cause);  // 1-13, 20-41, 44-47 and the private range 48-63

// ---- APDU ----

enum class FrameFormat : uint8_t { I, S, U };

// U-format functions: the control octet values (one function bit plus the 0b11 format bits).
enum class UFunction : uint8_t {
  None = 0,
  StartDtAct = 0x07,
  StartDtCon = 0x0B,
  StopDtAct = 0x13,
  StopDtCon = 0x23,
  TestFrAct = 0x43,
  TestFrCon = 0x83,
};
std::string_view u_function_name(UFunction f);  // "STARTDT act"; "" for None

struct Asdu {
  uint8_t type_id = 0;
  const TypeInfo* type = nullptr;  // nullptr for unknown type ids
  bool sequence = false;           // SQ: one IOA, then consecutive elements
  uint8_t object_count = 0;
  uint8_t cause = 0;      // 6 bits
  bool negative = false;  // P/N: negative confirmation
  bool test = false;
  uint8_t originator = 0;
  uint16_t common_address = 0;
  bool has_ioa = false;
  uint32_t first_ioa = 0;
  Bytes objects;  // information objects, IOAs included; walk with ObjectWalker
};

struct Apdu {
  FrameFormat format = FrameFormat::I;
  uint8_t length = 0;     // APDU length field
  uint16_t send_seq = 0;  // N(S), I-format
  uint16_t recv_seq = 0;  // N(R), I- and S-format
  UFunction u_function = UFunction::None;
  Asdu asdu;                        // I-format only
  Anomaly anomaly = Anomaly::None;  // the first malformation found
};
// Parses one whole APDU (`apdu` = start byte through the last ASDU byte, as sized by frame_apdu()).
Apdu parse_apdu(Bytes apdu);

// Direction rules: the controlling station (client) sends commands, system commands and
// parameters (causes request / activation / deactivation), never monitoring information or
// end of initialisation; the controlled station (server) answers commands only with their
// mirror (confirmation, termination, unknown-… causes, interrogated-by parameters), never
// with a request / activation / deactivation. File transfer runs both ways.
Anomaly check_direction(Direction dir, const Asdu& asdu);
// STARTDT / STOPDT act come from the controlling station, their con from the controlled one.
Anomaly check_u_direction(Direction dir, UFunction function);

// ---- Information objects ----

struct InformationObject {
  uint32_t ioa = 0;
  Bytes element;  // the bytes after the IOA
};
// Walks the information objects of an ASDU that parsed without LengthMismatch /
// TooManyObjects / UnknownTypeId; with SQ=1 the IOAs count up from the first.
class ObjectWalker {
 public:
  explicit ObjectWalker(const Asdu& asdu);
  bool next(InformationObject& out);

 private:
  const TypeInfo* type_;
  ByteReader reader_;
  bool sequence_;
  uint32_t remaining_;
  uint32_t next_ioa_ = 0;
};

struct Cp56Time2a {
  uint16_t milliseconds = 0;  // 0..59999, seconds included
  uint8_t minute = 0;
  bool invalid = false;
  uint8_t hour = 0;
  bool summer_time = false;
  uint8_t day = 0;
  uint8_t weekday = 0;  // 1 = Monday, 0 = not used
  uint8_t month = 0;
  uint8_t year = 0;  // 0..99
};
Cp56Time2a parse_cp56time2a(Bytes seven_bytes);

struct ElementValue {
  ValueKind kind = ValueKind::None;
  int64_t integer = 0;  // point / command state, step, scaled value, counter, bitstring, qualifier
  double real = 0;      // normalized (-1 .. <1) and floating-point values
  uint8_t quality = 0;  // quality bits of SIQ / DIQ / QDS / BCR, or the qualifier of a command
  bool select = false;  // S/E of commands and set-points: true = select, false = execute
  bool has_select = false;
  bool has_time = false;
  Cp56Time2a time;  // when the element ends in a CP56Time2a (or is one)
};
// Decodes one element of a type; kind None when the type is not decoded or the element is short.
ElementValue decode_element(const TypeInfo& type, Bytes element);

}  // namespace ots::iec104
