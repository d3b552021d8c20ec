// Fuzzes everything the console parses from clients or the command line: the offset/limit
// query parameters, device ids in paths, the listen address, and the device list's query
// (filters, sort keys) split from the same bytes as "name=value" pairs.
//
// Input layout: byte 0 = flags (bit 0: offset present, bit 1: limit present); the rest is
// split at the first '&' into the offset and limit texts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <map>
#include <string>

#include "web/device_query.h"
#include "web/http_params.h"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t split = rest.find('&');
  std::string_view offset_text = rest.substr(0, split);
  std::string_view limit_text = split == std::string_view::npos ? std::string_view() : rest.substr(split + 1);

  ots::PageParams params = ots::parse_page_params(flags & 1 ? std::optional(offset_text) : std::nullopt,
                                                  flags & 2 ? std::optional(limit_text) : std::nullopt);
  if (params.error.empty()) {
    require(params.page.offset >= 0);
    require(params.page.limit >= 1 && params.page.limit <= ots::kMaxPageLimit);
  }

  if (auto id = ots::parse_device_id(rest)) require(*id >= 1);

  if (auto address = ots::parse_listen_address(rest)) {
    require(!address->host.empty());
    require(address->port >= 0 && address->port <= 65535);
  }

  std::multimap<std::string, std::string> query;
  for (size_t start = 0; start <= rest.size();) {
    size_t end = rest.find('&', start);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view pair = rest.substr(start, end - start);
    size_t eq = pair.find('=');
    query.emplace(std::string(pair.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    start = end + 1;
  }
  std::string error;
  if (auto q = ots::parse_device_query(query, error)) {
    require(error.empty());
    require(q->page.limit >= 1 && q->page.limit <= ots::kMaxPageLimit);
    require(!q->purdue_level || (*q->purdue_level >= -1 && *q->purdue_level <= 5));
  } else {
    require(!error.empty());
  }
  return 0;
}
