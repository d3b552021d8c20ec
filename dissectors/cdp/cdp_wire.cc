#include "dissectors/cdp/cdp_wire.h"

#include <algorithm>
#include <array>

namespace ots::cdp {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Anomaly::kCount)> kAnomalyNames = {
    "", "cdp.invalid_header", "cdp.invalid_tlv_length", "cdp.bad_checksum", "cdp.too_many_tlvs",
};

constexpr uint8_t kSnapHeader[kSnapHeaderSize] = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x20, 0x00};
constexpr uint8_t kProtocolTypeNlpid = 1, kProtocolType8022 = 2;
constexpr uint8_t kNlpidIpv4 = 0xCC;
constexpr uint8_t kSnapIpv6[] = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00, 0x86, 0xDD};

bool starts_with_snap_header(Bytes payload) {
  if (payload.size() < kSnapHeaderSize) return false;
  for (size_t i = 0; i < kSnapHeaderSize; ++i) {
    if (payload[i] != kSnapHeader[i]) return false;
  }
  return true;
}

bool is_version(uint8_t v) { return v == 1 || v == 2; }

// Addresses TLV: count (4), then per address: protocol type, protocol length, protocol,
// address length (2), address.
bool parse_addresses(Bytes value, AddressList& out) {
  ByteReader r(value);
  uint32_t count = r.be32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    uint8_t protocol_type = r.u8();
    uint8_t protocol_length = r.u8();
    Bytes protocol = r.bytes(protocol_length);
    uint16_t address_length = r.be16();
    Bytes address = r.bytes(address_length);
    if (!r.ok() || out.count == kMaxAddresses) break;
    bool ipv4 = protocol_type == kProtocolTypeNlpid && protocol_length == 1 && protocol[0] == kNlpidIpv4 &&
                address_length == 4;
    bool ipv6 = protocol_type == kProtocolType8022 && protocol_length == sizeof kSnapIpv6 &&
                std::equal(protocol.begin(), protocol.end(), kSnapIpv6) && address_length == 16;
    if (ipv4) out.ips[out.count++] = IpAddr::v4(address.data());
    if (ipv6) out.ips[out.count++] = IpAddr::v6(address.data());
  }
  return r.ok();
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < kAnomalyNames.size() ? kAnomalyNames[index] : std::string_view{};
}

bool checksum_valid(Bytes pdu) {
  uint32_t sum = 0;
  size_t even = pdu.size() & ~size_t{1};
  for (size_t i = 0; i < even; i += 2) sum += uint32_t{pdu[i]} << 8 | pdu[i + 1];
  if (pdu.size() & 1) {
    // Cisco adds the odd last byte as a sign-extended low byte and compensates the
    // resulting off-by-one in it (as Wireshark's packet-cdp.c verifies it).
    uint8_t last = pdu.back();
    sum += (last & 0x80) ? 0xFF00u | uint8_t(last - 1) : last;
  }
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum == 0xFFFF;
}

CdpPdu parse_cdp(Bytes payload) {
  CdpPdu out;
  if (starts_with_snap_header(payload)) payload = payload.subspan(kSnapHeaderSize);
  ByteReader r(payload);
  out.version = r.u8();
  out.ttl = r.u8();
  out.checksum = r.be16();
  if (!r.ok() || !is_version(out.version)) {
    out.anomaly = Anomaly::InvalidHeader;
    return out;
  }
  out.checksum_ok = checksum_valid(payload);
  while (!r.empty()) {
    if (out.tlv_count == kMaxTlvs) {
      out.anomaly = Anomaly::TooManyTlvs;
      return out;
    }
    uint16_t type = r.be16();
    uint16_t length = r.be16();
    if (!r.ok() || length < 4 || !r.has(length - 4u)) {
      out.anomaly = Anomaly::InvalidTlvLength;
      return out;
    }
    Bytes value = r.bytes(length - 4u);
    ++out.tlv_count;
    bool valid = true;
    switch (type) {
      case tlv::kDeviceId: out.device_id = as_chars(value); break;
      case tlv::kPortId: out.port_id = as_chars(value); break;
      case tlv::kSoftwareVersion: out.software_version = as_chars(value); break;
      case tlv::kPlatform: out.platform = as_chars(value); break;
      case tlv::kVtpDomain: out.vtp_domain = as_chars(value); break;
      case tlv::kAddresses: valid = parse_addresses(value, out.addresses); break;
      case tlv::kManagementAddresses: valid = parse_addresses(value, out.management_addresses); break;
      case tlv::kCapabilities:
        valid = value.size() == 4;
        out.has_capabilities = valid;
        if (valid)
          out.capabilities = uint32_t{value[0]} << 24 | uint32_t{value[1]} << 16 | value[2] << 8 | value[3];
        break;
      case tlv::kNativeVlan:
        valid = value.size() == 2;
        out.has_native_vlan = valid;
        if (valid) out.native_vlan = static_cast<uint16_t>(value[0] << 8 | value[1]);
        break;
      case tlv::kDuplex:
        valid = value.size() == 1;
        out.has_duplex = valid;
        if (valid) out.full_duplex = value[0] != 0;
        break;
      default: break;  // protocol hello, power, VoIP VLAN …: skipped by length
    }
    if (!valid) {
      out.anomaly = Anomaly::InvalidTlvLength;
      return out;
    }
  }
  if (!out.checksum_ok) out.anomaly = Anomaly::BadChecksum;
  return out;
}

bool is_foreign_snap(Bytes payload) {
  bool snap = payload.size() >= 3 && payload[0] == 0xAA && payload[1] == 0xAA && payload[2] == 0x03;
  return snap && !starts_with_snap_header(payload);
}

ProbeResult probe(Bytes payload) {
  if (payload.size() < kSnapHeaderSize + kHeaderSize) return ProbeResult::NeedMoreData;
  if (starts_with_snap_header(payload)) {
    return is_version(payload[kSnapHeaderSize]) ? ProbeResult::Match : ProbeResult::NoMatch;
  }
  return is_version(payload[0]) && payload[4] == 0x00 ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::cdp
