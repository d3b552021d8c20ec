#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dissectors/nbns/nbns_session.h"
#include "tests/unit/it/dns_builder.h"
#include "tests/unit/it/recording_sink.h"
#include "tests/unit/it/tshark_util.h"

namespace ots::nbns {
namespace {

using it_test::DnsBuilder;
using it_test::RecordingSink;

std::string encode(std::string_view name, uint8_t suffix) {
  std::string padded(name);
  padded.resize(15, ' ');
  padded.push_back(char(suffix));
  std::string out;
  for (unsigned char c : padded) {
    out.push_back(char('A' + (c >> 4)));
    out.push_back(char('A' + (c & 0xF)));
  }
  return out;
}

FlowContext context() {
  FlowContext ctx;
  ctx.transport = 17;
  ctx.client_ip = *IpAddr::parse("10.0.4.24");
  ctx.server_ip = *IpAddr::parse("10.0.5.255");
  ctx.client_port = ctx.server_port = kNameServicePort;
  return ctx;
}

std::vector<uint8_t> registration(std::string_view name, uint8_t suffix, uint16_t nb_flags) {
  DnsBuilder b(1, 0x2910, 1, 0, 0, 1);
  b.question(encode(name, suffix), dns::rrtype::kNb);
  b.pointer(12).record(dns::rrtype::kNb, 1, 300000, {uint8_t(nb_flags >> 8), uint8_t(nb_flags), 10, 0, 4, 24});
  return b.bytes;
}

TEST(NbnsName, Decode) {
  NetbiosName n;
  ASSERT_TRUE(decode_name(encode("XSTREAM_HY", 0x00), n));
  EXPECT_EQ(n.name(), "XSTREAM_HY");
  EXPECT_EQ(n.suffix, 0);
  ASSERT_TRUE(decode_name(encode("OZI", 0x1c) + ".scope", n));
  EXPECT_EQ(n.suffix, 0x1c);
  EXPECT_FALSE(decode_name("plc.local", n));
}

TEST(NbnsSession, RegistrationNamesTheSender) {
  RecordingSink sink;
  NbnsSession session(sink);
  session.data(context(), Direction::FromClient, registration("GUNNAR", suffix::kWorkstation, 0x0000));
  session.data(context(), Direction::FromClient, registration("WORKGROUP", suffix::kWorkstation, 0x8000));
  session.data(context(), Direction::FromClient, registration("GUNNAR", suffix::kWorkstation, 0x0000));
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.operations[0].name, "registration");
  EXPECT_EQ(sink.operations[0].object, "GUNNAR<00>");
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_EQ(sink.identities.size(), 2u);  // the repeated registration is reported once
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "GUNNAR"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "domain WORKGROUP"));
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST(NbnsSession, QueriesNameTheTargetNotTheSender) {
  RecordingSink sink;
  NbnsSession session(sink);
  DnsBuilder q(2, 0x0110, 1, 0, 0, 0);
  q.question(encode("XSTREAM_HY", 0), dns::rrtype::kNb);
  session.data(context(), Direction::FromClient, q.bytes);
  EXPECT_TRUE(sink.identities.empty());
  EXPECT_EQ(sink.operations.at(0).name, "name query");
  EXPECT_EQ(sink.operations.at(0).object, "XSTREAM_HY<00>");
  DnsBuilder dc(3, 0x0110, 1, 0, 0, 0);
  dc.question(encode("OZI", suffix::kDomainControllers), dns::rrtype::kNb);
  session.data(context(), Direction::FromClient, dc.bytes);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "domain OZI"));
}

TEST(NbnsSession, PositiveResponseAndNodeStatus) {
  RecordingSink sink;
  NbnsSession session(sink);
  FlowContext ctx = context();
  ctx.client_ip = *IpAddr::parse("10.0.4.165");
  ctx.server_ip = *IpAddr::parse("10.0.4.24");
  DnsBuilder answer(2, 0x8500, 0, 1, 0, 0);
  answer.name(encode("GUNNAR", 0)).record(dns::rrtype::kNb, 1, 300000, {0, 0, 10, 0, 4, 24});
  session.data(ctx, Direction::FromServer, answer.bytes);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "GUNNAR"));
  EXPECT_EQ(sink.operations.at(0).name, "name query response");

  std::vector<uint8_t> table = {3};
  auto entry = [&](std::string_view name, uint8_t sfx, uint16_t flags) {
    std::string padded(name);
    padded.resize(15, ' ');
    table.insert(table.end(), padded.begin(), padded.end());
    table.push_back(sfx);
    table.push_back(uint8_t(flags >> 8));
    table.push_back(uint8_t(flags));
  };
  entry("FILESRV", suffix::kServer, 0x0400);
  entry("OZI", suffix::kWorkstation, 0x8400);
  entry("OZI", suffix::kBrowserElection, 0x8400);
  table.resize(table.size() + 46, 0);  // statistics
  DnsBuilder status(3, 0x8400, 0, 1, 0, 0);
  status.name(encode("*", 0)).record(dns::rrtype::kNbstat, 1, 0, table);
  session.data(ctx, Direction::FromServer, status.bytes);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "FILESRV"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "domain OZI"));
  EXPECT_EQ(sink.identities.size(), 3u);
}

TEST(NbnsSession, AnomaliesUseTheNbnsPrefixAndPrefixesNeverCrash) {
  RecordingSink sink;
  auto bytes = registration("GUNNAR", 0, 0);
  for (size_t n = 0; n < bytes.size(); ++n) {
    NbnsSession session(sink);
    session.data(context(), Direction::FromClient, Bytes(bytes.data(), n));
  }
  EXPECT_TRUE(sink.has_anomaly("nbns.truncated_header"));
  EXPECT_TRUE(sink.has_anomaly("nbns.truncated_record"));
  EXPECT_TRUE(sink.identities.empty());
  NbnsSession session(sink);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) session.data(context(), Direction::FromClient, {});
  EXPECT_TRUE(session.rejected());
}

TEST(NbnsProbe, ClaimsNetbiosOnly) {
  EXPECT_EQ(probe(Direction::FromClient, registration("GUNNAR", 0, 0)), ProbeResult::Match);
  DnsBuilder dns(1, 0x0100, 1, 0, 0, 0);
  dns.question("example.com", 1);
  EXPECT_EQ(probe(Direction::FromClient, dns.bytes), ProbeResult::NoMatch);
}

TEST(NbnsGolden, NdpiNetbios) {
  auto pcap = it_test::kPcapDir / "nbns_ndpi_netbios.pcap";
  OTS_REQUIRE_PCAP(pcap);
  auto rows = it_test::tshark_fields(pcap, "nbns", {"ip.src", "ip.dst", "udp.srcport", "udp.dstport", "udp.payload"});
  ASSERT_FALSE(rows.empty());
  // Identity facts keyed by sender IP, as the worker would map them.
  std::map<std::string, std::vector<std::string>> facts;
  size_t operations = 0;
  bool queried_xstream = false;
  for (const auto& row : rows) {
    RecordingSink sink;
    NbnsSession session(sink);
    FlowContext ctx;
    ctx.client_ip = *IpAddr::parse(row[0]);
    ctx.server_ip = *IpAddr::parse(row[1]);
    session.data(ctx, Direction::FromClient, it_test::from_hex(row[4]));
    EXPECT_TRUE(sink.anomalies.empty()) << row[0];
    operations += sink.operations.size();
    for (const auto& op : sink.operations) queried_xstream |= op.object == "XSTREAM_HY<00>";
    for (const auto& i : sink.identities) facts[row[0]].push_back(i.value);
  }
  EXPECT_EQ(operations, rows.size());
  EXPECT_TRUE(queried_xstream);
  auto has = [&](const std::string& ip, const std::string& value) {
    const auto& v = facts[ip];
    return std::find(v.begin(), v.end(), value) != v.end();
  };
  EXPECT_TRUE(has("10.0.5.233", "domain OZI"));
  EXPECT_TRUE(has("10.0.4.24", "GUNNAR"));  // name query response and node status
  EXPECT_TRUE(has("10.0.5.1", "GURU"));
  EXPECT_TRUE(facts["10.0.4.131"].empty());  // it only asks for XSTREAM_HY
}

}  // namespace
}  // namespace ots::nbns
