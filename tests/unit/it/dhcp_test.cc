#include <gtest/gtest.h>

#include <vector>

#include "dissectors/dhcp/dhcp_parser.h"
#include "dissectors/dhcp/dhcp_session.h"
#include "tests/unit/it/recording_sink.h"
#include "tests/unit/it/tshark_util.h"

namespace ots::dhcp {
namespace {

using it_test::RecordingSink;

struct Builder {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(kFixedHeaderSize, 0);
  explicit Builder(uint8_t op, uint8_t type) {
    bytes[0] = op;
    bytes[1] = 1;
    bytes[2] = 6;
    bytes[4] = 0x12, bytes[5] = 0x34, bytes[6] = 0x56, bytes[7] = 0x78;
    const uint8_t mac[] = {0x90, 0xb1, 0x1c, 0x99, 0x49, 0x29};
    std::copy(std::begin(mac), std::end(mac), bytes.begin() + 28);
    bytes.insert(bytes.end(), {0x63, 0x82, 0x53, 0x63});
    option(option::kMessageType, {type});
  }
  Builder& option(uint8_t code, std::vector<uint8_t> value) {
    bytes.push_back(code);
    bytes.push_back(uint8_t(value.size()));
    bytes.insert(bytes.end(), value.begin(), value.end());
    return *this;
  }
  Builder& text(uint8_t code, std::string_view s) { return option(code, std::vector<uint8_t>(s.begin(), s.end())); }
  std::vector<uint8_t> done() {
    bytes.push_back(option::kEnd);
    return bytes;
  }
};

FlowContext context(const char* client, const char* server) {
  FlowContext ctx;
  ctx.transport = 17;
  ctx.client_ip = *IpAddr::parse(client);
  ctx.server_ip = *IpAddr::parse(server);
  ctx.client_port = 68;
  ctx.server_port = 67;
  return ctx;
}

TEST(DhcpParser, DiscoverOptions) {
  auto bytes = Builder(kOpRequest, 1)
                   .text(option::kHostName, "plc-7")
                   .option(option::kParameterList, {1, 3, 6, 15})
                   .option(option::kRequestedIp, {192, 168, 1, 9})
                   .option(option::kClientFqdn, {0x05, 0, 0, 3, 'p', 'l', 'c', 3, 'l', 'a', 'n', 0})
                   .text(option::kVendorClass, "MSFT 5.0")
                   .done();
  Message m;
  ASSERT_EQ(parse(bytes, m), Anomaly::None);
  EXPECT_EQ(m.op, kOpRequest);
  EXPECT_EQ(m.xid, 0x12345678u);
  EXPECT_EQ(m.message_type, 1);
  EXPECT_EQ(m.chaddr, *MacAddr::parse("90:b1:1c:99:49:29"));
  EXPECT_EQ(m.hostname, "plc-7");
  EXPECT_EQ(m.vendor_class, "MSFT 5.0");
  EXPECT_EQ(m.parameter_list.size(), 4u);
  EXPECT_TRUE(m.has_requested_ip);
  EXPECT_EQ(m.requested_ip, *IpAddr::parse("192.168.1.9"));
  EXPECT_EQ(m.fqdn(), "plc.lan");
  EXPECT_TRUE(looks_like_dhcp(bytes));
}

TEST(DhcpParser, AsciiFqdn) {
  auto bytes = Builder(kOpRequest, 3).option(option::kClientFqdn, {0x01, 0, 0, 'h', '.', 'x'}).done();
  Message m;
  ASSERT_EQ(parse(bytes, m), Anomaly::None);
  EXPECT_EQ(m.fqdn(), "h.x");
}

TEST(DhcpParser, Anomalies) {
  Message m;
  auto good = Builder(kOpRequest, 1).done();
  auto bad_op = good;
  bad_op[0] = 3;
  EXPECT_EQ(parse(bad_op, m), Anomaly::BadOp);
  auto bad_hlen = good;
  bad_hlen[2] = 17;
  EXPECT_EQ(parse(bad_hlen, m), Anomaly::BadHardwareLength);
  auto bad_cookie = good;
  bad_cookie[kFixedHeaderSize] = 0;
  EXPECT_EQ(parse(bad_cookie, m), Anomaly::BadMagicCookie);
  auto overrun = Builder(kOpRequest, 1).bytes;
  overrun.insert(overrun.end(), {option::kHostName, 10, 'a'});
  EXPECT_EQ(parse(overrun, m), Anomaly::OptionOverrun);
  Builder many(kOpRequest, 1);
  for (int i = 0; i < 200; ++i) many.option(200, {});
  EXPECT_EQ(parse(many.done(), m), Anomaly::TooManyOptions);
  EXPECT_EQ(anomaly_name(Anomaly::BadMagicCookie), "dhcp.bad_magic_cookie");
}

TEST(DhcpParser, EveryPrefix) {
  auto bytes = Builder(kOpRequest, 1).text(option::kHostName, "abc").option(option::kParameterList, {1, 3}).done();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Message m;
    Anomaly a = parse(Bytes(bytes.data(), n), m);
    if (n < kFixedHeaderSize + 4) {
      EXPECT_EQ(a, Anomaly::Truncated) << n;
      EXPECT_FALSE(looks_like_dhcp(Bytes(bytes.data(), n)));
    } else {
      EXPECT_TRUE(a == Anomaly::None || a == Anomaly::OptionOverrun) << n;
    }
  }
}

TEST(DhcpSession, RequestFromKnownClientNamesIt) {
  RecordingSink sink;
  DhcpSession session(sink);
  auto bytes = Builder(kOpRequest, 3)
                   .text(option::kHostName, std::string_view("plc-7\0", 6))
                   .option(option::kParameterList, {1, 3, 6, 15, 119, 252})
                   .text(option::kVendorClass, "MSFT 5.0")
                   .done();
  session.data(context("10.0.0.5", "10.0.0.1"), Direction::FromClient, bytes);
  EXPECT_EQ(sink.confirmations.size(), 1u);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].code, 3u);
  EXPECT_EQ(sink.operations[0].name, "DHCPREQUEST");
  EXPECT_TRUE(sink.operations[0].is_request);
  EXPECT_EQ(sink.operations[0].from, Side::Client);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "plc-7"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "dhcp fingerprint 1,3,6,15,119,252"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "vendor class MSFT 5.0"));
}

TEST(DhcpSession, UnspecifiedSenderNamesNobody) {
  RecordingSink sink;
  DhcpSession session(sink);
  auto bytes = Builder(kOpRequest, 1).text(option::kHostName, "plc-7").done();
  session.data(context("0.0.0.0", "255.255.255.255"), Direction::FromClient, bytes);
  EXPECT_EQ(sink.operations.size(), 1u);
  EXPECT_TRUE(sink.identities.empty());
}

TEST(DhcpSession, ServerReplyAndNak) {
  RecordingSink sink;
  DhcpSession session(sink);
  FlowContext ctx = context("10.0.0.5", "10.0.0.1");
  session.data(ctx, Direction::FromServer,
               Builder(kOpReply, 2).text(option::kVendorClass, "ArubaAP").text(option::kHostName, "x").done());
  session.data(ctx, Direction::FromServer, Builder(kOpReply, kMessageNak).done());
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "DHCPOFFER");
  EXPECT_FALSE(sink.operations[0].is_request);
  EXPECT_EQ(sink.operations[0].from, Side::Server);
  EXPECT_TRUE(sink.operations[1].is_error);
  ASSERT_EQ(sink.identities.size(), 1u);  // a reply's host name option is about the client, not reported
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "vendor class ArubaAP"));
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST(DhcpSession, RejectsAfterRepeatedGarbage) {
  RecordingSink sink;
  DhcpSession session(sink);
  FlowContext ctx = context("10.0.0.5", "10.0.0.1");
  std::vector<uint8_t> garbage(300, 0xAB);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) {
    EXPECT_FALSE(session.rejected());
    session.data(ctx, Direction::FromClient, garbage);
  }
  EXPECT_TRUE(session.rejected());
  EXPECT_TRUE(sink.has_anomaly("dhcp.bad_op"));
  EXPECT_TRUE(sink.confirmations.empty());
}

TEST(DhcpGolden, ZeekDhcp) {
  auto pcap = it_test::kPcapDir / "dhcp_zeek_dhcp.pcap";
  OTS_REQUIRE_PCAP(pcap);
  auto rows = it_test::tshark_fields(pcap, "dhcp", {"ip.src", "ip.dst", "udp.dstport", "dhcp.option.dhcp",
                                                     "dhcp.option.hostname", "udp.payload"});
  ASSERT_EQ(rows.size(), 9u);
  RecordingSink sink;
  DhcpSession session(sink);
  std::vector<uint32_t> expected_types;
  bool parsed_hostname = false;
  for (const auto& row : rows) {
    bool to_server = row[2] == "67";
    FlowContext ctx;
    ctx.client_ip = *IpAddr::parse(to_server ? row[0] : row[1]);
    ctx.server_ip = *IpAddr::parse(to_server ? row[1] : row[0]);
    auto payload = it_test::from_hex(row[5]);
    session.data(ctx, to_server ? Direction::FromClient : Direction::FromServer, payload);
    expected_types.push_back(std::stoul(row[3]));
    Message m;
    ASSERT_EQ(parse(payload, m), Anomaly::None);
    EXPECT_EQ(m.hostname, row[4]);
    parsed_hostname |= m.hostname == "btest.is.cool";
  }
  EXPECT_TRUE(parsed_hostname);
  std::vector<uint32_t> reported;
  for (const auto& op : sink.operations) reported.push_back(op.code);
  EXPECT_EQ(reported, expected_types);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "vendor class ArubaAP"));
  // Every client message comes from 0.0.0.0: no host name can be keyed on it.
  for (const auto& i : sink.identities) EXPECT_NE(i.field, IdentityField::Hostname);
}

}  // namespace
}  // namespace ots::dhcp
