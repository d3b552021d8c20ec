#include "dissectors/dhcpv6/dhcpv6_session.h"

#include <charconv>

namespace ots::dhcpv6 {
namespace {

constexpr std::string_view kProtocol = "dhcpv6";
constexpr size_t kMaxListItems = 8;

std::string_view trim_nul(std::string_view s) {
  while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return s;
}

// (be16 length, data)* as "a,b,…"; stops at the first item that overruns.
void append_items(Bytes list, std::string& out) {
  ByteReader r(list);
  for (size_t i = 0; i < kMaxListItems && r.has(2); ++i) {
    uint16_t length = r.be16();
    Bytes item = r.bytes(length);
    if (!r.ok()) break;
    if (i > 0) out.push_back(',');
    out.append(trim_nul(as_chars(item)));
  }
}

void append_number(uint32_t value, std::string& out) {
  char digits[12];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

ProbeResult probe(Direction, Bytes payload) {
  return looks_like_dhcpv6(payload) ? ProbeResult::Match : ProbeResult::NoMatch;
}

void Dhcpv6Session::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  Side sender = dir == Direction::FromClient ? Side::Client : Side::Server;
  Bytes level = bytes;
  for (size_t depth = 0;; ++depth) {
    if (depth > kMaxRelayDepth) {
      violation(ctx, Anomaly::RelayTooDeep);
      return;
    }
    message_ = Message{};
    Anomaly anomaly = parse(level, message_);
    if (anomaly != Anomaly::None) {
      violation(ctx, anomaly);
      return;
    }
    if (depth == 0) {
      consecutive_violations_ = 0;
      if (!confirmed_) {
        confirmed_ = true;
        sink_.protocol_confirmed(ctx, kProtocol);
      }
    }
    report_operation(ctx, sender, message_);
    if (depth == 0 && !message_.is_relay) report_identity(ctx, sender, message_);
    if (!message_.is_relay || message_.relay_message.empty()) return;
    level = message_.relay_message;
  }
}

void Dhcpv6Session::violation(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void Dhcpv6Session::report_operation(const FlowContext& ctx, Side sender, const Message& m) {
  const MessageType* info = message_type(m.type);
  Operation op;
  op.code = m.type;
  op.name = info->name;  // parse() accepted only known types
  op.is_request = info->from_client;
  scratch_.clear();
  if (m.has_status) {
    op.is_error = !info->from_client;
    std::string_view name = status_name(m.status);
    if (name.empty()) {
      scratch_.assign("status ");
      append_number(m.status, scratch_);
    } else {
      scratch_.assign(name);
    }
  } else if (m.is_relay) {
    scratch_.assign("peer ").append(m.peer_address.str());
  }
  op.object = scratch_;
  sink_.operation(ctx, kProtocol, sender, op);
}

void Dhcpv6Session::report_duid(const FlowContext& ctx, Side side, Bytes duid, std::string_view event) {
  MacAddr mac;
  if (!duid_mac(duid, mac)) return;
  scratch_.assign("duid ").append(mac.str());
  sink_.identity(ctx, kProtocol, side, IdentityField::Description, scratch_, event);
}

void Dhcpv6Session::report_identity(const FlowContext& ctx, Side sender, const Message& m) {
  const MessageType* info = message_type(m.type);  // parse() accepted only known types
  bool from_client = info->from_client;
  std::string_view event = info->event;
  const IpAddr& sender_ip = sender == Side::Client ? ctx.client_ip : ctx.server_ip;
  Side receiver = sender == Side::Client ? Side::Server : Side::Client;
  const IpAddr& receiver_ip = receiver == Side::Client ? ctx.client_ip : ctx.server_ip;
  if (sender_ip.is_unicast()) {
    report_duid(ctx, sender, from_client ? m.client_id : m.server_id, event);
    if (m.has_vendor_class) {
      scratch_.assign("vendor class ");
      append_number(m.vendor_enterprise, scratch_);
      scratch_.push_back(' ');
      append_items(m.vendor_class_data, scratch_);
      sink_.identity(ctx, kProtocol, sender, IdentityField::Description, scratch_, event);
      std::string_view vendor = hardware_vendor(m.vendor_enterprise);
      if (!vendor.empty()) sink_.identity(ctx, kProtocol, sender, IdentityField::Vendor, vendor, event);
    }
    if (from_client) {
      std::string_view fqdn = m.fqdn();
      if (!fqdn.empty()) sink_.identity(ctx, kProtocol, sender, IdentityField::Hostname, fqdn, event);
      if (!m.user_class.empty()) {
        scratch_.assign("user class ");
        append_items(m.user_class, scratch_);
        sink_.identity(ctx, kProtocol, sender, IdentityField::Description, scratch_, event);
      }
      if (m.option_request.size() >= 2) {
        scratch_.assign("dhcpv6 option request list ");
        ByteReader codes(m.option_request);
        for (bool first = true; codes.has(2); first = false) {
          if (!first) scratch_.push_back(',');
          append_number(codes.be16(), scratch_);
        }
        sink_.identity(ctx, kProtocol, sender, IdentityField::Description, scratch_, event);
      }
    }
  }
  if (m.type == type::kReply && receiver_ip.is_unicast()) {
    for (size_t i = 0; i < m.address_count; ++i) {
      scratch_.assign("assigned ").append(m.addresses[i].str());
      sink_.identity(ctx, kProtocol, receiver, IdentityField::Description, scratch_, event);
    }
  }
}

namespace {

constexpr uint16_t kDhcpv6Ports[] = {kServerPort, kClientPort};

std::unique_ptr<DissectorSession> make_session(EventSink& sink) {
  return std::make_unique<Dhcpv6Session>(sink);
}

}  // namespace
}  // namespace ots::dhcpv6

namespace ots {

extern const DissectorDescriptor kDissector_dhcpv6{
    .name = "dhcpv6",
    .transports = transport_bit::Udp,
    .ports = dhcpv6::kDhcpv6Ports,
    .ethertypes = {},
    .probe = dhcpv6::probe,
    .make_session = dhcpv6::make_session,
};

}  // namespace ots
