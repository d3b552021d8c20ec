#include "detect/ti/stix.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ots::detect::ti {
namespace {

std::string describe(const std::vector<Indicator>& indicators) {
  std::string out;
  for (const Indicator& i : indicators) {
    if (!out.empty()) out += " | ";
    out += std::string(indicator_type_name(i.type)) + ":" + i.value;
    if (i.role == EndpointRole::Source) out += " src";
    if (i.role == EndpointRole::Destination) out += " dst";
    if (i.port) out += " port " + std::to_string(i.port);
  }
  return out;
}

std::string reduce(std::string_view pattern) {
  try {
    return describe(stix_pattern_to_indicators(pattern));
  } catch (const TiError& e) {
    return std::string("rejected: ") + e.what();
  }
}

TEST(StixPattern, EqualityInAndSubsetReduceToIndicators) {
  EXPECT_EQ(reduce("[ipv4-addr:value = '198.51.100.7']"), "ip:198.51.100.7");
  EXPECT_EQ(reduce("[ipv4-addr:value ISSUBSET '203.0.113.0/24']"), "cidr:203.0.113.0/24");
  EXPECT_EQ(reduce("[ipv4-addr:value = '203.0.113.0/24']"), "cidr:203.0.113.0/24");
  EXPECT_EQ(reduce("[ipv6-addr:value = '2001:db8::1']"), "ip:2001:db8::1");
  EXPECT_EQ(reduce("[domain-name:value = 'C2.Example']"), "domain:c2.example");
  EXPECT_EQ(reduce("[url:value = 'http://evil.example:80/x']"), "url:http://evil.example/x");
  EXPECT_EQ(reduce("[file:hashes.'SHA-256' = '" + std::string(64, 'A') + "']"), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(reduce("[file:hashes.MD5 = '" + std::string(32, 'b') + "']"), "md5:" + std::string(32, 'b'));
  EXPECT_EQ(reduce("[file:hashes.'SHA-1' = '" + std::string(40, 'c') + "']"), "sha1:" + std::string(40, 'c'));
  EXPECT_EQ(reduce("[x509-certificate:hashes.'SHA-1' = '" + std::string(40, 'd') + "']"), "cert_sha1:" + std::string(40, 'd'));
  EXPECT_EQ(reduce("[domain-name:value IN ('b.example', 'a.example')]"), "domain:a.example | domain:b.example");
  EXPECT_EQ(reduce("[domain-name:value = 'a.example' OR domain-name:value = 'a.example']"), "domain:a.example");
  EXPECT_EQ(reduce("[ipv4-addr:value = '192.0.2.1'] OR [domain-name:value = 'x.example']"),
            "ip:192.0.2.1 | domain:x.example");
  EXPECT_EQ(reduce("([domain-name:value = 'x.example'])"), "domain:x.example");
  EXPECT_EQ(reduce("[domain-name:value = 'it\\'s.example']"), "rejected: 'it's.example' in domain-name:value: invalid character in domain name");
}

TEST(StixPattern, NetworkTrafficWithRefsAndPorts) {
  EXPECT_EQ(reduce("[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 502]"),
            "ip:198.51.100.7 dst port 502");
  EXPECT_EQ(reduce("[network-traffic:src_ref.value = '198.51.100.7']"), "ip:198.51.100.7 src");
  EXPECT_EQ(reduce("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value ISSUBSET '10.0.0.0/8']"),
            "cidr:10.0.0.0/8 dst");
  EXPECT_EQ(reduce("[network-traffic:dst_ref.value = '192.0.2.1' AND (network-traffic:dst_port = 502 OR "
                   "network-traffic:dst_port = 102)]"),
            "ip:192.0.2.1 dst port 102 | ip:192.0.2.1 dst port 502");
  EXPECT_EQ(reduce("[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:src_port = 502]"),
            "rejected: network-traffic with an address on one end and a port on the other cannot be reduced to indicators");
  EXPECT_EQ(reduce("[network-traffic:dst_port = 502]"),
            "rejected: network-traffic without src_ref.value or dst_ref.value has no indicator value");
  EXPECT_EQ(reduce("[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 'x']"),
            "rejected: network-traffic:dst_port needs an integer 1..65535, not x");
}

TEST(StixPattern, PatternsThatWouldLoseMeaningAreRejectedWithTheReason) {
  auto rejected_for = [](std::string_view pattern, std::string_view why) {
    std::string result = reduce(pattern);
    EXPECT_TRUE(result.starts_with("rejected: ")) << pattern << " → " << result;
    EXPECT_NE(result.find(why), std::string::npos) << pattern << " → " << result;
  };
  rejected_for("[ipv4-addr:value != '1.2.3.4']", "!=");
  rejected_for("[ipv4-addr:value NOT = '1.2.3.4']", "NOT");
  rejected_for("[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'x.example']", "AND of ipv4-addr:value and domain-name");
  rejected_for("[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']", "AND between observations");
  rejected_for("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']", "FOLLOWEDBY");
  rejected_for("[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS", "WITHIN");
  rejected_for("[domain-name:value LIKE '%.example']", "LIKE");
  rejected_for("[domain-name:value MATCHES '^x']", "MATCHES");
  rejected_for("[file:name = 'x.exe']", "object path file:name is not supported");
  rejected_for("[file:hashes.'SHA-512' = 'aa']", "hash algorithm SHA-512");
  rejected_for("[ipv4-addr:value = '2001:db8::1']", "not an ipv4-addr value");
  rejected_for("[ipv4-addr:value = 'x']", "not an IP address");
  rejected_for("[domain-name:value ISSUBSET 'x.example']", "ISSUBSET applies to address values only");
  rejected_for("[ipv4-addr:value = '1.2.3.4'", "expected ']'");
  rejected_for("[ipv4-addr:value = 'unterminated]", "unterminated string literal");
  rejected_for("ipv4-addr:value = '1.2.3.4'", "expected '['");
  rejected_for("[ipv4-addr:value = '1.2.3.4'] trailing", "unexpected text");
  rejected_for("[file:size > 10]", "ordering comparisons");
  rejected_for("[x:y = t'2020-01-01T00:00:00Z']", "timestamp literals");
  rejected_for(std::string(200, '(') + "[ipv4-addr:value = '1.2.3.4']" + std::string(200, ')'), "nested too deeply");
}

TEST(StixPattern, ExpansionIsBounded) {
  std::string in = "(";
  for (int i = 0; i < 200; ++i) in += (i ? ", '" : "'") + std::to_string(i) + ".example.com'";
  in += ")";
  std::string pattern = "[network-traffic:dst_ref.value IN ('1.1.1.1'";
  for (int i = 2; i < 200; ++i) pattern += ", '1.1.1." + std::to_string(i % 250) + "'";
  pattern += ") AND network-traffic:dst_port IN (1";
  for (int i = 2; i < 200; ++i) pattern += ", " + std::to_string(i);
  pattern += ")]";
  EXPECT_NE(reduce(pattern).find("more than 10000 alternatives"), std::string::npos);
  EXPECT_EQ(stix_pattern_to_indicators("[domain-name:value IN " + in + "]").size(), 200u);
}

constexpr std::string_view kBundle = R"json({
  "type": "bundle", "id": "bundle--1",
  "objects": [
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--a", "created": "2024-01-01T00:00:00Z",
     "modified": "2024-01-01T00:00:00Z", "name": "FrostyGoop C2", "pattern_type": "stix",
     "pattern": "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 502]",
     "valid_from": "2024-01-01T00:00:00Z", "valid_until": "2025-01-01T00:00:00Z", "confidence": 80,
     "external_references": [{"source_name": "mitre-ics-attack", "external_id": "T0855"}]},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--a", "created": "2024-01-01T00:00:00Z",
     "modified": "2024-02-01T00:00:00Z", "name": "FrostyGoop C2 (v2)", "pattern_type": "stix",
     "pattern": "[network-traffic:dst_ref.value = '198.51.100.8' AND network-traffic:dst_port = 502]",
     "valid_from": "2024-01-01T00:00:00Z", "confidence": 80},
    {"type": "indicator", "id": "indicator--revoked", "pattern": "[ipv4-addr:value = '192.0.2.9']",
     "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z", "revoked": true},
    {"type": "indicator", "id": "indicator--weak", "pattern": "[ipv4-addr:value = '192.0.2.10']",
     "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z", "confidence": 10},
    {"type": "indicator", "id": "indicator--not", "pattern": "[ipv4-addr:value != '192.0.2.11']",
     "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
    {"type": "indicator", "id": "indicator--sigma", "pattern": "title: x", "pattern_type": "sigma",
     "valid_from": "2024-01-01T00:00:00Z"},
    {"type": "indicator", "id": "indicator--time", "pattern": "[ipv4-addr:value = '192.0.2.12']",
     "valid_from": "2024-01-01T00:00:00Z", "valid_until": "2023-01-01T00:00:00Z"},
    {"type": "indicator", "id": "indicator--benign", "pattern": "[domain-name:value = 'update.vendor.example']",
     "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z", "indicator_types": ["benign"]},
    {"type": "malware", "id": "malware--fg", "name": "FrostyGoop", "is_family": true},
    {"type": "relationship", "id": "relationship--1", "relationship_type": "indicates",
     "source_ref": "indicator--a", "target_ref": "malware--fg"},
    42
  ]
})json";

TEST(StixBundle, IndicatorsBecomeDefinitionsAndEveryUnusableOneIsListed) {
  TiPackage p = import_stix_bundle(kBundle, 50);
  EXPECT_EQ(p.kind, PackageKind::Stix);
  EXPECT_EQ(p.id, "bundle--1");
  EXPECT_EQ(p.version, "2024-02-01T00:00:00Z");
  ASSERT_EQ(p.definitions.size(), 2u);
  const AlertDefinition& c2 = p.definitions[0];
  EXPECT_EQ(c2.id, "indicator--a");
  EXPECT_EQ(c2.title, "FrostyGoop C2 (v2)");  // the newest version of the object
  EXPECT_EQ(c2.attack_name, "FrostyGoop");
  ASSERT_EQ(c2.indicators.size(), 1u);
  EXPECT_EQ(c2.indicators[0].value, "198.51.100.8");
  EXPECT_EQ(c2.indicators[0].port, 502);
  EXPECT_EQ(c2.indicators[0].confidence, 80);
  EXPECT_EQ(c2.indicators[0].valid_from_ns, *parse_iso8601_ns("2024-01-01T00:00:00Z"));
  EXPECT_EQ(p.definitions[1].indicators[0].action, IndicatorAction::Allow);

  std::map<std::string, std::string> reasons;
  for (const RejectedEntry& r : p.rejected) reasons[r.location] = r.reason;
  EXPECT_EQ(reasons["indicator--revoked"], "revoked");
  EXPECT_EQ(reasons["indicator--weak"], "confidence 10 is below the minimum 50");
  EXPECT_NE(reasons["indicator--not"].find("!="), std::string::npos);
  EXPECT_NE(reasons["indicator--sigma"].find("sigma"), std::string::npos);
  EXPECT_NE(reasons["indicator--time"].find("valid_until"), std::string::npos);
  EXPECT_EQ(reasons["object 11"], "a STIX object must be a JSON object");
  EXPECT_EQ(p.rejected.size(), 6u);
  EXPECT_EQ(p.withdrawn_ids, std::vector<std::string>{"indicator--revoked"});
}

TEST(StixBundle, NotABundleIsRejectedWhole) {
  EXPECT_THROW(import_stix_bundle("{\"type\":\"indicator\"}", 0), TiError);
  EXPECT_THROW(import_stix_bundle("{", 0), TiError);
  EXPECT_THROW(import_stix_bundle("{\"type\":\"bundle\",\"objects\":{}}", 0), TiError);
}

}  // namespace
}  // namespace ots::detect::ti
