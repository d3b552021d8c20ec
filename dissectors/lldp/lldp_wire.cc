#include "dissectors/lldp/lldp_wire.h"

#include <array>

namespace ots::lldp {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Anomaly::kCount)> kAnomalyNames = {
    "",
    "lldp.missing_mandatory_tlv",
    "lldp.invalid_tlv_length",
    "lldp.too_many_tlvs",
};

constexpr uint32_t kOuiIeee8021 = 0x0080C2, kOuiTiaMed = 0x0012BB;
constexpr uint8_t kIeee8021PortVlanId = 1;

// Allowed value lengths per TLV type (802.1AB 8.5); types not listed accept any length.
struct LengthRule {
  uint8_t type;
  uint16_t min, max;
};
constexpr LengthRule kLengthRules[] = {
    {tlv::kEnd, 0, 0},
    {tlv::kChassisId, 2, 256},
    {tlv::kPortId, 2, 256},
    {tlv::kTtl, 2, 511},  // 2 in the standard; longer values are tolerated (the first 2 bytes count)
    {tlv::kPortDescription, 0, 255},
    {tlv::kSystemName, 0, 255},
    {tlv::kSystemDescription, 0, 255},
    {tlv::kSystemCapabilities, 4, 4},
    {tlv::kManagementAddress, 9, 167},
    {tlv::kOrganizationSpecific, 4, 511},
};

bool length_allowed(uint8_t type, uint16_t length) {
  for (const LengthRule& rule : kLengthRules) {
    if (rule.type == type) return length >= rule.min && length <= rule.max;
  }
  return true;
}

void parse_management_address(Bytes value, Lldpdu& out) {
  ByteReader r(value);
  uint8_t string_length = r.u8();  // subtype + address
  uint8_t subtype = r.u8();
  if (!r.ok() || string_length < 2) return;
  Bytes address = r.bytes(string_length - 1u);
  if (!r.ok()) return;
  bool first = out.management.address.empty();
  if (first || (subtype == 1 && out.management.subtype != 1)) out.management = {subtype, address};
}

void parse_organization_specific(Bytes value, Lldpdu& out) {
  ByteReader r(value);
  uint32_t oui = r.be24();
  uint8_t subtype = r.u8();
  Bytes rest = r.rest();
  if (oui == kOuiIeee8021 && subtype == kIeee8021PortVlanId && rest.size() >= 2) {
    out.port_vlan_id = static_cast<uint16_t>(rest[0] << 8 | rest[1]);
  } else if (oui == kOuiTiaMed) {
    std::string_view text = as_chars(rest);
    switch (subtype) {
      case 5: out.med.hardware_revision = text; break;
      case 6: out.med.firmware_revision = text; break;
      case 7: out.med.software_revision = text; break;
      case 8: out.med.serial_number = text; break;
      case 9: out.med.manufacturer = text; break;
      case 10: out.med.model = text; break;
      case 11: out.med.asset_id = text; break;
      default: break;  // capabilities, network policy, location, power: no inventory field
    }
  }
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < kAnomalyNames.size() ? kAnomalyNames[index] : std::string_view{};
}

Lldpdu parse_lldpdu(Bytes payload) {
  Lldpdu out;
  ByteReader r(payload);
  constexpr uint8_t kMandatoryOrder[] = {tlv::kChassisId, tlv::kPortId, tlv::kTtl};
  while (!r.empty()) {
    if (out.tlv_count == kMaxTlvs) {
      out.anomaly = Anomaly::TooManyTlvs;
      return out;
    }
    uint16_t header = r.be16();
    auto type = static_cast<uint8_t>(header >> 9);
    uint16_t length = header & 0x01FF;
    Bytes value = r.bytes(length);
    if (!r.ok() || !length_allowed(type, length)) {
      out.anomaly = out.tlv_count < 3 && type != kMandatoryOrder[out.tlv_count] ? Anomaly::MissingMandatoryTlv
                                                                                : Anomaly::InvalidTlvLength;
      return out;
    }
    if (out.tlv_count < 3 && type != kMandatoryOrder[out.tlv_count]) {
      out.anomaly = Anomaly::MissingMandatoryTlv;
      return out;
    }
    ++out.tlv_count;
    switch (type) {
      case tlv::kEnd: out.has_end = true; return out;  // the rest is padding
      case tlv::kChassisId:
        out.chassis_subtype = value[0];
        out.chassis_id = value.subspan(1);
        break;
      case tlv::kPortId:
        out.port_subtype = value[0];
        out.port_id = value.subspan(1);
        break;
      case tlv::kTtl: out.ttl = static_cast<uint16_t>(value[0] << 8 | value[1]); break;
      case tlv::kPortDescription: out.port_description = as_chars(value); break;
      case tlv::kSystemName: out.system_name = as_chars(value); break;
      case tlv::kSystemDescription: out.system_description = as_chars(value); break;
      case tlv::kSystemCapabilities:
        out.has_capabilities = true;
        out.capabilities = static_cast<uint16_t>(value[0] << 8 | value[1]);
        out.enabled_capabilities = static_cast<uint16_t>(value[2] << 8 | value[3]);
        break;
      case tlv::kManagementAddress: parse_management_address(value, out); break;
      case tlv::kOrganizationSpecific: parse_organization_specific(value, out); break;
      default: break;  // reserved types 9–126: skipped by length
    }
  }
  // A PDU that ends (without End of LLDPDU, optional since 802.1AB-2016) before its mandatory TLVs.
  if (out.tlv_count < 3) out.anomaly = Anomaly::MissingMandatoryTlv;
  return out;
}

ProbeResult probe(Bytes payload) {
  if (payload.size() < 2) return ProbeResult::NeedMoreData;
  uint16_t header = static_cast<uint16_t>(payload[0] << 8 | payload[1]);
  uint16_t length = header & 0x01FF;
  if (header >> 9 != tlv::kChassisId || !length_allowed(tlv::kChassisId, length)) return ProbeResult::NoMatch;
  return payload.size() - 2 >= length ? ProbeResult::Match : ProbeResult::NeedMoreData;
}

}  // namespace ots::lldp
