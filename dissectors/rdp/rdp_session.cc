#include "dissectors/rdp/rdp_session.h"

#include <algorithm>
#include <cstdio>

#include "dissectors/smb/utf16.h"

namespace ots::rdp {
namespace {

constexpr std::string_view kProtocol = "rdp";
constexpr size_t kClientNameUnits = 16;

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }

void append_protocols(uint32_t protocols, std::string& out) {
  if (protocols == 0) {
    out.append(kStandardRdp);
    return;
  }
  bool first = true;
  for (const auto& p : kProtocols) {
    if (!(protocols & p.bit)) continue;
    if (!first) out.push_back(',');
    out.append(p.name);
    first = false;
  }
  if (first) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", protocols);
    out.append(hex);
  }
}

}  // namespace

ProbeResult probe(Direction dir, Bytes payload) {
  bool need_more = false;
  bool match = dir == Direction::FromClient ? looks_like_connection_request(payload, need_more)
                                            : looks_like_connection_confirm(payload, need_more);
  if (!match) return ProbeResult::NoMatch;
  return need_more ? ProbeResult::NeedMoreData : ProbeResult::Match;
}

void RdpSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Stream& s = streams_[index_of(dir)];
  if (!bytes.empty()) s.seen_data = true;
  while (!bytes.empty() && s.stage != Stage::Done && !rejected_) {
    size_t need = kTpktHeaderSize;
    if (s.buffer.size() >= kTpktHeaderSize) need = static_cast<size_t>(tpkt_length(s.buffer));
    size_t take = std::min(need - s.buffer.size(), bytes.size());
    s.buffer.insert(s.buffer.end(), bytes.begin(), bytes.begin() + take);
    bytes = bytes.subspan(take);
    if (s.buffer.size() < need) return;
    if (need == kTpktHeaderSize && tpkt_length(s.buffer) < 0) {
      // After the Connection Request a TLS handshake (not TPKT) is the normal case.
      if (s.stage != Stage::ConnectInitial) malformed(ctx, Anomaly::BadTpkt);
      s.stage = Stage::Done;
      s.buffer.clear();
      return;
    }
    if (s.buffer.size() == need && need > kTpktHeaderSize) {
      handle_pdu(ctx, dir, s.buffer);
      s.buffer.clear();
    }
  }
}

void RdpSession::handle_pdu(const FlowContext& ctx, Direction dir, Bytes pdu) {
  Stream& s = streams_[index_of(dir)];
  switch (s.stage) {
    case Stage::ConnectionRequest:
      connection_request(ctx, pdu);
      s.stage = Stage::ConnectInitial;
      break;
    case Stage::ConnectInitial:
      connect_initial(ctx, pdu);
      s.stage = Stage::Done;
      break;
    case Stage::ConnectionConfirm:
      connection_confirm(ctx, pdu);
      s.stage = Stage::Done;
      break;
    case Stage::Done:
      break;
  }
}

void RdpSession::connection_request(const FlowContext& ctx, Bytes pdu) {
  ConnectionRequest request;
  if (Anomaly a = parse_connection_request(pdu, request); a != Anomaly::None) {
    malformed(ctx, a);
    return;
  }
  Stream& s = streams_[index_of(Direction::FromClient)];
  s.parsed = true;
  object_.clear();
  if (!request.user.empty()) object_.append("user ").append(request.user);
  if (request.routing_token) object_.append("routing token");
  if (request.has_negotiation) {
    if (!object_.empty()) object_.append("; ");
    object_.append("requested ");
    append_protocols(request.requested_protocols, object_);
  }
  Operation op;
  op.code = tpdu::kConnectionRequest;
  op.name = "Connection Request";
  op.object = object_;
  sink_.operation(ctx, kProtocol, Side::Client, op);
  maybe_confirm(ctx);
}

void RdpSession::connection_confirm(const FlowContext& ctx, Bytes pdu) {
  ConnectionConfirm confirm;
  if (Anomaly a = parse_connection_confirm(pdu, confirm); a != Anomaly::None) {
    malformed(ctx, a);
    return;
  }
  streams_[index_of(Direction::FromServer)].parsed = true;
  Operation op;
  op.code = tpdu::kConnectionConfirm;
  op.name = "Connection Confirm";
  op.is_request = false;
  object_.clear();
  if (confirm.failed) {
    op.is_error = true;
    std::string_view name = failure_name(confirm.failure_code);
    object_.assign(name.empty() ? std::string_view("negotiation failure") : name);
  } else {
    object_.assign("selected ");
    append_protocols(confirm.selected_protocol, object_);
  }
  op.object = object_;
  sink_.operation(ctx, kProtocol, Side::Server, op);
  sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Role, "RDP server", "RDP Connection Confirm");
  if (!confirm.failed && confirm.selected_protocol == 0) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::StandardRdpSecurity));
  }
  maybe_confirm(ctx);
}

void RdpSession::connect_initial(const FlowContext& ctx, Bytes pdu) {
  ClientCore core;
  if (Anomaly a = parse_connect_initial(pdu, core); a != Anomaly::None) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(a));
    return;
  }
  text_.clear();
  append_utf16le(core.client_name, text_, kClientNameUnits);
  Operation op;
  op.code = 0x65;
  op.name = "MCS Connect Initial";
  op.object = text_;
  sink_.operation(ctx, kProtocol, Side::Client, op);
  if (!text_.empty()) {
    sink_.identity(ctx, kProtocol, Side::Client, IdentityField::Hostname, text_, "RDP MCS Connect Initial");
  }
  std::string_view version = client_version_name(core.version);
  char software[64];
  if (version.empty()) {
    std::snprintf(software, sizeof software, "RDP client build %u", core.build);
  } else {
    std::snprintf(software, sizeof software, "RDP %.*s client build %u", int(version.size()), version.data(),
                  core.build);
  }
  sink_.identity(ctx, kProtocol, Side::Client, IdentityField::Software, software, "RDP MCS Connect Initial");
  // Client-only capture: the request and this PDU make the exchange.
  if (!confirmed_ && !streams_[index_of(Direction::FromServer)].seen_data) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void RdpSession::maybe_confirm(const FlowContext& ctx) {
  const Stream& client = streams_[index_of(Direction::FromClient)];
  const Stream& server = streams_[index_of(Direction::FromServer)];
  bool both = client.parsed && server.parsed;
  bool server_only = server.parsed && !client.seen_data;
  if (confirmed_ || !(both || server_only)) return;
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
}

void RdpSession::malformed(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  rejected_ = true;
}

void RdpSession::gap(const FlowContext&, Direction dir, uint64_t) {
  Stream& s = streams_[index_of(dir)];
  s.stage = Stage::Done;
  s.buffer.clear();
}

void RdpSession::end(const FlowContext& ctx, Direction dir) {
  Stream& s = streams_[index_of(dir)];
  if (!rejected_ && s.stage != Stage::Done && !s.buffer.empty()) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::TruncatedPdu));
  }
  s.stage = Stage::Done;
  s.buffer.clear();
}

namespace {

constexpr uint16_t kRdpPorts[] = {3389};

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<RdpSession>(sink); }

}  // namespace
}  // namespace ots::rdp

namespace ots {

extern const DissectorDescriptor kDissector_rdp{
    .name = "rdp",
    .transports = transport_bit::Tcp,
    .ports = rdp::kRdpPorts,
    .ethertypes = {},
    .probe = rdp::probe,
    .make_session = rdp::make_session,
};

}  // namespace ots
