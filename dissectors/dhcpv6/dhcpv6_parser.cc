#include "dissectors/dhcpv6/dhcpv6_parser.h"

namespace ots::dhcpv6 {
namespace {

constexpr size_t kIaNaFixed = 12, kIaTaFixed = 4, kIaAddressFixed = 24;
constexpr uint16_t kDuidLlt = 1, kDuidLl = 3, kHardwareEthernet = 1;

// RFC 4704 §4.1: flags, then the name as DNS labels (no compression; partial when unterminated).
void decode_fqdn(Bytes value, Message& out) {
  ByteReader r(value);
  r.u8();  // flags
  size_t length = 0;
  while (r.has(1)) {
    uint8_t label_length = r.u8();
    if (label_length == 0 || label_length > 63) break;
    Bytes label = r.bytes(label_length);
    if (!r.ok() || length + label.size() + 1 > out.fqdn_storage.size()) break;
    if (length > 0) out.fqdn_storage[length++] = '.';
    for (uint8_t c : label) out.fqdn_storage[length++] = char(c);
  }
  out.fqdn_length = length;
}

void note_status(Bytes value, Message& out) {
  if (out.has_status || value.size() < 2) return;
  uint16_t code = uint16_t(value[0] << 8 | value[1]);
  if (code == 0) return;
  out.has_status = true;
  out.status = code;
}

// Walks the options in `container`; `depth` 0 is the message level, 1 inside an IA, 2 inside an address.
Anomaly walk(Bytes container, int depth, size_t& count, Message& out) {
  ByteReader r(container);
  while (!r.empty()) {
    if (++count > kMaxOptions) return Anomaly::TooManyOptions;
    uint16_t code = r.be16();
    uint16_t length = r.be16();
    Bytes value = r.bytes(length);
    if (!r.ok()) return Anomaly::OptionOverrun;
    Anomaly nested = Anomaly::None;
    switch (code) {
      case option::kStatusCode:
        if (length < 2) return Anomaly::BadOptionLength;
        note_status(value, out);
        break;
      case option::kIaNa:
      case option::kIaTa: {
        size_t fixed = code == option::kIaNa ? kIaNaFixed : kIaTaFixed;
        if (depth != 0) break;
        if (length < fixed) return Anomaly::BadOptionLength;
        nested = walk(value.subspan(fixed), 1, count, out);
        break;
      }
      case option::kIaAddress:
        if (depth != 1) break;
        if (length < kIaAddressFixed) return Anomaly::BadOptionLength;
        if (out.address_count < kMaxAddresses) out.addresses[out.address_count++] = IpAddr::v6(value.data());
        nested = walk(value.subspan(kIaAddressFixed), 2, count, out);
        break;
      default:
        if (depth != 0) break;
        switch (code) {
          case option::kClientId:
            out.client_id = value;
            break;
          case option::kServerId:
            out.server_id = value;
            break;
          case option::kOptionRequest:
            out.option_request = value;
            break;
          case option::kUserClass:
            out.user_class = value;
            break;
          case option::kRelayMessage:
            out.relay_message = value;
            break;
          case option::kClientFqdn:
            decode_fqdn(value, out);
            break;
          case option::kVendorClass:
            if (length < 4) return Anomaly::BadOptionLength;
            out.has_vendor_class = true;
            out.vendor_enterprise =
                uint32_t{value[0]} << 24 | uint32_t{value[1]} << 16 | uint32_t{value[2]} << 8 | value[3];
            out.vendor_class_data = value.subspan(4);
            break;
          default:
            break;
        }
        break;
    }
    if (nested != Anomaly::None) return nested;
  }
  return Anomaly::None;
}

}  // namespace

const MessageType* message_type(uint8_t code) {
  for (const auto& t : kMessageTypes) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

std::string_view status_name(uint16_t code) {
  return code < std::size(kStatusNames) ? kStatusNames[code] : "";
}

std::string_view hardware_vendor(uint32_t enterprise) {
  for (const auto& e : kHardwareVendors) {
    if (e.number == enterprise) return e.vendor;
  }
  return {};
}

Anomaly parse(Bytes datagram, Message& out) {
  ByteReader r(datagram);
  out.type = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (!message_type(out.type)) return Anomaly::BadMessageType;
  out.is_relay = out.type == type::kRelayForward || out.type == type::kRelayReply;
  if (out.is_relay) {
    out.hop_count = r.u8();
    Bytes link = r.bytes(16), peer = r.bytes(16);
    if (!r.ok()) return Anomaly::Truncated;
    if (out.hop_count > kMaxHopCount) return Anomaly::BadHopCount;
    out.link_address = IpAddr::v6(link.data());
    out.peer_address = IpAddr::v6(peer.data());
  } else {
    out.transaction_id = r.be24();
    if (!r.ok()) return Anomaly::Truncated;
  }
  size_t count = 0;
  return walk(r.rest(), 0, count, out);
}

bool duid_mac(Bytes duid, MacAddr& out) {
  ByteReader r(duid);
  uint16_t duid_type = r.be16();
  uint16_t hardware = r.be16();
  if (duid_type == kDuidLlt) r.skip(4);
  Bytes address = r.rest();
  if (!r.ok() || (duid_type != kDuidLlt && duid_type != kDuidLl) || hardware != kHardwareEthernet ||
      address.size() != 6) {
    return false;
  }
  out = MacAddr::from(address.data());
  return true;
}

bool looks_like_dhcpv6(Bytes datagram) {
  Message m;
  if (parse(datagram, m) != Anomaly::None) return false;
  // Every real message carries at least one option (a DUID, or the relayed message), and
  // option code 0 is reserved: zero-filled payloads of other protocols stop here.
  ByteReader options(datagram);
  options.skip(m.is_relay ? kRelayHeaderSize : kClientServerHeaderSize);
  if (options.empty()) return false;
  while (options.has(4)) {
    if (options.be16() == 0) return false;
    options.skip(options.be16());
  }
  return true;
}

}  // namespace ots::dhcpv6
