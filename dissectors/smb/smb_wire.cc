#include "dissectors/smb/smb_wire.h"

#include <algorithm>

namespace ots::smb {
namespace {

constexpr uint8_t kSmb1FlagReply = 0x80;
constexpr uint16_t kSmb1Flags2NtStatus = 0x4000;
constexpr uint32_t kSmb2FlagResponse = 0x00000001, kSmb2FlagAsync = 0x00000002;
constexpr uint8_t kSmb1DialectMarker = 0x02;

// StructureSize of the bodies this parser reads (MS-SMB2 §2.2.3–2.2.22).
constexpr uint16_t kNegotiateRequestSize = 36, kNegotiateResponseSize = 65, kSessionSetupRequestSize = 25,
                   kSessionSetupResponseSize = 9, kTreeConnectRequestSize = 9, kCreateRequestSize = 57,
                   kReadRequestSize = 49, kWriteRequestSize = 49, kErrorResponseSize = 9;

// A buffer given by (offset from the SMB2 header, length). Out of bounds: overrun, unless the
// PDU was cut to a prefix, where the buffer is simply not available.
Anomaly locate(Bytes message, uint32_t offset, uint32_t length, bool prefix_only, Bytes& out) {
  if (length == 0) return Anomaly::None;
  if (offset > message.size() || length > message.size() - offset) {
    return prefix_only ? Anomaly::None : Anomaly::BufferOverrun;
  }
  out = message.subspan(offset, length);
  return Anomaly::None;
}

Anomaly parse_body(Bytes message, bool prefix_only, Smb2Message& out) {
  ByteReader r(message);
  r.skip(kSmb2HeaderSize);
  uint16_t structure_size = r.le16();
  if (!r.ok()) return prefix_only ? Anomaly::None : Anomaly::BadStructureSize;
  auto expect = [&](uint16_t size) { return structure_size == size; };
  if (out.is_response && (is_error_status(out.status) || out.status == status::kPending)) {
    out.error_body = true;
    return expect(kErrorResponseSize) ? Anomaly::None : Anomaly::BadStructureSize;
  }
  auto body_ok = [&]() { return r.ok() || prefix_only ? Anomaly::None : Anomaly::BufferOverrun; };
  switch (out.command) {
    case cmd::kNegotiate:
      if (!out.is_response) {
        if (!expect(kNegotiateRequestSize)) return Anomaly::BadStructureSize;
        uint16_t count = r.le16();
        r.skip(2 + 2 + 4 + 16 +
               8);  // security mode, reserved, capabilities, client GUID, contexts/start time
        for (uint16_t i = 0; i < count && r.has(2); ++i) {
          uint16_t dialect = r.le16();
          if (out.dialect_count < kMaxDialects) out.dialects[out.dialect_count++] = dialect;
        }
        bool all_read = out.dialect_count == std::min<size_t>(count, kMaxDialects);
        return all_read || prefix_only ? Anomaly::None : Anomaly::BufferOverrun;
      } else {
        if (!expect(kNegotiateResponseSize)) return Anomaly::BadStructureSize;
        r.skip(2);  // security mode
        out.dialect = r.le16();
        r.skip(2);
        Bytes guid = r.bytes(16);
        r.skip(4 + 4 + 4 + 4 + 8 + 8);
        uint16_t buffer_offset = r.le16(), buffer_length = r.le16();
        if (guid.size() == 16) {
          std::copy(guid.begin(), guid.end(), out.server_guid.begin());
          out.has_server_guid = true;
        }
        if (!r.ok()) return body_ok();
        return locate(message, buffer_offset, buffer_length, prefix_only, out.security_buffer);
      }
    case cmd::kSessionSetup: {
      if (!expect(out.is_response ? kSessionSetupResponseSize : kSessionSetupRequestSize)) {
        return Anomaly::BadStructureSize;
      }
      r.skip(out.is_response ? 2 : 10);  // session flags | flags, security mode, capabilities, channel
      uint16_t buffer_offset = r.le16(), buffer_length = r.le16();
      if (!r.ok()) return body_ok();
      return locate(message, buffer_offset, buffer_length, prefix_only, out.security_buffer);
    }
    case cmd::kTreeConnect: {
      if (out.is_response) return Anomaly::None;
      if (!expect(kTreeConnectRequestSize)) return Anomaly::BadStructureSize;
      r.skip(2);
      uint16_t path_offset = r.le16(), path_length = r.le16();
      if (!r.ok()) return body_ok();
      return locate(message, path_offset, path_length, prefix_only, out.path);
    }
    case cmd::kCreate: {
      if (out.is_response) return Anomaly::None;
      if (!expect(kCreateRequestSize)) return Anomaly::BadStructureSize;
      r.skip(42);  // up to NameOffset
      uint16_t name_offset = r.le16(), name_length = r.le16();
      if (!r.ok()) return body_ok();
      return locate(message, name_offset, name_length, prefix_only, out.path);
    }
    case cmd::kRead:
    case cmd::kWrite: {
      if (out.is_response) return Anomaly::None;
      if (!expect(out.command == cmd::kRead ? kReadRequestSize : kWriteRequestSize))
        return Anomaly::BadStructureSize;
      r.skip(2);  // padding + flags | data offset
      out.length = r.le32();
      out.offset = r.le64();
      out.has_range = r.ok();
      return body_ok();
    }
    default:
      return Anomaly::None;
  }
}

}  // namespace

Dialect protocol_of(Bytes message) {
  if (message.size() < 4 || message[1] != 'S' || message[2] != 'M' || message[3] != 'B') return Dialect::None;
  switch (message[0]) {
    case 0xFF:
      return Dialect::Smb1;
    case 0xFE:
      return Dialect::Smb2;
    case 0xFD:
      return Dialect::Smb2Transform;
    case 0xFC:
      return Dialect::Smb2Compressed;
    default:
      return Dialect::None;
  }
}

const CommandInfo* smb2_command(uint16_t code) {
  for (const auto& c : kSmb2Commands) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

const CommandInfo* smb1_command(uint8_t code) {
  for (const auto& c : kSmb1Commands) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

std::string_view dialect_name(uint16_t code) {
  for (const auto& d : kDialects) {
    if (d.code == code) return d.name;
  }
  return {};
}

std::string_view status_name(uint32_t code) {
  for (const auto& s : kStatusNames) {
    if (s.code == code) return s.name;
  }
  return {};
}

Anomaly parse_smb1(Bytes message, Smb1Message& out) {
  ByteReader r(message);
  r.skip(4);
  out.command = r.u8();
  uint32_t status = r.le32();
  uint8_t flags = r.u8();
  uint16_t flags2 = r.le16();
  r.skip(kSmb1HeaderSize - 12);  // PIDHigh … MID
  if (!r.ok()) return Anomaly::TruncatedHeader;
  out.is_response = flags & kSmb1FlagReply;
  // DOS-style errors (class, reserved, code) count as errors when the class is not 0.
  out.status = (flags2 & kSmb1Flags2NtStatus) ? status : ((status & 0xFF) != 0 ? 0xC0000000 | status : 0);
  uint8_t word_count = r.u8();
  r.skip(size_t{word_count} * 2);
  uint16_t byte_count = r.le16();
  Bytes data = r.bytes(byte_count);
  if (!r.ok()) {
    out.data = message.subspan(std::min(message.size(), kSmb1HeaderSize));
    return Anomaly::BufferOverrun;
  }
  out.data = data;
  if (out.command == smb1::kNegotiate && !out.is_response) {
    ByteReader dialects(data);
    while (dialects.has(1) && out.dialect_count < kMaxSmb1Dialects) {
      if (dialects.u8() != kSmb1DialectMarker) return Anomaly::BufferOverrun;
      Bytes rest = dialects.peek_rest();
      auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
      if (nul == rest.end()) return Anomaly::BufferOverrun;
      size_t length = static_cast<size_t>(nul - rest.begin());
      out.dialects[out.dialect_count++] = dialects.chars(length);
      dialects.skip(1);
    }
  }
  return Anomaly::None;
}

Anomaly parse_smb2(Bytes message, bool prefix_only, Smb2Message& out) {
  ByteReader r(message);
  r.skip(4);
  uint16_t header_size = r.le16();
  r.skip(2);  // credit charge
  out.status = r.le32();
  out.command = r.le16();
  r.skip(2);  // credits
  uint32_t flags = r.le32();
  out.next_command = r.le32();
  out.message_id = r.le64();
  if (flags & kSmb2FlagAsync) {
    r.skip(8);  // async id
  } else {
    r.skip(4);
    out.tree_id = r.le32();
  }
  out.session_id = r.le64();
  r.skip(16);  // signature
  if (!r.ok() || header_size != kSmb2HeaderSize) return Anomaly::TruncatedHeader;
  out.is_response = flags & kSmb2FlagResponse;
  // Requests carry ChannelSequence in the status field (SMB 3.x); it is not a status.
  if (!out.is_response) out.status = 0;
  if (out.next_command != 0 && (out.next_command % 8 != 0 || out.next_command < kSmb2HeaderSize ||
                                (out.next_command > message.size() && !prefix_only))) {
    return Anomaly::BadNextCommand;
  }
  Bytes own =
      out.next_command != 0 && out.next_command <= message.size() ? message.first(out.next_command) : message;
  bool own_prefix_only = prefix_only && own.size() == message.size();
  return parse_body(own, own_prefix_only, out);
}

bool read_netbios_name(ByteReader& r, NetbiosName& out) {
  constexpr uint8_t kEncodedLength = 32;
  constexpr size_t kMaxScopeLabels = 16;
  if (r.u8() != kEncodedLength) return false;
  Bytes encoded = r.bytes(kEncodedLength);
  if (!r.ok()) return false;
  std::array<char, 16> decoded{};
  for (size_t i = 0; i < 16; ++i) {
    uint8_t high = encoded[2 * i] - 'A', low = encoded[2 * i + 1] - 'A';
    if (high > 15 || low > 15) return false;
    decoded[i] = char(high << 4 | low);
  }
  // Scope labels (rare): skipped up to the terminating zero-length label.
  for (size_t labels = 0;; ++labels) {
    uint8_t length = r.u8();
    if (!r.ok() || labels == kMaxScopeLabels) return false;
    if (length == 0) break;
    r.skip(length);
  }
  out.suffix = static_cast<uint8_t>(decoded[15]);
  size_t length = 15;
  while (length > 0 && (decoded[length - 1] == ' ' || decoded[length - 1] == '\0')) --length;
  std::copy(decoded.begin(), decoded.begin() + length, out.storage.begin());
  out.length = length;
  return true;
}

}  // namespace ots::smb
