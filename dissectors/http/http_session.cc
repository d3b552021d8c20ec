#include "dissectors/http/http_session.h"

#include <algorithm>

namespace ots::http {
namespace {

constexpr std::string_view kProtocol = "http";

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

void append_lower(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
}

bool starts_with_scheme(std::string_view target) {
  auto has = [&](std::string_view scheme) {
    return target.size() > scheme.size() && header_is(target.substr(0, scheme.size()), scheme);
  };
  return has("http://") || has("https://");
}

}  // namespace

void HttpSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Stream& stream = streams_[index_of(dir)];
  if (rejected_ || bytes.empty()) return;
  stream.seen_data = true;
  while (!bytes.empty() && !rejected_) {
    switch (stream.phase) {
      case Phase::Tunnel:
      case Phase::Ended:
        return;
      case Phase::UntilClose:
        take_body(stream, bytes);
        return;
      case Phase::Body:
      case Phase::ChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(bytes.size(), stream.body_left));
        take_body(stream, bytes.first(take));
        stream.body_left -= take;
        bytes = bytes.subspan(take);
        if (stream.body_left > 0) break;
        if (stream.phase == Phase::ChunkData) {
          stream.phase = Phase::ChunkDataEnd;
        } else {
          finish_body(ctx, dir, stream);
          message_done(ctx, dir, stream);
        }
        break;
      }
      default: {
        if (stream.discard_line) {
          size_t newline = as_chars(bytes).find('\n');
          size_t skip = newline == std::string_view::npos ? bytes.size() : newline + 1;
          stream.hunted_bytes += skip;
          bytes = bytes.subspan(skip);
          stream.discard_line = newline == std::string_view::npos;
          break;
        }
        std::string_view line;
        LineStatus status = read_line(stream, bytes, line);
        if (status == LineStatus::Partial) return;
        if (status == LineStatus::Overflow) {
          if (stream.phase != Phase::Hunting) violation(ctx, stream, Anomaly::HeaderTooLarge);
          lose_framing(stream);
          stream.discard_line = true;
          break;
        }
        handle_line(ctx, dir, stream, line);
        break;
      }
    }
  }
}

HttpSession::LineStatus HttpSession::read_line(Stream& stream, Bytes& bytes, std::string_view& line) {
  if (stream.line_complete) {
    stream.line.clear();
    stream.line_complete = false;
  }
  std::string_view text = as_chars(bytes);
  size_t newline = text.find('\n');
  size_t piece = newline == std::string_view::npos ? text.size() : newline;
  if (stream.line.size() + piece > kMaxLineLength) {
    stream.line.clear();
    return LineStatus::Overflow;  // the caller discards up to the next newline
  }
  if (newline == std::string_view::npos) {
    stream.line.append(text);
    bytes = {};
    return LineStatus::Partial;
  }
  if (stream.line.empty()) {
    line = text.substr(0, newline);  // common case: no copy
  } else {
    stream.line.append(text.substr(0, newline));
    stream.line_complete = true;
    line = stream.line;
  }
  bytes = bytes.subspan(newline + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (stream.phase == Phase::Hunting) stream.hunted_bytes += newline + 1;
  return LineStatus::Line;
}

void HttpSession::handle_line(const FlowContext& ctx, Direction dir, Stream& stream, std::string_view line) {
  switch (stream.phase) {
    case Phase::StartLine:
      if (line.empty()) return;  // RFC 9112 2.2: stray empty lines before a request are ignored
      if (!start_message(dir, stream, line)) {
        violation(ctx, stream, dir == Direction::FromClient ? Anomaly::BadRequestLine : Anomaly::BadStatusLine);
        lose_framing(stream);
      }
      return;
    case Phase::Hunting:
      if (!start_message(dir, stream, line) && stream.hunted_bytes >= kMaxHeaderBlock) {
        stream.hunted_bytes = 0;
        count_violation();
      }
      return;
    case Phase::Headers:
    case Phase::Trailers:
      stream.header_bytes += line.size() + 2;
      if (stream.header_bytes > kMaxHeaderBlock) {
        violation(ctx, stream, Anomaly::HeaderTooLarge);
        lose_framing(stream);
        return;
      }
      if (!line.empty()) {
        if (stream.phase == Phase::Headers) handle_header(ctx, dir, stream, line);
        return;
      }
      if (stream.phase == Phase::Headers) {
        end_of_headers(ctx, dir, stream);
      } else {
        finish_body(ctx, dir, stream);
        message_done(ctx, dir, stream);
      }
      return;
    case Phase::ChunkSize: {
      uint64_t size = 0;
      if (!parse_chunk_size(line, size)) {
        violation(ctx, stream, Anomaly::BadChunk);
        lose_framing(stream);
        return;
      }
      stream.body_left = size;
      stream.phase = size == 0 ? Phase::Trailers : Phase::ChunkData;
      return;
    }
    case Phase::ChunkDataEnd:
      if (!line.empty()) {
        violation(ctx, stream, Anomaly::BadChunk);
        lose_framing(stream);
        return;
      }
      stream.phase = Phase::ChunkSize;
      return;
    default:
      return;
  }
}

bool HttpSession::start_message(Direction dir, Stream& stream, std::string_view line) {
  Message message;
  if (dir == Direction::FromClient) {
    RequestLine request;
    if (!parse_request_line(line, request)) return false;
    message.method = request.method;
    target_.assign(request.target);
    host_.clear();
    user_agent_.clear();
  } else {
    StatusLine status;
    if (!parse_status_line(line, status)) return false;
    message.status = status.status;
    server_.clear();
  }
  stream.hunted_bytes = 0;
  stream.message = message;
  stream.header_bytes = line.size() + 2;
  stream.phase = Phase::Headers;
  return true;
}

void HttpSession::handle_header(const FlowContext& ctx, Direction dir, Stream& stream, std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return;  // obsolete line folding: continuation
  std::string_view name, value;
  if (!parse_header(line, name, value)) {
    if (!stream.message.violation) violation(ctx, stream, Anomaly::BadHeader);
    return;
  }
  Message& message = stream.message;
  if (header_is(name, "Content-Length")) {
    uint64_t length = 0;
    bool conflicting = message.has_length && parse_content_length(value, length) && length != message.length;
    if (!parse_content_length(value, length) || conflicting) {
      violation(ctx, stream, Anomaly::BadContentLength);
      message.has_length = false;
      message.bad_framing = true;
      return;
    }
    message.has_length = true;
    message.length = length;
  } else if (header_is(name, "Transfer-Encoding")) {
    message.chunked = is_chunked(value);
  } else if (dir == Direction::FromClient && header_is(name, "Host")) {
    host_.assign(value.substr(0, kMaxLineLength));
  } else if (dir == Direction::FromClient && header_is(name, "User-Agent")) {
    user_agent_.assign(value);
  } else if (dir == Direction::FromServer && header_is(name, "Server")) {
    server_.assign(value);
  }
}

void HttpSession::end_of_headers(const FlowContext& ctx, Direction dir, Stream& stream) {
  Message& message = stream.message;
  if (message.chunked && message.has_length) {
    report(ctx, Anomaly::ContentLengthWithChunked);  // chunked wins (RFC 9112 6.3)
    message.has_length = false;
  }
  if (dir == Direction::FromClient) {
    report_request(ctx, message);
    push_pending(ctx, message.method);
    if (message.bad_framing && !message.chunked) return lose_framing(stream);
    if (message.method->code == kMethodConnect) {
      // Whatever follows is the tunnelled protocol (the proxy's answer is still read).
      message_done(ctx, dir, stream);
      stream.phase = Phase::Tunnel;
      return;
    }
    if (message.chunked) return start_body(stream, Phase::ChunkSize, 0);
    if (message.has_length && message.length > 0) return start_body(stream, Phase::Body, message.length);
    return message_done(ctx, dir, stream);
  }

  uint16_t status = message.status;
  if (status >= 200) message.method = pop_pending();
  report_response(ctx, message);
  if (status == 101 || (status / 100 == 2 && message.method && message.method->code == kMethodConnect)) {
    message_done(ctx, dir, stream);
    enter_tunnel();
    return;
  }
  if (message.bad_framing && !message.chunked) return lose_framing(stream);
  bool no_body = status / 100 == 1 || status == 204 || status == 304 ||
                 (message.method && message.method->code == kMethodHead);
  if (no_body) return message_done(ctx, dir, stream);
  if (message.chunked) return start_body(stream, Phase::ChunkSize, 0);
  if (message.has_length) {
    if (message.length == 0) return message_done(ctx, dir, stream);
    return start_body(stream, Phase::Body, message.length);
  }
  start_body(stream, Phase::UntilClose, 0);
}

void HttpSession::report_request(const FlowContext& ctx, const Message& message) {
  std::string_view host = host_without_port(host_);
  if (is_domain_name(host)) {
    url_.clear();
    append_lower(url_, host);
    sink_.observable(ctx, kProtocol, Side::Client, Observable::Domain, url_);
  }
  url_.clear();
  if (starts_with_scheme(target_)) {
    url_.assign(target_);
  } else if (!host_.empty() && target_.front() == '/') {
    url_.assign("http://");
    append_lower(url_, host_);
    url_.append(target_);
  }
  if (!url_.empty()) sink_.observable(ctx, kProtocol, Side::Client, Observable::Url, url_);

  Operation op;
  op.code = message.method->code;
  op.name = message.method->name;
  op.is_request = true;
  op.is_write = message.method->is_write;
  op.object = target_;
  sink_.operation(ctx, kProtocol, Side::Client, op);
  if (!user_agent_.empty()) {
    report_software(ctx, Side::Client, user_agent_, last_user_agent_, "HTTP request (User-Agent)");
  }
}

void HttpSession::report_response(const FlowContext& ctx, const Message& message) {
  Operation op;
  op.code = message.status;
  op.name = status_name(message.status);
  op.is_request = false;
  op.is_error = message.status >= 400;
  if (message.method) {
    op.is_write = message.method->is_write;
    op.object = message.method->name;
  }
  sink_.operation(ctx, kProtocol, Side::Server, op);
  if (!server_.empty()) report_software(ctx, Side::Server, server_, last_server_, "HTTP response (Server)");
}

void HttpSession::report_software(const FlowContext& ctx, Side side, std::string_view value, std::string& last,
                                  std::string_view event) {
  if (value == last) return;
  last.assign(value);
  sink_.identity(ctx, kProtocol, side, IdentityField::Software, value, event);
}

void HttpSession::start_body(Stream& stream, Phase phase, uint64_t length) {
  stream.phase = phase;
  stream.body_left = length;
  stream.body_bytes = 0;
  stream.body_lost = false;
  stream.digest.start();
}

void HttpSession::take_body(Stream& stream, Bytes piece) {
  stream.body_bytes += piece.size();
  stream.digest.update(piece);
}

void HttpSession::finish_body(const FlowContext& ctx, Direction dir, Stream& stream) {
  BodyDigest::Result digests;
  bool hashed = stream.digest.finish(digests);
  if (!hashed || stream.body_lost || stream.body_bytes == 0) return;
  Side side = side_of(dir);
  sink_.observable(ctx, kProtocol, side, Observable::FileMd5, digests.md5.data());
  sink_.observable(ctx, kProtocol, side, Observable::FileSha1, digests.sha1.data());
  sink_.observable(ctx, kProtocol, side, Observable::FileSha256, digests.sha256.data());
}

void HttpSession::message_done(const FlowContext& ctx, Direction dir, Stream& stream) {
  stream.phase = Phase::StartLine;
  if (stream.message.violation) return;
  consecutive_violations_ = 0;
  ++stream.valid_messages;
  const Stream& other = streams_[index_of(dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient)];
  bool both = streams_[0].valid_messages > 0 && streams_[1].valid_messages > 0;
  bool one_sided = stream.valid_messages >= kConfirmAfterOneSidedMessages && !other.seen_data;
  if (!confirmed_ && (both || one_sided)) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void HttpSession::push_pending(const FlowContext& ctx, const Method* method) {
  if (pending_count_ == pending_.size()) {
    report(ctx, Anomaly::TooManyPendingRequests);
    pop_pending();  // the oldest will never be matched now
  }
  pending_[(pending_head_ + pending_count_) % pending_.size()] = method;
  ++pending_count_;
}

const Method* HttpSession::pop_pending() {
  if (pending_count_ == 0) return nullptr;
  const Method* method = pending_[pending_head_];
  pending_head_ = (pending_head_ + 1) % pending_.size();
  --pending_count_;
  return method;
}

void HttpSession::enter_tunnel() {
  for (auto& stream : streams_) {
    stream.digest.cancel();
    stream.phase = Phase::Tunnel;
  }
}

void HttpSession::lose_framing(Stream& stream) {
  stream.phase = Phase::Hunting;
  stream.hunted_bytes = 0;
  stream.digest.cancel();
  stream.line.clear();
  stream.line_complete = false;
}

void HttpSession::gap(const FlowContext&, Direction dir, uint64_t length) {
  Stream& stream = streams_[index_of(dir)];
  if (rejected_) return;
  switch (stream.phase) {
    case Phase::Tunnel:
    case Phase::Ended:
      return;
    case Phase::UntilClose:
      stream.body_lost = true;
      return;
    case Phase::Body:
    case Phase::ChunkData:
      if (length <= stream.body_left) {
        // Still inside the body: skip exactly; the body is incomplete, so it is not hashed.
        stream.body_left -= length;
        stream.body_lost = true;
        return;
      }
      break;
    default:
      break;
  }
  lose_framing(stream);
  stream.discard_line = true;  // the bytes after a gap start mid-line
  // Lost responses answered requests we remember; lost requests leave responses unmatched.
  if (dir == Direction::FromServer) pending_count_ = 0;
}

void HttpSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  if (rejected_) return;
  switch (stream.phase) {
    case Phase::UntilClose:
      finish_body(ctx, dir, stream);
      message_done(ctx, dir, stream);
      break;
    case Phase::StartLine:
      if (!stream.line.empty() && !stream.line_complete) report(ctx, Anomaly::TruncatedMessage);
      break;
    case Phase::Headers:
    case Phase::Body:
    case Phase::ChunkSize:
    case Phase::ChunkData:
    case Phase::ChunkDataEnd:
    case Phase::Trailers:
      report(ctx, Anomaly::TruncatedMessage);
      break;
    default:
      break;
  }
  stream.digest.cancel();
  stream.phase = Phase::Ended;
}

void HttpSession::violation(const FlowContext& ctx, Stream& stream, Anomaly anomaly) {
  report(ctx, anomaly);
  stream.message.violation = true;
  count_violation();
}

void HttpSession::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void HttpSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::http
