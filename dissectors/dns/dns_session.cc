#include "dissectors/dns/dns_session.h"

#include <algorithm>
#include <array>

namespace ots::dns {
namespace {

constexpr std::string_view kProtocol = "dns";

// Per-message working storage (three names of up to 255 bytes): filled and used within one
// data() call, so one per thread serves every session instead of 1 KB in each.
struct MessageScratch {
  Record record;
  Name first_question;
  Name self_name;  // an A/AAAA owner name whose address is the sender's
};
thread_local MessageScratch message_scratch;

bool iequals_suffix(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char c = s[s.size() - suffix.size() + i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

bool printable(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return true;
}

// Indicators are matched on lower-case names without the root dot.
std::string_view canonical_domain(std::string_view name, std::array<char, kMaxNameLength>& buffer) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  size_t n = std::min(name.size(), buffer.size());
  for (size_t i = 0; i < n; ++i) {
    char c = name[i];
    buffer[i] = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  }
  return {buffer.data(), n};
}

}  // namespace

std::string_view host_label(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (iequals_suffix(name, ".local")) name.remove_suffix(6);
  if (iequals_suffix(name, ".arpa") || !printable(name)) return {};
  return name;
}

void DnsSession::emit_domain(std::string_view name) {
  std::array<char, kMaxNameLength> buffer;
  std::string_view domain = canonical_domain(name, buffer);
  if (!domain.empty() && printable(domain)) sink_.observable(*ctx_, kProtocol, sender_, Observable::Domain, domain);
}

void DnsSession::record(const Record& rec) {
  // CNAME targets are names the client will contact next; threat intel must see them too.
  if (rec.section == Section::Answer && rec.type == rrtype::kCname && rec.has_target) emit_domain(rec.target.view());
  if (rec.section == Section::Question) {
    if (!have_question_) {
      message_scratch.first_question = rec.name;
      first_qtype_ = rec.type;
      have_question_ = true;
    }
    return;
  }
  if (!have_self_name_ && rec.has_address && rec.address == sender_ip_) {
    message_scratch.self_name = rec.name;
    have_self_name_ = true;
  }
}

void DnsSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  Side sender = dir == Direction::FromClient ? Side::Client : Side::Server;
  ctx_ = &ctx;
  sender_ = sender;
  sender_ip_ = sender == Side::Client ? ctx.client_ip : ctx.server_ip;
  have_question_ = have_self_name_ = false;
  first_qtype_ = 0;
  Anomaly anomaly = parse(bytes, header_, this, message_scratch.record);
  if (anomaly != Anomaly::None) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
    if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
    return;
  }
  consecutive_violations_ = 0;
  bool response = header_.response();
  if (!confirmed_ && (response || ++valid_queries_ >= 2)) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }

  Operation op;
  op.code = first_qtype_;
  op.name = response ? "unknown opcode response" : "unknown opcode";
  for (const auto& entry : kOpcodeNames) {
    if (entry.opcode == header_.opcode()) op.name = response ? entry.response : entry.request;
  }
  op.is_request = !response;
  op.is_write = header_.opcode() == opcode::kUpdate;
  op.is_error = response && header_.rcode() != 0;
  if (have_question_) op.object = message_scratch.first_question.view();
  sink_.operation(ctx, kProtocol, sender, op);
  if (have_question_ && !response) emit_domain(message_scratch.first_question.view());

  bool multicast_naming = ctx.client_port == kMdnsPort || ctx.server_port == kMdnsPort ||
                          ctx.client_port == kLlmnrPort || ctx.server_port == kLlmnrPort;
  if (response && multicast_naming && have_self_name_ && sender_ip_.is_unicast()) {
    std::string_view host = host_label(message_scratch.self_name.view());
    if (!host.empty() && host != last_hostname_) {
      last_hostname_.assign(host);
      bool mdns = ctx.client_port == kMdnsPort || ctx.server_port == kMdnsPort;
      std::string_view event = mdns ? "mDNS response (A/AAAA)" : "LLMNR response (A/AAAA)";
      sink_.identity(ctx, kProtocol, sender, IdentityField::Hostname, host, event);
    }
  }
}

namespace {

constexpr uint16_t kPorts[] = {kDnsPort, kMdnsPort, kLlmnrPort};

// Remembers whether the first question is a NetBIOS name (that flow belongs to nbns).
class FirstQuestion final : public Visitor {
 public:
  void record(const Record& rec) override {
    if (rec.section == Section::Question && !seen) netbios = is_netbios_encoded(rec.name.view());
    seen = true;
  }
  bool seen = false, netbios = false;
};

// A plausible header and a message that parses completely, not asking for a NetBIOS name.
ProbeResult probe_dns(Direction, Bytes payload) {
  Header header;
  if (!read_header(payload, header) || !plausible_header(header)) return ProbeResult::NoMatch;
  static thread_local Record scratch;
  FirstQuestion first;
  if (parse(payload, header, &first, scratch) != Anomaly::None || first.netbios) return ProbeResult::NoMatch;
  return ProbeResult::Match;
}

}  // namespace

ProbeResult probe(Direction dir, Bytes payload) { return probe_dns(dir, payload); }

namespace {

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<DnsSession>(sink); }

}  // namespace
}  // namespace ots::dns

namespace ots {

extern const DissectorDescriptor kDissector_dns{
    .name = "dns",
    .transports = transport_bit::Udp,
    .ports = dns::kPorts,
    .ethertypes = {},
    .probe = dns::probe_dns,
    .make_session = dns::make_session,
};

}  // namespace ots
