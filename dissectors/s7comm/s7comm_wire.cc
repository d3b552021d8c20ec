#include "dissectors/s7comm/s7comm_wire.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "dissectors/s7comm/s7comm_tables.h"

namespace ots::s7comm {

std::string_view anomaly_name(Anomaly a) {
  switch (a) {
    case Anomaly::None: return "";
    case Anomaly::InvalidTpktLength: return "s7comm.invalid_tpkt_length";
    case Anomaly::InvalidCotp: return "s7comm.invalid_cotp";
    case Anomaly::InvalidProtocolId: return "s7comm.invalid_protocol_id";
    case Anomaly::InvalidRosctr: return "s7comm.invalid_rosctr";
    case Anomaly::LengthMismatch: return "s7comm.length_mismatch";
    case Anomaly::InvalidItem: return "s7comm.invalid_item";
    case Anomaly::UnknownFunction: return "s7comm.unknown_function";
    case Anomaly::UnmatchedResponse: return "s7comm.unmatched_response";
    case Anomaly::ReassemblyOverflow: return "s7comm.reassembly_overflow";
    case Anomaly::Truncated: return "s7comm.truncated";
  }
  return "";
}

namespace {

constexpr uint8_t kTpktVersion = 3;

// Writes printf-style text into `buffer`, returning the part that fit.
template <typename... Args>
std::string_view format_into(std::span<char> buffer, const char* fmt, Args... args) {
  if (buffer.empty()) return {};
  int n = std::snprintf(buffer.data(), buffer.size(), fmt, args...);
  if (n < 0) return {};
  return {buffer.data(), std::min(static_cast<size_t>(n), buffer.size() - 1)};
}

// Builds a short text into a caller's buffer without printf: the variable
// addresses of every polled read pass through here. Truncates as snprintf does.
class TextAppender {
 public:
  explicit TextAppender(std::span<char> buffer) : buffer_(buffer) {}
  TextAppender& operator<<(std::string_view text) {
    const size_t n = std::min(text.size(), room());
    std::copy_n(text.data(), n, buffer_.data() + used_);
    used_ += n;
    return *this;
  }
  TextAppender& operator<<(uint32_t number) {
    char digits[10];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, number);
    return *this << std::string_view(digits, static_cast<size_t>(end - digits));
  }
  std::string_view view() const { return {buffer_.data(), used_}; }

 private:
  size_t room() const { return buffer_.empty() ? 0 : buffer_.size() - 1 - used_; }
  std::span<char> buffer_;
  size_t used_ = 0;
};

std::string_view trim_text(std::string_view s) {
  size_t nul = s.find('\0');
  if (nul != std::string_view::npos) s = s.substr(0, nul);
  while (!s.empty() && (s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ')) s.remove_prefix(1);
  return s;
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

bool is_timer_or_counter_area(uint8_t a) {
  return a == area::kCounter || a == area::kTimer || a == area::kIecCounter || a == area::kIecTimer;
}

std::string_view transport_size_name(uint8_t ts) {
  const auto* e = find_in(kTransportSizes, ts);
  return e ? e->second : std::string_view{};
}

}  // namespace

// ---- TPKT ----------------------------------------------------------------------------------------

TpktFrame tpkt_frame(Bytes stream) {
  ByteReader r(stream);
  uint8_t version = r.u8();
  r.skip(1);
  uint16_t length = r.be16();
  if (!r.ok()) {
    // Not even a header yet; a wrong version is already known from the first byte.
    if (!stream.empty() && stream[0] != kTpktVersion) return {TpktStatus::Invalid, 0};
    return {TpktStatus::NeedMore, 0};
  }
  if (version != kTpktVersion || length < kMinTpktLength) return {TpktStatus::Invalid, 0};
  if (stream.size() < length) return {TpktStatus::NeedMore, length};
  return {TpktStatus::Complete, length};
}

bool plausible_tpkt_start(Bytes b) {
  ByteReader r(b);
  uint8_t version = r.u8(), reserved = r.u8();
  uint16_t length = r.be16();
  uint8_t li = r.u8(), type = r.u8() & 0xF0;
  if (!r.ok() || version != kTpktVersion || reserved != 0 || length < kMinTpktLength) return false;
  if (li + 1u > length - kTpktHeaderSize) return false;
  switch (type) {
    case cotp::kData: return li == 2 || li == 4;
    case cotp::kConnectRequest:
    case cotp::kConnectConfirm:
    case cotp::kDisconnectRequest: return li >= 6;
    case cotp::kDisconnectConfirm: return li >= 5;
    case cotp::kError: return li >= 4;
    default: return false;
  }
}

// ---- COTP ----------------------------------------------------------------------------------------

namespace {

Anomaly parse_cotp_connection(ByteReader& header, CotpPdu& out) {
  out.dst_ref = header.be16();
  out.src_ref = header.be16();
  out.class_option = header.u8();
  if (!header.ok()) return Anomaly::InvalidCotp;
  while (!header.empty()) {
    uint8_t code = header.u8();
    uint8_t length = header.u8();
    Bytes value = header.bytes(length);
    if (!header.ok()) return Anomaly::InvalidCotp;
    switch (code) {
      case cotp::kParamTpduSize:
        // 2^n bytes, n in 7 (128) … 13 (8192).
        if (length != 1 || value[0] < 7 || value[0] > 13) return Anomaly::InvalidCotp;
        out.tpdu_size = 1u << value[0];
        break;
      case cotp::kParamCallingTsap: out.calling_tsap = value; break;
      case cotp::kParamCalledTsap: out.called_tsap = value; break;
      default: break;  // other class-0 parameters (version, checksum…) carry nothing we need
    }
  }
  return Anomaly::None;
}

}  // namespace

Anomaly parse_cotp(Bytes tpdu, CotpPdu& out) {
  out = CotpPdu{};
  ByteReader r(tpdu);
  uint8_t li = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (li == 0) return Anomaly::InvalidCotp;
  Bytes header_bytes = r.bytes(li);
  if (!r.ok()) return Anomaly::InvalidCotp;
  ByteReader header(header_bytes);
  out.type = header.u8() & 0xF0;
  switch (out.type) {
    case cotp::kData: {
      // Class 0 carries only the EOT/number byte; classes 2–4 put a destination reference first.
      if (li != 2 && li != 4) return Anomaly::InvalidCotp;
      if (li == 4) out.dst_ref = header.be16();
      uint8_t nr = header.u8();
      out.last_data_unit = (nr & 0x80) != 0;
      out.tpdu_number = nr & 0x7F;
      out.user_data = r.rest();
      return header.ok() ? Anomaly::None : Anomaly::InvalidCotp;
    }
    case cotp::kConnectRequest:
    case cotp::kConnectConfirm:
      if (li < 6) return Anomaly::InvalidCotp;
      return parse_cotp_connection(header, out);
    case cotp::kDisconnectRequest: return li >= 6 ? Anomaly::None : Anomaly::InvalidCotp;
    case cotp::kDisconnectConfirm: return li >= 5 ? Anomaly::None : Anomaly::InvalidCotp;
    case cotp::kError: return li >= 4 ? Anomaly::None : Anomaly::InvalidCotp;
    default: return Anomaly::InvalidCotp;  // expedited data, acks, rejects: not class 0
  }
}

std::optional<RackSlot> rack_slot_from_tsap(Bytes tsap) {
  if (tsap.size() != 2 || tsap[0] < 1 || tsap[0] > 3) return std::nullopt;
  return RackSlot{static_cast<uint8_t>(tsap[1] >> 5), static_cast<uint8_t>(tsap[1] & 0x1F)};
}

bool is_s7plus_tsap(Bytes tsap) { return as_chars(tsap).starts_with("SIMATIC-"); }

// ---- S7 PDU --------------------------------------------------------------------------------------

Anomaly parse_s7_pdu(Bytes bytes, S7Pdu& out) {
  out = S7Pdu{};
  ByteReader r(bytes);
  uint8_t protocol_id = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (protocol_id != kProtocolId) return Anomaly::InvalidProtocolId;
  out.rosctr = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (out.rosctr != rosctr::kJob && out.rosctr != rosctr::kAck && out.rosctr != rosctr::kAckData &&
      out.rosctr != rosctr::kUserdata) {
    return Anomaly::InvalidRosctr;
  }
  out.redundancy_id = r.be16();
  out.pdu_ref = r.be16();
  uint16_t param_length = r.be16();
  uint16_t data_length = r.be16();
  if (out.rosctr == rosctr::kAck || out.rosctr == rosctr::kAckData) {
    out.error_class = r.u8();
    out.error_code = r.u8();
  }
  if (!r.ok()) return Anomaly::Truncated;
  if (r.remaining() != size_t{param_length} + data_length) return Anomaly::LengthMismatch;
  out.params = r.bytes(param_length);
  out.data = r.bytes(data_length);
  return Anomaly::None;
}

// ---- Job / Ack-Data parameters -------------------------------------------------------------------

Anomaly parse_setup_communication(Bytes params, SetupCommunication& out) {
  ByteReader r(params);
  r.skip(2);  // function, reserved
  out.max_amq_calling = r.be16();
  out.max_amq_called = r.be16();
  out.pdu_length = r.be16();
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

uint32_t VarAddress::byte_offset() const { return is_timer_or_counter_area(area) ? address : address >> 3; }

uint8_t VarAddress::bit() const {
  return is_timer_or_counter_area(area) ? 0 : static_cast<uint8_t>(address & 7);
}

Anomaly parse_var_request(Bytes params, VarRequest& out) {
  constexpr uint8_t kVariableSpecification = 0x12;
  constexpr uint8_t kS7AnyLength = 10;
  out = VarRequest{};
  ByteReader r(params);
  r.skip(1);  // function
  out.item_count = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (out.item_count == 0) return Anomaly::InvalidItem;
  for (unsigned i = 0; i < out.item_count; ++i) {
    uint8_t spec = r.u8();
    uint8_t spec_length = r.u8();
    if (!r.ok()) return Anomaly::Truncated;
    if (spec != kVariableSpecification || spec_length == 0) return Anomaly::InvalidItem;
    Bytes body = r.bytes(spec_length);
    if (!r.ok()) return Anomaly::Truncated;
    ByteReader item(body);
    VarAddress a;
    a.syntax_id = item.u8();
    if (a.is_s7any()) {
      if (spec_length != kS7AnyLength) return Anomaly::InvalidItem;
      a.transport_size = item.u8();
      a.length = item.be16();
      a.db_number = item.be16();
      a.area = item.u8();
      a.address = item.be24();
    }
    if (i == 0) out.first = a;
  }
  return Anomaly::None;
}

Anomaly parse_var_response_params(Bytes params, uint8_t& item_count) {
  ByteReader r(params);
  r.skip(1);  // function
  item_count = r.u8();
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

Anomaly parse_data_items(Bytes data, uint8_t expected_count, DataItems& out) {
  out = DataItems{};
  ByteReader r(data);
  for (unsigned i = 0; i < expected_count; ++i) {
    uint8_t return_code = r.u8();
    uint8_t transport_size = r.u8();
    uint16_t length = r.be16();
    if (!r.ok()) return Anomaly::Truncated;
    size_t value_bytes = data_length_in_bits(transport_size) ? (length + 7u) / 8u : length;
    r.skip(value_bytes);
    if (!r.ok()) return Anomaly::Truncated;
    // Values are padded to an even length, except after the last item.
    if (value_bytes % 2 == 1 && i + 1 < expected_count) r.skip(1);
    if (!r.ok()) return Anomaly::Truncated;
    ++out.count;
    if (return_code != kItemReturnSuccess) ++out.failed;
  }
  return Anomaly::None;
}

Anomaly parse_write_results(Bytes data, uint8_t expected_count, DataItems& out) {
  out = DataItems{};
  ByteReader r(data);
  for (unsigned i = 0; i < expected_count; ++i) {
    uint8_t return_code = r.u8();
    if (!r.ok()) return Anomaly::Truncated;
    ++out.count;
    if (return_code != kItemReturnSuccess) ++out.failed;
  }
  return Anomaly::None;
}

Anomaly parse_block_transfer(Bytes params, BlockTransfer& out) {
  out = BlockTransfer{};
  ByteReader r(params);
  out.function = r.u8();
  out.status = r.u8();
  r.skip(2 + 4);  // reserved (error code for End Upload), upload/session id
  if (!r.ok()) return Anomaly::Truncated;
  if (out.function == function::kUpload || out.function == function::kEndUpload) return Anomaly::None;
  uint8_t name_length = r.u8();
  out.filename = r.chars(name_length);
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

Anomaly parse_pi_service(Bytes params, PiServiceCall& out) {
  constexpr size_t kBlockNameLength = 8;
  out = PiServiceCall{};
  ByteReader r(params);
  r.skip(1 + 7);  // function, reserved
  uint16_t block_length = r.be16();
  out.parameter_block = r.bytes(block_length);
  uint8_t name_length = r.u8();
  out.service = r.chars(name_length);
  if (!r.ok()) return Anomaly::Truncated;
  if (out.service == "_INSE" || out.service == "_INS2" || out.service == "_DELE") {
    ByteReader block(out.parameter_block);
    out.block_count = block.u8();
    block.skip(1);
    if (!block.ok() || block.remaining() < out.block_count * kBlockNameLength) return Anomaly::InvalidItem;
    if (out.block_count > 0) out.first_block = block.chars(kBlockNameLength);
  }
  return Anomaly::None;
}

Anomaly parse_plc_stop(Bytes params, std::string_view& service) {
  ByteReader r(params);
  r.skip(1 + 5);  // function, reserved
  uint8_t name_length = r.u8();
  service = r.chars(name_length);
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

std::string_view format_block_name(std::string_view name, std::span<char> buffer) {
  if (name.size() == 9 && (name[0] == '_' || name[0] == '$')) name.remove_prefix(1);
  if (name.size() != 8) return {};
  std::string_view type_code = name.substr(0, 2), digits = name.substr(2, 5);
  const auto* type = find_in(kBlockTypes, type_code);
  if (!type) return {};
  unsigned number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return {};
    number = number * 10 + static_cast<unsigned>(c - '0');
  }
  return format_into(buffer, "%.*s%u", static_cast<int>(type->second.size()), type->second.data(), number);
}

std::string_view format_address(const VarAddress& a, std::span<char> buffer) {
  if (!a.is_s7any()) return format_into(buffer, "syntax 0x%02x", a.syntax_id);
  std::string_view size = transport_size_name(a.transport_size);
  char size_fallback[8];
  if (size.empty()) size = format_into(size_fallback, "0x%02x", a.transport_size);
  const int size_len = static_cast<int>(size.size());
  const Area* ar = find_area(a.area);
  if (!ar) {
    return format_into(buffer, "area 0x%02x %u.%u %.*s %u", a.area, a.byte_offset(), a.bit(), size_len,
                       size.data(), a.length);
  }
  TextAppender out(buffer);
  const uint32_t offset = a.byte_offset(), bit = a.bit(), length = a.length;
  if (a.area == area::kDataBlock || a.area == area::kInstanceDataBlock) {
    out << ar->prefix << uint32_t{a.db_number} << "." << ar->prefix << "X " << offset << "." << bit << " " << size
        << " " << length;
  } else if (is_timer_or_counter_area(a.area)) {
    out << ar->prefix << " " << offset << " " << size << " " << length;
  } else {
    out << ar->prefix << " " << offset << "." << bit << " " << size << " " << length;
  }
  return out.view();
}

// ---- Userdata ------------------------------------------------------------------------------------

Anomaly parse_userdata_params(Bytes params, UserdataParams& out) {
  constexpr uint32_t kParameterHead = 0x000112;
  constexpr uint8_t kShortLength = 4, kExtendedLength = 8;
  out = UserdataParams{};
  ByteReader r(params);
  uint32_t head = r.be24();
  uint8_t length = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (head != kParameterHead) return Anomaly::UnknownFunction;
  if (length < kShortLength || r.remaining() != length) return Anomaly::LengthMismatch;
  out.method = r.u8();
  uint8_t type_group = r.u8();
  out.type = type_group >> 4;
  out.group = type_group & 0x0F;
  out.subfunction = r.u8();
  out.sequence = r.u8();
  if (length >= kExtendedLength) {
    out.extended = true;
    out.data_unit_ref = r.u8();
    out.last_data_unit = r.u8() == 0;
    out.error_code = r.be16();
  }
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

Anomaly parse_userdata_data(Bytes data, UserdataData& out) {
  out = UserdataData{};
  if (data.empty()) return Anomaly::None;
  ByteReader r(data);
  out.return_code = r.u8();
  out.transport_size = r.u8();
  uint16_t length = r.be16();
  if (!r.ok()) return Anomaly::Truncated;
  out.present = true;
  if (r.remaining() < length) {
    out.payload = r.rest();
    return Anomaly::LengthMismatch;
  }
  out.payload = r.bytes(length);
  return Anomaly::None;
}

// ---- SZL -----------------------------------------------------------------------------------------

Anomaly parse_szl_request(Bytes payload, SzlRequest& out) {
  ByteReader r(payload);
  out.id = r.be16();
  out.index = r.be16();
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

Anomaly parse_szl_list(Bytes payload, SzlList& out) {
  out = SzlList{};
  ByteReader r(payload);
  out.id = r.be16();
  out.index = r.be16();
  out.entry_length = r.be16();
  out.entry_count = r.be16();
  if (!r.ok()) return Anomaly::Truncated;
  if (out.entry_length == 0 && out.entry_count > 0) return Anomaly::InvalidItem;
  out.entries = r.rest();
  return Anomaly::None;
}

Bytes szl_entry(const SzlList& list, size_t i) {
  if (i >= list.entry_count || list.entry_length == 0) return {};
  size_t offset = i * list.entry_length;
  if (offset + list.entry_length > list.entries.size()) return {};
  return list.entries.subspan(offset, list.entry_length);
}

Anomaly parse_module_identification(Bytes entry, ModuleIdentification& out) {
  constexpr size_t kOrderNumberLength = 20;
  out = ModuleIdentification{};
  ByteReader r(entry);
  out.index = r.be16();
  std::string_view mlfb = r.chars(kOrderNumberLength);
  out.module_type = r.be16();
  out.ausbg = r.be16();
  out.ausbe = r.be16();
  if (!r.ok()) return Anomaly::InvalidItem;
  mlfb = trim_text(mlfb);
  out.order_number = printable(mlfb) ? mlfb : std::string_view{};
  return Anomaly::None;
}

std::string_view format_firmware_version(uint16_t ausbg, uint16_t ausbe, std::span<char> buffer) {
  if ((ausbg >> 8) != 'V') return {};
  return format_into(buffer, "V%u.%u.%u", ausbg & 0xFFu, ausbe >> 8, ausbe & 0xFFu);
}

Anomaly parse_component_identification(Bytes entry, ComponentIdentification& out) {
  constexpr size_t kTextLength = 32;
  constexpr size_t kOemCopyrightLength = 26;
  out = ComponentIdentification{};
  ByteReader r(entry);
  out.index = r.be16();
  if (!r.ok() || r.empty()) return Anomaly::InvalidItem;
  if (out.index == szl::kIndexManufacturer) return Anomaly::None;  // binary ids, no text
  size_t text_length = out.index == szl::kIndexOemId ? kOemCopyrightLength : kTextLength;
  std::string_view text = trim_text(r.chars(std::min(text_length, r.remaining())));
  out.text = printable(text) ? text : std::string_view{};
  return Anomaly::None;
}

Anomaly parse_mode_transition(Bytes entry, ModeTransition& out) {
  out = ModeTransition{};
  ByteReader r(entry);
  out.event_id = r.be16();
  r.skip(1);  // ae
  uint8_t bzu_id = r.u8();
  if (!r.ok()) return Anomaly::InvalidItem;
  out.requested_mode = bzu_id & 0x0F;
  out.previous_mode = bzu_id >> 4;
  return Anomaly::None;
}

}  // namespace ots::s7comm
