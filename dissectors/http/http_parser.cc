#include "dissectors/http/http_parser.h"

#include <algorithm>

namespace ots::http {
namespace {

struct StatusName {
  uint16_t status;
  std::string_view name;
};
// RFC 9110 section 15.
constexpr StatusName kStatusNames[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {426, "Upgrade Required"},
    {429, "Too Many Requests"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
};

constexpr size_t kMaxProbeLine = 4096;

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "HTTP/1.0" / "HTTP/1.1" → minor version.
bool parse_version(std::string_view text, uint8_t& minor) {
  if (text.size() != 8 || text.substr(0, 7) != "HTTP/1." || !is_digit(text[7])) return false;
  minor = static_cast<uint8_t>(text[7] - '0');
  return true;
}

// Visible characters only: a target never holds spaces or controls.
bool is_target(std::string_view target) {
  return !target.empty() && std::all_of(target.begin(), target.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
  });
}

}  // namespace

const Method* find_method(std::string_view token) {
  for (const auto& method : kMethods) {
    if (method.name == token) return &method;
  }
  return nullptr;
}

bool parse_request_line(std::string_view line, RequestLine& out) {
  size_t first = line.find(' ');
  size_t last = line.rfind(' ');
  if (first == std::string_view::npos || last == first) return false;
  out.method = find_method(line.substr(0, first));
  out.target = line.substr(first + 1, last - first - 1);
  return out.method != nullptr && is_target(out.target) && parse_version(line.substr(last + 1), out.minor_version);
}

bool parse_status_line(std::string_view line, StatusLine& out) {
  if (line.size() < 12 || !parse_version(line.substr(0, 8), out.minor_version) || line[8] != ' ') return false;
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return false;
  out.status = static_cast<uint16_t>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  if (out.status < 100) return false;
  if (line.size() > 12 && line[12] != ' ') return false;
  out.reason = line.size() > 13 ? line.substr(13) : std::string_view{};
  return true;
}

bool parse_header(std::string_view line, std::string_view& name, std::string_view& value) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), is_token_char)) return false;
  value = trim(line.substr(colon + 1));
  return true;
}

bool header_is(std::string_view name, std::string_view wanted) {
  return name.size() == wanted.size() &&
         std::equal(name.begin(), name.end(), wanted.begin(), [](char a, char b) { return lower(a) == lower(b); });
}

bool parse_content_length(std::string_view value, uint64_t& out) {
  if (value.empty() || value.size() > 16) return false;
  uint64_t length = 0;
  for (char c : value) {
    if (!is_digit(c)) return false;
    length = length * 10 + static_cast<uint64_t>(c - '0');
  }
  if (length > kMaxBodyLength) return false;
  out = length;
  return true;
}

bool is_chunked(std::string_view transfer_encoding) {
  size_t comma = transfer_encoding.rfind(',');
  std::string_view last = trim(comma == std::string_view::npos ? transfer_encoding : transfer_encoding.substr(comma + 1));
  return header_is(last, "chunked");
}

bool parse_chunk_size(std::string_view line, uint64_t& out) {
  size_t end = line.find_first_of("; \t");
  std::string_view digits = line.substr(0, end);
  if (digits.empty() || digits.size() > 13) return false;  // 13 hex digits = 2^52
  uint64_t size = 0;
  for (char c : digits) {
    int nibble = is_digit(c) ? c - '0' : (lower(c) >= 'a' && lower(c) <= 'f') ? lower(c) - 'a' + 10 : -1;
    if (nibble < 0) return false;
    size = size << 4 | static_cast<uint64_t>(nibble);
  }
  if (size > kMaxBodyLength) return false;
  out = size;
  return true;
}

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return host;
  std::string_view port = host.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), is_digit)) return host;
  return host.substr(0, colon);
}

bool is_domain_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  bool letter = false;
  char previous = '\0';
  for (char c : host) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!(alpha || is_digit(c) || c == '-' || c == '_' || c == '.') || (c == '.' && previous == '.')) return false;
    letter |= alpha;
    previous = c;
  }
  return letter;
}

std::string_view status_name(uint16_t status) {
  for (const auto& entry : kStatusNames) {
    if (entry.status == status) return entry.name;
  }
  return "HTTP response";
}

ProbeResult probe(Direction dir, Bytes payload) {
  std::string_view text = as_chars(payload);
  size_t newline = text.find('\n');
  std::string_view line = text.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  bool complete = newline != std::string_view::npos;
  if (dir == Direction::FromServer) {
    constexpr std::string_view kPrefix = "HTTP/1.";
    if (line.substr(0, kPrefix.size()) != kPrefix.substr(0, std::min(line.size(), kPrefix.size()))) {
      return ProbeResult::NoMatch;
    }
    StatusLine status;
    if (complete) return parse_status_line(line, status) ? ProbeResult::Match : ProbeResult::NoMatch;
    return text.size() < kMaxProbeLine ? ProbeResult::NeedMoreData : ProbeResult::NoMatch;
  }
  size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    // Still inside the method token: wait only while it can become a known method.
    if (complete) return ProbeResult::NoMatch;
    bool prefix = std::any_of(std::begin(kMethods), std::end(kMethods), [&](const Method& m) {
      return m.name.size() > line.size() && m.name.substr(0, line.size()) == line;
    });
    return prefix ? ProbeResult::NeedMoreData : ProbeResult::NoMatch;
  }
  if (find_method(line.substr(0, space)) == nullptr) return ProbeResult::NoMatch;
  RequestLine request;
  if (complete) return parse_request_line(line, request) ? ProbeResult::Match : ProbeResult::NoMatch;
  return text.size() < kMaxProbeLine ? ProbeResult::NeedMoreData : ProbeResult::NoMatch;
}

}  // namespace ots::http
