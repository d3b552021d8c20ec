#include "dissectors/cdp/cdp_session.h"

namespace ots::cdp {
namespace {

constexpr std::string_view kProtocol = "cdp";
constexpr std::string_view kWhitespace = " \t\r\n";

// Device strings: trailing NULs (C-string senders) dropped, everything else kept verbatim.
std::string_view trim_nuls(std::string_view text) {
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  return text;
}

std::string_view trim_whitespace(std::string_view text) {
  size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

std::string_view device_type(uint32_t capabilities) {
  if (capabilities & (capability::kSwitch | capability::kTransparentBridge)) return "Switch";
  if (capabilities & capability::kRouter) return "Router";
  if (capabilities & capability::kVoipPhone) return "IP phone";
  if (capabilities & capability::kHost) return "Host";
  return {};
}

}  // namespace

std::string_view software_line(std::string_view text) {
  text = trim_nuls(text);
  std::string_view first;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = trim_whitespace(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (line.empty()) continue;
    if (line.find("Version ") != std::string_view::npos) return line;
    if (first.empty()) first = line;
  }
  return first;
}

std::string_view version_token(std::string_view line) {
  constexpr std::string_view kVersion = "Version ";
  size_t at = line.find(kVersion);
  if (at == std::string_view::npos) return {};
  std::string_view rest = line.substr(at + kVersion.size());
  return rest.substr(0, rest.find_first_of(", \t"));
}

void CdpSession::data(const FlowContext& ctx, Direction, Bytes bytes) {
  if (is_foreign_snap(bytes)) return;
  CdpPdu pdu = parse_cdp(bytes);
  if (pdu.anomaly != Anomaly::None) sink_.anomaly(ctx, kProtocol, anomaly_name(pdu.anomaly));
  // A PDU cut short keeps what it parsed, but a bad header is not CDP at all.
  if (pdu.anomaly == Anomaly::InvalidHeader) return;
  if (pdu.checksum_ok && !confirmed_senders_.contains(ctx.client_mac)) {
    if (confirmed_senders_.size() == kMaxSenders) confirmed_senders_.clear();
    confirmed_senders_.insert(ctx.client_mac);
    sink_.protocol_confirmed(ctx, kProtocol);
  }
  report_identity(ctx, pdu);
}

void CdpSession::report_identity(const FlowContext& ctx, const CdpPdu& pdu) {
  auto emit = [&](IdentityField field, std::string_view value) {
    value = trim_nuls(value);
    if (!value.empty()) sink_.identity(ctx, kProtocol, Side::Client, field, value, "CDP");  // one message kind
  };
  emit(IdentityField::Vendor, "Cisco");
  emit(IdentityField::Hostname, pdu.device_id);
  emit(IdentityField::ProductName, pdu.platform);
  std::string_view software = software_line(pdu.software_version);
  emit(IdentityField::OperatingSystem, software);
  emit(IdentityField::FirmwareVersion, version_token(software));
  if (pdu.has_capabilities) emit(IdentityField::DeviceType, device_type(pdu.capabilities));
}

}  // namespace ots::cdp
