#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "dissectors/snmp/snmp_parser.h"
#include "dissectors/snmp/snmp_session.h"
#include "tests/unit/it/recording_sink.h"
#include "tests/unit/it/tshark_util.h"

namespace ots::snmp {
namespace {

using it_test::RecordingSink;
using B = std::vector<uint8_t>;

B tlv(uint8_t t, B contents) {
  B out = {t};
  if (contents.size() < 128) {
    out.push_back(uint8_t(contents.size()));
  } else {
    out.insert(out.end(), {0x82, uint8_t(contents.size() >> 8), uint8_t(contents.size())});
  }
  out.insert(out.end(), contents.begin(), contents.end());
  return out;
}
B cat(std::initializer_list<B> parts) {
  B out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
B str(std::string_view s) { return tlv(tag::kOctetString, B(s.begin(), s.end())); }
B integer(uint8_t v) { return tlv(tag::kInteger, {v}); }
B sys(uint8_t leaf) { return tlv(tag::kOid, {0x2b, 6, 1, 2, 1, 1, leaf, 0}); }

B message(uint8_t version, std::string_view community, uint8_t pdu, uint8_t error, B varbinds) {
  return tlv(tag::kSequence, cat({integer(version), str(community),
                                  tlv(uint8_t(tag::kPduBase | pdu), cat({integer(42), integer(error), integer(0),
                                                                         tlv(tag::kSequence, varbinds)}))}));
}

B system_response() {
  return message(1, "secret", kPduResponse, 0,
                 cat({tlv(tag::kSequence, cat({sys(1), str("Linux box 4.4")})),
                      tlv(tag::kSequence, cat({sys(2), tlv(tag::kOid, {0x2b, 6, 1, 4, 1, 9, 1, 0x84, 0x04})})),
                      tlv(tag::kSequence, cat({sys(5), str("rtu-3\n")}))}));
}

FlowContext context() {
  FlowContext ctx;
  ctx.transport = 17;
  ctx.client_ip = *IpAddr::parse("10.0.0.2");
  ctx.server_ip = *IpAddr::parse("10.0.0.9");
  ctx.server_port = kAgentPort;
  return ctx;
}

TEST(SnmpParser, Oid) {
  Oid oid;
  const uint8_t enterprise[] = {0x2b, 6, 1, 4, 1, 9, 1, 0x84, 0x04};
  ASSERT_TRUE(decode_oid(enterprise, oid));
  EXPECT_EQ(oid.view(), "1.3.6.1.4.1.9.1.516");
  const uint8_t unterminated[] = {0x2b, 0x84};
  EXPECT_FALSE(decode_oid(unterminated, oid));
  const uint8_t non_minimal[] = {0x2b, 0x80, 0x01};
  EXPECT_FALSE(decode_oid(non_minimal, oid));
}

TEST(SnmpParser, ResponseVarbinds) {
  struct Collect final : VarbindVisitor {
    void varbind(const Varbind& v) override { oids.emplace_back(v.name.view()); }
    std::vector<std::string> oids;
  } collect;
  Message m;
  Varbind scratch;
  B bytes = system_response();
  ASSERT_EQ(parse(bytes, m, &collect, scratch), Anomaly::None);
  EXPECT_EQ(m.version, 1u);
  EXPECT_EQ(m.community, "secret");
  EXPECT_EQ(m.pdu_type, kPduResponse);
  EXPECT_EQ(m.request_id, 42);
  EXPECT_EQ(collect.oids, (std::vector<std::string>{"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.5.0"}));
}

TEST(SnmpParser, Anomalies) {
  Message m;
  Varbind s;
  EXPECT_EQ(parse(B{0x30, 0x05, 0x02}, m, nullptr, s), Anomaly::BadBer);
  EXPECT_EQ(parse(message(2, "x", 0, 0, {}), m, nullptr, s), Anomaly::UnknownVersion);
  EXPECT_EQ(parse(message(1, "x", 9, 0, {}), m, nullptr, s), Anomaly::UnknownPdu);
  B many;
  for (int i = 0; i < 130; ++i) many = cat({many, tlv(tag::kSequence, cat({sys(1), tlv(tag::kNull, {})}))});
  EXPECT_EQ(parse(message(1, "x", 0, 0, many), m, nullptr, s), Anomaly::TooManyVarbinds);
  B indefinite = {0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00};
  EXPECT_EQ(parse(indefinite, m, nullptr, s), Anomaly::BadBer);
}

TEST(SnmpParser, EveryPrefixFails) {
  B bytes = system_response();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Message m;
    Varbind s;
    EXPECT_NE(parse(Bytes(bytes.data(), n), m, nullptr, s), Anomaly::None) << n;
  }
}

TEST(SnmpSession, GetAndResponse) {
  RecordingSink sink;
  SnmpSession session(sink);
  session.data(context(), Direction::FromClient,
               message(1, "public", 0, 0, tlv(tag::kSequence, cat({sys(1), tlv(tag::kNull, {})}))));
  session.data(context(), Direction::FromServer, system_response());
  session.data(context(), Direction::FromServer, system_response());
  EXPECT_EQ(sink.confirmations.size(), 1u);
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.operations[0].name, "get-request");
  EXPECT_EQ(sink.operations[0].object, "1.3.6.1.2.1.1.1.0");
  EXPECT_EQ(sink.operations[0].unit, 42u);
  EXPECT_EQ(sink.operations[1].name, "response");
  EXPECT_EQ(sink.operations[1].quantity, 3u);
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"snmp.default_community"});
  EXPECT_EQ(sink.identities.size(), 3u);  // once per session
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "Linux box 4.4"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "rtu-3"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "sysObjectID 1.3.6.1.4.1.9.1.516"));
  for (const auto& i : sink.identities) EXPECT_EQ(i.value.find("secret"), std::string::npos);
}

TEST(SnmpSession, SetErrorTrapAndV3) {
  RecordingSink sink;
  SnmpSession session(sink);
  session.data(context(), Direction::FromClient,
               message(1, "private", 3, 0, tlv(tag::kSequence, cat({sys(5), str("x")}))));
  session.data(context(), Direction::FromServer,
               message(1, "private", kPduResponse, 2, tlv(tag::kSequence, cat({sys(5), str("x")}))));
  B trap = tlv(tag::kSequence, cat({integer(0), str("c"),
                                    tlv(0xA4, cat({tlv(tag::kOid, {0x2b, 6, 1}), tlv(0x40, {10, 0, 0, 9}), integer(6),
                                                   integer(1), tlv(0x43, {1}), tlv(tag::kSequence, {})}))}));
  session.data(context(), Direction::FromServer, trap);
  B v3 = tlv(tag::kSequence, cat({integer(3), tlv(tag::kSequence, {}), str(""), str("encrypted")}));
  session.data(context(), Direction::FromClient, v3);
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_TRUE(sink.operations[1].is_error);
  EXPECT_EQ(sink.operations[2].name, "trap");
  EXPECT_EQ(sink.operations[3].name, "SNMPv3");
  EXPECT_TRUE(sink.identities.empty());  // the error response carries no trustworthy value
  EXPECT_TRUE(sink.has_anomaly("snmp.default_community"));
}

TEST(SnmpSession, RejectsAfterRepeatedGarbage) {
  RecordingSink sink;
  SnmpSession session(sink);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) session.data(context(), Direction::FromClient, B{0x30});
  EXPECT_TRUE(session.rejected());
  EXPECT_EQ(probe(Direction::FromClient, system_response()), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, B{'G', 'E', 'T', ' '}), ProbeResult::NoMatch);
}

TEST(SnmpGolden, ZeekSnmpwalk) {
  auto pcap = it_test::kPcapDir / "snmp_zeek_snmpwalk-short.pcap";
  OTS_REQUIRE_PCAP(pcap);
  auto rows = it_test::tshark_fields(pcap, "snmp", {"ip.src", "ip.dst", "udp.srcport", "udp.payload"});
  ASSERT_FALSE(rows.empty());
  RecordingSink sink;
  SnmpSession session(sink);
  for (const auto& row : rows) {
    bool from_agent = row[2] == "161";
    FlowContext ctx;
    ctx.client_ip = *IpAddr::parse(from_agent ? row[1] : row[0]);
    ctx.server_ip = *IpAddr::parse(from_agent ? row[0] : row[1]);
    session.data(ctx, from_agent ? Direction::FromServer : Direction::FromClient, it_test::from_hex(row[3]));
  }
  EXPECT_EQ(sink.operations.size(), rows.size());
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"snmp.default_community"});
  auto expected = it_test::tshark_fields(pcap, "snmp.name == 1.3.6.1.2.1.1.1.0 and snmp.value.octets",
                                         {"ip.src", "snmp.value.octets"});
  ASSERT_EQ(expected.size(), 1u);
  EXPECT_EQ(expected[0][0], "138.68.10.203");
  auto octets = it_test::from_hex(expected[0][1]);  // tshark prints the octets in hex
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, std::string(octets.begin(), octets.end())));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description,
                                "Linux ubuntu-512mb-sfo2-01 4.4.0-31-generic #50~14.04.1-Ubuntu SMP Wed Jul 13 "
                                "01:07:32 UTC 2016 x86_64"));
}

}  // namespace
}  // namespace ots::snmp
