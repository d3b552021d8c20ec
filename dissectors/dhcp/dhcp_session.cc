#include "dissectors/dhcp/dhcp_session.h"

#include <charconv>

namespace ots::dhcp {
namespace {

constexpr std::string_view kProtocol = "dhcp";

// Clients often NUL-terminate string options.
std::string_view trim_nul(std::string_view s) {
  while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return s;
}

}  // namespace

void DhcpSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  message_ = Message{};
  Anomaly anomaly = parse(bytes, message_);
  if (anomaly != Anomaly::None) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
    if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
    return;
  }
  consecutive_violations_ = 0;
  if (!confirmed_) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
  Side sender = dir == Direction::FromClient ? Side::Client : Side::Server;
  Operation op;
  op.code = message_.message_type;
  op.name = message_type_name(message_.message_type);
  if (op.name.empty()) op.name = message_.op == kOpRequest ? "BOOTREQUEST" : "BOOTREPLY";
  op.is_request = message_.op == kOpRequest;
  op.is_error = message_.message_type == kMessageNak;
  sink_.operation(ctx, kProtocol, sender, op);

  const IpAddr& sender_ip = sender == Side::Client ? ctx.client_ip : ctx.server_ip;
  if (sender_ip.is_unicast()) report_identity(ctx, sender, message_);
}

void DhcpSession::report_identity(const FlowContext& ctx, Side sender, const Message& m) {
  std::string_view vendor_class = trim_nul(m.vendor_class);
  if (!vendor_class.empty()) {
    scratch_.assign("vendor class ").append(vendor_class);
    sink_.identity(ctx, kProtocol, sender, IdentityField::Description, scratch_);
  }
  if (m.op != kOpRequest) return;  // the rest describes the client
  std::string_view hostname = trim_nul(m.hostname);
  if (!hostname.empty()) sink_.identity(ctx, kProtocol, sender, IdentityField::Hostname, hostname);
  std::string_view fqdn = trim_nul(m.fqdn());
  if (!fqdn.empty() && fqdn != hostname) sink_.identity(ctx, kProtocol, sender, IdentityField::Hostname, fqdn);
  if (!m.parameter_list.empty()) {
    scratch_.assign("dhcp fingerprint ");
    char digits[4];
    for (size_t i = 0; i < m.parameter_list.size(); ++i) {
      if (i > 0) scratch_.push_back(',');
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, m.parameter_list[i]);
      scratch_.append(digits, end);
    }
    sink_.identity(ctx, kProtocol, sender, IdentityField::Description, scratch_);
  }
}

namespace {

constexpr uint16_t kDhcpPorts[] = {kServerPort, kClientPort};

ProbeResult probe_dhcp(Direction, Bytes payload) {
  return looks_like_dhcp(payload) ? ProbeResult::Match : ProbeResult::NoMatch;
}

std::unique_ptr<DissectorSession> make_dhcp_session(EventSink& sink) { return std::make_unique<DhcpSession>(sink); }

}  // namespace
}  // namespace ots::dhcp

namespace ots {

extern const DissectorDescriptor kDissector_dhcp{
    .name = "dhcp",
    .transports = transport_bit::Udp,
    .ports = dhcp::kDhcpPorts,
    .ethertypes = {},
    .probe = dhcp::probe_dhcp,
    .make_session = dhcp::make_dhcp_session,
};

}  // namespace ots
