#include "dissectors/smb/ntlm.h"

#include <algorithm>

namespace ots::ntlm {
namespace {

constexpr size_t kNegotiateVersionOffset = 32, kChallengeVersionOffset = 48, kAuthenticateVersionOffset = 64;

// A (length, max length, offset) field; the bytes it points at must lie inside the message.
bool read_field(ByteReader& r, Bytes message, Bytes& out) {
  uint16_t length = r.le16();
  r.le16();  // MaxLen: informational
  uint32_t offset = r.le32();
  if (!r.ok()) return false;
  if (length == 0) {
    out = {};
    return true;
  }
  if (offset > message.size() || length > message.size() - offset) return false;
  out = message.subspan(offset, length);
  return true;
}

void read_version(Bytes message, size_t offset, uint32_t flags, Version& out) {
  if (!(flags & flag::kVersion)) return;
  ByteReader r(message);
  r.skip(offset);
  out.major = r.u8();
  out.minor = r.u8();
  out.build = r.le16();
  // Some clients set the flag with the payload starting right there: accept only a plausible version.
  out.present = r.ok() && out.major >= 5 && out.major <= 10;
}

Status parse_target_info(Bytes info, Message& out) {
  ByteReader r(info);
  for (size_t pairs = 0; r.has(4); ++pairs) {
    if (pairs == kMaxAvPairs) return Status::TooManyAvPairs;
    uint16_t id = r.le16();
    uint16_t length = r.le16();
    Bytes value = r.bytes(length);
    if (!r.ok()) return Status::FieldOverrun;
    Text text{value, true};
    switch (id) {
      case av::kEol:
        return Status::Ok;
      case av::kNbComputerName:
        out.nb_computer = text;
        break;
      case av::kNbDomainName:
        out.nb_domain = text;
        break;
      case av::kDnsComputerName:
        out.dns_computer = text;
        break;
      case av::kDnsDomainName:
        out.dns_domain = text;
        break;
      case av::kDnsTreeName:
        out.dns_tree = text;
        break;
      default:
        break;
    }
  }
  return Status::Ok;
}

}  // namespace

Bytes find_message(Bytes security_buffer) {
  Bytes window = security_buffer.first(std::min(security_buffer.size(), kMaxScan));
  auto at = std::search(window.begin(), window.end(), kSignature.begin(), kSignature.end(),
                        [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); });
  if (at == window.end()) return {};
  return security_buffer.subspan(static_cast<size_t>(at - window.begin()));
}

Status parse(Bytes message, Message& out) {
  ByteReader r(message);
  std::string_view signature = r.chars(kSignature.size());
  out.type = r.le32();
  if (!r.ok() || signature != kSignature) return Status::Truncated;
  switch (out.type) {
    case kMessageNegotiate: {
      out.flags = r.le32();
      Bytes domain, workstation;
      if (!r.ok()) return Status::Truncated;
      // Old clients send a 16-byte NEGOTIATE without the two fields.
      if (r.has(16)) {
        if (!read_field(r, message, domain) || !read_field(r, message, workstation))
          return Status::FieldOverrun;
        if (out.flags & flag::kOemDomainSupplied) out.domain = {domain, false};
        if (out.flags & flag::kOemWorkstationSupplied) out.workstation = {workstation, false};
        read_version(message, kNegotiateVersionOffset, out.flags, out.version);
      }
      return Status::Ok;
    }
    case kMessageChallenge: {
      Bytes target_name, target_info;
      if (!read_field(r, message, target_name)) return r.ok() ? Status::FieldOverrun : Status::Truncated;
      out.flags = r.le32();
      r.skip(16);  // server challenge, reserved
      if (!r.ok()) return Status::Truncated;
      out.target_name = {target_name, (out.flags & flag::kUnicode) != 0};
      if (r.has(8)) {
        if (!read_field(r, message, target_info)) return Status::FieldOverrun;
        read_version(message, kChallengeVersionOffset, out.flags, out.version);
        return parse_target_info(target_info, out);
      }
      return Status::Ok;
    }
    case kMessageAuthenticate: {
      Bytes unused, domain, user, workstation;
      // LM and NT challenge responses: validated as fields, never kept.
      bool fields = read_field(r, message, unused) && read_field(r, message, unused) &&
                    read_field(r, message, domain) && read_field(r, message, user) &&
                    read_field(r, message, workstation) && read_field(r, message, unused);
      if (!r.ok()) return Status::Truncated;
      if (!fields) return Status::FieldOverrun;
      out.flags = r.le32();
      if (!r.ok()) return Status::Truncated;
      bool unicode = out.flags & flag::kUnicode;
      out.domain = {domain, unicode};
      out.user = {user, unicode};
      out.workstation = {workstation, unicode};
      read_version(message, kAuthenticateVersionOffset, out.flags, out.version);
      return Status::Ok;
    }
    default:
      return Status::BadMessageType;
  }
}

}  // namespace ots::ntlm
