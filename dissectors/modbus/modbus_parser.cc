#include "dissectors/modbus/modbus_parser.h"

#include <array>

namespace ots::modbus {
namespace {

// ---- Protocol tables (Modbus Application Protocol Specification V1.1b3) ----

struct FunctionEntry {
  uint8_t code;
  std::string_view name;
  bool is_write;
};

// Public function codes (spec §5–6) plus Schneider Electric's UMAS, carried in FC 0x5A.
constexpr FunctionEntry kFunctions[] = {
    {1, "Read Coils", false},
    {2, "Read Discrete Inputs", false},
    {3, "Read Holding Registers", false},
    {4, "Read Input Registers", false},
    {5, "Write Single Coil", true},
    {6, "Write Single Register", true},
    {7, "Read Exception Status", false},
    {8, "Diagnostics", false},  // writes depend on the sub-function, see kDiagnostics
    {11, "Get Comm Event Counter", false},
    {12, "Get Comm Event Log", false},
    {15, "Write Multiple Coils", true},
    {16, "Write Multiple Registers", true},
    {17, "Report Server ID", false},
    {20, "Read File Record", false},
    {21, "Write File Record", true},
    {22, "Mask Write Register", true},
    {23, "Read/Write Multiple Registers", true},
    {24, "Read FIFO Queue", false},
    {43, "Encapsulated Interface Transport", false},
    {kFcUmas, "Schneider UMAS", false},  // writes depend on the UMAS function, see kUmasFunctions
};
constexpr std::string_view kUserDefinedName = "User-Defined Function";

// Spec §6.1 ("public function code definition"): 65–72 and 100–110 are user-defined.
constexpr bool is_user_defined(uint8_t fc) { return (fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110); }

constexpr auto kFunctionIndex = [] {
  std::array<const FunctionEntry*, 128> index{};
  for (const FunctionEntry& entry : kFunctions) index[entry.code] = &entry;
  return index;
}();

struct NamedCode {
  uint16_t code;
  std::string_view name;
  bool is_write = false;
};

// Spec §7 exception codes.
constexpr NamedCode kExceptions[] = {
    {1, "Illegal Function"},
    {2, "Illegal Data Address"},
    {3, "Illegal Data Value"},
    {4, "Server Device Failure"},
    {5, "Acknowledge"},
    {6, "Server Device Busy"},
    {8, "Memory Parity Error"},
    {10, "Gateway Path Unavailable"},
    {11, "Gateway Target Device Failed to Respond"},
};

// Spec §6.8.1 FC8 sub-functions; 0x05–0x09 and 0x13 are reserved.
constexpr NamedCode kDiagnostics[] = {
    {0x00, "Return Query Data"},
    {0x01, "Restart Communications Option", true},
    {0x02, "Return Diagnostic Register"},
    {0x03, "Change ASCII Input Delimiter", true},
    {0x04, "Force Listen Only Mode", true},
    {0x0A, "Clear Counters and Diagnostic Register", true},
    {0x0B, "Return Bus Message Count"},
    {0x0C, "Return Bus Communication Error Count"},
    {0x0D, "Return Bus Exception Error Count"},
    {0x0E, "Return Server Message Count"},
    {0x0F, "Return Server No Response Count"},
    {0x10, "Return Server NAK Count"},
    {0x11, "Return Server Busy Count"},
    {0x12, "Return Bus Character Overrun Count"},
    {0x14, "Clear Overrun Counter and Flag", true},
};

// Spec §6.19–6.21 MEI types of FC43.
constexpr NamedCode kMeiTypes[] = {
    {kMeiCanOpen, "CANopen General Reference"},
    {kMeiReadDeviceId, "Read Device Identification"},
};

// Spec §6.21 Read Device Identification object ids; 0x07–0x7F reserved, 0x80–0xFF private.
constexpr NamedCode kDeviceObjects[] = {
    {0, "VendorName"},   {1, "ProductCode"}, {2, "MajorMinorRevision"},   {3, "VendorUrl"},
    {4, "ProductName"},  {5, "ModelName"},   {6, "UserApplicationName"},
};

// Schneider UMAS function codes (no public specification; names as used by the public
// research and tooling, e.g. Wireshark's packet-mbtcp.c and the Black Hat M340 work).
constexpr NamedCode kUmasFunctions[] = {
    {0x01, "INIT_COMM"},
    {0x02, "READ_ID"},
    {0x03, "READ_PROJECT_INFO"},
    {0x04, "READ_PLC_INFO"},
    {0x06, "READ_CARD_INFO"},
    {0x0A, "REPEAT"},
    {0x10, "TAKE_PLC_RESERVATION"},
    {0x11, "RELEASE_PLC_RESERVATION"},
    {0x12, "KEEP_ALIVE"},
    {0x20, "READ_MEMORY_BLOCK"},
    {0x22, "READ_VARIABLES"},
    {0x23, "WRITE_VARIABLES", true},
    {0x24, "READ_COILS_REGISTERS"},
    {0x25, "WRITE_COILS_REGISTERS", true},
    {0x30, "INITIALIZE_UPLOAD"},
    {0x31, "UPLOAD_BLOCK"},
    {0x32, "END_STRATEGY_UPLOAD"},
    {0x33, "INITIALIZE_DOWNLOAD", true},
    {0x34, "DOWNLOAD_BLOCK", true},
    {0x35, "END_STRATEGY_DOWNLOAD", true},
    {0x39, "READ_ETH_MASTER_DATA"},
    {0x40, "START_PLC", true},
    {0x41, "STOP_PLC", true},
    {0x50, "MONITOR_PLC"},
    {0x58, "CHECK_PLC"},
    {0x70, "READ_IO_OBJECT"},
    {0x71, "WRITE_IO_OBJECT", true},
    {0x73, "GET_STATUS_MODULE"},
};

constexpr std::string_view kAnomalyNames[] = {
    "",
    "modbus.invalid_protocol_id",
    "modbus.invalid_length",
    "modbus.invalid_function_code",
    "modbus.invalid_quantity",
    "modbus.byte_count_mismatch",
    "modbus.invalid_coil_value",
    "modbus.unmatched_response",
    "modbus.invalid_exception_code",
    "modbus.too_many_pending_requests",
    "modbus.truncated_pdu",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

// Quantity limits of spec §6 (the most a 253-byte PDU can carry).
constexpr uint16_t kMaxReadBits = 2000;
constexpr uint16_t kMaxReadRegisters = 125;
constexpr uint16_t kMaxWriteBits = 1968;
constexpr uint16_t kMaxWriteRegisters = 123;
constexpr uint16_t kMaxReadWriteWriteRegisters = 121;
constexpr uint16_t kMaxFifoCount = 31;
constexpr size_t kReadFileSubRequestSize = 7;
constexpr uint16_t kCoilOn = 0xFF00, kCoilOff = 0x0000;

template <size_t N>
const NamedCode* find(const NamedCode (&table)[N], uint16_t code) {
  for (const NamedCode& entry : table) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

template <size_t N>
std::string_view name_in(const NamedCode (&table)[N], uint16_t code) {
  const NamedCode* entry = find(table, code);
  return entry ? entry->name : std::string_view{};
}

void flag(Pdu& pdu, Anomaly anomaly) {
  if (pdu.anomaly == Anomaly::None) pdu.anomaly = anomaly;
}

// Truncation explains any odd value read before it (a failed read yields zero), so it wins.
void finish(Pdu& pdu, const ByteReader& reader, bool fixed_size) {
  if (!reader.ok()) {
    pdu.anomaly = Anomaly::TruncatedPdu;
  } else if (fixed_size && !reader.empty()) {
    flag(pdu, Anomaly::InvalidLength);  // trailing bytes: the MBAP length disagrees with the PDU
  }
}

void read_range(ByteReader& r, Pdu& pdu, uint16_t max_quantity) {
  pdu.address = r.be16();
  pdu.quantity = r.be16();
  pdu.has_range = true;
  if (pdu.quantity == 0 || pdu.quantity > max_quantity) flag(pdu, Anomaly::InvalidQuantity);
}

void read_single(ByteReader& r, Pdu& pdu, bool is_coil) {
  pdu.address = r.be16();
  uint16_t value = r.be16();
  pdu.quantity = 1;
  pdu.has_range = true;
  if (is_coil && r.ok() && value != kCoilOn && value != kCoilOff) flag(pdu, Anomaly::InvalidCoilValue);
}

// Write Multiple Coils / Registers request: range, byte count consistent with it, values.
void read_write_multiple(ByteReader& r, Pdu& pdu, uint16_t max_quantity, bool bits) {
  read_range(r, pdu, max_quantity);
  uint8_t byte_count = r.u8();
  size_t expected = bits ? (size_t{pdu.quantity} + 7) / 8 : size_t{pdu.quantity} * 2;
  if (r.ok() && byte_count != expected) flag(pdu, Anomaly::ByteCountMismatch);
  r.skip(byte_count);
}

// FC21 sub-requests (request and its echo): reference type, file, record, length, record data.
void read_file_records_with_data(ByteReader& r, Pdu& pdu) {
  uint8_t byte_count = r.u8();
  ByteReader records(r.bytes(byte_count));
  if (!r.ok()) return;
  while (records.ok() && !records.empty()) {
    records.skip(5);  // reference type, file number, record number
    uint16_t record_length = records.be16();
    records.skip(size_t{record_length} * 2);
  }
  if (!records.ok()) flag(pdu, Anomaly::ByteCountMismatch);
}

void read_device_id_objects(ByteReader& r, Pdu& pdu) {
  Bytes whole = r.whole();
  size_t start = r.offset();
  for (unsigned i = 0; i < pdu.object_count && r.ok(); ++i) {
    r.u8();  // object id
    r.skip(r.u8());
  }
  if (r.ok()) pdu.object_list = whole.subspan(start, r.offset() - start);
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < std::size(kAnomalyNames) ? kAnomalyNames[index] : std::string_view{};
}

MbapResult parse_mbap(Bytes stream) {
  MbapResult result;
  ByteReader r(stream);
  result.header.transaction_id = r.be16();
  result.header.protocol_id = r.be16();
  result.header.length = r.be16();
  result.header.unit_id = r.u8();
  if (!r.ok()) return result;  // NeedMoreData
  if (result.header.protocol_id != 0) {
    result.status = MbapStatus::Malformed;
    result.anomaly = Anomaly::InvalidProtocolId;
  } else if (result.header.length < kMinLength || result.header.length > kMaxTolerantLength) {
    result.status = MbapStatus::Malformed;
    result.anomaly = Anomaly::InvalidLength;
  } else {
    result.status = MbapStatus::Ok;
  }
  return result;
}

ProbeResult probe_header(Direction dir, Bytes stream) {
  if (stream.size() < kMbapHeaderSize + 1) return ProbeResult::NeedMoreData;
  MbapResult mbap = parse_mbap(stream);
  if (mbap.status != MbapStatus::Ok || mbap.header.length > kMaxSpecLength) return ProbeResult::NoMatch;
  uint8_t fc = stream[kMbapHeaderSize];
  // User-defined codes are legal but too weak a signal to claim a flow on.
  auto known = [](uint8_t code) { return code != 0 && code < 128 && kFunctionIndex[code] != nullptr; };
  if (known(fc)) return ProbeResult::Match;
  bool exception_response = dir == Direction::FromServer && (fc & kExceptionBit) && known(fc & 0x7F) &&
                            mbap.header.length == 3;
  return exception_response ? ProbeResult::Match : ProbeResult::NoMatch;
}

Pdu parse_request(Bytes bytes) {
  Pdu pdu;
  ByteReader r(bytes);
  uint8_t fc = r.u8();
  pdu.function_code = fc;
  if (!r.ok()) {
    pdu.anomaly = Anomaly::TruncatedPdu;
    return pdu;
  }
  if (!is_known_function(fc)) {
    pdu.anomaly = Anomaly::InvalidFunctionCode;
    return pdu;
  }
  bool fixed_size = true;
  switch (fc) {
    case 1:
    case 2: read_range(r, pdu, kMaxReadBits); break;
    case 3:
    case 4: read_range(r, pdu, kMaxReadRegisters); break;
    case 5: read_single(r, pdu, true); break;
    case 6: read_single(r, pdu, false); break;
    case 7:
    case 11:
    case 12:
    case 17: break;
    case kFcDiagnostics:
      pdu.sub_function = r.be16();
      pdu.has_sub_function = true;
      r.rest();  // sub-function data
      break;
    case 15: read_write_multiple(r, pdu, kMaxWriteBits, true); break;
    case 16: read_write_multiple(r, pdu, kMaxWriteRegisters, false); break;
    case 20: {
      uint8_t byte_count = r.u8();
      if (r.ok() && byte_count % kReadFileSubRequestSize != 0) flag(pdu, Anomaly::ByteCountMismatch);
      r.skip(byte_count);  // sub-requests: reference type, file number, record number, record length
      break;
    }
    case 21: read_file_records_with_data(r, pdu); break;
    case 22:
      read_single(r, pdu, false);  // address and AND mask
      r.be16();                    // OR mask
      break;
    case 23: {
      r.be16();  // read starting address; the write range is the one reported
      pdu.read_quantity = r.be16();
      if (r.ok() && (pdu.read_quantity == 0 || pdu.read_quantity > kMaxReadRegisters)) {
        flag(pdu, Anomaly::InvalidQuantity);
      }
      read_write_multiple(r, pdu, kMaxReadWriteWriteRegisters, false);
      break;
    }
    case 24:
      pdu.address = r.be16();  // FIFO pointer address
      pdu.quantity = 1;
      pdu.has_range = true;
      break;
    case kFcEncapsulatedInterface:
      pdu.sub_function = r.u8();
      pdu.has_sub_function = true;
      if (pdu.sub_function == kMeiReadDeviceId) {
        pdu.read_device_id_code = r.u8();
        pdu.object_id = r.u8();
      } else if (pdu.sub_function == kMeiCanOpen) {
        r.rest();  // CANopen payload: header only
      } else if (r.ok()) {
        flag(pdu, Anomaly::InvalidFunctionCode);  // reserved MEI type
        r.rest();
      }
      break;
    case kFcUmas:
      pdu.umas_session_key = r.u8();
      pdu.sub_function = r.u8();
      pdu.has_sub_function = r.ok();
      r.rest();
      break;
    default:  // user-defined: opaque
      fixed_size = false;
      break;
  }
  finish(pdu, r, fixed_size);
  return pdu;
}

Pdu parse_response(Bytes bytes) {
  Pdu pdu;
  ByteReader r(bytes);
  uint8_t fc = r.u8();
  pdu.function_code = fc;
  if (!r.ok()) {
    pdu.anomaly = Anomaly::TruncatedPdu;
    return pdu;
  }
  if (fc & kExceptionBit) {
    // Servers answer unknown function codes with exceptions too, so the base code is not checked.
    pdu.function_code = fc & 0x7F;
    pdu.is_exception = true;
    pdu.exception_code = r.u8();
    if (r.ok() && exception_name(pdu.exception_code).empty()) flag(pdu, Anomaly::InvalidExceptionCode);
    finish(pdu, r, true);
    return pdu;
  }
  if (!is_known_function(fc)) {
    pdu.anomaly = Anomaly::InvalidFunctionCode;
    return pdu;
  }
  bool fixed_size = true;
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 23: {
      pdu.byte_count = r.u8();
      if (r.ok() && fc >= 3 && pdu.byte_count % 2 != 0) flag(pdu, Anomaly::ByteCountMismatch);
      r.skip(pdu.byte_count);
      break;
    }
    case 5: read_single(r, pdu, true); break;
    case 6: read_single(r, pdu, false); break;
    case 7: r.u8(); break;  // exception status outputs
    case kFcDiagnostics:
      pdu.sub_function = r.be16();
      pdu.has_sub_function = true;
      r.rest();
      break;
    case 11:
      r.be16();  // status
      r.be16();  // event count
      break;
    case 12: {
      uint8_t byte_count = r.u8();
      if (r.ok() && byte_count < 6) flag(pdu, Anomaly::ByteCountMismatch);  // status, event and message counts
      r.skip(byte_count);
      break;
    }
    case 15: read_range(r, pdu, kMaxWriteBits); break;
    case 16: read_range(r, pdu, kMaxWriteRegisters); break;
    case kFcReportServerId:
      pdu.server_id_data = r.bytes(r.u8());
      break;
    case 20: {
      ByteReader responses(r.bytes(r.u8()));
      while (r.ok() && responses.ok() && !responses.empty()) {
        uint8_t length = responses.u8();  // reference type + record data
        if (length == 0) flag(pdu, Anomaly::ByteCountMismatch);
        responses.skip(length);
      }
      if (r.ok() && !responses.ok()) flag(pdu, Anomaly::ByteCountMismatch);
      break;
    }
    case 21: read_file_records_with_data(r, pdu); break;
    case 22:
      read_single(r, pdu, false);
      r.be16();
      break;
    case 24: {
      uint16_t byte_count = r.be16();
      uint16_t fifo_count = r.be16();
      if (r.ok() && fifo_count > kMaxFifoCount) flag(pdu, Anomaly::InvalidQuantity);
      if (r.ok() && byte_count != 2 + 2 * size_t{fifo_count}) flag(pdu, Anomaly::ByteCountMismatch);
      r.skip(size_t{fifo_count} * 2);
      break;
    }
    case kFcEncapsulatedInterface:
      pdu.sub_function = r.u8();
      pdu.has_sub_function = true;
      if (pdu.sub_function == kMeiReadDeviceId) {
        pdu.read_device_id_code = r.u8();
        pdu.conformity_level = r.u8();
        pdu.more_follows = r.u8() == 0xFF;
        pdu.object_id = r.u8();
        pdu.object_count = r.u8();
        read_device_id_objects(r, pdu);
      } else if (pdu.sub_function == kMeiCanOpen) {
        r.rest();
      } else if (r.ok()) {
        flag(pdu, Anomaly::InvalidFunctionCode);
        r.rest();
      }
      break;
    case kFcUmas:
      pdu.umas_session_key = r.u8();
      pdu.umas_status = r.u8();
      pdu.is_umas_error = r.ok() && pdu.umas_status == kUmasStatusError;
      r.rest();
      break;
    default:
      fixed_size = false;
      break;
  }
  finish(pdu, r, fixed_size);
  return pdu;
}

Anomaly check_response(const Pdu& request, const Pdu& response) {
  if (response.is_exception || request.anomaly != Anomaly::None || response.anomaly != Anomaly::None) {
    return Anomaly::None;
  }
  size_t expected = 0;
  switch (request.function_code) {
    case 1:
    case 2: expected = (size_t{request.quantity} + 7) / 8; break;
    case 3:
    case 4: expected = size_t{request.quantity} * 2; break;
    case 23: expected = size_t{request.read_quantity} * 2; break;
    default: return Anomaly::None;
  }
  return response.byte_count == expected ? Anomaly::None : Anomaly::ByteCountMismatch;
}

bool next_device_object(ByteReader& list, DeviceIdObject& out) {
  if (list.empty()) return false;
  out.id = list.u8();
  out.value = list.bytes(list.u8());
  return list.ok();
}

std::string_view function_name(uint8_t function_code) {
  if (function_code < 128 && kFunctionIndex[function_code]) return kFunctionIndex[function_code]->name;
  return is_user_defined(function_code) ? kUserDefinedName : std::string_view{};
}

bool is_known_function(uint8_t function_code) {
  return function_code < 128 && (kFunctionIndex[function_code] != nullptr || is_user_defined(function_code));
}

std::string_view exception_name(uint8_t exception_code) { return name_in(kExceptions, exception_code); }
std::string_view diagnostic_name(uint16_t sub_function) { return name_in(kDiagnostics, sub_function); }
std::string_view mei_name(uint8_t mei_type) { return name_in(kMeiTypes, mei_type); }
std::string_view device_object_name(uint8_t object_id) { return name_in(kDeviceObjects, object_id); }
std::string_view umas_name(uint8_t umas_function) { return name_in(kUmasFunctions, umas_function); }

std::string_view sub_function_name(uint8_t function_code, uint16_t sub_function) {
  switch (function_code) {
    case kFcDiagnostics: return diagnostic_name(sub_function);
    case kFcEncapsulatedInterface: return sub_function <= 0xFF ? mei_name(sub_function) : std::string_view{};
    case kFcUmas: return sub_function <= 0xFF ? umas_name(sub_function) : std::string_view{};
    default: return {};
  }
}

bool is_write(uint8_t function_code, bool has_sub_function, uint16_t sub_function) {
  if (has_sub_function && function_code == kFcDiagnostics) {
    const NamedCode* entry = find(kDiagnostics, sub_function);
    return entry && entry->is_write;
  }
  if (has_sub_function && function_code == kFcUmas) {
    const NamedCode* entry = find(kUmasFunctions, sub_function);
    return entry && entry->is_write;
  }
  return function_code < 128 && kFunctionIndex[function_code] && kFunctionIndex[function_code]->is_write;
}

std::string_view longest_printable_run(Bytes bytes, size_t min_length) {
  std::string_view text = as_chars(bytes);
  std::string_view best;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    bool printable = i < text.size() && text[i] >= 0x20 && text[i] <= 0x7E;
    if (printable) continue;
    std::string_view run = text.substr(start, i - start);
    while (!run.empty() && run.front() == ' ') run.remove_prefix(1);
    while (!run.empty() && run.back() == ' ') run.remove_suffix(1);
    if (run.size() > best.size()) best = run;
    start = i + 1;
  }
  return best.size() >= min_length ? best : std::string_view{};
}

}  // namespace ots::modbus
