#include "dissectors/s7commplus/s7commplus_wire.h"

#include <algorithm>
#include <cstdio>

#include "dissectors/s7commplus/s7commplus_tables.h"

namespace ots::s7commplus {

std::string_view anomaly_name(Anomaly a) {
  switch (a) {
    case Anomaly::None: return "";
    case Anomaly::InvalidTpkt: return "s7commplus.invalid_tpkt";
    case Anomaly::InvalidCotp: return "s7commplus.invalid_cotp";
    case Anomaly::InvalidHeader: return "s7commplus.invalid_header";
    case Anomaly::UnknownVersion: return "s7commplus.unknown_version";
    case Anomaly::LengthMismatch: return "s7commplus.length_mismatch";
    case Anomaly::Truncated: return "s7commplus.truncated";
    case Anomaly::UnknownOpcode: return "s7commplus.unknown_opcode";
    case Anomaly::UnknownFunction: return "s7commplus.unknown_function";
    case Anomaly::UnmatchedResponse: return "s7commplus.unmatched_response";
    case Anomaly::ReassemblyOverflow: return "s7commplus.reassembly_overflow";
    case Anomaly::ResyncFailed: return "s7commplus.resync_failed";
    case Anomaly::IntegrityUnparsed: return "s7commplus.integrity_unparsed";
    case Anomaly::Encrypted: return "s7commplus.encrypted";
  }
  return "";
}

bool known_version(uint8_t v) {
  return v == version::kV1 || v == version::kV2 || v == version::kV3 || v == version::kSystemEvent ||
         v == version::kKeepAlive;
}

Anomaly parse_frame(Bytes message, Frame& out) {
  out = Frame{};
  ByteReader r(message);
  const uint8_t id = r.u8();
  out.version = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (id != kProtocolId) return Anomaly::InvalidHeader;
  if (!known_version(out.version)) return Anomaly::UnknownVersion;
  if (out.version == version::kKeepAlive) {
    out.keepalive_sequence = r.u8();
    r.skip(1);
    if (!r.ok()) return Anomaly::Truncated;
    out.has_trailer = true;
    return r.empty() ? Anomaly::None : Anomaly::LengthMismatch;
  }
  const uint16_t data_length = r.be16();
  if (!r.ok()) return Anomaly::Truncated;
  Bytes data = r.bytes(data_length);
  if (!r.ok()) return Anomaly::LengthMismatch;
  if (!r.empty()) {
    // The last frame of a message ends with a trailer: 0x72, the same version, length 0.
    const uint8_t trailer_id = r.u8(), trailer_version = r.u8();
    const uint16_t trailer_length = r.be16();
    if (!r.ok() || !r.empty()) return Anomaly::LengthMismatch;
    if (trailer_id != kProtocolId || trailer_version != out.version || trailer_length != 0) {
      return Anomaly::InvalidHeader;
    }
    out.has_trailer = true;
  }
  if (out.version == version::kV3) {
    // V3 (S7-1500 firmware ≥ 1.5) puts the integrity part in front of every frame's data.
    ByteReader d(data);
    const uint8_t digest_length = d.u8();
    if (!d.ok() || digest_length != kDigestSize || !d.has(kDigestSize)) return Anomaly::IntegrityUnparsed;
    d.skip(kDigestSize);
    out.has_digest = true;
    data = d.rest();
  }
  out.data = data;
  return Anomaly::None;
}

Anomaly parse_data_header(Bytes data, DataHeader& out) {
  out = DataHeader{};
  ByteReader r(data);
  out.opcode = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  switch (out.opcode) {
    case opcode::kNotification: out.body = r.rest(); return Anomaly::None;
    case opcode::kRequest:
    case opcode::kResponse:
    case opcode::kResponse2: break;
    default: return Anomaly::UnknownOpcode;
  }
  r.skip(2);  // reserved
  out.function = r.be16();
  r.skip(2);  // reserved
  out.sequence = r.be16();
  if (out.opcode == opcode::kRequest) out.session_id = r.be32();
  out.transport_flags = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  out.body = r.rest();
  return Anomaly::None;
}

uint32_t read_varuint32(ByteReader& r) {
  uint32_t value = 0;
  for (int i = 0; i < 5; ++i) {
    const uint8_t b = r.u8();
    value = value << 7 | (b & 0x7F);
    if (!(b & 0x80)) return value;
  }
  r.skip(r.remaining() + 1);  // a sixth continuation byte: malformed, fail the reader
  return 0;
}

uint64_t read_varuint64(ByteReader& r) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    const uint8_t b = r.u8();
    value = value << 7 | (b & 0x7F);
    if (!(b & 0x80)) return value;
  }
  return value << 8 | r.u8();  // the ninth byte carries 8 bits
}

bool return_value_is_error(uint64_t return_value) {
  return static_cast<int16_t>(static_cast<uint16_t>(return_value & 0xFFFF)) < 0;
}

Anomaly parse_item_address(ByteReader& r, ItemAddress& out) {
  out = ItemAddress{};
  out.symbol_crc = read_varuint32(r);
  out.access_area = read_varuint32(r);
  out.lid_count = read_varuint32(r);
  if (!r.ok()) return Anomaly::Truncated;
  // Each LID takes at least one byte: a count beyond the bytes left is malformed.
  if (out.lid_count > r.remaining()) return Anomaly::LengthMismatch;
  for (uint32_t i = 0; i < out.lid_count; ++i) {
    const uint32_t lid = read_varuint32(r);
    if (i == 0) {
      out.sub_area = lid;
    } else if (i - 1 < out.lids.size()) {
      out.lids[i - 1] = lid;
    }
  }
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

Anomaly parse_multi_variable_request(Bytes body, MultiVariableRequest& out) {
  out = MultiVariableRequest{};
  ByteReader r(body);
  out.object_id = r.be32();
  out.item_count = read_varuint32(r);
  out.field_count = read_varuint32(r);
  if (!r.ok()) return Anomaly::Truncated;
  if (out.item_count == 0) return Anomaly::None;
  if (out.object_id == 0) {
    if (Anomaly a = parse_item_address(r, out.first); a != Anomaly::None) return a;
  } else {
    out.first_attribute = read_varuint32(r);
    if (!r.ok()) return Anomaly::Truncated;
  }
  out.has_first = true;
  return Anomaly::None;
}

Anomaly parse_create_object_request(Bytes body, CreateObjectRequest& out) {
  constexpr uint8_t kStartOfObject = 0xA1;
  constexpr size_t kMaxValueBytes = 16;  // the request value is a small scalar (flags, type, varuint)
  out = CreateObjectRequest{};
  ByteReader r(body);
  out.request_id = r.be32();
  if (!r.ok()) return Anomaly::Truncated;
  // The request value and, depending on the version, four more bytes precede the object itself;
  // find its start-of-object element within a few bytes rather than decoding every value type.
  Bytes rest = r.peek_rest();
  const size_t window = std::min(rest.size(), kMaxValueBytes);
  auto start = std::find(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(window), kStartOfObject);
  if (start == rest.begin() + static_cast<std::ptrdiff_t>(window)) return Anomaly::Truncated;
  ByteReader object(rest.subspan(static_cast<size_t>(start - rest.begin()) + 1));
  out.relation_id = object.be32();
  out.class_id = read_varuint32(object);
  return object.ok() ? Anomaly::None : Anomaly::Truncated;
}

Anomaly parse_create_object_response(Bytes body, CreateObjectResponse& out) {
  out = CreateObjectResponse{};
  ByteReader r(body);
  out.return_value = read_varuint64(r);
  if (!r.ok()) return Anomaly::Truncated;
  if (return_value_is_error(out.return_value)) return Anomaly::None;  // no objects follow an error
  out.object_count = r.u8();
  if (out.object_count > 0) out.first_object_id = read_varuint32(r);
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

Anomaly parse_object_id(Bytes body, uint32_t& object_id) {
  ByteReader r(body);
  object_id = r.be32();
  return r.ok() ? Anomaly::None : Anomaly::Truncated;
}

std::string_view find_wstring_attribute(Bytes body, uint32_t attribute_id) {
  constexpr uint8_t kFlagsNone = 0x00, kTypeWString = 0x15;
  // The attribute id as it is encoded on the wire (varuint32, most significant group first).
  std::array<uint8_t, 5> encoded{};
  size_t n = 0;
  for (int shift = 28; shift >= 0; shift -= 7) {
    const uint8_t group = (attribute_id >> shift) & 0x7F;
    if (n == 0 && group == 0 && shift != 0) continue;
    encoded[n++] = group;
  }
  for (size_t i = 0; i + 1 < n; ++i) encoded[i] |= 0x80;
  std::array<uint8_t, 7> pattern{};
  std::copy_n(encoded.begin(), n, pattern.begin());
  pattern[n] = kFlagsNone;
  pattern[n + 1] = kTypeWString;
  const auto needle = std::span<const uint8_t>(pattern.data(), n + 2);
  auto hit = std::search(body.begin(), body.end(), needle.begin(), needle.end());
  if (hit == body.end()) return {};
  ByteReader r(body.subspan(static_cast<size_t>(hit - body.begin()) + needle.size()));
  const uint32_t length = read_varuint32(r);
  std::string_view text = r.chars(length);
  if (!r.ok() || text.empty()) return {};
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7E; })) return {};
  return text;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<PaomIdentity> parse_paom_string(std::string_view text) {
  const size_t first = text.find(';');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = text.find(';', first + 1);
  PaomIdentity out;
  out.order_number = trim(
      text.substr(first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1));
  if (second != std::string_view::npos) {
    std::string_view firmware = trim(text.substr(second + 1));
    if (firmware.size() > 1 && firmware.front() == 'V') out.firmware = firmware;
  }
  // Siemens order numbers (MLFB) start with a digit: "6ES7 …".
  if (out.order_number.size() < 4 || out.order_number.front() < '0' || out.order_number.front() > '9') {
    return std::nullopt;
  }
  return out;
}

std::optional<uint16_t> data_block_number(uint32_t access_area) {
  if ((access_area & 0xFFFF0000u) != ids::kDataBlockAreaBase) return std::nullopt;
  return static_cast<uint16_t>(access_area & 0xFFFF);
}

std::string_view format_item_address(const ItemAddress& a, std::span<char> buffer) {
  if (buffer.empty()) return {};
  size_t used = 0;
  // Keeps `used` at the text length, whatever snprintf would have written past the buffer.
  auto advance = [&](int wrote) {
    if (wrote > 0) used = std::min(used + static_cast<size_t>(wrote), buffer.size() - 1);
  };
  char* out = buffer.data();
  if (auto db = data_block_number(a.access_area)) {
    advance(std::snprintf(out, buffer.size(), "DB%u", unsigned{*db}));
  } else {
    std::string_view area;
    switch (a.access_area) {
      case ids::kNativeIArea: area = "I"; break;
      case ids::kNativeQArea: area = "Q"; break;
      case ids::kNativeMArea: area = "M"; break;
      case ids::kNativeCounters: area = "C"; break;
      case ids::kNativeTimers: area = "T"; break;
      default: break;
    }
    if (area.empty()) {
      advance(std::snprintf(out, buffer.size(), "area 0x%X", unsigned{a.access_area}));
    } else {
      advance(std::snprintf(out, buffer.size(), "%.*s", static_cast<int>(area.size()), area.data()));
    }
  }
  // LIDs after the sub-area name the variable (and its members) inside the area.
  const uint32_t shown = std::min<uint32_t>(a.lid_count > 0 ? a.lid_count - 1 : 0, a.lids.size());
  for (uint32_t i = 0; i < shown; ++i) {
    advance(std::snprintf(out + used, buffer.size() - used, i == 0 ? " lid=%u" : ".%u", unsigned{a.lids[i]}));
  }
  return {buffer.data(), used};
}

}  // namespace ots::s7commplus
