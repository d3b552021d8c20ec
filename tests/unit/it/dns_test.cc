#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "dissectors/dns/dns_parser.h"
#include "dissectors/dns/dns_session.h"
#include "tests/unit/it/dns_builder.h"
#include "tests/unit/it/recording_sink.h"
#include "tests/unit/it/tshark_util.h"

namespace ots::dns {
namespace {

using it_test::DnsBuilder;
using it_test::RecordingSink;

struct Collect final : Visitor {
  void record(const Record& r) override {
    names.emplace_back(r.name.view());
    types.push_back(r.type);
    if (r.has_target) targets.emplace_back(r.target.view());
    if (r.has_address) addresses.push_back(r.address);
  }
  std::vector<std::string> names, targets;
  std::vector<uint16_t> types;
  std::vector<IpAddr> addresses;
};

Anomaly parse_all(const std::vector<uint8_t>& bytes, Collect* collect = nullptr) {
  Header h;
  Record scratch;
  return parse(bytes, h, collect, scratch);
}

// A response to "plc.local A" with a compressed answer, a PTR and an SRV.
std::vector<uint8_t> mdns_response() {
  DnsBuilder b(0, 0x8400, 1, 3, 0, 0);
  b.question("plc.local", rrtype::kA);                                // name at offset 12
  b.pointer(12).record(rrtype::kA, 0x8001, 120, {10, 0, 0, 5});
  b.name("5.0.0.10.in-addr.arpa").record(rrtype::kPtr, 1, 120, {0xC0, 12});
  b.name("_plc._tcp.local").record(rrtype::kSrv, 1, 120, {0, 0, 0, 0, 0x01, 0xF6, 0xC0, 12});
  return b.bytes;
}

FlowContext mdns_context() {
  FlowContext ctx;
  ctx.transport = 17;
  ctx.client_ip = *IpAddr::parse("10.0.0.5");
  ctx.server_ip = *IpAddr::parse("224.0.0.251");
  ctx.client_port = ctx.server_port = kMdnsPort;
  return ctx;
}

TEST(DnsParser, CompressedResponse) {
  Collect c;
  ASSERT_EQ(parse_all(mdns_response(), &c), Anomaly::None);
  ASSERT_EQ(c.names.size(), 4u);
  EXPECT_EQ(c.names[0], "plc.local");
  EXPECT_EQ(c.names[1], "plc.local");
  EXPECT_EQ(c.names[2], "5.0.0.10.in-addr.arpa");
  EXPECT_EQ(c.targets, (std::vector<std::string>{"plc.local", "plc.local"}));
  ASSERT_EQ(c.addresses.size(), 1u);
  EXPECT_EQ(c.addresses[0], *IpAddr::parse("10.0.0.5"));
}

TEST(DnsParser, AaaaRecord) {
  DnsBuilder b(1, 0x8000, 0, 1, 0, 0);
  std::vector<uint8_t> v6(16, 0);
  v6[0] = 0xfe, v6[1] = 0x80, v6[15] = 1;
  b.name("h.local").record(rrtype::kAaaa, 1, 1, v6);
  Collect c;
  ASSERT_EQ(parse_all(b.bytes, &c), Anomaly::None);
  EXPECT_EQ(c.addresses.at(0), *IpAddr::parse("fe80::1"));
}

TEST(DnsParser, PointerLoopsAreRejected) {
  DnsBuilder self(1, 0, 1, 0, 0, 0);
  self.pointer(12).be16(1).be16(1);  // points at itself
  EXPECT_EQ(parse_all(self.bytes), Anomaly::PointerLoop);
  DnsBuilder forward(1, 0, 1, 0, 0, 0);
  forward.pointer(14).name("a").be16(1).be16(1);
  EXPECT_EQ(parse_all(forward.bytes), Anomaly::PointerLoop);
  // Two labels pointing at each other through a backwards chain still terminate.
  DnsBuilder chain(1, 0, 2, 0, 0, 0);
  chain.name("a").be16(1).be16(1);
  chain.raw({1, 'b'}).pointer(12).be16(1).be16(1);
  Collect c;
  ASSERT_EQ(parse_all(chain.bytes, &c), Anomaly::None);
  EXPECT_EQ(c.names.at(1), "b.a");
}

TEST(DnsParser, Anomalies) {
  EXPECT_EQ(parse_all({1, 2, 3}), Anomaly::TruncatedHeader);
  EXPECT_EQ(parse_all(DnsBuilder(1, 0, 200, 100, 0, 0).bytes), Anomaly::TooManyRecords);
  DnsBuilder reserved(1, 0, 1, 0, 0, 0);
  reserved.raw({0x41, 'x', 0}).be16(1).be16(1);
  EXPECT_EQ(parse_all(reserved.bytes), Anomaly::BadName);
  DnsBuilder long_name(1, 0, 1, 0, 0, 0);
  for (int i = 0; i < 5; ++i) long_name.raw({63}).raw(std::vector<uint8_t>(63, 'a'));
  long_name.raw({0}).be16(1).be16(1);
  EXPECT_EQ(parse_all(long_name.bytes), Anomaly::BadName);
  DnsBuilder bad_a(1, 0x8000, 0, 1, 0, 0);
  bad_a.name("x").record(rrtype::kA, 1, 1, {1, 2, 3});
  EXPECT_EQ(parse_all(bad_a.bytes), Anomaly::BadRdata);
  EXPECT_EQ(anomaly_name(Anomaly::PointerLoop), "dns.pointer_loop");
}

TEST(DnsParser, EveryPrefix) {
  auto bytes = mdns_response();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Collect c;
    Anomaly a = parse_all(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n), &c);
    EXPECT_NE(a, Anomaly::None) << n;
  }
}

TEST(DnsParser, NetbiosNames) {
  EXPECT_TRUE(is_netbios_encoded("FHEPFCELEHFCEPFFFACACACACACACAAA"));
  EXPECT_TRUE(is_netbios_encoded("FHEPFCELEHFCEPFFFACACACACACACAAA.scope"));
  EXPECT_FALSE(is_netbios_encoded("FHEPFCELEHFCEPFFFACACACACACACAAZ"));
  EXPECT_FALSE(is_netbios_encoded("plc.local"));
}

TEST(DnsSession, MdnsResponseNamesTheSender) {
  RecordingSink sink;
  DnsSession session(sink);
  session.data(mdns_context(), Direction::FromClient, mdns_response());
  EXPECT_EQ(sink.confirmations.size(), 1u);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "response");
  EXPECT_EQ(sink.operations[0].object, "plc.local");
  EXPECT_EQ(sink.operations[0].code, rrtype::kA);
  EXPECT_FALSE(sink.operations[0].is_request);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "plc"));
  session.data(mdns_context(), Direction::FromClient, mdns_response());
  EXPECT_EQ(sink.identities.size(), 1u);  // repeated announcements report the name once
}

TEST(DnsSession, UnicastDnsNamesNobody) {
  RecordingSink sink;
  DnsSession session(sink);
  FlowContext ctx = mdns_context();
  ctx.server_ip = *IpAddr::parse("10.0.0.5");
  ctx.client_port = 40000;
  ctx.server_port = kDnsPort;
  session.data(ctx, Direction::FromServer, mdns_response());
  EXPECT_TRUE(sink.identities.empty());
  EXPECT_EQ(sink.operations.size(), 1u);
}

TEST(DnsSession, QueriesErrorsAndUpdates) {
  RecordingSink sink;
  DnsSession session(sink);
  FlowContext ctx = mdns_context();
  DnsBuilder q(7, 0x0100, 1, 0, 0, 0);
  q.question("example.com", rrtype::kAaaa);
  session.data(ctx, Direction::FromClient, q.bytes);
  EXPECT_TRUE(sink.confirmations.empty());
  session.data(ctx, Direction::FromClient, q.bytes);
  EXPECT_EQ(sink.confirmations.size(), 1u);
  DnsBuilder nx(7, 0x8183, 1, 0, 0, 0);
  nx.question("example.com", rrtype::kAaaa);
  session.data(ctx, Direction::FromServer, nx.bytes);
  DnsBuilder update(8, 0x2800, 1, 0, 0, 0);
  update.question("zone.example", 6);
  session.data(ctx, Direction::FromClient, update.bytes);
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[0].name, "query");
  EXPECT_EQ(sink.operations[0].code, rrtype::kAaaa);
  EXPECT_TRUE(sink.operations[2].is_error);
  EXPECT_EQ(sink.operations[2].from, Side::Server);
  EXPECT_EQ(sink.operations[3].name, "update");
  EXPECT_TRUE(sink.operations[3].is_write);
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST(DnsSession, QueriedNamesAndCnameTargetsAreDomainObservables) {
  RecordingSink sink;
  DnsSession session(sink);
  FlowContext ctx = mdns_context();
  ctx.client_port = 40000;
  ctx.server_port = kDnsPort;
  DnsBuilder q(9, 0x0100, 1, 0, 0, 0);
  q.question("Update.Vendor.EXAMPLE.", rrtype::kA);
  session.data(ctx, Direction::FromClient, q.bytes);
  EXPECT_TRUE(sink.has_observable(Observable::Domain, "update.vendor.example"));

  DnsBuilder answer(9, 0x8180, 1, 1, 0, 0);
  answer.question("update.vendor.example", rrtype::kA);
  answer.name("update.vendor.example");
  // CNAME RDATA: the uncompressed target name.
  answer.record(rrtype::kCname, 1, 60, {3, 'c', 'd', 'n', 2, 'X', 'y', 0});
  session.data(ctx, Direction::FromServer, answer.bytes);
  EXPECT_TRUE(sink.has_observable(Observable::Domain, "cdn.xy"));
  EXPECT_EQ(sink.observables.size(), 2u) << "a response repeats its question; only queries report it";
}

TEST(DnsSession, RejectsAfterRepeatedGarbage) {
  RecordingSink sink;
  DnsSession session(sink);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) session.data(mdns_context(), Direction::FromClient, {});
  EXPECT_TRUE(session.rejected());
  EXPECT_TRUE(sink.has_anomaly("dns.truncated_header"));
}

TEST(DnsProbe, AcceptsDnsNotNetbiosOrNoise) {
  EXPECT_EQ(probe(Direction::FromClient, mdns_response()), ProbeResult::Match);
  DnsBuilder nb(1, 0x0110, 1, 0, 0, 0);
  nb.question("FHEPFCELEHFCEPFFFACACACACACACAAA", rrtype::kNb);
  EXPECT_EQ(probe(Direction::FromClient, nb.bytes), ProbeResult::NoMatch);
  std::vector<uint8_t> http = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1'};
  EXPECT_EQ(probe(Direction::FromClient, http), ProbeResult::NoMatch);
}

TEST(DnsGolden, ZeekMdns) {
  auto pcap = it_test::kPcapDir / "dns_zeek_mdns.pcap";
  OTS_REQUIRE_PCAP(pcap);
  auto rows = it_test::tshark_fields(pcap, "udp.port == 5353",
                                     {"ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "udp.srcport", "udp.dstport",
                                      "dns.flags.response", "dns.qry.name", "dns.qry.type", "udp.payload"});
  ASSERT_FALSE(rows.empty());
  RecordingSink sink;
  std::map<std::string, std::unique_ptr<DnsSession>> sessions;  // one per sender: each is a multicast flow
  std::multiset<std::pair<std::string, uint32_t>> expected, reported;
  for (const auto& row : rows) {
    std::string src = row[0].empty() ? row[1] : row[0];
    std::string dst = row[2].empty() ? row[3] : row[2];
    FlowContext ctx;
    ctx.client_ip = *IpAddr::parse(src);
    ctx.server_ip = *IpAddr::parse(dst);
    ctx.client_port = uint16_t(std::stoul(row[4]));
    ctx.server_port = uint16_t(std::stoul(row[5]));
    auto& session = sessions[src];
    if (!session) session = std::make_unique<DnsSession>(sink);
    session->data(ctx, Direction::FromClient, it_test::from_hex(row[9]));
    if (row[6] == "0") expected.emplace(it_test::split(row[7], ',').at(0), std::stoul(it_test::split(row[8], ',').at(0)));
  }
  for (const auto& op : sink.operations) {
    if (op.is_request) reported.emplace(op.object, op.code);
  }
  EXPECT_EQ(reported, expected);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(sink.confirmations.size(), sessions.size());
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "johanna-QEMU-Virtual-Machine"));
  for (const auto& i : sink.identities) EXPECT_EQ(i.value, "johanna-QEMU-Virtual-Machine");
}

}  // namespace
}  // namespace ots::dns
