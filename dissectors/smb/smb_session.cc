#include "dissectors/smb/smb_session.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

#include "dissectors/smb/utf16.h"

namespace ots::smb {
namespace {

constexpr std::string_view kProtocol = "smb";
constexpr std::string_view kUnknownCommand = "Unknown Command";
constexpr size_t kMaxObjectText = 512;  // bytes of UTF-8 kept from a path or name

// Identity event names of the SESSION_SETUP messages that carry NTLMSSP tokens.
constexpr std::array<std::string_view, 3> kSmb1SetupRequestEvents = {
    "SMB1 Session Setup AndX request (NTLMSSP Negotiate)", "SMB1 Session Setup AndX request (NTLMSSP Challenge)",
    "SMB1 Session Setup AndX request (NTLMSSP Authenticate)"};
constexpr std::array<std::string_view, 3> kSmb1SetupResponseEvents = {
    "SMB1 Session Setup AndX response (NTLMSSP Negotiate)", "SMB1 Session Setup AndX response (NTLMSSP Challenge)",
    "SMB1 Session Setup AndX response (NTLMSSP Authenticate)"};
constexpr std::array<std::string_view, 3> kSmb2SetupRequestEvents = {
    "SMB2 Session Setup request (NTLMSSP Negotiate)", "SMB2 Session Setup request (NTLMSSP Challenge)",
    "SMB2 Session Setup request (NTLMSSP Authenticate)"};
constexpr std::array<std::string_view, 3> kSmb2SetupResponseEvents = {
    "SMB2 Session Setup response (NTLMSSP Negotiate)", "SMB2 Session Setup response (NTLMSSP Challenge)",
    "SMB2 Session Setup response (NTLMSSP Authenticate)"};

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

bool valid_nbss_header(Bytes header, size_t& total) {
  uint8_t type = header[0];
  uint32_t length = uint32_t{header[1]} << 16 | uint32_t{header[2]} << 8 | header[3];
  switch (type) {
    case nbss::kSessionMessage:
      break;
    case nbss::kSessionRequest:
    case nbss::kPositiveResponse:
    case nbss::kNegativeResponse:
    case nbss::kRetarget:
    case nbss::kKeepAlive:
      if (length > nbss::kMaxControlLength) return false;
      break;
    default:
      return false;
  }
  total = kNbssHeaderSize + length;
  return true;
}

// The next position in `bytes` where a session message carrying an SMB header starts.
size_t find_header(Bytes bytes) {
  for (size_t at = 0; at + kNbssHeaderSize + 4 <= bytes.size(); ++at) {
    if (bytes[at] == nbss::kSessionMessage &&
        protocol_of(bytes.subspan(at + kNbssHeaderSize, 4)) != Dialect::None) {
      return at;
    }
  }
  return bytes.size();
}

void append_text(const ntlm::Text& text, std::string& out) {
  if (text.unicode) {
    append_utf16le(text.bytes, out, kMaxObjectText);
  } else {
    std::string_view chars = as_chars(text.bytes.first(std::min(text.bytes.size(), kMaxObjectText)));
    out.append(chars.substr(0, chars.find('\0')));
  }
}

void append_dialects(const Smb2Message& m, std::string& out) {
  for (size_t i = 0; i < m.dialect_count; ++i) {
    if (i > 0) out.push_back(',');
    std::string_view name = dialect_name(m.dialects[i]);
    if (!name.empty()) {
      out.append(name);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%04x", m.dialects[i]);
      out.append(hex);
    }
  }
}

// "STATUS_LOGON_FAILURE user CORP\\bob": the failure first, then what the request was about.
void prefix_status(uint32_t code, std::string& object) {
  std::string_view name = status_name(code);
  char hex[16];
  if (name.empty()) {
    std::snprintf(hex, sizeof hex, "0x%08x", code);
    name = hex;
  }
  if (!object.empty()) object.insert(0, " ");
  object.insert(0, name);
}

void append_guid(const std::array<uint8_t, 16>& g, std::string& out) {
  // Mixed-endian text form of a Windows GUID.
  char text[40];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
                g[15]);
  out.append(text);
}

}  // namespace

ProbeResult probe(Direction, Bytes payload) {
  if (payload.size() < kNbssHeaderSize) return ProbeResult::NeedMoreData;
  size_t total = 0;
  if (!valid_nbss_header(payload, total)) return ProbeResult::NoMatch;
  if (payload[0] == nbss::kSessionRequest) {
    // Called and calling names, each 0x20 + 32 letters A–P.
    if (total < kNbssHeaderSize + 2 * 34) return ProbeResult::NoMatch;
    if (payload.size() < kNbssHeaderSize + 34) return ProbeResult::NeedMoreData;
    ByteReader r(payload.subspan(kNbssHeaderSize));
    NetbiosName name;
    return read_netbios_name(r, name) ? ProbeResult::Match : ProbeResult::NoMatch;
  }
  if (payload[0] != nbss::kSessionMessage) return ProbeResult::NoMatch;
  if (total < kNbssHeaderSize + kSmb1HeaderSize) return ProbeResult::NoMatch;
  if (payload.size() < kNbssHeaderSize + 4) return ProbeResult::NeedMoreData;
  return protocol_of(payload.subspan(kNbssHeaderSize, 4)) != Dialect::None ? ProbeResult::Match
                                                                           : ProbeResult::NoMatch;
}

void SmbSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Stream& s = streams_[index_of(dir)];
  if (!bytes.empty()) s.seen_data = true;
  while (!bytes.empty() && !rejected_) {
    if (s.skip > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(s.skip, bytes.size()));
      s.skip -= n;
      bytes = bytes.subspan(n);
      continue;
    }
    if (s.hunting) {
      size_t at = find_header(bytes);
      s.hunted += at;
      if (s.hunted >= kHuntQuantum) {
        s.hunted = 0;
        if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
      }
      if (at == bytes.size()) return;
      s.hunting = false;
      s.hunted = 0;
      bytes = bytes.subspan(at);
    }
    size_t total = 0;
    if (s.buffer.empty() && bytes.size() >= kNbssHeaderSize) {
      if (!valid_nbss_header(bytes, total)) {
        violation(ctx, Anomaly::BadNbssType);
        start_hunt(s);
        continue;
      }
      size_t keep = std::min(total, kNbssHeaderSize + kMaxParsedPdu);
      if (bytes.size() >= keep) {  // common case: parse straight from the segment
        handle_pdu(ctx, dir, bytes.first(keep), keep < total);
        s.skip = total - keep;
        bytes = bytes.subspan(keep);
        continue;
      }
    }
    if (s.buffer.size() < kNbssHeaderSize) {
      size_t take = std::min(kNbssHeaderSize - s.buffer.size(), bytes.size());
      s.buffer.insert(s.buffer.end(), bytes.begin(), bytes.begin() + take);
      bytes = bytes.subspan(take);
      if (s.buffer.size() < kNbssHeaderSize) return;
      if (!valid_nbss_header(s.buffer, s.pdu_total)) {
        violation(ctx, Anomaly::BadNbssType);
        start_hunt(s);
        continue;
      }
    }
    size_t keep = std::min(s.pdu_total, kNbssHeaderSize + kMaxParsedPdu);
    size_t take = std::min(keep - s.buffer.size(), bytes.size());
    s.buffer.insert(s.buffer.end(), bytes.begin(), bytes.begin() + take);
    bytes = bytes.subspan(take);
    if (s.buffer.size() < keep) return;
    handle_pdu(ctx, dir, s.buffer, keep < s.pdu_total);
    s.skip = s.pdu_total - keep;
    s.buffer.clear();
  }
}

void SmbSession::gap(const FlowContext&, Direction dir, uint64_t length) {
  Stream& s = streams_[index_of(dir)];
  if (s.skip >= length) {  // lost bytes of data we skip anyway
    s.skip -= length;
    return;
  }
  start_hunt(s);
}

void SmbSession::end(const FlowContext& ctx, Direction dir) {
  Stream& s = streams_[index_of(dir)];
  if (!rejected_ && !s.buffer.empty() && !s.hunting)
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::TruncatedPdu));
  s.buffer.clear();
  s.skip = 0;
}

void SmbSession::start_hunt(Stream& s) {
  s.buffer.clear();
  s.pdu_total = 0;
  s.skip = 0;
  s.hunting = true;
  s.hunted = 0;
}

void SmbSession::violation(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void SmbSession::valid_message(const FlowContext& ctx, Direction dir, bool answered_request) {
  consecutive_violations_ = 0;
  Stream& s = streams_[index_of(dir)];
  ++s.valid_messages;
  const Stream& other = streams_[1 - index_of(dir)];
  bool one_sided = s.valid_messages >= kConfirmAfterOneSidedMessages && !other.seen_data;
  if (confirmed_ || !(answered_request || one_sided)) return;
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
  // Said by the answered SMB2 response, else by the messages of the one side heard.
  std::string_view event = answered_request              ? "SMB2 response"
                           : dir == Direction::FromClient ? "SMB requests"
                                                          : "SMB responses";
  sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Role, "SMB server", event);
}

void SmbSession::handle_pdu(const FlowContext& ctx, Direction dir, Bytes pdu, bool prefix_only) {
  Bytes payload = pdu.subspan(kNbssHeaderSize);
  Operation op;
  op.is_request = dir == Direction::FromClient;
  switch (pdu[0]) {
    case nbss::kSessionMessage: {
      bool ok = false, answered = false;
      switch (protocol_of(payload)) {
        case Dialect::Smb1:
          ok = handle_smb1(ctx, dir, payload);
          break;
        case Dialect::Smb2:
          ok = handle_smb2(ctx, dir, payload, prefix_only, answered);
          break;
        case Dialect::Smb2Transform:
        case Dialect::Smb2Compressed:
          ok = true;
          break;  // encrypted or compressed: nothing to read
        case Dialect::None:
          violation(ctx, Anomaly::BadProtocolId);
          return;
      }
      if (ok) valid_message(ctx, dir, answered);
      return;
    }
    case nbss::kSessionRequest:
      handle_session_request(ctx, payload);
      return;
    case nbss::kPositiveResponse:
      op.name = "NBSS Positive Session Response";
      break;
    case nbss::kNegativeResponse:
      op.name = "NBSS Negative Session Response";
      op.is_error = true;
      break;
    case nbss::kRetarget:
      op.name = "NBSS Retarget Session Response";
      break;
    default:
      return;  // keep-alive
  }
  op.code = pdu[0];
  sink_.operation(ctx, kProtocol, side_of(dir), op);
}

void SmbSession::handle_session_request(const FlowContext& ctx, Bytes payload) {
  ByteReader r(payload);
  NetbiosName called, calling;
  if (!read_netbios_name(r, called) || !read_netbios_name(r, calling)) {
    violation(ctx, Anomaly::BadNbssType);
    return;
  }
  Operation op;
  op.code = nbss::kSessionRequest;
  op.name = "NBSS Session Request";
  op.object = called.name();
  sink_.operation(ctx, kProtocol, Side::Client, op);
  // Names are usually the hosts' NetBIOS names; "*SMBSERVER" is the wildcard some clients call.
  if (!called.name().empty() && called.name().front() != '*') {
    sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Hostname, called.name(), "NBSS Session Request");
  }
  if (!calling.name().empty() && calling.name().front() != '*') {
    sink_.identity(ctx, kProtocol, Side::Client, IdentityField::Hostname, calling.name(), "NBSS Session Request");
  }
}

bool SmbSession::handle_smb1(const FlowContext& ctx, Direction dir, Bytes message) {
  Smb1Message m;
  Anomaly anomaly = parse_smb1(message, m);
  if (anomaly == Anomaly::TruncatedHeader) {
    violation(ctx, anomaly);
    return false;
  }
  if (anomaly != Anomaly::None) sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  const CommandInfo* info = smb1_command(m.command);
  Operation op;
  op.code = kSmb1CodeBase + m.command;
  op.name = info ? info->name : kSmb1Unknown;
  op.is_request = !m.is_response;
  op.is_write = info && info->is_write;
  op.is_error = m.is_response && is_error_status(m.status);
  object_.clear();
  for (size_t i = 0; i < m.dialect_count; ++i) {
    if (i > 0) object_.push_back(',');
    object_.append(m.dialects[i]);
  }
  if (m.command == smb1::kSessionSetupAndx) {
    handle_ntlm(ctx, m.is_response ? Side::Server : Side::Client, m.data, object_,
                m.is_response ? kSmb1SetupResponseEvents : kSmb1SetupRequestEvents);
  }
  if (op.is_error) prefix_status(m.status, object_);
  op.object = object_;
  sink_.operation(ctx, kProtocol, side_of(dir), op);
  return anomaly == Anomaly::None;
}

bool SmbSession::handle_smb2(const FlowContext& ctx, Direction dir, Bytes payload, bool prefix_only,
                             bool& answered) {
  Bytes rest = payload;
  for (size_t count = 0;; ++count) {
    if (count == kMaxCompounded) {
      violation(ctx, Anomaly::TooManyCompounded);
      return false;
    }
    Smb2Message m;
    Anomaly anomaly = parse_smb2(rest, prefix_only, m);
    if (anomaly == Anomaly::TruncatedHeader || anomaly == Anomaly::BadNextCommand) {
      violation(ctx, anomaly);
      return false;
    }
    const CommandInfo* info = smb2_command(m.command);
    Operation op;
    op.code = m.command;
    op.name = info ? info->name : kUnknownCommand;
    op.is_request = !m.is_response;
    op.is_write = info && info->is_write;
    object_.clear();
    if (m.is_response) {
      answered |= smb2_response(ctx, m, op);
    } else {
      smb2_request(ctx, m, op);
    }
    op.object = object_;
    sink_.operation(ctx, kProtocol, side_of(dir), op);
    if (anomaly != Anomaly::None) {
      violation(ctx, anomaly);
      return false;
    }
    // A follower beyond the kept prefix is not read.
    if (m.next_command == 0 || m.next_command >= rest.size()) return true;
    rest = rest.subspan(m.next_command);
    if (protocol_of(rest) != Dialect::Smb2) {
      violation(ctx, Anomaly::BadProtocolId);
      return false;
    }
  }
}

void SmbSession::smb2_request(const FlowContext& ctx, const Smb2Message& m, Operation& op) {
  switch (m.command) {
    case cmd::kNegotiate:
      append_dialects(m, object_);
      break;
    case cmd::kSessionSetup:
      handle_ntlm(ctx, Side::Client, m.security_buffer, object_, kSmb2SetupRequestEvents);
      break;
    case cmd::kTreeConnect:
    case cmd::kCreate:
      append_utf16le(m.path, object_, kMaxObjectText);
      break;
    case cmd::kRead:
    case cmd::kWrite:
      if (m.has_range && m.offset <= std::numeric_limits<uint32_t>::max()) {
        op.has_range = true;
        op.address = static_cast<uint32_t>(m.offset);
        op.quantity = m.length;
      }
      break;
    default:
      break;
  }
  // Remember it for its response: a free slot, else the oldest.
  Pending* slot = &pending_[0];
  for (auto& p : pending_) {
    if (!p.used) {
      slot = &p;
      break;
    }
    if (p.sequence < slot->sequence) slot = &p;
  }
  slot->used = true;
  slot->sequence = next_sequence_++;
  slot->message_id = m.message_id;
  slot->command = m.command;
  slot->has_range = op.has_range;
  slot->address = op.address;
  slot->quantity = op.quantity;
  slot->object.assign(object_);
}

bool SmbSession::smb2_response(const FlowContext& ctx, const Smb2Message& m, Operation& op) {
  bool answered = false;
  for (auto& p : pending_) {
    if (!p.used || p.message_id != m.message_id || p.command != m.command) continue;
    answered = true;
    object_.assign(p.object);
    op.has_range = p.has_range;
    op.address = p.address;
    op.quantity = p.quantity;
    // An interim "pending" answer is followed by the real one.
    if (m.status != status::kPending) p.used = false;
    break;
  }
  op.is_error = is_error_status(m.status);
  if (op.is_error) {
    prefix_status(m.status, object_);
    return answered;
  }
  if (m.error_body) return answered;
  if (m.command == cmd::kNegotiate) {
    std::string_view dialect = dialect_name(m.dialect);
    if (!dialect.empty() && m.dialect != 0x02FF) {
      text_.assign("smb dialect ").append(dialect);
      sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Description, text_, "SMB2 Negotiate response");
    }
    if (m.has_server_guid) {
      text_.assign("smb server guid ");
      append_guid(m.server_guid, text_);
      sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Description, text_, "SMB2 Negotiate response");
    }
  } else if (m.command == cmd::kSessionSetup) {
    handle_ntlm(ctx, Side::Server, m.security_buffer, text2_, kSmb2SetupResponseEvents);
  }
  return answered;
}

void SmbSession::emit_text(const FlowContext& ctx, Side side, IdentityField field, const ntlm::Text& text,
                           std::string_view event, std::string_view prefix) {
  if (text.empty()) return;
  text_.assign(prefix);
  append_text(text, text_);
  if (text_.size() > prefix.size()) sink_.identity(ctx, kProtocol, side, field, text_, event);
}

void SmbSession::handle_ntlm(const FlowContext& ctx, Side side, Bytes security_buffer, std::string& object,
                             const NtlmEvents& events) {
  Bytes bytes = ntlm::find_message(security_buffer);
  if (bytes.empty()) return;
  ntlm::Message m;
  if (ntlm::parse(bytes, m) != ntlm::Status::Ok) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::NtlmMalformed));
    return;
  }
  // parse() accepts only the three message types, 1…3.
  std::string_view event = events[m.type - ntlm::kMessageNegotiate];
  if (m.version.present) {
    char os[48];
    std::snprintf(os, sizeof os, "Windows %u.%u build %u", m.version.major, m.version.minor, m.version.build);
    sink_.identity(ctx, kProtocol, side, IdentityField::OperatingSystem, os, event);
  }
  switch (m.type) {
    case ntlm::kMessageNegotiate:
      object.assign("ntlm negotiate");
      emit_text(ctx, side, IdentityField::Hostname, m.workstation, event);
      emit_text(ctx, side, IdentityField::Domain, m.domain, event);
      break;
    case ntlm::kMessageAuthenticate: {
      text2_.clear();
      append_text(m.domain, text2_);
      text_.clear();
      append_text(m.workstation, text_);
      if (!text_.empty()) sink_.identity(ctx, kProtocol, side, IdentityField::Hostname, text_, event);
      // A local account names the workstation itself as its domain.
      bool local =
          text2_.size() == text_.size() &&
          std::equal(text2_.begin(), text2_.end(), text_.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          });
      if (!text2_.empty() && text2_ != "." && !local) {
        sink_.identity(ctx, kProtocol, side, IdentityField::Domain, text2_, event);
      }
      text_.clear();
      append_text(m.user, text_);
      if (text_.empty()) {
        object.assign("anonymous");
      } else {
        object.assign("user ");
        if (!text2_.empty()) object.append(text2_).push_back('\\');
        object.append(text_);
      }
      break;
    }
    case ntlm::kMessageChallenge:
      emit_text(ctx, side, IdentityField::Hostname, m.nb_computer, event);
      emit_text(ctx, side, IdentityField::Hostname, m.dns_computer, event);
      emit_text(ctx, side, IdentityField::Domain, m.nb_domain, event);
      emit_text(ctx, side, IdentityField::Description, m.dns_domain, event, "dns domain ");
      emit_text(ctx, side, IdentityField::Description, m.dns_tree, event, "dns forest ");
      // The target name repeats one of the pairs; it is all an old server sends.
      if (m.nb_computer.empty() && m.nb_domain.empty()) {
        if (m.flags & ntlm::flag::kTargetTypeDomain)
          emit_text(ctx, side, IdentityField::Domain, m.target_name, event);
        if (m.flags & ntlm::flag::kTargetTypeServer)
          emit_text(ctx, side, IdentityField::Hostname, m.target_name, event);
      }
      break;
    default:
      break;
  }
}

namespace {

constexpr uint16_t kSmbPorts[] = {445, 139};

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<SmbSession>(sink); }

}  // namespace
}  // namespace ots::smb

namespace ots {

extern const DissectorDescriptor kDissector_smb{
    .name = "smb",
    .transports = transport_bit::Tcp,
    .ports = smb::kSmbPorts,
    .ethertypes = {},
    .probe = smb::probe,
    .make_session = smb::make_session,
};

}  // namespace ots
