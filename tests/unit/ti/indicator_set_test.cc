#include "detect/ti/indicator_set.h"

#include <gtest/gtest.h>

namespace ots::detect::ti {
namespace {

using Verdict = IndicatorMatch::Verdict;

Indicator make(IndicatorType type, std::string value, IndicatorAction action = IndicatorAction::Alert) {
  Indicator i;
  i.type = type;
  i.value = std::move(value);
  i.action = action;
  return i;
}

AlertDefinition definition(std::string id, std::vector<Indicator> indicators) {
  AlertDefinition d;
  d.id = std::move(id);
  d.title = d.id;
  d.indicators = std::move(indicators);
  return d;
}

IpAddr ip(std::string_view text) { return *IpAddr::parse(text); }

TEST(IndicatorSet, ExactAddressesAndLongestPrefixForV4AndV6) {
  auto set = IndicatorSet::build({
      definition("net8", {make(IndicatorType::Cidr, "10.0.0.0/8")}),
      definition("net24", {make(IndicatorType::Cidr, "10.1.2.0/24")}),
      definition("host", {make(IndicatorType::Ip, "10.1.2.3")}),
      definition("v6net", {make(IndicatorType::Cidr, "2001:db8::/32")}),
      definition("v6host", {make(IndicatorType::Ip, "2001:db8::1")}),
  });
  EXPECT_EQ(set->indicator_count(), 5u);
  auto id_of = [&](const IndicatorMatch& m) { return m.alert() ? set->definitions()[m.definition_index].id : "-"; };
  EXPECT_EQ(id_of(set->match_ip(ip("10.1.2.3"), 0)), "host");
  EXPECT_EQ(id_of(set->match_ip(ip("10.1.2.4"), 0)), "net24");
  EXPECT_EQ(id_of(set->match_ip(ip("10.200.0.1"), 0)), "net8");
  EXPECT_EQ(id_of(set->match_ip(ip("11.0.0.1"), 0)), "-");
  EXPECT_EQ(id_of(set->match_ip(ip("2001:db8::1"), 0)), "v6host");
  EXPECT_EQ(id_of(set->match_ip(ip("2001:db8:ffff::9"), 0)), "v6net");
  EXPECT_EQ(id_of(set->match_ip(ip("2001:db9::1"), 0)), "-");
  // An IPv4 prefix never covers IPv6 addresses that happen to share leading zero bytes.
  EXPECT_EQ(id_of(set->match_ip(ip("::a01:203"), 0)), "-");
  auto m = set->match_ip(ip("10.1.2.3"), 0);
  ASSERT_TRUE(m.alert());
  EXPECT_EQ(m.indicator->value, "10.1.2.3");
}

TEST(IndicatorSet, ADefaultRouteAndHostRouteForV4) {
  auto set = IndicatorSet::build({definition("all", {make(IndicatorType::Cidr, "0.0.0.0/0")}),
                                  definition("one", {make(IndicatorType::Cidr, "192.0.2.7/32")})});
  EXPECT_EQ(set->definitions()[set->match_ip(ip("192.0.2.7"), 0).definition_index].id, "one");
  EXPECT_EQ(set->definitions()[set->match_ip(ip("8.8.8.8"), 0).definition_index].id, "all");
  EXPECT_FALSE(set->match_ip(ip("2001:db8::1"), 0).alert());
}

TEST(IndicatorSet, DomainsMatchThemselvesAndSubdomainsOnLabelBoundaries) {
  auto set = IndicatorSet::build({definition("d", {make(IndicatorType::Domain, "evil.example")})});
  EXPECT_TRUE(set->match_domain("evil.example", 0).alert());
  EXPECT_TRUE(set->match_domain("a.b.evil.example", 0).alert());
  EXPECT_TRUE(set->match_domain("WWW.Evil.Example.", 0).alert());
  EXPECT_FALSE(set->match_domain("notevil.example", 0).alert());
  EXPECT_FALSE(set->match_domain("example", 0).alert());
  EXPECT_FALSE(set->match_domain("", 0).alert());
  EXPECT_FALSE(set->match_domain(".", 0).alert());
  EXPECT_TRUE(set->match_observable(Observable::Domain, "x.evil.example", 0).alert());
}

TEST(IndicatorSet, AllowSuppressesAtAnyLevelAndWinsOverAlerts) {
  auto set = IndicatorSet::build({
      definition("bad", {make(IndicatorType::Domain, "example.com"), make(IndicatorType::Cidr, "10.0.0.0/8")}),
      definition("ok", {make(IndicatorType::Domain, "good.example.com", IndicatorAction::Allow),
                        make(IndicatorType::Ip, "10.0.0.5", IndicatorAction::Allow)}),
  });
  EXPECT_EQ(set->match_domain("x.example.com", 0).verdict, Verdict::Alert);
  EXPECT_EQ(set->match_domain("good.example.com", 0).verdict, Verdict::Allowed);
  EXPECT_EQ(set->match_domain("cdn.good.example.com", 0).verdict, Verdict::Allowed);
  EXPECT_EQ(set->match_ip(ip("10.0.0.5"), 0).verdict, Verdict::Allowed);
  EXPECT_EQ(set->match_ip(ip("10.0.0.6"), 0).verdict, Verdict::Alert);
  // A value allowed by one definition and alerted by another: allow wins whatever the order.
  auto both = IndicatorSet::build({definition("a", {make(IndicatorType::Md5, std::string(32, 'a'))}),
                                   definition("b", {make(IndicatorType::Md5, std::string(32, 'a'), IndicatorAction::Allow)})});
  EXPECT_EQ(both->match_value(IndicatorType::Md5, std::string(32, 'A'), 0).verdict, Verdict::Allowed);
}

TEST(IndicatorSet, ValidityWindowsUsePacketTime) {
  Indicator timed = make(IndicatorType::Ip, "192.0.2.1");
  timed.valid_from_ns = 1000;
  timed.valid_until_ns = 2000;
  auto set = IndicatorSet::build({definition("t", {timed})});
  EXPECT_FALSE(set->match_ip(ip("192.0.2.1"), 999).alert());
  EXPECT_TRUE(set->match_ip(ip("192.0.2.1"), 1000).alert());
  EXPECT_TRUE(set->match_ip(ip("192.0.2.1"), 1999).alert());
  EXPECT_FALSE(set->match_ip(ip("192.0.2.1"), 2000).alert());
}

TEST(IndicatorSet, ExpiredSpecificIndicatorFallsBackToAValidBroaderOne) {
  Indicator expired = make(IndicatorType::Ip, "10.0.0.1");
  expired.valid_until_ns = 10;
  auto set = IndicatorSet::build({definition("old", {expired}), definition("net", {make(IndicatorType::Cidr, "10.0.0.0/24")})});
  EXPECT_EQ(set->definitions()[set->match_ip(ip("10.0.0.1"), 5).definition_index].id, "old");
  EXPECT_EQ(set->definitions()[set->match_ip(ip("10.0.0.1"), 50).definition_index].id, "net");
}

TEST(IndicatorSet, RoleAndPortRestrictAddressIndicators) {
  Indicator c2 = make(IndicatorType::Ip, "198.51.100.7");
  c2.role = EndpointRole::Destination;
  c2.port = 502;
  auto set = IndicatorSet::build({definition("c2", {c2})});
  EXPECT_TRUE(set->match_ip(ip("198.51.100.7"), 0, EndpointRole::Destination, 502).alert());
  EXPECT_FALSE(set->match_ip(ip("198.51.100.7"), 0, EndpointRole::Destination, 503).alert());
  EXPECT_FALSE(set->match_ip(ip("198.51.100.7"), 0, EndpointRole::Source, 502).alert());
  EXPECT_FALSE(set->match_ip(ip("198.51.100.7"), 0).alert());
}

TEST(IndicatorSet, UrlsAreNormalisedOnBothSides) {
  auto set = IndicatorSet::build({definition("u", {make(IndicatorType::Url, "HTTP://Evil.Example:80/payload.bin?x=1")})});
  EXPECT_TRUE(set->match_url("http://evil.example/payload.bin?x=1", 0).alert());
  EXPECT_TRUE(set->match_observable(Observable::Url, "http://EVIL.example:080/payload.bin?x=1#frag", 0).alert());
  EXPECT_FALSE(set->match_url("http://evil.example/payload.bin?x=2", 0).alert());
  EXPECT_FALSE(set->match_url("https://evil.example/payload.bin?x=1", 0).alert());
  EXPECT_FALSE(set->match_url("not a url", 0).alert());
}

TEST(IndicatorSet, HashesFingerprintsAndCertificatesKeepTheirOwnKeySpace) {
  const std::string md5(32, 'b'), sha1(40, 'c'), sha256(64, 'd');
  auto set = IndicatorSet::build({definition("h", {make(IndicatorType::Md5, md5), make(IndicatorType::Sha1, sha1),
                                                   make(IndicatorType::Sha256, sha256), make(IndicatorType::Ja3, md5),
                                                   make(IndicatorType::Ja4, "t13d1516h2_8daaf6152771_b0da82dd1658"),
                                                   make(IndicatorType::CertSha1, std::string(40, 'e'))})});
  EXPECT_TRUE(set->match_observable(Observable::FileMd5, md5, 0).alert());
  EXPECT_TRUE(set->match_observable(Observable::FileSha1, sha1, 0).alert());
  EXPECT_TRUE(set->match_observable(Observable::FileSha256, "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD", 0).alert());
  EXPECT_TRUE(set->match_observable(Observable::Ja3, md5, 0).alert());
  EXPECT_FALSE(set->match_observable(Observable::Ja3s, md5, 0).alert());  // same text, other type
  EXPECT_TRUE(set->match_observable(Observable::Ja4, "t13d1516h2_8daaf6152771_b0da82dd1658", 0).alert());
  EXPECT_TRUE(set->match_observable(Observable::CertSha1, std::string(40, 'e'), 0).alert());
  EXPECT_FALSE(set->match_observable(Observable::CertSha256, std::string(64, 'e'), 0).alert());
}

TEST(IndicatorSet, InvalidValuesAreListedNotIndexed) {
  std::vector<RejectedEntry> rejected;
  auto set = IndicatorSet::build({definition("x", {make(IndicatorType::Ip, "999.1.1.1"), make(IndicatorType::Md5, "xyz"),
                                                   make(IndicatorType::Domain, "ok.example")})},
                                 &rejected);
  EXPECT_EQ(set->indicator_count(), 1u);
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].value, "999.1.1.1");
}

TEST(IndicatorSet, TheSameValueInTwoDefinitionsReportsTheFirst) {
  auto set = IndicatorSet::build({definition("first", {make(IndicatorType::Domain, "dup.example")}),
                                  definition("second", {make(IndicatorType::Domain, "dup.example")})});
  EXPECT_EQ(set->definitions()[set->match_domain("dup.example", 0).definition_index].id, "first");
}

TEST(IndicatorSet, EmptySetMatchesNothing) {
  auto set = IndicatorSet::empty();
  EXPECT_FALSE(set->match_ip(ip("1.2.3.4"), 0).alert());
  EXPECT_FALSE(set->match_domain("a.b", 0).alert());
  EXPECT_GT(set->memory_bytes(), 0u);
}

TEST(IndicatorSet, ObservableKindsMapToIndicatorTypes) {
  EXPECT_EQ(indicator_type_for(Observable::Domain), IndicatorType::Domain);
  EXPECT_EQ(indicator_type_for(Observable::Url), IndicatorType::Url);
  EXPECT_EQ(indicator_type_for(Observable::Ja3), IndicatorType::Ja3);
  EXPECT_EQ(indicator_type_for(Observable::Ja3s), IndicatorType::Ja3s);
  EXPECT_EQ(indicator_type_for(Observable::Ja4), IndicatorType::Ja4);
  EXPECT_EQ(indicator_type_for(Observable::CertSha1), IndicatorType::CertSha1);
  EXPECT_EQ(indicator_type_for(Observable::CertSha256), IndicatorType::CertSha256);
  EXPECT_EQ(indicator_type_for(Observable::FileMd5), IndicatorType::Md5);
  EXPECT_EQ(indicator_type_for(Observable::FileSha1), IndicatorType::Sha1);
  EXPECT_EQ(indicator_type_for(Observable::FileSha256), IndicatorType::Sha256);
}

}  // namespace
}  // namespace ots::detect::ti
