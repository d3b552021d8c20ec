// HTTP/1.x wire grammar (RFC 9110 / 9112): pure, stateless functions over one line of text.
// Line framing, bodies and request/response matching live in http_session.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::http {

constexpr size_t kMaxLineLength = 16 * 1024;          // one start / header / chunk-size line
constexpr size_t kMaxHeaderBlock = 64 * 1024;         // start line + headers (+ trailers)
constexpr uint64_t kMaxBodyLength = uint64_t{1} << 52; // sanity bound on Content-Length / chunk sizes

// Stable anomaly names ("http.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None,
  BadRequestLine,
  BadStatusLine,
  BadHeader,
  HeaderTooLarge,
  BadContentLength,
  ContentLengthWithChunked,  // both framings present: a request smuggling indicator
  BadChunk,
  TooManyPendingRequests,
  TruncatedMessage,          // the stream ended inside headers or a framed body
  kCount
};
constexpr std::string_view kAnomalyNames[] = {
    "",
    "http.bad_request_line",
    "http.bad_status_line",
    "http.bad_header",
    "http.header_too_large",
    "http.bad_content_length",
    "http.content_length_with_chunked",
    "http.bad_chunk",
    "http.too_many_pending_requests",
    "http.truncated_message",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));
inline std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

struct Method {
  uint32_t code;
  std::string_view name;
  bool is_write;  // changes server state
};
// GET, POST, … and WebDAV / GENA (UPnP eventing) methods; code = position + 1.
constexpr Method kMethods[] = {
    {1, "GET", false},      {2, "HEAD", false},     {3, "POST", true},       {4, "PUT", true},
    {5, "DELETE", true},    {6, "CONNECT", false},  {7, "OPTIONS", false},   {8, "TRACE", false},
    {9, "PATCH", true},     {10, "PROPFIND", false}, {11, "PROPPATCH", true}, {12, "MKCOL", true},
    {13, "COPY", true},     {14, "MOVE", true},     {15, "LOCK", true},      {16, "UNLOCK", true},
    {17, "SEARCH", false},  {18, "REPORT", false},  {19, "SUBSCRIBE", false}, {20, "UNSUBSCRIBE", false},
    {21, "NOTIFY", false},
};
constexpr uint32_t kMethodHead = 2, kMethodConnect = 6;
const Method* find_method(std::string_view token);  // nullptr when unknown

struct RequestLine {
  const Method* method = nullptr;
  std::string_view target;
  uint8_t minor_version = 1;
};
// "GET /index.html HTTP/1.1" (the line without its CR LF).
bool parse_request_line(std::string_view line, RequestLine& out);

struct StatusLine {
  uint16_t status = 0;
  std::string_view reason;
  uint8_t minor_version = 1;
};
// "HTTP/1.1 200 OK".
bool parse_status_line(std::string_view line, StatusLine& out);

// "Name: value" → name and value without surrounding whitespace.
bool parse_header(std::string_view line, std::string_view& name, std::string_view& value);
bool header_is(std::string_view name, std::string_view wanted);  // case-insensitive
// Content-Length: decimal digits only, at most kMaxBodyLength.
bool parse_content_length(std::string_view value, uint64_t& out);
// Whether the final transfer coding is "chunked".
bool is_chunked(std::string_view transfer_encoding);
// A chunk-size line "1a3f[;extensions]".
bool parse_chunk_size(std::string_view line, uint64_t& out);

// Host header → host without port ("Example.COM:8080" → "Example.COM"; "[::1]:80" → "[::1]").
std::string_view host_without_port(std::string_view host);
// A DNS name (letters, digits, '-', '_', dots; at least one letter): not an IP literal.
bool is_domain_name(std::string_view host);

// A standard reason phrase for a status code ("Not Found"), or "HTTP response" when unknown.
std::string_view status_name(uint16_t status);

// The descriptor's probe: from the client a request line with a known method and HTTP/1.x,
// from the server a status line. NeedMoreData until the first line ends (bounded).
ProbeResult probe(Direction dir, Bytes payload);

}  // namespace ots::http
