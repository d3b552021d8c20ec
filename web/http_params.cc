#include "web/http_params.h"

#include <charconv>
#include <ctime>

namespace ots {

namespace {

constexpr int64_t kMaxOffset = 1'000'000'000'000'000;

// Decimal digits only (from_chars alone would accept a leading '-').
std::optional<int64_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

PageParams parse_page_params(std::optional<std::string_view> offset, std::optional<std::string_view> limit) {
  PageParams result;
  result.page.limit = kDefaultPageLimit;
  if (offset) {
    auto value = parse_decimal(*offset);
    if (!value || *value > kMaxOffset) {
      result.error = "offset must be a non-negative integer no larger than " + std::to_string(kMaxOffset);
      return result;
    }
    result.page.offset = *value;
  }
  if (limit) {
    auto value = parse_decimal(*limit);
    if (!value || *value < 1 || *value > kMaxPageLimit) {
      result.error = "limit must be an integer from 1 to " + std::to_string(kMaxPageLimit);
      return result;
    }
    result.page.limit = *value;
  }
  return result;
}

std::optional<int64_t> parse_device_id(std::string_view text) {
  auto value = parse_decimal(text);
  if (!value || *value < 1) return std::nullopt;
  return value;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress address;
  std::string_view port_text;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    address.host = std::string(text.substr(0, colon));
    if (address.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 without brackets
    port_text = text.substr(colon + 1);
  }
  if (address.host.empty()) return std::nullopt;
  for (char c : address.host) {
    // Hostname or address characters only: the host reaches getaddrinfo and error messages.
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
              c == '-' || c == ':' || c == '%' || c == '_';
    if (!ok) return std::nullopt;
  }
  if (port_text.size() > 5) return std::nullopt;
  auto port = parse_decimal(port_text);
  if (!port || *port > 65535) return std::nullopt;
  address.port = static_cast<int>(*port);
  return address;
}


std::optional<int64_t> parse_utc_time(const std::string& text) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return std::nullopt;
  // The years an int64 nanosecond clock holds from 1970.
  if (tm.tm_year < 70 || tm.tm_year > 2261 - 1900) return std::nullopt;
  int64_t fraction = 0;
  if (*end == '.') {
    ++end;
    int digits = 0;
    for (; *end >= '0' && *end <= '9'; ++end, ++digits) {
      if (digits < 9) fraction = fraction * 10 + (*end - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 9; ++digits) fraction *= 10;
  }
  if (*end != 'Z' || end + 1 != text.c_str() + text.size()) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000 + fraction;
}


}  // namespace ots
