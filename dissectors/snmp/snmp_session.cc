#include "dissectors/snmp/snmp_session.h"

#include <algorithm>

namespace ots::snmp {
namespace {

constexpr std::string_view kProtocol = "snmp";

// Printable text without trailing NULs/newlines, or empty.
std::string_view printable_text(Bytes value) {
  std::string_view s = as_chars(value);
  while (!s.empty() && (s.back() == '\0' || s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  bool ok = std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 ? u != 0x7F : (c == '\t' || c == '\n' || c == '\r');
  });
  return ok ? s : std::string_view{};
}

}  // namespace

void SnmpSession::varbind(const Varbind& vb) {
  if (!have_first_oid_) {
    first_oid_ = vb.name;
    have_first_oid_ = true;
  }
  std::string_view oid = vb.name.view();
  if (oid == kSysDescr && vb.value_tag == tag::kOctetString) sys_descr_ = vb.value;
  if (oid == kSysName && vb.value_tag == tag::kOctetString) sys_name_ = vb.value;
  if (oid == kSysObjectId && vb.value_tag == tag::kOid) have_sys_object_id_ = decode_oid(vb.value, sys_object_id_);
}

void SnmpSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  message_ = Message{};
  have_first_oid_ = have_sys_object_id_ = false;
  sys_descr_ = sys_name_ = {};
  Anomaly anomaly = parse(bytes, message_, this, scratch_);
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
  if (message_.version == kVersion3) {
    op.code = kVersion3;
    op.name = "SNMPv3";
    sink_.operation(ctx, kProtocol, sender, op);
    return;
  }
  if (!default_community_reported_ && (message_.community == "public" || message_.community == "private")) {
    default_community_reported_ = true;
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::DefaultCommunity));
  }
  const PduType* type = pdu_type(message_.pdu_type);
  op.code = type->code;
  op.name = type->name;
  op.is_request = type->is_request;
  op.is_write = type->is_write;
  op.is_error = message_.pdu_type == kPduResponse && message_.error_status != 0;
  op.quantity = uint32_t(message_.varbind_count);
  op.unit = uint32_t(message_.request_id);
  if (have_first_oid_) op.object = first_oid_.view();
  sink_.operation(ctx, kProtocol, sender, op);

  if (message_.pdu_type != kPduResponse || op.is_error) return;
  constexpr std::string_view kEvent = "SNMP GetResponse";
  if (std::string_view descr = printable_text(sys_descr_); !descr_reported_ && !descr.empty()) {
    descr_reported_ = true;
    sink_.identity(ctx, kProtocol, sender, IdentityField::Description, descr, kEvent);
  }
  if (std::string_view name = printable_text(sys_name_); !name_reported_ && !name.empty()) {
    name_reported_ = true;
    sink_.identity(ctx, kProtocol, sender, IdentityField::Hostname, name, kEvent);
  }
  if (!object_id_reported_ && have_sys_object_id_) {
    object_id_reported_ = true;
    text_.assign("sysObjectID ").append(sys_object_id_.view());
    sink_.identity(ctx, kProtocol, sender, IdentityField::Description, text_, kEvent);
  }
}

// A SEQUENCE that parses as a whole v1/v2c/v3 message.
ProbeResult probe(Direction, Bytes payload) {
  if (payload.empty() || payload[0] != tag::kSequence) return ProbeResult::NoMatch;
  Message message;
  static thread_local Varbind scratch;
  return parse(payload, message, nullptr, scratch) == Anomaly::None ? ProbeResult::Match : ProbeResult::NoMatch;
}

namespace {

constexpr uint16_t kPorts[] = {kAgentPort, kTrapPort};

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<SnmpSession>(sink); }

}  // namespace
}  // namespace ots::snmp

namespace ots {

extern const DissectorDescriptor kDissector_snmp{
    .name = "snmp",
    .transports = transport_bit::Udp,
    .ports = snmp::kPorts,
    .ethertypes = {},
    .probe = snmp::probe,
    .make_session = snmp::make_session,
};

}  // namespace ots
