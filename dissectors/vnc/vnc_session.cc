#include "dissectors/vnc/vnc_session.h"

#include <algorithm>

namespace ots::vnc {
namespace {

constexpr std::string_view kProtocol = "vnc";
constexpr size_t kServerInitFixed = 2 + 2 + kPixelFormatSize;  // width, height, pixel format
constexpr size_t kMaxHostname = 63;

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }

bool hostname_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

// "plc-hmi", "plc-hmi.example", "plc-hmi:1 (operator)" (Xvnc's "<host>:<display>") → the host.
std::string_view hostname_in(std::string_view desktop) {
  size_t end = desktop.find_first_of(": ");
  std::string_view host = desktop.substr(0, end);
  bool display = end != std::string_view::npos && desktop[end] == ':' && end + 1 < desktop.size() &&
                 desktop[end + 1] >= '0' && desktop[end + 1] <= '9';
  if (end != std::string_view::npos && !display) return {};
  if (host.empty() || host.size() > kMaxHostname || !std::all_of(host.begin(), host.end(), hostname_char))
    return {};
  return host;
}

uint32_t be32_at(Bytes b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

}  // namespace

ProbeResult probe(Direction, Bytes payload) {
  constexpr std::string_view kPrefix = "RFB ";
  size_t n = std::min(payload.size(), kPrefix.size());
  if (as_chars(payload.first(n)) != kPrefix.substr(0, n)) return ProbeResult::NoMatch;
  if (payload.size() < kVersionSize) return ProbeResult::NeedMoreData;
  Version v;
  return parse_version(payload.first(kVersionSize), v) ? ProbeResult::Match : ProbeResult::NoMatch;
}

void VncSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  Stream& s = streams_[index_of(dir)];
  s.seen_data = true;
  if (done(dir)) return;
  size_t take = std::min(bytes.size(), kMaxBuffered - s.buffer.size());
  s.buffer.insert(s.buffer.end(), bytes.begin(), bytes.begin() + take);
  pump(ctx, dir);
  // Each side's handshake waits on the other's choices: let the other side go on.
  Direction other = dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient;
  pump(ctx, other);
}

void VncSession::pump(const FlowContext& ctx, Direction dir) {
  Stream& s = streams_[index_of(dir)];
  while (!rejected_ && !done(dir)) {
    size_t used = 0;
    Step step =
        dir == Direction::FromClient ? client_step(ctx, s.buffer, used) : server_step(ctx, s.buffer, used);
    if (step == Step::NeedMore) return;
    s.buffer.erase(s.buffer.begin(), s.buffer.begin() + static_cast<std::ptrdiff_t>(used));
  }
  s.buffer.clear();
}

bool VncSession::done(Direction dir) const {
  return dir == Direction::FromClient ? client_ == ClientStage::Done : server_ == ServerStage::Done;
}

uint16_t VncSession::minor() const {
  if (client_version_seen_) return effective_minor(client_version_);
  return server_version_seen_ ? effective_minor(server_version_) : 8;
}

void VncSession::operation(const FlowContext& ctx, Side side, uint32_t code, std::string_view name,
                           std::string_view object, bool is_error) {
  Operation op;
  op.code = code;
  op.name = name;
  op.is_request = side == Side::Client;
  op.is_error = is_error;
  op.object = object;
  sink_.operation(ctx, kProtocol, side, op);
}

bool VncSession::version(const FlowContext& ctx, Side side, Bytes twelve) {
  Version v;
  if (!parse_version(twelve, v)) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::BadVersion));
    rejected_ = true;
    return false;
  }
  operation(ctx, side, 0, "ProtocolVersion", v.text);
  sink_.identity(ctx, kProtocol, side, IdentityField::Software, v.text, "VNC ProtocolVersion");
  std::string_view product = version_product(v.text);
  if (!product.empty()) {
    sink_.identity(ctx, kProtocol, side, IdentityField::Description, product, "VNC ProtocolVersion");
  }
  v.text = {};  // points into the buffer
  (side == Side::Client ? client_version_ : server_version_) = v;
  (side == Side::Client ? client_version_seen_ : server_version_seen_) = true;
  return true;
}

void VncSession::maybe_confirm(const FlowContext& ctx) {
  bool both = client_version_seen_ && server_version_seen_;
  bool server_only = server_version_seen_ && server_security_seen_ && !streams_[0].seen_data;
  if (confirmed_ || !(both || server_only)) return;
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
  // Both ways of confirming include the server's ProtocolVersion.
  sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Role, "VNC server", "VNC ProtocolVersion");
}

void VncSession::security_chosen(const FlowContext& ctx, uint8_t type) {
  security_type_ = type;
  if (type == security::kNone) sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::NoAuthentication));
}

VncSession::Step VncSession::read_text(const FlowContext& ctx, Bytes buffer, size_t& used,
                                       std::string_view& text) {
  if (buffer.size() < 4) return Step::NeedMore;
  uint32_t length = be32_at(buffer, 0);
  if (length > kMaxTextLength) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::BadLength));
    length = 0;
  }
  size_t kept = std::min<size_t>(length, kMaxText);
  if (buffer.size() < 4 + kept) return Step::NeedMore;
  text = as_chars(buffer.subspan(4, kept));
  used = 4 + kept;
  return Step::Consumed;
}

VncSession::Step VncSession::client_step(const FlowContext& ctx, Bytes buffer, size_t& used) {
  switch (client_) {
    case ClientStage::Version:
      if (buffer.size() < kVersionSize) return Step::NeedMore;
      if (!version(ctx, Side::Client, buffer.first(kVersionSize))) return Step::NeedMore;
      used = kVersionSize;
      client_ = effective_minor(client_version_) >= 7 ? ClientStage::SecurityChoice
                                                      : ClientStage::AwaitServerSecurity;
      maybe_confirm(ctx);
      return Step::Consumed;
    case ClientStage::SecurityChoice: {
      if (buffer.empty()) return Step::NeedMore;
      uint8_t type = buffer[0];
      used = 1;
      operation(ctx, Side::Client, 2, "Security Type Selection", security_type_name(type));
      bool offered = offered_count_ == 0 || std::find(offered_.begin(), offered_.begin() + offered_count_,
                                                      type) != offered_.begin() + offered_count_;
      if (!offered) sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::BadSecurityType));
      security_chosen(ctx, type);
      client_ = type == security::kVncAuthentication ? ClientStage::AuthResponse
                : type == security::kNone            ? ClientStage::ClientInit
                                                     : ClientStage::Done;
      return Step::Consumed;
    }
    case ClientStage::AwaitServerSecurity:  // 3.3: the server imposes the type
      if (security_type_ < 0) return Step::NeedMore;
      client_ = security_type_ == security::kVncAuthentication ? ClientStage::AuthResponse
                : security_type_ == security::kNone            ? ClientStage::ClientInit
                                                               : ClientStage::Done;
      return Step::Consumed;
    case ClientStage::AuthResponse:
      if (buffer.size() < kChallengeSize) return Step::NeedMore;
      used = kChallengeSize;
      operation(ctx, Side::Client, 3, "VNC Authentication Response", {});
      client_ = ClientStage::ClientInit;
      return Step::Consumed;
    case ClientStage::ClientInit:
      if (buffer.empty()) return Step::NeedMore;
      used = 1;
      operation(ctx, Side::Client, 5, "ClientInit", buffer[0] ? "shared" : "exclusive");
      client_ = ClientStage::Done;
      return Step::Consumed;
    case ClientStage::Done:
      break;
  }
  return Step::NeedMore;
}

VncSession::Step VncSession::server_security(const FlowContext& ctx, Bytes buffer, size_t& used) {
  std::string_view reason;
  if (minor() == 3) {
    if (buffer.size() < 4) return Step::NeedMore;
    uint32_t type = be32_at(buffer, 0);
    if (type == security::kInvalid) {
      if (read_text(ctx, buffer.subspan(4), used, reason) == Step::NeedMore) return Step::NeedMore;
      used += 4;
      operation(ctx, Side::Server, 1, "Security Type", reason, true);
      server_ = ServerStage::Done;
    } else {
      used = 4;
      if (type > 0xFF) {
        sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::BadSecurityType));
        server_ = ServerStage::Done;
        return Step::Consumed;
      }
      operation(ctx, Side::Server, 1, "Security Type", security_type_name(uint8_t(type)));
      security_chosen(ctx, uint8_t(type));
      server_ = ServerStage::Challenge;
    }
  } else {
    if (buffer.empty()) return Step::NeedMore;
    size_t count = buffer[0];
    if (count == 0) {
      if (read_text(ctx, buffer.subspan(1), used, reason) == Step::NeedMore) return Step::NeedMore;
      used += 1;
      operation(ctx, Side::Server, 1, "Security Types", reason, true);
      server_ = ServerStage::Done;
    } else {
      if (buffer.size() < 1 + count) return Step::NeedMore;
      used = 1 + count;
      text_.clear();
      for (size_t i = 0; i < count; ++i) {
        offered_[i] = buffer[1 + i];
        if (i > 0) text_.push_back(',');
        text_.append(security_type_name(buffer[1 + i]));
      }
      offered_count_ = count;
      operation(ctx, Side::Server, 1, "Security Types", text_);
      server_ = ServerStage::Challenge;
    }
  }
  server_security_seen_ = true;
  maybe_confirm(ctx);
  return Step::Consumed;
}

VncSession::Step VncSession::server_step(const FlowContext& ctx, Bytes buffer, size_t& used) {
  switch (server_) {
    case ServerStage::Version:
      if (buffer.size() < kVersionSize) return Step::NeedMore;
      if (!version(ctx, Side::Server, buffer.first(kVersionSize))) return Step::NeedMore;
      used = kVersionSize;
      server_ = ServerStage::Security;
      maybe_confirm(ctx);
      return Step::Consumed;
    case ServerStage::Security:
      return server_security(ctx, buffer, used);
    case ServerStage::Challenge:
      if (security_type_ < 0) {
        if (streams_[index_of(Direction::FromClient)].seen_data)
          return Step::NeedMore;  // the choice is coming
        // Server-only capture: a single offered type is the one in effect.
        if (offered_count_ != 1) {
          server_ = ServerStage::Done;
          return Step::Consumed;
        }
        security_type_ = offered_[0];
      }
      if (security_type_ == security::kVncAuthentication) {
        if (buffer.size() < kChallengeSize) return Step::NeedMore;
        used = kChallengeSize;
        server_ = ServerStage::SecurityResult;
      } else if (security_type_ == security::kNone) {
        server_ = minor() >= 8 ? ServerStage::SecurityResult : ServerStage::ServerInit;
      } else {
        server_ = ServerStage::Done;  // a sub-protocol this dissector does not follow
      }
      return Step::Consumed;
    case ServerStage::SecurityResult: {
      if (buffer.size() < 4) return Step::NeedMore;
      uint32_t result = be32_at(buffer, 0);
      std::string_view reason;
      used = 4;
      if (result != 0 && minor() >= 8) {
        if (read_text(ctx, buffer.subspan(4), used, reason) == Step::NeedMore) return Step::NeedMore;
        used += 4;
      }
      operation(ctx, Side::Server, 4, "Security Result", result == 0 ? std::string_view("ok") : reason,
                result != 0);
      server_ = result == 0 ? ServerStage::ServerInit : ServerStage::Done;
      return Step::Consumed;
    }
    case ServerStage::ServerInit: {
      std::string_view name;
      if (buffer.size() < kServerInitFixed) return Step::NeedMore;
      if (read_text(ctx, buffer.subspan(kServerInitFixed), used, name) == Step::NeedMore)
        return Step::NeedMore;
      used += kServerInitFixed;
      operation(ctx, Side::Server, 6, "ServerInit", name);
      if (!name.empty()) {
        text_.assign("vnc desktop ").append(name);
        sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Description, text_, "VNC ServerInit");
        std::string_view host = hostname_in(name);
        if (!host.empty()) {
          sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Hostname, host, "VNC ServerInit");
        }
      }
      server_ = ServerStage::Done;
      return Step::Consumed;
    }
    case ServerStage::Done:
      break;
  }
  return Step::NeedMore;
}

void VncSession::gap(const FlowContext&, Direction dir, uint64_t) {
  if (dir == Direction::FromClient) {
    client_ = ClientStage::Done;
  } else {
    server_ = ServerStage::Done;
  }
  streams_[index_of(dir)].buffer.clear();
}

void VncSession::end(const FlowContext& ctx, Direction dir) {
  Stream& s = streams_[index_of(dir)];
  if (!rejected_ && !done(dir) && !s.buffer.empty())
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::Truncated));
  s.buffer.clear();
  if (dir == Direction::FromClient) {
    client_ = ClientStage::Done;
  } else {
    server_ = ServerStage::Done;
  }
}

namespace {

constexpr uint16_t kVncPorts[] = {5900, 5901, 5902, 5903, 5904, 5905, 5906, 5907, 5908, 5909, 5910};

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<VncSession>(sink); }

}  // namespace
}  // namespace ots::vnc

namespace ots {

extern const DissectorDescriptor kDissector_vnc{
    .name = "vnc",
    .transports = transport_bit::Tcp,
    .ports = vnc::kVncPorts,
    .ethertypes = {},
    .probe = vnc::probe,
    .make_session = vnc::make_session,
};

}  // namespace ots
