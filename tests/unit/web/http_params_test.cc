#include "web/http_params.h"

#include <gtest/gtest.h>

namespace ots {
namespace {

TEST(PageParams, DefaultsWhenAbsent) {
  PageParams p = parse_page_params(std::nullopt, std::nullopt);
  EXPECT_TRUE(p.error.empty());
  EXPECT_EQ(p.page.offset, 0);
  EXPECT_EQ(p.page.limit, 100);
}

TEST(PageParams, AcceptsValidValues) {
  PageParams p = parse_page_params("250", "1000");
  EXPECT_TRUE(p.error.empty());
  EXPECT_EQ(p.page.offset, 250);
  EXPECT_EQ(p.page.limit, 1000);
  EXPECT_EQ(parse_page_params("0", "1").page.limit, 1);
}

TEST(PageParams, RejectsBadValues) {
  for (const char* bad : {"", "0", "1001", "-1", "+5", " 5", "5 ", "abc", "1e3", "99999999999999999999999"}) {
    EXPECT_FALSE(parse_page_params(std::nullopt, bad).error.empty()) << "limit=" << bad;
  }
  for (const char* bad : {"", "-1", "+1", "x", "1000000000000001", "99999999999999999999999"}) {
    EXPECT_FALSE(parse_page_params(bad, std::nullopt).error.empty()) << "offset=" << bad;
  }
  EXPECT_EQ(parse_page_params(std::nullopt, "0").error, "limit must be an integer from 1 to 1000");
}

TEST(DeviceId, PositiveDecimalOnly) {
  EXPECT_EQ(parse_device_id("42"), 42);
  EXPECT_FALSE(parse_device_id("0"));
  EXPECT_FALSE(parse_device_id("-3"));
  EXPECT_FALSE(parse_device_id("4x"));
  EXPECT_FALSE(parse_device_id("9999999999999999999999"));
}

TEST(ListenAddress, ParsesHostAndPort) {
  auto v4 = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_EQ(parse_listen_address("localhost:65535")->port, 65535);
  for (const char* bad : {"", "8080", ":8080", "127.0.0.1:", "127.0.0.1:65536", "::1:8080", "[::1]8080", "[]:80",
                          "[::1", "host:-1", "a b:80", "127.0.0.1:123456"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  }
}

TEST(UtcTime, ParsesSecondsAndFractionsAndRefusesWhatAnInt64ClockCannotHold) {
  EXPECT_EQ(parse_utc_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_utc_time("2024-01-02T03:04:05Z"), int64_t{1704164645} * 1'000'000'000);
  EXPECT_EQ(parse_utc_time("2024-01-02T03:04:05.5Z"), int64_t{1704164645} * 1'000'000'000 + 500'000'000);
  EXPECT_EQ(parse_utc_time("2024-01-02T03:04:05.123456789Z"), int64_t{1704164645} * 1'000'000'000 + 123'456'789);
  EXPECT_TRUE(parse_utc_time("2261-12-31T23:59:59Z"));
  // Year 2300 would overflow int64 nanoseconds: refused, not wrapped.
  for (const char* bad : {"", "2024-01-02", "2024-01-02T03:04:05", "2024-01-02T03:04:05+01:00", "2024-01-02T03:04:05.Z",
                          "2300-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", " 2024-01-02T03:04:05Z",
                          "2024-01-02T03:04:05Zjunk"}) {
    EXPECT_FALSE(parse_utc_time(bad)) << bad;
  }
}

}  // namespace
}  // namespace ots
