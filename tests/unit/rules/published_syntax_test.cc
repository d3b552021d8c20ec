// The syntax published ICS rule sets of the Snort 2 era use (the Digital Bond Quickdraw SCADA
// rules for Modbus/TCP, DNP3 and EtherNet/IP): negated address variables, the bidirectional
// operator, flow options, content with offset/depth/distance/within/nocase/rawbytes/fast_pattern,
// Snort PCRE flags (A anchored, R relative, i, s, m), dsize, byte_test and byte_jump forms,
// flowbits with noalert, threshold and detection_filter, msg/reference/classtype/priority/
// metadata/sid/rev. Our own rules in that syntax (the published ones are not copied): each must
// load without a note or rejection and alert on the bytes it describes, and not on others.
#include <gtest/gtest.h>

#include "tests/unit/rules/rule_test_support.h"

namespace ots::detect::rules {
namespace {

using test::bytes_of;
using test::Harness;
using test::modbus_adu;

Variables plant_variables() {
  Variables v = Variables::defaults();
  v.set("MODBUS_CLIENT", "[10.0.0.5,10.0.0.6]");
  v.set("MODBUS_SERVER", "10.0.0.0/24");
  v.set("DNP3_CLIENT", "10.0.0.5");
  v.set("DNP3_SERVER", "10.0.0.0/24");
  v.set("ENIP_SERVER", "10.0.0.0/24");
  return v;
}

struct Published : Harness {
  explicit Published(std::string_view rule) : Harness(rule, plant_variables()) {
    EXPECT_EQ(compiled.report.loaded, 1u) << rule;
    for (const auto& r : compiled.report.rejected) ADD_FAILURE() << "rejected: " << r.reason << "\n" << rule;
    for (const auto& n : compiled.report.notes) ADD_FAILURE() << "note: " << n.note << "\n" << rule;
  }
  void from(const char* src, uint16_t sport, const char* dst, uint16_t dport, bool to_server) {
    input.src_ip = *IpAddr::parse(src);
    input.dst_ip = *IpAddr::parse(dst);
    input.src_port = sport;
    input.dst_port = dport;
    input.to_server = to_server;
  }
};

TEST(PublishedSyntax, NegatedClientVariableWithAnchoredRelativePcre) {
  Published h(
      "alert tcp !$MODBUS_CLIENT any -> $MODBUS_SERVER 502 (flow:from_client,established; content:\"|00 00|\"; "
      "offset:2; depth:2; pcre:\"/[\\S\\s]{3}(\\x05|\\x06|\\x0F|\\x10|\\x15|\\x16)/iAR\"; msg:\"write from a host "
      "that is no Modbus client\"; reference:url,example.org/ics-rules; classtype:bad-unknown; sid:9100001; rev:1; "
      "priority:1;)");
  h.from("10.0.0.66", 40000, "10.0.0.20", 502, true);
  EXPECT_TRUE(h.alerts(modbus_adu(1, {0x06, 0x00, 0x10, 0x00, 0x01})));   // write single register
  ASSERT_EQ(h.matches.size(), 1u);
  EXPECT_EQ(h.matches[0].priority, 1);
  EXPECT_EQ(h.matches[0].rev, 1u);
  EXPECT_NE(h.matches[0].references.find("example.org/ics-rules"), std::string_view::npos);
  EXPECT_FALSE(h.alerts(modbus_adu(1, {0x03, 0x00, 0x10, 0x00, 0x01})));  // a read
  h.from("10.0.0.5", 40000, "10.0.0.20", 502, true);                      // a known client
  EXPECT_FALSE(h.alerts(modbus_adu(1, {0x06, 0x00, 0x10, 0x00, 0x01})));
}

TEST(PublishedSyntax, BidirectionalOperatorAndDsize) {
  Published h(
      "alert tcp $MODBUS_CLIENT any <> $MODBUS_SERVER 502 (flow:established; dsize:>300; msg:\"oversized Modbus "
      "packet\"; reference:url,example.org/ics-rules; classtype:non-standard-protocol; sid:9100002; rev:1; "
      "priority:1;)");
  h.from("10.0.0.5", 40000, "10.0.0.20", 502, true);
  EXPECT_TRUE(h.alerts(std::vector<uint8_t>(301, 0)));
  EXPECT_FALSE(h.alerts(std::vector<uint8_t>(300, 0)));
  h.from("10.0.0.20", 502, "10.0.0.5", 40000, false);  // the other direction of `<>`
  EXPECT_TRUE(h.alerts(std::vector<uint8_t>(400, 0)));
  ASSERT_EQ(h.matches.size(), 1u);
  EXPECT_EQ(h.matches[0].classtype, "non-standard-protocol");
  EXPECT_EQ(h.matches[0].priority, 1);
}

TEST(PublishedSyntax, ByteTestAndThresholdOnServerExceptions) {
  Published h(
      "alert tcp $MODBUS_SERVER 502 -> $MODBUS_CLIENT any (flow:from_server,established; content:\"|00 00|\"; "
      "offset:2; depth:2; byte_test:1,>=,0x80,7; content:\"|06|\"; offset:8; depth:1; threshold: type threshold, "
      "track by_src, count 3, seconds 60; msg:\"server busy exceptions\"; classtype:attempted-dos; sid:9100003; "
      "rev:2; priority:3;)");
  h.from("10.0.0.20", 502, "10.0.0.5", 40000, false);
  const auto busy = modbus_adu(1, {0x83, 0x06});
  EXPECT_FALSE(h.alerts(busy));
  EXPECT_FALSE(h.alerts(busy));
  EXPECT_TRUE(h.alerts(busy));                            // the third within the window
  EXPECT_FALSE(h.alerts(modbus_adu(1, {0x03, 0x06})));    // no exception bit
}

TEST(PublishedSyntax, Dnp3FunctionByOffsetFromUnauthorisedClient) {
  Published h(
      "alert tcp !$DNP3_CLIENT any -> $DNP3_SERVER 20000 (flow:established,to_server; content:\"|05 64|\"; depth:2; "
      "content:\"|0D|\"; offset:12; depth:1; msg:\"DNP3 cold restart from an unknown master\"; "
      "reference:url,example.org/ics-rules; classtype:attempted-dos; sid:9100004; rev:1; priority:1;)");
  h.from("10.0.0.66", 40000, "10.0.0.20", 20000, true);
  std::vector<uint8_t> frame = {0x05, 0x64, 0x08, 0xC4, 0x0A, 0x00, 0x01, 0x00, 0x00, 0x00, 0xC0, 0xC1, 0x0D};
  EXPECT_TRUE(h.alerts(frame));
  frame[12] = 0x01;  // a read
  EXPECT_FALSE(h.alerts(frame));
}

TEST(PublishedSyntax, BitmaskByteTestWithThresholdBothByDestination) {
  Published h(
      "alert tcp $DNP3_SERVER 20000 -> $DNP3_CLIENT any (flow:established,from_server; content:\"|05 64|\"; depth:2; "
      "content:\"|82|\"; offset:12; depth:1; byte_test:1,&,16,11; threshold: type both, track by_dst, count 4, "
      "seconds 10; msg:\"unsolicited response storm\"; classtype:attempted-dos; sid:9100005; rev:1; priority:2;)");
  h.from("10.0.0.20", 20000, "10.0.0.5", 40000, false);
  std::vector<uint8_t> unsolicited = {0x05, 0x64, 0x08, 0x44, 0x01, 0x00, 0x0A, 0x00, 0x00, 0x00, 0xC0, 0xF0, 0x82};
  int alerted = 0;
  for (int i = 0; i < 8; ++i) alerted += h.alerts(unsolicited) ? 1 : 0;
  EXPECT_EQ(alerted, 1);  // once, at the fourth
  unsolicited[11] = 0xC0;  // UNS bit clear
  EXPECT_FALSE(h.alerts(unsolicited));
}

TEST(PublishedSyntax, FlowbitsSetNoalertThenIsset) {
  Harness h(
      "alert tcp $MODBUS_CLIENT any -> $MODBUS_SERVER 502 (flow:to_server,established; content:\"|00 00|\"; "
      "offset:2; depth:2; content:\"|2B 0E|\"; offset:7; depth:2; flowbits:set,ics.devid; flowbits:noalert; "
      "msg:\"device identification asked\"; classtype:attempted-recon; sid:9100006; rev:1;)\n"
      "alert tcp $MODBUS_SERVER 502 -> $MODBUS_CLIENT any (flow:from_server,established; flowbits:isset,ics.devid; "
      "content:\"|2B 0E|\"; offset:7; depth:2; msg:\"device identification answered\"; metadata:created_at "
      "2024_01_15, signature_severity Minor; classtype:attempted-recon; sid:9100007; rev:1;)\n",
      plant_variables());
  ASSERT_EQ(h.compiled.report.loaded, 2u);
  EXPECT_TRUE(h.compiled.report.rejected.empty());
  const auto answer = modbus_adu(1, {0x2B, 0x0E, 0x01, 0x01});
  h.input.src_ip = *IpAddr::parse("10.0.0.20");
  h.input.dst_ip = *IpAddr::parse("10.0.0.5");
  h.input.src_port = 502;
  h.input.dst_port = 40000;
  h.input.to_server = false;
  EXPECT_TRUE(h.sids(answer).empty());  // not asked on this flow
  h.input.src_ip = *IpAddr::parse("10.0.0.5");
  h.input.dst_ip = *IpAddr::parse("10.0.0.20");
  h.input.src_port = 40000;
  h.input.dst_port = 502;
  h.input.to_server = true;
  EXPECT_TRUE(h.sids(modbus_adu(1, {0x2B, 0x0E, 0x01, 0x00})).empty());  // noalert
  h.input.src_ip = *IpAddr::parse("10.0.0.20");
  h.input.dst_ip = *IpAddr::parse("10.0.0.5");
  h.input.src_port = 502;
  h.input.dst_port = 40000;
  h.input.to_server = false;
  EXPECT_EQ(h.sids(answer), (std::vector<uint32_t>{9100007}));
  EXPECT_NE(h.matches[0].metadata.find("created_at 2024_01_15"), std::string_view::npos);
}

TEST(PublishedSyntax, ByteJumpLittleEndianRelativeAndByteTestLittle) {
  Published h(
      "alert tcp any any -> $ENIP_SERVER 44818 (flow:to_server,established; content:\"|6F 00|\"; depth:2; "
      "byte_test:2,=,0x6f,0,little; byte_jump:2,0,relative,little; content:\"|CC|\"; within:1; msg:\"jump over an "
      "encapsulation length\"; classtype:protocol-command-decode; sid:9100008; rev:1;)");
  h.from("10.0.0.66", 40000, "10.0.0.20", 44818, true);
  EXPECT_TRUE(h.alerts({0x6F, 0x00, 0x03, 0x00, 0xAA, 0xBB, 0xCC, 0xCC}));  // 4 + 3 → offset 7
  EXPECT_FALSE(h.alerts({0x6F, 0x00, 0x01, 0x00, 0xAA, 0xBB, 0xCC, 0xCC}));  // 4 + 1 → offset 5
}

TEST(PublishedSyntax, ContentModifiersPcreFlagsAndDetectionFilter) {
  Published h(
      "alert tcp any any -> $MODBUS_SERVER 502 (flow:to_server,established; content:\"LOGIN\"; nocase; fast_pattern; "
      "content:\"fail\"; distance:1; within:20; rawbytes; pcre:\"/^user=\\w+$/smiR\"; "
      "detection_filter: track by_src, count 2, seconds 60; msg:\"repeated failed logins\"; reference:cve,2000-0001; classtype:attempted-user; "
      "sid:9100009; rev:3; priority:2;)");
  h.from("10.0.0.66", 40000, "10.0.0.20", 502, true);
  const auto failed = bytes_of("login: fail\nuser=admin");
  EXPECT_FALSE(h.alerts(failed));
  EXPECT_FALSE(h.alerts(failed));
  EXPECT_TRUE(h.alerts(failed));  // after the first two
  EXPECT_FALSE(h.alerts(bytes_of("login ok: failover\nno user")));
}

// What cannot be supported is rejected with its reason, never dropped silently.
TEST(PublishedSyntax, UnsupportedConstructsAreReportedWithAReason) {
  const CompileResult r = compile_rules(
      "alert tcp any any -> any 502 (content:\"|00|\"; byte_extract:2,0,len; byte_test:1,>,len,2; sid:9100010;)\n"
      "alert tcp any any -> any 502 (modbus_func:write_single_coil; sid:9100011;)\n"
      "alert tcp any any -> any 502 (content:\"|00|\"; sid:9100012;)\n",
      plant_variables());
  EXPECT_EQ(r.report.loaded, 1u);
  ASSERT_EQ(r.report.rejected.size(), 2u);
  for (const RejectedRule& rejected : r.report.rejected) {
    EXPECT_NE(rejected.sid, 0u);
    EXPECT_FALSE(rejected.reason.empty());
  }
}

}  // namespace
}  // namespace ots::detect::rules
