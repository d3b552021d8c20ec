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
  confirm(ctx);
  Side sender = dir == Direction::FromClient ? Side::Client : Side::Server;
  Operation op;
  op.code = message_.message_type;
  op.name = message_type_name(message_.message_type);
  if (op.name.empty()) op.name = message_.op == kOpRequest ? "BOOTREQUEST" : "BOOTREPLY";
  op.is_request = message_.op == kOpRequest;
  op.is_error = message_.message_type == kMessageNak;
  sink_.operation(ctx, kProtocol, sender, op);
  // Named like the operation: a message without a known option 53 type is plain BOOTP.
  std::string_view event = message_type_event(message_.message_type);
  if (event.empty()) event = message_.op == kOpRequest ? "BOOTP request" : "BOOTP reply";

  const bool from_client = sender == Side::Client;
  const IpAddr& sender_ip = from_client ? ctx.client_ip : ctx.server_ip;
  const MacAddr& sender_mac = from_client ? ctx.client_mac : ctx.server_mac;
  const MacAddr& receiver_mac = from_client ? ctx.server_mac : ctx.client_mac;
  const bool not_relayed = message_.giaddr.is_unspecified();
  if (message_.op == kOpRequest) {
    // A client speaks for itself: its chaddr is the frame's source MAC. A relay agent forwards
    // other hosts' requests from its own MAC (and giaddr): those name no host the sensor can key.
    const bool own_request = sender_mac.is_zero() ? not_relayed : sender_mac == message_.chaddr;
    const bool addressable = sender_ip.is_unicast() || (sender_ip.is_unspecified() && sender_mac.is_unicast());
    if (own_request && addressable) report_client(ctx, sender, message_, event);
    return;
  }
  if (sender_ip.is_unicast()) report_vendor_class(ctx, sender, message_, event);
  // A server's reply describes the client it names, when that client is on this link: the reply
  // was delivered to its MAC, or the server answered without a relay.
  if (message_.chaddr.is_unicast() && (receiver_mac == message_.chaddr || not_relayed)) {
    FlowContext about_client = ctx;
    about_client.transport = 0;  // a fact about a MAC (see dissectors/dissector.h FlowContext)
    about_client.client_ip = IpAddr{};
    about_client.client_mac = message_.chaddr;
    report_assignment(about_client, message_, event);
  }
}

void DhcpSession::confirm(const FlowContext& ctx) {
  if (ctx.transport != 0) {
    if (!confirmed_) sink_.protocol_confirmed(ctx, kProtocol);
    confirmed_ = true;
    return;
  }
  // Without a flow (a worker's one session for unaddressed clients) each client confirms itself.
  if (confirmed_clients_.contains(ctx.client_mac)) return;
  if (confirmed_clients_.size() == kMaxConfirmedClients) confirmed_clients_.clear();
  confirmed_clients_.insert(ctx.client_mac);
  sink_.protocol_confirmed(ctx, kProtocol);
}

void DhcpSession::report_vendor_class(const FlowContext& ctx, Side sender, const Message& m, std::string_view event) {
  std::string_view vendor_class = trim_nul(m.vendor_class);
  if (vendor_class.empty()) return;
  scratch_.assign("vendor class ").append(vendor_class);
  sink_.identity(ctx, kProtocol, sender, IdentityField::Description, scratch_, event);
}

void DhcpSession::report_assignment(const FlowContext& about_client, const Message& m, std::string_view event) {
  // DHCPACK, or a BOOTP reply (no option 53): the lease is the client's. An offer is only offered.
  if (m.message_type != kMessageAck && m.message_type != 0) return;
  std::string_view hostname = trim_nul(m.hostname);  // the name the server gives the client
  if (!hostname.empty()) {
    sink_.identity(about_client, kProtocol, Side::Client, IdentityField::Hostname, hostname, event);
  }
  if (m.yiaddr.is_unicast()) {
    scratch_.assign("dhcp assigned address ").append(m.yiaddr.str());
    sink_.identity(about_client, kProtocol, Side::Client, IdentityField::Description, scratch_, event);
  }
}

void DhcpSession::report_client(const FlowContext& ctx, Side sender, const Message& m, std::string_view event) {
  report_vendor_class(ctx, sender, m, event);
  std::string_view hostname = trim_nul(m.hostname);
  if (!hostname.empty()) sink_.identity(ctx, kProtocol, sender, IdentityField::Hostname, hostname, event);
  std::string_view fqdn = trim_nul(m.fqdn());
  if (!fqdn.empty() && fqdn != hostname) {
    sink_.identity(ctx, kProtocol, sender, IdentityField::Hostname, fqdn, event);
  }
  if (!m.parameter_list.empty()) {
    scratch_.assign("dhcp fingerprint ");
    char digits[4];
    for (size_t i = 0; i < m.parameter_list.size(); ++i) {
      if (i > 0) scratch_.push_back(',');
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, m.parameter_list[i]);
      scratch_.append(digits, end);
    }
    sink_.identity(ctx, kProtocol, sender, IdentityField::Description, scratch_, event);
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
