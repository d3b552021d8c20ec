#include "dissectors/tls/tls_session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ots::tls {
namespace {

constexpr std::string_view kProtocol = "tls";
constexpr uint8_t kAlertWarning = 1, kAlertFatal = 2;

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }
Direction other(Direction dir) { return dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient; }

}  // namespace

void TlsSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Stream& stream = streams_[index_of(dir)];
  if (rejected_ || stream.encrypted || bytes.empty()) return;
  stream.seen_data = true;
  while (!bytes.empty() && !rejected_ && !stream.encrypted) {
    if (!stream.in_record) {
      bytes = bytes.subspan(take_header(ctx, stream, bytes));
    } else {
      size_t take = std::min(bytes.size(), stream.record_left);
      take_body(ctx, dir, stream, bytes.first(take));
      stream.record_left -= take;
      bytes = bytes.subspan(take);
    }
    if (stream.in_record && stream.record_left == 0) finish_record(ctx, dir, stream);
  }
}

size_t TlsSession::take_header(const FlowContext& ctx, Stream& stream, Bytes bytes) {
  size_t used = 0;
  while (used < bytes.size() && !rejected_) {
    size_t take = std::min(kRecordHeaderSize - stream.header_bytes, bytes.size() - used);
    std::memcpy(stream.header.data() + stream.header_bytes, bytes.data() + used, take);
    stream.header_bytes += take;
    used += take;
    if (stream.header_bytes < kRecordHeaderSize) break;
    RecordHeader header;
    if (parse_record_header(stream.header, header)) {
      stream.header_bytes = 0;
      stream.hunting = false;
      stream.record = header;
      stream.record_left = header.length;
      stream.in_record = true;
      stream.body_lost = false;
      stream.record_violation = false;
      break;
    }
    if (!stream.hunting) {
      // Framing is lost: what was reassembled belongs to nothing now.
      report(ctx, Anomaly::BadRecordHeader);
      count_violation();
      stream.hunting = true;
      stream.hunted_bytes = 0;
      stream.handshake.clear();
      stream.skip_handshake = 0;
    } else if (++stream.hunted_bytes % kMaxRecordLength == 0) {
      count_violation();
    }
    // Slide by one byte and look again.
    std::memmove(stream.header.data(), stream.header.data() + 1, kRecordHeaderSize - 1);
    stream.header_bytes = kRecordHeaderSize - 1;
  }
  return used;
}

void TlsSession::take_body(const FlowContext& ctx, Direction dir, Stream& stream, Bytes piece) {
  if (stream.body_lost) return;
  switch (stream.record.type) {
    case content::kHandshake:
      feed_handshake(ctx, dir, stream, piece);
      break;
    case content::kAlert:
      for (uint8_t byte : piece) {
        stream.alert[stream.alert_bytes++] = byte;
        if (stream.alert_bytes == stream.alert.size()) {
          stream.alert_bytes = 0;
          handle_alert(ctx, dir, stream, stream.alert[0], stream.alert[1]);
        }
      }
      break;
    case content::kChangeCipherSpec:
      if (stream.record.length == 1) stream.change_cipher_spec = piece[0];
      break;
    case content::kApplicationData:
      // From here on this direction is encrypted: stop without looking at the bytes.
      ++stream.valid_units;
      record_valid(ctx, dir, stream);
      stream.encrypted = true;
      break;
    default:  // heartbeat: nothing the inventory needs
      break;
  }
}

void TlsSession::finish_record(const FlowContext& ctx, Direction dir, Stream& stream) {
  stream.in_record = false;
  if (stream.body_lost) return;
  const RecordHeader& record = stream.record;
  if (record.length == 0 && record.type != content::kApplicationData) {
    violation(ctx, stream, Anomaly::EmptyRecord);
    return;
  }
  switch (record.type) {
    case content::kAlert:
      if (stream.alert_bytes != 0) {
        stream.alert_bytes = 0;
        violation(ctx, stream, Anomaly::MalformedAlert);
      }
      break;
    case content::kChangeCipherSpec:
      if (record.length != 1 || stream.change_cipher_spec != 1) {
        violation(ctx, stream, Anomaly::MalformedChangeCipherSpec);
        return;
      }
      ++stream.valid_units;
      record_valid(ctx, dir, stream);
      stream.encrypted = true;  // the Finished message and all that follows are encrypted
      return;
    case content::kHeartbeat:
      ++stream.valid_units;
      break;
    default:
      break;
  }
  if (!stream.record_violation) record_valid(ctx, dir, stream);
}

void TlsSession::feed_handshake(const FlowContext& ctx, Direction dir, Stream& stream, Bytes piece) {
  while (!piece.empty() && !rejected_) {
    if (stream.skip_handshake > 0) {
      size_t skip = std::min(piece.size(), stream.skip_handshake);
      stream.skip_handshake -= skip;
      piece = piece.subspan(skip);
      continue;
    }
    if (stream.handshake.empty()) {
      // Common case: whole messages straight from the segment, no copy.
      piece = piece.subspan(parse_handshake(ctx, dir, stream, piece));
      if (stream.skip_handshake > 0 || piece.empty()) continue;
      // What is left is one partial message (oversize ones are skipped, not buffered).
      stream.handshake.assign(piece.begin(), piece.end());
      return;
    }
    // Complete the buffered message and nothing more, so the buffer holds at most one message.
    size_t have = stream.handshake.size();
    size_t need = kHandshakeHeaderSize - std::min(have, kHandshakeHeaderSize);
    if (have >= kHandshakeHeaderSize) {
      size_t length = size_t{stream.handshake[1]} << 16 | size_t{stream.handshake[2]} << 8 | stream.handshake[3];
      need = std::min(length, kMaxHandshakeMessage) + kHandshakeHeaderSize - have;
    }
    size_t take = std::min(need, piece.size());
    stream.handshake.insert(stream.handshake.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(take));
    piece = piece.subspan(take);
    size_t used = parse_handshake(ctx, dir, stream, stream.handshake);
    if (used == stream.handshake.size()) stream.handshake.clear();
  }
}

size_t TlsSession::parse_handshake(const FlowContext& ctx, Direction dir, Stream& stream, Bytes window) {
  size_t used = 0;
  while (window.size() - used >= kHandshakeHeaderSize && !rejected_) {
    ByteReader r(window.subspan(used));
    uint8_t type = r.u8();
    size_t length = r.be24();
    size_t whole = kHandshakeHeaderSize + length;
    if (length > kMaxHandshakeMessage) {
      violation(ctx, stream, Anomaly::HandshakeTooLarge);
      size_t available = std::min(window.size() - used, whole);
      stream.skip_handshake = whole - available;
      return used + available;
    }
    if (window.size() - used < whole) break;
    Bytes body = window.subspan(used + kHandshakeHeaderSize, length);
    used += whole;
    if (handle_message(ctx, dir, stream, type, body)) ++stream.valid_units;
  }
  return used;
}

bool TlsSession::handle_message(const FlowContext& ctx, Direction dir, Stream& stream, uint8_t type, Bytes body) {
  switch (type) {
    case handshake::kClientHello:
      if (dir != Direction::FromClient) break;
      return handle_client_hello(ctx, stream, body);
    case handshake::kServerHello:
      if (dir != Direction::FromServer) break;
      return handle_server_hello(ctx, stream, body);
    case handshake::kCertificate:
      return handle_certificate(ctx, dir, stream, body);
    default:
      return true;  // key exchange, tickets, done: nothing the inventory needs
  }
  violation(ctx, stream, Anomaly::UnexpectedHandshake);
  return false;
}

bool TlsSession::handle_client_hello(const FlowContext& ctx, Stream& stream, Bytes body) {
  ClientHello hello;
  Anomaly anomaly = parse_client_hello(body, hello);
  if (anomaly != Anomaly::None) {
    violation(ctx, stream, anomaly);
    return false;
  }
  client_hello_seen_ = true;
  stream.hello_seen = true;
  std::string_view server_name;
  if (!hello.server_name.empty()) {
    if (looks_like_hostname(hello.server_name)) {
      std::transform(hello.server_name.begin(), hello.server_name.end(), lower_name_.begin(),
                     [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
      server_name = std::string_view(lower_name_.data(), hello.server_name.size());
      sink_.observable(ctx, kProtocol, Side::Client, Observable::Domain, server_name);
    } else {
      report(ctx, Anomaly::BadServerName);
    }
  }
  Operation op;
  op.code = handshake::kClientHello;
  op.name = "ClientHello";
  op.is_request = true;
  op.object = server_name;
  sink_.operation(ctx, kProtocol, Side::Client, op);

  ja3_string(hello, fingerprint_);
  Md5Hex ja3 = md5_hex({reinterpret_cast<const uint8_t*>(fingerprint_.data()), fingerprint_.size()});
  sink_.observable(ctx, kProtocol, Side::Client, Observable::Ja3, ja3.data());
  ja4(hello, ja4_scratch_, fingerprint_);
  sink_.observable(ctx, kProtocol, Side::Client, Observable::Ja4, fingerprint_);
  return true;
}

bool TlsSession::handle_server_hello(const FlowContext& ctx, Stream& stream, Bytes body) {
  ServerHello hello;
  Anomaly anomaly = parse_server_hello(body, hello);
  if (anomaly != Anomaly::None) {
    violation(ctx, stream, anomaly);
    return false;
  }
  stream.hello_seen = true;
  Operation op;
  op.code = handshake::kServerHello;
  op.name = "ServerHello";
  op.is_request = false;
  std::string_view version = version_name(hello.selected_version);
  int length = std::snprintf(server_hello_text_.data(), server_hello_text_.size(), "%.*s cipher 0x%04x",
                             static_cast<int>(version.size()), version.data(), hello.cipher_suite);
  op.object = std::string_view(server_hello_text_.data(), static_cast<size_t>(std::max(length, 0)));
  sink_.operation(ctx, kProtocol, Side::Server, op);

  ja3s_string(hello, fingerprint_);
  Md5Hex ja3s = md5_hex({reinterpret_cast<const uint8_t*>(fingerprint_.data()), fingerprint_.size()});
  sink_.observable(ctx, kProtocol, Side::Server, Observable::Ja3s, ja3s.data());
  if (client_hello_seen_) confirm(ctx);
  return true;
}

bool TlsSession::handle_certificate(const FlowContext& ctx, Direction dir, Stream& stream, Bytes body) {
  CertificateList list;
  if (!list.parse(body)) {
    violation(ctx, stream, Anomaly::MalformedCertificate);
    return false;
  }
  Side side = side_of(dir);
  Bytes der;
  CertificateSummary leaf;
  bool have_leaf = false;
  for (size_t i = 0; i < kMaxCertificatesPerMessage && list.next(der); ++i) {
    sink_.observable(ctx, kProtocol, side, Observable::CertSha1, sha1_hex(der).data());
    sink_.observable(ctx, kProtocol, side, Observable::CertSha256, sha256_hex(der).data());
    if (i > 0) continue;
    have_leaf = parse_certificate(der, leaf);
    // The chain framing is fine, only the leaf's DER is not what we can read: say so, go on.
    if (!have_leaf) report(ctx, Anomaly::MalformedCertificate);
  }
  Operation op;
  op.code = handshake::kCertificate;
  op.name = "Certificate";
  op.is_request = dir == Direction::FromClient;
  op.object = leaf.subject_cn;
  sink_.operation(ctx, kProtocol, side, op);
  if (!have_leaf) return true;

  if (looks_like_hostname(leaf.subject_cn)) {
    std::transform(leaf.subject_cn.begin(), leaf.subject_cn.end(), lower_name_.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    sink_.identity(ctx, kProtocol, side, IdentityField::Hostname,
                   std::string_view(lower_name_.data(), leaf.subject_cn.size()), "TLS Certificate");
  }
  std::string_view subject = leaf.subject_cn.empty() ? leaf.subject_org : leaf.subject_cn;
  std::string_view issuer = leaf.issuer_cn.empty() ? leaf.issuer_org : leaf.issuer_cn;
  std::string& text = fingerprint_;
  text.assign("tls certificate subject ").append(subject).append(" issuer ").append(issuer);
  if (!leaf.not_after_text().empty()) text.append(" valid until ").append(leaf.not_after_text());
  sink_.identity(ctx, kProtocol, side, IdentityField::Description, text, "TLS Certificate");
  return true;
}

void TlsSession::handle_alert(const FlowContext& ctx, Direction dir, Stream& stream, uint8_t level,
                              uint8_t description) {
  if (level != kAlertWarning && level != kAlertFatal) {
    violation(ctx, stream, Anomaly::MalformedAlert);
    return;
  }
  ++stream.valid_units;
  Operation op;
  op.code = content::kAlert;
  op.name = "Alert";
  op.is_request = dir == Direction::FromClient;
  op.is_error = level == kAlertFatal;
  op.object = alert_description_name(description);
  sink_.operation(ctx, kProtocol, side_of(dir), op);
}

void TlsSession::record_valid(const FlowContext& ctx, Direction dir, Stream& stream) {
  consecutive_violations_ = 0;
  bool one_sided = stream.hello_seen && stream.valid_units >= kConfirmAfterOneSidedUnits &&
                   !streams_[index_of(other(dir))].seen_data;
  if (!confirmed_ && one_sided) confirm(ctx);
}

void TlsSession::confirm(const FlowContext& ctx) {
  if (confirmed_) return;
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
}

void TlsSession::gap(const FlowContext&, Direction dir, uint64_t length) {
  Stream& stream = streams_[index_of(dir)];
  if (rejected_ || stream.encrypted) return;
  stream.handshake.clear();
  stream.skip_handshake = 0;
  stream.alert_bytes = 0;
  if (stream.in_record && length <= stream.record_left) {
    // Still inside the record: skip exactly, but its content is gone.
    stream.record_left -= static_cast<size_t>(length);
    stream.body_lost = true;
    if (stream.record_left == 0) stream.in_record = false;
    return;
  }
  stream.in_record = false;
  stream.header_bytes = 0;
  stream.hunting = true;
  stream.hunted_bytes = 0;
}

void TlsSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  bool inside = stream.in_record || stream.header_bytes > 0;
  if (!rejected_ && !stream.encrypted && !stream.hunting && inside) report(ctx, Anomaly::TruncatedRecord);
  stream.in_record = false;
  stream.header_bytes = 0;
  stream.handshake.clear();
}

void TlsSession::violation(const FlowContext& ctx, Stream& stream, Anomaly anomaly) {
  report(ctx, anomaly);
  stream.record_violation = true;
  count_violation();
}

void TlsSession::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void TlsSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::tls
