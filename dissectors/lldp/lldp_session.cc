#include "dissectors/lldp/lldp_session.h"

#include <algorithm>

namespace ots::lldp {
namespace {

constexpr std::string_view kProtocol = "lldp";

// Device strings: trailing NULs (C-string senders) dropped, everything else kept verbatim.
std::string_view trim_nuls(std::string_view text) {
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  return text;
}

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20; });
}

std::string_view device_type(uint16_t enabled) {
  if (enabled & (capability::kBridge | capability::kCVlan | capability::kSVlan)) return "Switch";
  if (enabled & capability::kRouter) return "Router";
  if (enabled & capability::kWlanAccessPoint) return "Access point";
  if (enabled & capability::kTelephone) return "Telephone";
  return {};
}

}  // namespace

void LldpSession::data(const FlowContext& ctx, Direction, Bytes bytes) {
  Lldpdu pdu = parse_lldpdu(bytes);
  if (pdu.anomaly != Anomaly::None) sink_.anomaly(ctx, kProtocol, anomaly_name(pdu.anomaly));
  if (pdu.tlv_count < 3) return;  // not an LLDPDU we can attribute
  if (!confirmed_senders_.contains(ctx.client_mac)) {
    if (confirmed_senders_.size() == kMaxSenders) confirmed_senders_.clear();
    confirmed_senders_.insert(ctx.client_mac);
    sink_.protocol_confirmed(ctx, kProtocol);
  }
  report_identity(ctx, pdu);
}

void LldpSession::report_identity(const FlowContext& ctx, const Lldpdu& pdu) {
  auto emit = [&](IdentityField field, std::string_view value) {
    value = trim_nuls(value);
    if (!value.empty()) sink_.identity(ctx, kProtocol, Side::Client, field, value, "LLDP");  // one message kind
  };
  std::string_view chassis = trim_nuls(as_chars(pdu.chassis_id));
  if (!trim_nuls(pdu.system_name).empty()) {
    emit(IdentityField::Hostname, pdu.system_name);
  } else if (pdu.chassis_subtype == chassis_subtype::kLocallyAssigned && printable(chassis)) {
    emit(IdentityField::Hostname, chassis);
  }
  emit(IdentityField::Description, pdu.system_description);
  if (pdu.has_capabilities) emit(IdentityField::DeviceType, device_type(pdu.enabled_capabilities));
  emit(IdentityField::HardwareRevision, pdu.med.hardware_revision);
  emit(IdentityField::FirmwareVersion, pdu.med.firmware_revision);
  emit(IdentityField::SerialNumber, pdu.med.serial_number);
  emit(IdentityField::Vendor, pdu.med.manufacturer);
  emit(IdentityField::ProductName, pdu.med.model);
}

}  // namespace ots::lldp
