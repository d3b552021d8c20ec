#include "dissectors/nbns/nbns_session.h"

#include <algorithm>

namespace ots::nbns {
namespace {

constexpr std::string_view kProtocol = "nbns";
constexpr uint16_t kGroupFlag = 0x8000;  // NB_FLAGS G bit (RFC 1002 §4.2.1.3)
constexpr size_t kNodeNameEntrySize = 18;  // 15 name bytes, suffix, flags

// Per-message working storage: filled and used within one data() call, so one per thread
// serves every session instead of about 1 KB in each.
struct MessageScratch {
  dns::Record record;
  std::array<NbnsSession::Fact, kMaxFactsPerMessage> facts{};
};
thread_local MessageScratch message_scratch;

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7F; });
}

NetbiosName raw_name(Bytes sixteen) {
  NetbiosName n;
  for (size_t i = 0; i < 15; ++i) n.text[i] = char(sixteen[i]);
  n.length = 15;
  while (n.length > 0 && (n.text[n.length - 1] == ' ' || n.text[n.length - 1] == '\0')) --n.length;
  n.suffix = sixteen[15];
  return n;
}

// The request a host claims its own names with: registration (5), refresh (8, or the 9 many stacks
// send), multi-homed registration (15).
std::string_view claim_event(uint8_t opcode) {
  switch (opcode) {
    case 5:
      return "NBNS name registration";
    case 15:
      return "NBNS multi-homed name registration";
    default:
      return "NBNS name refresh";
  }
}

}  // namespace

bool decode_name(std::string_view encoded, NetbiosName& out) {
  if (!dns::is_netbios_encoded(encoded)) return false;
  std::array<uint8_t, 16> raw{};
  for (size_t i = 0; i < 16; ++i) raw[i] = uint8_t((encoded[2 * i] - 'A') << 4 | (encoded[2 * i + 1] - 'A'));
  out = raw_name(raw);
  return true;
}

void NbnsSession::add_fact(const NetbiosName& name, bool group, std::string_view event) {
  if (fact_count_ == message_scratch.facts.size() || name.length == 0 || name.text[0] == '*' || !printable(name.name())) return;
  bool host = !group && (name.suffix == suffix::kWorkstation || name.suffix == suffix::kServer);
  bool domain = name.suffix == suffix::kDomainMaster || name.suffix == suffix::kDomainControllers ||
                name.suffix == suffix::kBrowserElection || (group && name.suffix == suffix::kWorkstation);
  if (host) message_scratch.facts[fact_count_++] = {IdentityField::Hostname, name, event};
  if (domain) message_scratch.facts[fact_count_++] = {IdentityField::Description, name, event};
}

void NbnsSession::record(const dns::Record& rec) {
  NetbiosName name;
  bool decoded = decode_name(rec.name.view(), name);
  if (decoded && !have_object_) {
    have_object_ = true;
    size_t n = name.length;
    std::copy_n(name.text.begin(), n, object_.begin());
    constexpr char kHex[] = "0123456789abcdef";
    object_[n++] = '<';
    object_[n++] = kHex[name.suffix >> 4];
    object_[n++] = kHex[name.suffix & 0xF];
    object_[n++] = '>';
    object_length_ = n;
  }
  uint8_t op = header_.opcode();
  bool response = header_.response();
  if (rec.section == dns::Section::Question) {
    if (decoded && !response && op == 0 && name.suffix == suffix::kDomainControllers) {
      add_fact(name, true, "NBNS name query (domain controllers)");
    }
    return;
  }
  if (rec.type == dns::rrtype::kNbstat && response) {
    ByteReader r(rec.rdata);
    uint8_t count = r.u8();
    for (uint8_t i = 0; i < count && r.has(kNodeNameEntrySize); ++i) {
      NetbiosName entry = raw_name(r.bytes(16));
      add_fact(entry, r.be16() & kGroupFlag, "NBNS node status response");
    }
    return;
  }
  if (rec.type != dns::rrtype::kNb || !decoded) return;
  bool registering = !response && (op == 5 || op == 8 || op == 9 || op == 15);
  bool answering = response && op == 0 && header_.rcode() == 0;
  ByteReader r(rec.rdata);
  while (r.has(6)) {
    bool group = r.be16() & kGroupFlag;
    IpAddr address = IpAddr::v4(r.bytes(4).data());
    if (registering || (answering && address == sender_ip_)) {
      add_fact(name, group, registering ? claim_event(op) : "NBNS name query response");
      break;
    }
  }
}

void NbnsSession::report(const FlowContext& ctx, Side sender, const Fact& fact) {
  if (fact.field == IdentityField::Hostname) {
    scratch_text_.assign(fact.name.name());
  } else {
    scratch_text_.assign("domain ").append(fact.name.name());
  }
  if (std::find(reported_.begin(), reported_.end(), scratch_text_) != reported_.end()) return;
  if (reported_.size() < kMaxRemembered) reported_.push_back(scratch_text_);
  sink_.identity(ctx, kProtocol, sender, fact.field, scratch_text_, fact.event);
}

void NbnsSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  Side sender = dir == Direction::FromClient ? Side::Client : Side::Server;
  sender_ip_ = sender == Side::Client ? ctx.client_ip : ctx.server_ip;
  have_object_ = false;
  fact_count_ = 0;
  dns::Anomaly anomaly = dns::parse(bytes, header_, this, message_scratch.record, dns::Dialect::Netbios);
  if (anomaly != dns::Anomaly::None) {
    sink_.anomaly(ctx, kProtocol, kAnomalyNames[size_t(anomaly)]);
    if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
    return;
  }
  consecutive_violations_ = 0;
  bool response = header_.response();
  if (!confirmed_ && (response || ++valid_requests_ >= 2)) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
  Operation op;
  op.code = header_.opcode();
  op.name = response ? "unknown opcode response" : "unknown opcode";
  for (const auto& entry : kOpcodeNames) {
    if (entry.opcode != header_.opcode()) continue;
    op.name = response ? entry.response : entry.request;
    op.is_write = entry.is_write;
  }
  op.is_request = !response;
  op.is_error = response && header_.rcode() != 0;
  if (have_object_) op.object = {object_.data(), object_length_};
  sink_.operation(ctx, kProtocol, sender, op);
  if (!sender_ip_.is_unicast()) return;
  for (size_t i = 0; i < fact_count_; ++i) report(ctx, sender, message_scratch.facts[i]);
}

namespace {

class FirstName final : public dns::Visitor {
 public:
  void record(const dns::Record& rec) override {
    if (!seen) netbios = dns::is_netbios_encoded(rec.name.view());
    seen = true;
  }
  bool seen = false, netbios = false;
};

}  // namespace

// A known NBNS opcode and a whole message whose first name is NetBIOS-encoded.
ProbeResult probe(Direction, Bytes payload) {
  dns::Header header;
  if (!dns::read_header(payload, header)) return ProbeResult::NoMatch;
  bool known_opcode = std::any_of(std::begin(kOpcodeNames), std::end(kOpcodeNames),
                                  [&](const OpcodeName& e) { return e.opcode == header.opcode(); });
  size_t total = size_t(header.qdcount) + header.ancount + header.nscount + header.arcount;
  if (!known_opcode || total == 0 || total > dns::kMaxRecords) return ProbeResult::NoMatch;
  static thread_local dns::Record scratch;
  FirstName first;
  if (dns::parse(payload, header, &first, scratch, dns::Dialect::Netbios) != dns::Anomaly::None || !first.netbios) return ProbeResult::NoMatch;
  return ProbeResult::Match;
}

namespace {

constexpr uint16_t kPorts[] = {kNameServicePort};

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<NbnsSession>(sink); }

}  // namespace
}  // namespace ots::nbns

namespace ots {

extern const DissectorDescriptor kDissector_nbns{
    .name = "nbns",
    .transports = transport_bit::Udp,
    .ports = nbns::kPorts,
    .ethertypes = {},
    .probe = nbns::probe,
    .make_session = nbns::make_session,
};

}  // namespace ots
