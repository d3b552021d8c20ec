#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dissectors/dhcpv6/dhcpv6_parser.h"
#include "dissectors/dhcpv6/dhcpv6_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::dhcpv6 {
namespace {

using test_support::RecordingSink;
using Buffer = std::vector<uint8_t>;

Buffer cat(Buffer a, const Buffer& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Buffer opt(uint16_t code, const Buffer& value) {
  Buffer b{uint8_t(code >> 8), uint8_t(code), uint8_t(value.size() >> 8), uint8_t(value.size())};
  return cat(b, value);
}
Buffer text(std::string_view s) { return Buffer(s.begin(), s.end()); }
Buffer ip(const char* text) {
  IpAddr a = *IpAddr::parse(text);
  return Buffer(a.bytes.begin(), a.bytes.end());
}

const Buffer kClientDuid{0x00, 0x01, 0x00, 0x01, 0x1d, 0x04, 0x48,
                         0x58, 0xf0, 0x76, 0x1c, 0xa8, 0x6d, 0x8e};                    // LLT
const Buffer kServerDuid{0x00, 0x03, 0x00, 0x01, 0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56};  // LL

// A Windows Solicit as in the shared capture ads_iti_beckhoff_addroute1.pcapng.
Buffer solicit() {
  Buffer b{1, 0x7f, 0x04, 0xee};
  b = cat(b, opt(8, {0, 0}));
  b = cat(b, opt(1, kClientDuid));
  b = cat(b, opt(3, {0x11, 0xf0, 0x76, 0x1c, 0, 0, 0, 0, 0, 0, 0, 0}));
  b = cat(b, opt(39, cat(Buffer{0x00, 7}, text("jc_zhao"))));
  b = cat(b, opt(16, cat(Buffer{0, 0, 0x01, 0x37, 0, 8}, text("MSFT 5.0"))));
  b = cat(b, opt(6, {0, 24, 0, 23, 0, 17, 0, 39}));
  return b;
}

Buffer reply(std::vector<const char*> addresses, uint16_t status = 0) {
  Buffer ia{0x11, 0xf0, 0x76, 0x1c, 0, 0, 0x0e, 0x10, 0, 0, 0x15, 0x18};
  for (const char* a : addresses) ia = cat(ia, opt(5, cat(ip(a), {0, 0, 0x1c, 0x20, 0, 0, 0x2a, 0x30})));
  if (status) ia = cat(ia, opt(13, cat(Buffer{uint8_t(status >> 8), uint8_t(status)}, text("none left"))));
  Buffer b{7, 0x7f, 0x04, 0xee};
  b = cat(b, opt(1, kClientDuid));
  b = cat(b, opt(2, kServerDuid));
  b = cat(b, opt(3, ia));
  b = cat(b, opt(23, ip("2001:db8::53")));
  return b;
}

Buffer relay_forward(const Buffer& inner) {
  Buffer b{12, 0};
  b = cat(b, ip("2001:db8:1::1"));
  b = cat(b, ip("fe80::b3:9413:296a:f401"));
  b = cat(b, opt(18, text("eth0")));
  return cat(b, opt(9, inner));
}

FlowContext context() {
  FlowContext ctx;
  ctx.transport = 17;
  ctx.client_ip = *IpAddr::parse("fe80::b3:9413:296a:f401");
  ctx.server_ip = *IpAddr::parse("fe80::21b:1bff:fe12:3456");
  ctx.client_port = 546;
  ctx.server_port = 547;
  return ctx;
}

TEST(Dhcpv6Parser, Solicit) {
  Message m;
  Buffer b = solicit();
  ASSERT_EQ(parse(b, m), Anomaly::None);
  EXPECT_EQ(m.type, 1);
  EXPECT_EQ(m.transaction_id, 0x7f04eeu);
  EXPECT_EQ(m.fqdn(), "jc_zhao");
  EXPECT_EQ(m.vendor_enterprise, 311u);
  MacAddr mac;
  ASSERT_TRUE(duid_mac(m.client_id, mac));
  EXPECT_EQ(mac.str(), "f0:76:1c:a8:6d:8e");
  EXPECT_TRUE(looks_like_dhcpv6(b));
}

TEST(Dhcpv6Session, SolicitDescribesTheClient) {
  RecordingSink sink;
  Dhcpv6Session session(sink);
  FlowContext ctx = context();
  ctx.server_ip = *IpAddr::parse("ff02::1:2");
  session.data(ctx, Direction::FromClient, solicit());
  ASSERT_EQ(sink.confirmations.size(), 1u);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "Solicit");
  EXPECT_TRUE(sink.operations[0].is_request);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "jc_zhao"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "duid f0:76:1c:a8:6d:8e"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "vendor class 311 MSFT 5.0"));
  EXPECT_TRUE(
      sink.has_identity(Side::Client, IdentityField::Description, "dhcpv6 option request list 24,23,17,39"));
  for (const auto& i : sink.identities)
    EXPECT_NE(i.field, IdentityField::Vendor);  // Microsoft is no hardware vendor
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Dhcpv6Session, ReplyAssignsAddressesToTheReceiver) {
  RecordingSink sink;
  Dhcpv6Session session(sink);
  session.data(context(), Direction::FromServer, reply({"2001:db8::1:5", "2001:db8::1:6"}));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_FALSE(sink.operations[0].is_request);
  EXPECT_FALSE(sink.operations[0].is_error);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "assigned 2001:db8::1:5"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "assigned 2001:db8::1:6"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "duid 00:1b:1b:12:34:56"));
  // The client's echoed DUID in a Reply is not the sender's.
  EXPECT_FALSE(sink.has_identity(Side::Server, IdentityField::Description, "duid f0:76:1c:a8:6d:8e"));
}

TEST(Dhcpv6Session, StatusInsideIaIsAnError) {
  RecordingSink sink;
  Dhcpv6Session session(sink);
  session.data(context(), Direction::FromServer, reply({}, 2));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_TRUE(sink.operations[0].is_error);
  EXPECT_EQ(sink.operations[0].object, "NoAddrsAvail");
}

TEST(Dhcpv6Session, RelayForwardNestsTheClientMessage) {
  RecordingSink sink;
  Dhcpv6Session session(sink);
  FlowContext ctx = context();
  ctx.client_ip = *IpAddr::parse("2001:db8:1::1");  // the relay agent
  session.data(ctx, Direction::FromClient, relay_forward(relay_forward(solicit())));
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.operations[0].name, "Relay-forw");
  EXPECT_EQ(sink.operations[0].object, "peer fe80::b3:9413:296a:f401");
  EXPECT_EQ(sink.operations[2].name, "Solicit");
  // The relayed client's facts cannot be pinned on the relay's address.
  EXPECT_TRUE(sink.identities.empty());
}

TEST(Dhcpv6Session, VendorClassOfAHardwareVendor) {
  RecordingSink sink;
  Dhcpv6Session session(sink);
  Buffer b{11, 0, 0, 1};
  b = cat(b, opt(1, kClientDuid));
  b = cat(b, opt(16, cat(Buffer{0, 0, 0x10, 0xe9, 0, 9}, text("SIMATIC-1"))));  // 4329 Siemens
  b = cat(b, opt(15, cat(Buffer{0, 4}, text("line"))));
  session.data(context(), Direction::FromClient, b);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Vendor, "Siemens"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "vendor class 4329 SIMATIC-1"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "user class line"));
  EXPECT_EQ(sink.operations[0].name, "Information-request");
}

TEST(Dhcpv6Session, Anomalies) {
  auto run = [](const Buffer& b) {
    auto sink = std::make_unique<RecordingSink>();
    Dhcpv6Session session(*sink);
    session.data(context(), Direction::FromClient, b);
    return sink;
  };
  EXPECT_TRUE(run(Buffer{})->has_anomaly("dhcpv6.truncated"));
  EXPECT_TRUE(run(Buffer{1, 0})->has_anomaly("dhcpv6.truncated"));
  EXPECT_TRUE(run(Buffer{99, 0, 0, 0})->has_anomaly("dhcpv6.bad_message_type"));
  Buffer hops = relay_forward(solicit());
  hops[1] = 40;
  EXPECT_TRUE(run(hops)->has_anomaly("dhcpv6.bad_hop_count"));
  Buffer overrun = solicit();
  overrun.pop_back();
  EXPECT_TRUE(run(overrun)->has_anomaly("dhcpv6.option_overrun"));
  EXPECT_TRUE(run(cat(Buffer{7, 0, 0, 1}, opt(3, {1, 2, 3})))->has_anomaly("dhcpv6.bad_option_length"));
  Buffer many{1, 0, 0, 1};
  for (int i = 0; i < 70; ++i) many = cat(many, opt(8, {0, 0}));
  EXPECT_TRUE(run(many)->has_anomaly("dhcpv6.too_many_options"));
  Buffer deep = solicit();
  for (size_t i = 0; i <= kMaxRelayDepth; ++i) deep = relay_forward(deep);
  EXPECT_TRUE(run(deep)->has_anomaly("dhcpv6.relay_too_deep"));
}

TEST(Dhcpv6Session, TruncationAtEveryPrefixAndRejection) {
  for (const Buffer& whole : {solicit(), reply({"2001:db8::9"}), relay_forward(solicit())}) {
    for (size_t n = 0; n < whole.size(); ++n) {
      RecordingSink sink;
      Dhcpv6Session session(sink);
      session.data(context(), Direction::FromClient, Bytes(whole).first(n));
      Message m;
      parse(Bytes(whole).first(n), m);
    }
  }
  RecordingSink sink;
  Dhcpv6Session session(sink);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i)
    session.data(context(), Direction::FromClient, Buffer{0});
  EXPECT_TRUE(session.rejected());
}

TEST(Dhcpv6Probe, Strict) {
  EXPECT_EQ(probe(Direction::FromClient, solicit()), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, relay_forward(solicit())), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, Buffer{1, 2, 3, 4}), ProbeResult::NoMatch);  // no option at all
  Buffer dns{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(probe(Direction::FromClient, dns), ProbeResult::NoMatch);
}

// The shared captures hold Windows DHCPv6 Solicits; tshark's view of them is the oracle.
TEST(Dhcpv6Golden, SharedCaptures) {
  if (!test_support::have_tshark()) GTEST_SKIP() << "tshark absent";
  size_t checked = 0;
  for (const char* name :
       {"ads_iti_beckhoff_addroute1.pcapng", "profinet_cisagov_profinet_io_cm_mixed_1.pcap"}) {
    auto pcap = test_support::shared_pcap(name);
    if (!pcap) continue;
    auto rows = test_support::tshark_fields(
        *pcap, "dhcpv6",
        {"ipv6.src", "ipv6.dst", "udp.srcport", "udp.payload", "dhcpv6.duidllt.link_layer_addr",
         "dhcpv6.client_domain", "dhcpv6.requested_option_code", "dhcpv6.vendorclass.enterprise",
         "dhcpv6.vendorclass.data"});
    ASSERT_FALSE(rows.empty()) << name;
    for (const auto& row : rows) {
      RecordingSink sink;
      Dhcpv6Session session(sink);
      FlowContext ctx = context();
      ctx.client_ip = *IpAddr::parse(row[0]);
      ctx.server_ip = *IpAddr::parse(row[1]);
      Direction dir = row[2] == "546" ? Direction::FromClient : Direction::FromServer;
      session.data(ctx, dir, test_support::from_hex(row[3]));
      EXPECT_TRUE(sink.anomalies.empty()) << name;
      ASSERT_EQ(sink.operations.size(), 1u);
      if (!row[4].empty()) {
        EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "duid " + row[4])) << row[4];
      }
      if (!row[5].empty()) {
        // tshark prints a fully qualified name with its root dot; host names carry none.
        std::string fqdn = row[5].back() == '.' ? row[5].substr(0, row[5].size() - 1) : row[5];
        EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, fqdn)) << fqdn;
      }
      if (!row[6].empty()) {
        EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description,
                                      "dhcpv6 option request list " + row[6]));
      }
      if (!row[7].empty()) {
        EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description,
                                      "vendor class " + row[7] + " " + row[8]));
      }
      ++checked;
    }
  }
  if (checked == 0) GTEST_SKIP() << "shared captures absent";
  EXPECT_GE(checked, 20u);
}

}  // namespace
}  // namespace ots::dhcpv6
