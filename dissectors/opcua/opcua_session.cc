#include "dissectors/opcua/opcua_session.h"

#include <algorithm>
#include <string>

namespace ots::opcua {
namespace {

constexpr std::string_view kProtocol = "opcua";
constexpr std::string_view kUnknownService = "Unknown service";
constexpr std::string_view kOpenSecureChannel = "OpenSecureChannel";

// MessageSecurityMode (OPC 10000-4 §7.20).
constexpr std::string_view kSecurityModes[] = {"Invalid", "None", "Sign", "SignAndEncrypt"};

constexpr size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
constexpr Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

bool is_bad(uint32_t status) { return (status & 0x80000000u) != 0; }

// The services whose bodies carry identity (parse_service_body), as identity provenance.
std::string_view service_event(uint32_t code) {
  switch (code) {
    case kCreateSessionRequest: return "OPC UA CreateSession request";
    case kCreateSessionResponse: return "OPC UA CreateSession reply";
    case kGetEndpointsResponse: return "OPC UA GetEndpoints reply";
    default: return "OPC UA service message";  // unreachable while only those three carry identity
  }
}

}  // namespace

void OpcuaSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Stream& stream = streams_[index_of(dir)];
  while (!bytes.empty() && !rejected_) {
    if (stream.skip > 0) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(stream.skip, bytes.size()));
      stream.skip -= take;
      bytes = bytes.subspan(take);
      continue;
    }
    if (stream.buffer.empty()) {
      // Common case: whole chunks straight from the segment, no copy.
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (stream.skip > 0 || rejected_) continue;
      // What scan() left is less than one chunk prefix.
      stream.buffer.assign(bytes.begin(), bytes.end());
      return;
    }
    size_t take = std::min(bytes.size(), kMaxParsedPrefix - stream.buffer.size());
    stream.buffer.insert(stream.buffer.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a chunk, a chunk prefix or a byte to skip: each round progresses.
    size_t used = scan(ctx, dir, stream.buffer);
    stream.buffer.erase(stream.buffer.begin(), stream.buffer.begin() + static_cast<std::ptrdiff_t>(used));
    if (stream.skip > 0 && !stream.buffer.empty()) {
      size_t dropped = static_cast<size_t>(std::min<uint64_t>(stream.skip, stream.buffer.size()));
      stream.skip -= dropped;
      stream.buffer.erase(stream.buffer.begin(), stream.buffer.begin() + static_cast<std::ptrdiff_t>(dropped));
    }
  }
}

size_t OpcuaSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    if (stream.hunting) {
      ProbeResult probe = probe_header(rest);
      if (probe == ProbeResult::NeedMoreData) break;
      if (probe == ProbeResult::NoMatch) {
        ++consumed;
        if (++stream.hunted_bytes % kMaxParsedPrefix == 0) count_violation();
        continue;
      }
      stream.hunting = false;
      stream.hunted_bytes = 0;
    }
    HeaderResult header = parse_header(rest);
    if (header.status == HeaderStatus::NeedMoreData) break;
    if (header.status == HeaderStatus::Invalid) {
      report(ctx, header.anomaly);
      count_violation();
      stream.hunting = true;
      stream.in_multichunk = false;
      continue;
    }
    uint32_t size = header.header.size;
    if (rest.size() >= size) {
      handle_chunk(ctx, dir, header.header, rest.first(size), true);
      consumed += size;
      continue;
    }
    if (rest.size() < kMaxParsedPrefix) break;
    handle_chunk(ctx, dir, header.header, rest.first(kMaxParsedPrefix), false);
    consumed += kMaxParsedPrefix;
    stream.skip = size - kMaxParsedPrefix;
    break;
  }
  return consumed;
}

void OpcuaSession::handle_chunk(const FlowContext& ctx, Direction dir, const Header& header, Bytes chunk,
                                bool complete) {
  Bytes body = chunk.subspan(kHeaderSize);
  bool well_formed = true;
  bool right_direction = true;
  switch (header.type) {
    case MessageType::Hello: {
      Hello hello;
      well_formed = parse_hello(body, hello) || !complete;
      right_direction = dir == Direction::FromClient;
      report_simple(ctx, dir, kHelloCode, "Hello", false);
      if (well_formed && right_direction) report_endpoint(ctx, hello.endpoint_url, "OPC UA Hello");
      break;
    }
    case MessageType::Acknowledge: {
      Hello acknowledge;
      well_formed = parse_acknowledge(body, acknowledge);
      right_direction = dir == Direction::FromServer;
      report_simple(ctx, dir, kAcknowledgeCode, "Acknowledge", false);
      break;
    }
    case MessageType::Error: {
      ErrorMessage error;
      well_formed = parse_error(body, error) || !complete;
      report_simple(ctx, dir, kErrorCode, "Error", true);
      break;
    }
    case MessageType::ReverseHello:
      right_direction = dir == Direction::FromServer;
      report_simple(ctx, dir, kReverseHelloCode, "ReverseHello", false);
      break;
    case MessageType::OpenChannel:
      well_formed = handle_open_channel(ctx, dir, body, complete);
      break;
    case MessageType::Message:
    case MessageType::CloseChannel:
      well_formed = handle_service(ctx, dir, header, body, complete);
      break;
  }
  if (!well_formed) {
    report(ctx, Anomaly::MalformedBody);
    count_violation();
    return;
  }
  consecutive_violations_ = 0;
  if (!right_direction) {
    report(ctx, Anomaly::UnexpectedDirection);
    return;
  }
  ++streams_[index_of(dir)].valid_chunks;
  confirm_if_due(ctx, dir);
}

bool OpcuaSession::handle_open_channel(const FlowContext& ctx, Direction dir, Bytes body, bool complete) {
  OpenChannel open;
  bool parsed = parse_open_channel(body, open);
  Operation op;
  op.is_request = dir == Direction::FromClient;
  op.code = op.is_request ? kOpenSecureChannelRequest : kOpenSecureChannelResponse;
  op.name = kOpenSecureChannel;
  if (parsed && open.plain && op.is_request && open.security_mode < std::size(kSecurityModes)) {
    op.object = kSecurityModes[open.security_mode];
  }
  sink_.operation(ctx, kProtocol, side_of(dir), op);
  if (!parsed && open.policy_uri.empty()) return !complete;
  if (!open.plain) secured_ = true;
  if (dir == Direction::FromClient && !policy_reported_) {
    policy_reported_ = true;
    sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Description,
                   "security policy " + std::string(policy_name(open.policy_uri)),
                   "OPC UA OpenSecureChannel request");
  }
  return parsed || !complete;
}

bool OpcuaSession::handle_service(const FlowContext& ctx, Direction dir, const Header& header, Bytes body,
                                  bool complete) {
  Stream& stream = streams_[index_of(dir)];
  ByteReader reader(body);
  SecureHeader secure;
  if (!parse_secure_header(reader, secure)) return !complete;
  if (secured_) {
    // Signed and encrypted bodies: nothing to decode, and ciphertext is no anomaly.
    if (!encrypted_reported_) {
      encrypted_reported_ = true;
      report_simple(ctx, dir, kEncryptedCode, "Encrypted message", false);
    }
    return true;
  }
  if (stream.in_multichunk) {
    // A continuation of a message whose first chunk was decoded.
    if (header.chunk_type != 'C') stream.in_multichunk = false;
    return true;
  }
  if (header.chunk_type == 'A') return true;  // an abort of a message never started: nothing to decode
  if (header.chunk_type == 'C') stream.in_multichunk = true;

  NodeId type;
  if (!read_node_id(reader, type)) return !complete;
  uint32_t code = type.ns == 0 && type.is_numeric ? type.numeric : 0;
  const ServiceInfo* info = find_service(code);
  ServiceDetails details;
  // A multi-chunk message's first chunk ends mid-body: only a complete final chunk must parse.
  bool parsed = parse_service_body(code, reader, details) || !complete || header.chunk_type != 'F';

  Operation op;
  op.code = code;
  op.name = info != nullptr ? info->name : kUnknownService;
  op.is_request = info != nullptr ? code == info->request_id : dir == Direction::FromClient;
  op.is_write = info != nullptr && info->is_write;
  op.is_error = code == kServiceFault || (details.has_result && is_bad(details.service_result));
  sink_.operation(ctx, kProtocol, side_of(dir), op);

  const std::string_view event = service_event(code);
  if (details.has_description) {
    report_description(ctx, code == kCreateSessionRequest ? Side::Client : Side::Server, details.description,
                       event);
  }
  if (!details.endpoint_url.empty()) report_endpoint(ctx, details.endpoint_url, event);
  return parsed;
}

void OpcuaSession::report_description(const FlowContext& ctx, Side side, const ApplicationDescription& description,
                                      std::string_view event) {
  bool& described = described_[side == Side::Client ? 0 : 1];
  if (described) return;
  described = true;
  if (!description.application_uri.empty()) {
    sink_.identity(ctx, kProtocol, side, IdentityField::Description,
                   "application uri " + std::string(description.application_uri), event);
  }
  std::string_view product =
      description.product_uri.empty() ? description.application_name : description.product_uri;
  if (!product.empty()) sink_.identity(ctx, kProtocol, side, IdentityField::ProductName, product, event);
}

void OpcuaSession::report_endpoint(const FlowContext& ctx, std::string_view url, std::string_view event) {
  if (endpoint_reported_ || url.empty()) return;
  endpoint_reported_ = true;
  sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Description, "endpoint " + std::string(url), event);
}

void OpcuaSession::report_simple(const FlowContext& ctx, Direction dir, uint32_t code, std::string_view name,
                                 bool is_error) {
  Operation op;
  op.code = code;
  op.name = name;
  op.is_request = dir == Direction::FromClient;
  op.is_error = is_error;
  sink_.operation(ctx, kProtocol, side_of(dir), op);
}

void OpcuaSession::confirm_if_due(const FlowContext& ctx, Direction dir) {
  if (confirmed_) return;
  bool both = streams_[0].valid_chunks > 0 && streams_[1].valid_chunks > 0;
  if (both || streams_[index_of(dir)].valid_chunks >= kConfirmAfterOneSided) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void OpcuaSession::gap(const FlowContext&, Direction dir, uint64_t length) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  if (stream.skip >= length) {
    stream.skip -= length;  // the hole lies inside a chunk we were skipping anyway
    return;
  }
  stream.buffer.clear();
  stream.skip = 0;
  stream.hunting = true;
  stream.hunted_bytes = 0;
  stream.in_multichunk = false;
}

void OpcuaSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  if (!rejected_ && ((!stream.buffer.empty() && !stream.hunting) || stream.skip > 0)) {
    report(ctx, Anomaly::TruncatedMessage);
  }
  stream.buffer.clear();
  stream.skip = 0;
}

void OpcuaSession::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void OpcuaSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::opcua
