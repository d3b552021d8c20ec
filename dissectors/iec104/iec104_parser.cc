#include "dissectors/iec104/iec104_parser.h"

#include <array>
#include <bit>

namespace ots::iec104 {
namespace {

// ---- Protocol tables (IEC 60870-5-101 §7.2-7.3, IEC 60870-5-104 §8) ----

using enum TypeClass;
using enum ValueKind;
using enum TimeTag;

// Element sizes exclude the 3-byte IOA and include the time tag (CP24Time2a 3 bytes,
// CP56Time2a 7 bytes). The CP24 types (2-19 even ones, 17-19) are IEC 60870-5-101 only but
// still seen on gateways, so they are walked too.
constexpr TypeInfo kTypes[] = {
    // Process information in monitoring direction. SIQ / DIQ: single / double point with quality;
    // VTI step position; BSI bitstring; NVA / SVA normalized / scaled value; QDS quality; BCR counter.
    {1, "M_SP_NA_1", 1, Monitoring, SinglePoint, NoTime, false},
    {2, "M_SP_TA_1", 4, Monitoring, SinglePoint, Cp24, false},
    {3, "M_DP_NA_1", 1, Monitoring, DoublePoint, NoTime, false},
    {4, "M_DP_TA_1", 4, Monitoring, DoublePoint, Cp24, false},
    {5, "M_ST_NA_1", 2, Monitoring, StepPosition, NoTime, false},
    {6, "M_ST_TA_1", 5, Monitoring, StepPosition, Cp24, false},
    {7, "M_BO_NA_1", 5, Monitoring, Bitstring, NoTime, false},
    {8, "M_BO_TA_1", 8, Monitoring, Bitstring, Cp24, false},
    {9, "M_ME_NA_1", 3, Monitoring, Normalized, NoTime, false},
    {10, "M_ME_TA_1", 6, Monitoring, Normalized, Cp24, false},
    {11, "M_ME_NB_1", 3, Monitoring, Scaled, NoTime, false},
    {12, "M_ME_TB_1", 6, Monitoring, Scaled, Cp24, false},
    {13, "M_ME_NC_1", 5, Monitoring, Float, NoTime, false},
    {14, "M_ME_TC_1", 8, Monitoring, Float, Cp24, false},
    {15, "M_IT_NA_1", 5, Monitoring, Counter, NoTime, false},
    {16, "M_IT_TA_1", 8, Monitoring, Counter, Cp24, false},
    // Protection equipment: SEP / SPE + QDP / OCI + QDP, CP16Time2a elapsed time, time tag.
    {17, "M_EP_TA_1", 6, Monitoring, ValueKind::None, Cp24, false},
    {18, "M_EP_TB_1", 7, Monitoring, ValueKind::None, Cp24, false},
    {19, "M_EP_TC_1", 7, Monitoring, ValueKind::None, Cp24, false},
    {20, "M_PS_NA_1", 5, Monitoring, ValueKind::None, NoTime, false},  // SCD + QDS
    {21, "M_ME_ND_1", 2, Monitoring, NormalizedNoQuality, NoTime, false},
    {30, "M_SP_TB_1", 8, Monitoring, SinglePoint, Cp56, false},
    {31, "M_DP_TB_1", 8, Monitoring, DoublePoint, Cp56, false},
    {32, "M_ST_TB_1", 9, Monitoring, StepPosition, Cp56, false},
    {33, "M_BO_TB_1", 12, Monitoring, Bitstring, Cp56, false},
    {34, "M_ME_TD_1", 10, Monitoring, Normalized, Cp56, false},
    {35, "M_ME_TE_1", 10, Monitoring, Scaled, Cp56, false},
    {36, "M_ME_TF_1", 12, Monitoring, Float, Cp56, false},
    {37, "M_IT_TB_1", 12, Monitoring, Counter, Cp56, false},
    {38, "M_EP_TD_1", 10, Monitoring, ValueKind::None, Cp56, false},
    {39, "M_EP_TE_1", 11, Monitoring, ValueKind::None, Cp56, false},
    {40, "M_EP_TF_1", 11, Monitoring, ValueKind::None, Cp56, false},
    // Process information in control direction. SCO / DCO / RCO: single / double / regulating step
    // command; QOS set-point qualifier; all carry the select / execute bit except C_BO.
    {45, "C_SC_NA_1", 1, Command, SingleCommand, NoTime, true},
    {46, "C_DC_NA_1", 1, Command, DoubleCommand, NoTime, true},
    {47, "C_RC_NA_1", 1, Command, RegulatingStep, NoTime, true},
    {48, "C_SE_NA_1", 3, Command, NormalizedSetpoint, NoTime, true},
    {49, "C_SE_NB_1", 3, Command, ScaledSetpoint, NoTime, true},
    {50, "C_SE_NC_1", 5, Command, FloatSetpoint, NoTime, true},
    {51, "C_BO_NA_1", 4, Command, BitstringCommand, NoTime, true},
    {58, "C_SC_TA_1", 8, Command, SingleCommand, Cp56, true},
    {59, "C_DC_TA_1", 8, Command, DoubleCommand, Cp56, true},
    {60, "C_RC_TA_1", 8, Command, RegulatingStep, Cp56, true},
    {61, "C_SE_TA_1", 10, Command, NormalizedSetpoint, Cp56, true},
    {62, "C_SE_TB_1", 10, Command, ScaledSetpoint, Cp56, true},
    {63, "C_SE_TC_1", 12, Command, FloatSetpoint, Cp56, true},
    {64, "C_BO_TA_1", 11, Command, BitstringCommand, Cp56, true},
    // System information.
    {70, "M_EI_NA_1", 1, System, Qualifier, NoTime, false},                // end of initialisation: COI
    {100, "C_IC_NA_1", 1, SystemCommand, Qualifier, NoTime, false},        // interrogation: QOI
    {101, "C_CI_NA_1", 1, SystemCommand, Qualifier, NoTime, false},        // counter interrogation: QCC
    {102, "C_RD_NA_1", 0, SystemCommand, ValueKind::None, NoTime, false},  // read: the IOA only
    {103, "C_CS_NA_1", 7, SystemCommand, ClockSync, Cp56, true},           // clock synchronisation
    {104, "C_TS_NA_1", 2, SystemCommand, ValueKind::None, NoTime, false},  // test: FBP (101 only)
    {105, "C_RP_NA_1", 1, SystemCommand, Qualifier, NoTime, true},         // reset process: QRP
    {106, "C_CD_NA_1", 2, SystemCommand, ValueKind::None, NoTime, false},  // delay acquisition: CP16
    {107, "C_TS_TA_1", 9, SystemCommand, ValueKind::None, Cp56, false},    // test: TSC + CP56
    // Parameters in control direction: value + QPM, or QPA.
    {110, "P_ME_NA_1", 3, Parameter, NormalizedParameter, NoTime, true},
    {111, "P_ME_NB_1", 3, Parameter, ScaledParameter, NoTime, true},
    {112, "P_ME_NC_1", 5, Parameter, FloatParameter, NoTime, true},
    {113, "P_AC_NA_1", 1, Parameter, Qualifier, NoTime, true},
    // File transfer. NOF name of file, NOS name of section, LOF / LOS length of file / segment,
    // FRQ / SRQ / SCQ / LSQ / AFQ qualifiers, CHS checksum, SOF status of file.
    {120, "F_FR_NA_1", 6, File, ValueKind::None, NoTime, false},  // file ready: NOF LOF FRQ
    {121, "F_SR_NA_1", 7, File, ValueKind::None, NoTime, false},  // section ready: NOF NOS LOF SRQ
    {122, "F_SC_NA_1", 4, File, ValueKind::None, NoTime, false},  // call / select: NOF NOS SCQ
    {123, "F_LS_NA_1", 5, File, ValueKind::None, NoTime, false},  // last section: NOF NOS LSQ CHS
    {124, "F_AF_NA_1", 4, File, ValueKind::None, NoTime, false},  // ack file / section: NOF NOS AFQ
    {125, "F_SG_NA_1", kVariableSize, File, ValueKind::None, NoTime, false},  // segment: NOF NOS LOS data
    {126, "F_DR_TA_1", 13, File, ValueKind::None, Cp56, false},               // directory: NOF LOF SOF CP56
    {127, "F_SC_NB_1", 16, File, ValueKind::None, Cp56, false},  // query log: NOF, start and stop CP56
};

constexpr auto kTypeIndex = [] {
  std::array<const TypeInfo*, 256> index{};
  for (const TypeInfo& entry : kTypes) index[entry.id] = &entry;
  return index;
}();

// F_SG_NA_1 element header: name of file (2), name of section (1), length of segment (1).
constexpr size_t kSegmentHeaderSize = 4;

// Causes of transmission (IEC 60870-5-101 §7.2.3); 14-19 and 42-43 are reserved,
// 48-63 are for special use (private range).
constexpr auto kCauseNames = [] {
  std::array<std::string_view, 64> names{};
  names[1] = "periodic";
  names[2] = "background scan";
  names[3] = "spontaneous";
  names[4] = "initialised";
  names[5] = "request";
  names[6] = "activation";
  names[7] = "activation confirmation";
  names[8] = "deactivation";
  names[9] = "deactivation confirmation";
  names[10] = "activation termination";
  names[11] = "return information, remote command";
  names[12] = "return information, local command";
  names[13] = "file transfer";
  names[20] = "interrogated by station interrogation";
  constexpr std::string_view kGroups[] = {
      "interrogated by group 1",  "interrogated by group 2",  "interrogated by group 3",
      "interrogated by group 4",  "interrogated by group 5",  "interrogated by group 6",
      "interrogated by group 7",  "interrogated by group 8",  "interrogated by group 9",
      "interrogated by group 10", "interrogated by group 11", "interrogated by group 12",
      "interrogated by group 13", "interrogated by group 14", "interrogated by group 15",
      "interrogated by group 16"};
  for (size_t i = 0; i < 16; ++i) names[21 + i] = kGroups[i];
  names[37] = "requested by general counter request";
  names[38] = "requested by group 1 counter request";
  names[39] = "requested by group 2 counter request";
  names[40] = "requested by group 3 counter request";
  names[41] = "requested by group 4 counter request";
  names[44] = "unknown type identification";
  names[45] = "unknown cause of transmission";
  names[46] = "unknown common address of ASDU";
  names[47] = "unknown information object address";
  for (size_t i = 48; i < 64; ++i) names[i] = "special use";
  return names;
}();

constexpr uint8_t kCauseRequest = 5;
constexpr uint8_t kCauseActivation = 6;
constexpr uint8_t kCauseDeactivation = 8;

struct UFunctionEntry {
  UFunction function;
  std::string_view name;
};
constexpr UFunctionEntry kUFunctions[] = {
    {UFunction::StartDtAct, "STARTDT act"}, {UFunction::StartDtCon, "STARTDT con"},
    {UFunction::StopDtAct, "STOPDT act"},   {UFunction::StopDtCon, "STOPDT con"},
    {UFunction::TestFrAct, "TESTFR act"},   {UFunction::TestFrCon, "TESTFR con"},
};

constexpr std::string_view kAnomalyNames[] = {
    "",
    "iec104.invalid_start",
    "iec104.invalid_length",
    "iec104.invalid_u_format",
    "iec104.invalid_s_format",
    "iec104.unknown_type_id",
    "iec104.invalid_cause",
    "iec104.length_mismatch",
    "iec104.too_many_objects",
    "iec104.unexpected_direction",
    "iec104.sequence_error",
    "iec104.truncated_apdu",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

FrameFormat format_of(uint8_t control) {
  if ((control & 0x01) == 0) return FrameFormat::I;
  return (control & 0x03) == 0x01 ? FrameFormat::S : FrameFormat::U;
}

bool is_u_function(uint8_t control) {
  for (const UFunctionEntry& entry : kUFunctions) {
    if (static_cast<uint8_t>(entry.function) == control) return true;
  }
  return false;
}

// Octets 1-4 of the control field of a U / S frame, `control` pointing at octet 1.
bool valid_u_control(Bytes control) {
  return is_u_function(control[0]) && control[1] == 0 && control[2] == 0 && control[3] == 0;
}
bool valid_s_control(Bytes control) {
  return control[0] == 0x01 && control[1] == 0 && (control[2] & 0x01) == 0;
}

// Size of the information objects an ASDU with a fixed element size declares.
size_t declared_objects_size(const TypeInfo& type, bool sequence, size_t count) {
  if (count == 0) return 0;
  return sequence ? kIoaSize + count * type.element_size : count * (kIoaSize + type.element_size);
}

// F_SG_NA_1 objects carry their own length; SQ=1 is meaningless for them.
Anomaly check_segments(Bytes objects, bool sequence, size_t count) {
  if (sequence && count > 1) return Anomaly::LengthMismatch;
  ByteReader reader(objects);
  for (size_t i = 0; i < count; ++i) {
    reader.skip(kIoaSize + kSegmentHeaderSize - 1);
    uint8_t segment_length = reader.u8();
    reader.skip(segment_length);
    if (!reader.ok()) return Anomaly::LengthMismatch;
  }
  return reader.empty() ? Anomaly::None : Anomaly::LengthMismatch;
}

void parse_asdu(ByteReader& reader, Apdu& out) {
  Asdu& asdu = out.asdu;
  asdu.type_id = reader.u8();
  uint8_t vsq = reader.u8();
  asdu.sequence = (vsq & 0x80) != 0;
  asdu.object_count = vsq & 0x7F;
  uint8_t cot = reader.u8();
  asdu.cause = cot & 0x3F;
  asdu.negative = (cot & 0x40) != 0;
  asdu.test = (cot & 0x80) != 0;
  asdu.originator = reader.u8();
  asdu.common_address = reader.le16();
  asdu.objects = reader.rest();
  asdu.type = type_info(asdu.type_id);
  if (asdu.object_count > 0 && asdu.objects.size() >= kIoaSize) {
    asdu.has_ioa = true;
    asdu.first_ioa = ByteReader(asdu.objects).le24();
  }

  const TypeInfo* type = asdu.type;
  if (type == nullptr) {
    out.anomaly = Anomaly::UnknownTypeId;
  } else if (type->element_size == kVariableSize) {
    out.anomaly = check_segments(asdu.objects, asdu.sequence, asdu.object_count);
  } else {
    size_t declared = declared_objects_size(*type, asdu.sequence, asdu.object_count);
    if (declared > kMaxAsduSize - kAsduHeaderSize) {
      out.anomaly = Anomaly::TooManyObjects;
    } else if (declared != asdu.objects.size()) {
      out.anomaly = Anomaly::LengthMismatch;
    }
  }
  if (out.anomaly == Anomaly::None && !is_valid_cause(asdu.cause)) out.anomaly = Anomaly::InvalidCause;
}

double normalized(uint16_t raw) { return static_cast<int16_t>(raw) / 32768.0; }

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < std::size(kAnomalyNames) ? kAnomalyNames[index] : std::string_view{};
}

const TypeInfo* type_info(uint8_t type_id) { return kTypeIndex[type_id]; }

std::string_view cause_name(uint8_t cause) { return cause < kCauseNames.size() ? kCauseNames[cause] : ""; }

bool is_valid_cause(uint8_t cause) { return !cause_name(cause).empty(); }

std::string_view u_function_name(UFunction f) {
  for (const UFunctionEntry& entry : kUFunctions) {
    if (entry.function == f) return entry.name;
  }
  return {};
}

FrameResult frame_apdu(Bytes stream) {
  FrameResult result;
  if (stream.empty()) return result;
  if (stream[0] != kStartByte) {
    result.status = FrameStatus::Malformed;
    result.anomaly = Anomaly::InvalidStart;
    return result;
  }
  if (stream.size() < 2) return result;
  uint8_t length = stream[1];
  if (length < kMinApduLength || length > kMaxApduLength) {
    result.status = FrameStatus::Malformed;
    result.anomaly = Anomaly::InvalidLength;
    return result;
  }
  result.status = FrameStatus::Ok;
  result.apdu_size = 2 + size_t{length};
  return result;
}

ProbeResult probe_apdu(Bytes stream) {
  if (stream.empty()) return ProbeResult::NeedMoreData;
  FrameResult frame = frame_apdu(stream);
  if (frame.status == FrameStatus::Malformed) return ProbeResult::NoMatch;
  if (stream.size() < kApciSize) return ProbeResult::NeedMoreData;
  uint8_t length = stream[1];
  Bytes control = stream.subspan(2, 4);
  switch (format_of(control[0])) {
    case FrameFormat::U:
      return length == kMinApduLength && valid_u_control(control) ? ProbeResult::Match : ProbeResult::NoMatch;
    case FrameFormat::S:
      return length == kMinApduLength && valid_s_control(control) ? ProbeResult::Match : ProbeResult::NoMatch;
    case FrameFormat::I:
      break;
  }
  if (length < kMinApduLength + kAsduHeaderSize) return ProbeResult::NoMatch;
  if (stream.size() < kApciSize + 3) return ProbeResult::NeedMoreData;
  uint8_t type_id = stream[kApciSize];
  uint8_t cause = stream[kApciSize + 2] & 0x3F;
  return type_info(type_id) != nullptr && cause != 0 ? ProbeResult::Match : ProbeResult::NoMatch;
}

Apdu parse_apdu(Bytes apdu) {
  Apdu out;
  ByteReader reader(apdu);
  if (reader.u8() != kStartByte) {
    out.anomaly = Anomaly::InvalidStart;
    return out;
  }
  out.length = reader.u8();
  if (out.length < kMinApduLength || out.length > kMaxApduLength || apdu.size() != 2 + size_t{out.length}) {
    out.anomaly = Anomaly::InvalidLength;
    return out;
  }
  Bytes control = reader.bytes(4);
  out.format = format_of(control[0]);
  switch (out.format) {
    case FrameFormat::U:
      out.u_function = static_cast<UFunction>(control[0]);
      if (!valid_u_control(control)) {
        out.u_function = UFunction::None;
        out.anomaly = Anomaly::InvalidUFormat;
      } else if (out.length != kMinApduLength) {
        out.anomaly = Anomaly::InvalidLength;
      }
      return out;
    case FrameFormat::S:
      out.recv_seq = static_cast<uint16_t>((control[2] | control[3] << 8) >> 1);
      if (!valid_s_control(control)) {
        out.anomaly = Anomaly::InvalidSFormat;
      } else if (out.length != kMinApduLength) {
        out.anomaly = Anomaly::InvalidLength;
      }
      return out;
    case FrameFormat::I:
      break;
  }
  out.send_seq = static_cast<uint16_t>((control[0] | control[1] << 8) >> 1);
  out.recv_seq = static_cast<uint16_t>((control[2] | control[3] << 8) >> 1);
  if (out.length < kMinApduLength + kAsduHeaderSize) {
    out.anomaly = Anomaly::InvalidLength;
    return out;
  }
  parse_asdu(reader, out);
  return out;
}

Anomaly check_direction(Direction dir, const Asdu& asdu) {
  if (asdu.type == nullptr || asdu.type->type_class == TypeClass::File) return Anomaly::None;
  TypeClass type_class = asdu.type->type_class;
  bool monitoring = type_class == TypeClass::Monitoring || type_class == TypeClass::System;
  bool request_cause =
      asdu.cause == kCauseRequest || asdu.cause == kCauseActivation || asdu.cause == kCauseDeactivation;
  if (dir == Direction::FromClient) {
    return monitoring || !request_cause ? Anomaly::UnexpectedDirection : Anomaly::None;
  }
  return !monitoring && request_cause ? Anomaly::UnexpectedDirection : Anomaly::None;
}

Anomaly check_u_direction(Direction dir, UFunction function) {
  switch (function) {
    case UFunction::StartDtAct:
    case UFunction::StopDtAct:
      return dir == Direction::FromClient ? Anomaly::None : Anomaly::UnexpectedDirection;
    case UFunction::StartDtCon:
    case UFunction::StopDtCon:
      return dir == Direction::FromServer ? Anomaly::None : Anomaly::UnexpectedDirection;
    default:
      return Anomaly::None;
  }
}

ObjectWalker::ObjectWalker(const Asdu& asdu)
    : type_(asdu.type), reader_(asdu.objects), sequence_(asdu.sequence), remaining_(asdu.object_count) {
  if (sequence_ && remaining_ > 0) next_ioa_ = reader_.le24();
}

bool ObjectWalker::next(InformationObject& out) {
  if (type_ == nullptr || remaining_ == 0 || !reader_.ok()) return false;
  if (sequence_) {
    out.ioa = next_ioa_;
    next_ioa_ = (next_ioa_ + 1) & 0xFFFFFF;
  } else {
    out.ioa = reader_.le24();
  }
  size_t size = type_->element_size;
  if (size == kVariableSize) size = kSegmentHeaderSize + reader_.peek_u8(kSegmentHeaderSize - 1);
  out.element = reader_.bytes(size);
  --remaining_;
  return reader_.ok();
}

Cp56Time2a parse_cp56time2a(Bytes seven_bytes) {
  ByteReader reader(seven_bytes);
  Cp56Time2a time;
  time.milliseconds = reader.le16();
  uint8_t minute = reader.u8();
  time.minute = minute & 0x3F;
  time.invalid = (minute & 0x80) != 0;
  uint8_t hour = reader.u8();
  time.hour = hour & 0x1F;
  time.summer_time = (hour & 0x80) != 0;
  uint8_t day = reader.u8();
  time.day = day & 0x1F;
  time.weekday = day >> 5;
  time.month = reader.u8() & 0x0F;
  time.year = reader.u8() & 0x7F;
  return reader.ok() ? time : Cp56Time2a{};
}

ElementValue decode_element(const TypeInfo& type, Bytes element) {
  ElementValue value;
  if (type.element_size == kVariableSize || element.size() != type.element_size) return value;
  ByteReader reader(element);
  auto command = [&](uint8_t qualifier, uint8_t state_mask) {
    value.integer = qualifier & state_mask;
    value.quality = qualifier & 0x7C;  // QU (and for SCO bit 1, reserved)
    value.select = (qualifier & 0x80) != 0;
    value.has_select = true;
  };
  auto setpoint_qualifier = [&]() {
    uint8_t qos = reader.u8();
    value.quality = qos & 0x7F;  // QL
    value.select = (qos & 0x80) != 0;
    value.has_select = true;
  };
  switch (type.value) {
    case ValueKind::None:
      return value;
    case SinglePoint: {
      uint8_t siq = reader.u8();
      value.integer = siq & 0x01;
      value.quality = siq & 0xF0;
      break;
    }
    case DoublePoint: {
      uint8_t diq = reader.u8();
      value.integer = diq & 0x03;
      value.quality = diq & 0xF0;
      break;
    }
    case StepPosition: {
      uint8_t vti = reader.u8();
      value.integer = static_cast<int8_t>(static_cast<uint8_t>(vti << 1)) >> 1;  // 7-bit two's complement
      value.quality = reader.u8();
      break;
    }
    case Bitstring:
      value.integer = reader.le32();
      value.quality = reader.u8();
      break;
    case Normalized:
    case NormalizedNoQuality: {
      uint16_t raw = reader.le16();
      value.integer = static_cast<int16_t>(raw);
      value.real = normalized(raw);
      if (type.value == Normalized) value.quality = reader.u8();
      break;
    }
    case Scaled:
      value.integer = static_cast<int16_t>(reader.le16());
      value.quality = reader.u8();
      break;
    case Float:
      value.real = std::bit_cast<float>(reader.le32());
      value.quality = reader.u8();
      break;
    case Counter:
      value.integer = static_cast<int32_t>(reader.le32());
      value.quality = reader.u8();  // sequence number, carry, adjusted, invalid
      break;
    case SingleCommand:
      command(reader.u8(), 0x01);
      break;
    case DoubleCommand:
    case RegulatingStep:
      command(reader.u8(), 0x03);
      break;
    case NormalizedSetpoint: {
      uint16_t raw = reader.le16();
      value.integer = static_cast<int16_t>(raw);
      value.real = normalized(raw);
      setpoint_qualifier();
      break;
    }
    case ScaledSetpoint:
      value.integer = static_cast<int16_t>(reader.le16());
      setpoint_qualifier();
      break;
    case FloatSetpoint:
      value.real = std::bit_cast<float>(reader.le32());
      setpoint_qualifier();
      break;
    case BitstringCommand:
      value.integer = reader.le32();
      break;
    case Qualifier:
      value.integer = reader.u8();
      break;
    case ClockSync:
      break;
    case NormalizedParameter: {
      uint16_t raw = reader.le16();
      value.integer = static_cast<int16_t>(raw);
      value.real = normalized(raw);
      value.quality = reader.u8();  // QPM
      break;
    }
    case ScaledParameter:
      value.integer = static_cast<int16_t>(reader.le16());
      value.quality = reader.u8();
      break;
    case FloatParameter:
      value.real = std::bit_cast<float>(reader.le32());
      value.quality = reader.u8();
      break;
  }
  value.kind = type.value;
  if (type.time == Cp56) {
    value.has_time = true;
    value.time = parse_cp56time2a(element.last(7));
  }
  return value;
}

}  // namespace ots::iec104
