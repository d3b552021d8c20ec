#include "dissectors/dhcp/dhcp_parser.h"

namespace ots::dhcp {
namespace {

constexpr uint8_t kFqdnWireEncoding = 0x04;  // RFC 4702 §2.1 flag E

IpAddr read_ip(ByteReader& r) {
  Bytes b = r.bytes(4);
  return b.size() == 4 ? IpAddr::v4(b.data()) : IpAddr{};
}

// RFC 4702 option 81: flags, two obsolete rcodes, then the name (ASCII, or DNS labels when E is set).
void decode_fqdn(Bytes value, Message& out) {
  ByteReader r(value);
  uint8_t flags = r.u8();
  r.skip(2);
  if (!r.ok()) return;
  Bytes name = r.rest();
  size_t length = 0;
  if (!(flags & kFqdnWireEncoding)) {
    for (uint8_t c : name) {
      if (length == out.fqdn_storage.size()) break;
      out.fqdn_storage[length++] = char(c);
    }
  } else {
    ByteReader labels(name);
    while (labels.has(1)) {
      uint8_t label_length = labels.u8();
      if (label_length == 0 || label_length > 63) break;  // root, or a compression pointer (not allowed here)
      Bytes label = labels.bytes(label_length);
      if (!labels.ok() || length + label.size() + 1 > out.fqdn_storage.size()) break;
      if (length > 0) out.fqdn_storage[length++] = '.';
      for (uint8_t c : label) out.fqdn_storage[length++] = char(c);
    }
  }
  out.fqdn_length = length;
}

}  // namespace

std::string_view message_type_name(uint8_t code) {
  for (const auto& t : kMessageTypes) {
    if (t.code == code) return t.name;
  }
  return {};
}

std::string_view message_type_event(uint8_t code) {
  for (const auto& t : kMessageTypes) {
    if (t.code == code) return t.event;
  }
  return {};
}

bool looks_like_dhcp(Bytes datagram) {
  ByteReader r(datagram);
  uint8_t op = r.u8();
  r.u8();  // htype
  uint8_t hlen = r.u8();
  r.skip(kFixedHeaderSize - 3);
  uint32_t cookie = r.be32();
  return r.ok() && (op == kOpRequest || op == kOpReply) && hlen <= 16 && cookie == kMagicCookie;
}

Anomaly parse(Bytes datagram, Message& out) {
  ByteReader r(datagram);
  out.op = r.u8();
  out.htype = r.u8();
  out.hlen = r.u8();
  r.u8();  // hops
  out.xid = r.be32();
  r.skip(4);  // secs, flags
  out.ciaddr = read_ip(r);
  out.yiaddr = read_ip(r);
  out.siaddr = read_ip(r);
  out.giaddr = read_ip(r);
  Bytes chaddr = r.bytes(16);
  r.skip(64 + 128);  // sname, file
  uint32_t cookie = r.be32();
  if (!r.ok()) return Anomaly::Truncated;
  if (out.op != kOpRequest && out.op != kOpReply) return Anomaly::BadOp;
  if (out.hlen > 16) return Anomaly::BadHardwareLength;
  if (out.htype == 1 && out.hlen == 6) out.chaddr = MacAddr::from(chaddr.data());
  if (cookie != kMagicCookie) return Anomaly::BadMagicCookie;

  size_t options = 0;
  while (r.has(1)) {
    uint8_t code = r.u8();
    if (code == option::kEnd) break;
    if (code == option::kPad) continue;
    if (++options > kMaxOptions) return Anomaly::TooManyOptions;
    uint8_t length = r.u8();
    Bytes value = r.bytes(length);
    if (!r.ok()) return Anomaly::OptionOverrun;
    switch (code) {
      case option::kMessageType:
        if (length == 1) out.message_type = value[0];
        break;
      case option::kHostName: out.hostname = as_chars(value); break;
      case option::kVendorClass: out.vendor_class = as_chars(value); break;
      case option::kParameterList: out.parameter_list = value; break;
      case option::kClientId: out.client_id = value; break;
      case option::kRequestedIp:
        if (length == 4) {
          out.requested_ip = IpAddr::v4(value.data());
          out.has_requested_ip = true;
        }
        break;
      case option::kServerId:
        if (length == 4) {
          out.server_id = IpAddr::v4(value.data());
          out.has_server_id = true;
        }
        break;
      case option::kClientFqdn: decode_fqdn(value, out); break;
      default: break;
    }
  }
  return Anomaly::None;
}

}  // namespace ots::dhcp
