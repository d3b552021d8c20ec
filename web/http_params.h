// Pure parsing of what arrives from HTTP clients and the command line: no I/O, so the
// fuzzer (tests/fuzz/web/) and the server call the same code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/database.h"

namespace ots {

constexpr int64_t kDefaultPageLimit = 100;
constexpr int64_t kMaxPageLimit = 1000;

struct PageParams {
  Page page;
  std::string error;  // empty when the parameters are valid
};

// offset: absent = 0, else decimal digits only, ≤ 10^15. limit: absent = 100, else
// decimal digits only, 1..1000. No signs, spaces or empty values.
PageParams parse_page_params(std::optional<std::string_view> offset, std::optional<std::string_view> limit);

// A device id in a path: decimal digits of a positive int64.
std::optional<int64_t> parse_device_id(std::string_view text);

// "2024-01-02T03:04:05Z", or with up to nine fractional digits, UTC → ns since the epoch;
// nullopt when malformed or outside the years an int64 nanosecond clock holds (1970..2261).
std::optional<int64_t> parse_utc_time(const std::string& text);

struct ListenAddress {
  std::string host;  // without brackets: "127.0.0.1", "::1", "localhost"
  int port = 0;      // 0 = ephemeral
};
// "127.0.0.1:8080", "[::1]:8080", "localhost:0". IPv6 literals need brackets.
std::optional<ListenAddress> parse_listen_address(std::string_view text);


}  // namespace ots
