// Per-flow HTTP/1.x session: frames each direction into messages (start line, headers,
// body), matches pipelined responses to requests in order and reports events.
//
// Framing: lines are parsed straight from the segment; only a line split across segments is
// copied (at most kMaxLineLength bytes per direction). Bodies are framed by Content-Length or
// chunked coding (a response with neither runs to the end of the stream) and are hashed as
// they pass (MD5, SHA-1, SHA-256), never buffered. A 101 response or a CONNECT turns the flow
// into a tunnel that is no longer parsed.
// A gap inside a framed body is skipped exactly (that body is not hashed); a gap elsewhere
// makes the direction hunt line by line for the next start line; every kMaxHeaderBlock bytes
// hunted count as one violation.
//
// Events (protocol "http"):
//   operation()  each request (Side::Client): code = kMethods code, name = method, object =
//                request target, is_write for POST/PUT/DELETE/PATCH and WebDAV writes; each
//                response (Side::Server): code = status, name = standard reason phrase,
//                object = the request's method, is_error for 4xx/5xx, is_write as its request.
//   observable() client: Domain (Host when a DNS name, lower case, no port), Url
//                ("http://host/target", or the absolute-form target); the body's sender:
//                FileMd5 / FileSha1 / FileSha256 of every complete non-empty body.
//   identity()   Software: User-Agent (client), Server (server), reported when it changes.
//   anomaly()    kAnomalyNames in http_parser.h.
//   protocol_confirmed() once: after a whole request and a whole response, or after
//                kConfirmAfterOneSidedMessages whole messages in one direction while the other
//                has sent nothing.
// After kMaxConsecutiveViolations malformed messages / fruitless hunts in a row, rejected().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "dissectors/dissector.h"
#include "dissectors/http/body_digest.h"
#include "dissectors/http/http_parser.h"

namespace ots::http {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterOneSidedMessages = 2;
constexpr size_t kMaxPendingRequests = 32;

class HttpSession final : public DissectorSession {
 public:
  explicit HttpSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

  size_t pending_requests() const { return pending_count_; }
  bool tunnel() const { return streams_[0].phase == Phase::Tunnel && streams_[1].phase == Phase::Tunnel; }

 private:
  enum class Phase : uint8_t {
    StartLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Hunting, Tunnel, Ended
  };
  enum class LineStatus : uint8_t { Line, Partial, Overflow };
  struct Message {
    const Method* method = nullptr;  // requests: its method; responses: the matched request's
    uint16_t status = 0;
    bool has_length = false;
    uint64_t length = 0;
    bool chunked = false;
    bool bad_framing = false;  // conflicting or invalid Content-Length: where it ends is unknown
    bool violation = false;
  };
  struct Stream {
    Phase phase = Phase::StartLine;
    std::string line;            // a line split across segments
    bool line_complete = false;  // `line` holds the line just returned
    bool discard_line = false;   // skipping the rest of an overlong line
    size_t header_bytes = 0;
    size_t hunted_bytes = 0;
    uint64_t body_left = 0;      // Content-Length body or current chunk
    uint64_t body_bytes = 0;
    bool body_lost = false;
    BodyDigest digest;
    Message message;
    bool seen_data = false;
    uint32_t valid_messages = 0;
  };

  LineStatus read_line(Stream& stream, Bytes& bytes, std::string_view& line);
  void handle_line(const FlowContext& ctx, Direction dir, Stream& stream, std::string_view line);
  // Parses a start line and begins reading that message's headers; false when it is not one.
  bool start_message(Direction dir, Stream& stream, std::string_view line);
  void handle_header(const FlowContext& ctx, Direction dir, Stream& stream, std::string_view line);
  void end_of_headers(const FlowContext& ctx, Direction dir, Stream& stream);
  void report_request(const FlowContext& ctx, const Message& message);
  void report_response(const FlowContext& ctx, const Message& message);
  void start_body(Stream& stream, Phase phase, uint64_t length);
  void take_body(Stream& stream, Bytes piece);
  void finish_body(const FlowContext& ctx, Direction dir, Stream& stream);
  void message_done(const FlowContext& ctx, Direction dir, Stream& stream);
  void push_pending(const FlowContext& ctx, const Method* method);
  const Method* pop_pending();
  void enter_tunnel();
  void lose_framing(Stream& stream);
  void report_software(const FlowContext& ctx, Side side, std::string_view value, std::string& last,
                       std::string_view event);
  void violation(const FlowContext& ctx, Stream& stream, Anomaly anomaly);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  // The request being read: copies, because its headers arrive over several lines / segments.
  std::string target_, host_, user_agent_, server_, url_;
  std::string last_user_agent_, last_server_;
  std::array<const Method*, kMaxPendingRequests> pending_{};  // ring of unanswered requests
  size_t pending_head_ = 0, pending_count_ = 0;
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::http
