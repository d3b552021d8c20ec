#include "detect/ti/ti_model.h"

#include <gtest/gtest.h>

namespace ots::detect::ti {
namespace {

std::string canon(IndicatorType type, std::string_view value) {
  std::string reason;
  auto out = canonical_indicator_value(type, value, &reason);
  return out ? *out : "!" + reason;
}

TEST(TiModel, CanonicalValues) {
  EXPECT_EQ(canon(IndicatorType::Ip, " 192.0.2.1 "), "192.0.2.1");
  EXPECT_EQ(canon(IndicatorType::Ip, "2001:DB8::1"), "2001:db8::1");
  EXPECT_EQ(canon(IndicatorType::Ip, "300.1.1.1"), "!not an IP address");
  EXPECT_EQ(canon(IndicatorType::Cidr, "10.1.2.3/8"), "10.0.0.0/8");
  EXPECT_EQ(canon(IndicatorType::Cidr, "2001:db8::ff/120"), "2001:db8::/120");
  EXPECT_EQ(canon(IndicatorType::Cidr, "10.0.0.0/33"), "!prefix length must be 0..32");
  EXPECT_EQ(canon(IndicatorType::Cidr, "10.0.0.0"), "!a CIDR needs /<prefix length>");
  EXPECT_EQ(canon(IndicatorType::Domain, "*.Evil.Example."), "evil.example");
  EXPECT_EQ(canon(IndicatorType::Domain, "a..b"), "!empty label in domain name");
  EXPECT_EQ(canon(IndicatorType::Domain, "bad domain"), "!invalid character in domain name");
  EXPECT_EQ(canon(IndicatorType::Md5, "D41D8CD98F00B204E9800998ECF8427E"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(canon(IndicatorType::Sha1, "abc"), "!a SHA-1 digest must be 40 hex digits");
  EXPECT_EQ(canon(IndicatorType::Ja4, "t13d1516h2_8daaf6152771_b0da82dd1658"), "t13d1516h2_8daaf6152771_b0da82dd1658");
  EXPECT_EQ(canon(IndicatorType::Url, ""), "!empty value");
}

TEST(TiModel, UrlNormalisation) {
  EXPECT_EQ(*normalize_url("HTTP://Example.COM"), "http://example.com/");
  EXPECT_EQ(*normalize_url("https://example.com:443/a/B?q=1#top"), "https://example.com/a/B?q=1");
  EXPECT_EQ(*normalize_url("http://example.com:8080?x"), "http://example.com:8080/?x");
  EXPECT_EQ(*normalize_url("http://user@[2001:DB8::1]:80/x"), "http://user@[2001:db8::1]/x");
  EXPECT_FALSE(normalize_url("example.com/x"));
  EXPECT_FALSE(normalize_url("http:///x"));
  EXPECT_FALSE(normalize_url("http://host:8a/"));
}

TEST(TiModel, TypeInference) {
  EXPECT_EQ(infer_indicator_type("192.0.2.1"), IndicatorType::Ip);
  EXPECT_EQ(infer_indicator_type("192.0.2.0/24"), IndicatorType::Cidr);
  EXPECT_EQ(infer_indicator_type("http://x.example/a"), IndicatorType::Url);
  EXPECT_EQ(infer_indicator_type(std::string(32, 'a')), IndicatorType::Md5);
  EXPECT_EQ(infer_indicator_type(std::string(40, 'a')), IndicatorType::Sha1);
  EXPECT_EQ(infer_indicator_type(std::string(64, 'a')), IndicatorType::Sha256);
  EXPECT_EQ(infer_indicator_type("evil.example"), IndicatorType::Domain);
  EXPECT_FALSE(infer_indicator_type("1.2.3"));
  EXPECT_FALSE(infer_indicator_type("hello"));
  EXPECT_FALSE(infer_indicator_type("first_seen_utc"));
}

TEST(TiModel, Iso8601) {
  EXPECT_EQ(*parse_iso8601_ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_iso8601_ns("2024-05-01T12:00:00.5Z"), 1714564800'500'000'000);
  // Years whose nanoseconds do not fit an int64 are refused, not overflowed (found by ti_package_fuzz).
  EXPECT_FALSE(parse_iso8601_ns("5024-05-01T12:00:00Z"));
  EXPECT_FALSE(parse_iso8601_ns("0162-01-01"));
  EXPECT_TRUE(parse_iso8601_ns("2261-12-31T23:59:59Z"));
  EXPECT_EQ(*parse_iso8601_ns("2024-05-01T14:00:00+02:00"), 1714564800'000'000'000);
  EXPECT_EQ(*parse_iso8601_ns("2024-05-01"), 1714521600'000'000'000);
  EXPECT_FALSE(parse_iso8601_ns("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_ns("yesterday"));
  EXPECT_FALSE(parse_iso8601_ns("2024-05-01T12:00:00Q"));
  EXPECT_EQ(format_iso8601(1714564800'500'000'000), "2024-05-01T12:00:00.500000000Z");
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
}

constexpr std::string_view kPayload = R"json({
  "format": "otsensor-ti", "id": "ots-test", "name": "Test pack", "version": "1.2.0",
  "buildDate": "2024-05-01T00:00:00Z", "source": "otsensor project",
  "alertDefinitions": [{
    "id": "OTS-TI-0001", "title": "Connection to a known C2", "attackName": "FrostyGoop", "severity": "Critical",
    "description": "d", "remediation": "r", "attackTechniques": ["T0855"], "group": "Suspicion of malicious activity",
    "engine": "malware",
    "indicators": [
      {"type": "ip", "value": "198.51.100.7", "action": "alert+pcap", "role": "destination", "port": 502},
      {"type": "domain", "value": "C2.Example", "validFrom": "2024-01-01T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"},
      {"type": "cidr", "value": "10.0.0.0/8", "action": "allow", "confidence": 70}
    ],
    "rules": ["alert tcp any any -> any 502 (msg:\"x\"; sid:1;)"],
    "behaviours": ["frostygoop window=60"]
  }]
})json";

TEST(TiModel, PackageJsonRoundTrip) {
  TiPackage p = package_from_json(kPayload);
  EXPECT_EQ(p.name, "Test pack");
  ASSERT_EQ(p.definitions.size(), 1u);
  const AlertDefinition& d = p.definitions[0];
  EXPECT_EQ(d.severity, Severity::Critical);
  EXPECT_EQ(d.attack_techniques, std::vector<std::string>{"T0855"});
  ASSERT_EQ(d.indicators.size(), 3u);
  EXPECT_EQ(d.indicators[0].action, IndicatorAction::AlertWithPcap);
  EXPECT_EQ(d.indicators[0].role, EndpointRole::Destination);
  EXPECT_EQ(d.indicators[0].port, 502);
  EXPECT_EQ(d.indicators[0].source, "package:ots-test@1.2.0");
  EXPECT_EQ(d.indicators[1].value, "c2.example");
  EXPECT_EQ(d.indicators[1].valid_from_ns, *parse_iso8601_ns("2024-01-01T00:00:00Z"));
  EXPECT_EQ(d.indicators[2].confidence, 70);
  EXPECT_EQ(p.indicator_count(), 3u);
  EXPECT_EQ(p.rule_count(), 1u);

  TiPackage again = package_from_json(package_to_json(p));
  EXPECT_EQ(package_to_json(again), package_to_json(p));
}

TEST(TiModel, MalformedPayloadsAreRejectedWithTheReason) {
  auto reason = [](std::string text) {
    try {
      package_from_json(text);
      return std::string("accepted");
    } catch (const TiError& e) {
      return std::string(e.what());
    }
  };
  std::string good(kPayload);
  EXPECT_NE(reason("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(reason("[]").find("must be a JSON object"), std::string::npos);
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return reason(s);
  };
  EXPECT_NE(replaced("\"Critical\"", "\"Huge\"").find("unknown severity"), std::string::npos);
  EXPECT_NE(replaced("198.51.100.7", "198.51.100.700").find("not an IP address"), std::string::npos);
  EXPECT_NE(replaced("\"alert+pcap\"", "\"block\"").find("unknown action"), std::string::npos);
  EXPECT_NE(replaced("\"otsensor-ti\"", "\"other\"").find("format"), std::string::npos);
  EXPECT_NE(replaced("2025-01-01T00:00:00Z", "2023-01-01T00:00:00Z").find("validUntil is not after"), std::string::npos);
  EXPECT_NE(replaced("\"port\": 502", "\"port\": 70000").find("port"), std::string::npos);
  EXPECT_NE(replaced("\"version\": \"1.2.0\",", "").find("\"version\""), std::string::npos);
}

}  // namespace
}  // namespace ots::detect::ti
