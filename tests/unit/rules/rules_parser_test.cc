// Loading rules: the test rule file, headers with variables / negation / lists, every
// option's syntax, and the report of rules that cannot be supported.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/rules/rule_test_support.h"

namespace ots::detect::rules {
namespace {

using test::Harness;
using test::modbus_adu;

const RejectedRule* rejected_sid(const RuleLoadReport& report, uint32_t sid) {
  for (const auto& r : report.rejected) {
    if (r.sid == sid) return &r;
  }
  return nullptr;
}

TEST(RuleParser, TestRuleFileLoadsCompletely) {
  auto compiled = compile_rules(test::read_file(test::test_rules_path()), test::test_variables());
  for (const auto& r : compiled.report.rejected) ADD_FAILURE() << "line " << r.line << " sid " << r.sid << ": " << r.reason;
  EXPECT_EQ(compiled.report.loaded, 28u);
  auto summary = summarize(*compiled.rules);
  auto it = std::find_if(summary.begin(), summary.end(), [](const RuleSummary& s) { return s.sid == 9000001; });
  ASSERT_NE(it, summary.end());
  EXPECT_EQ(it->msg, "OTS Modbus TCP - Restart Communications Option");
  EXPECT_EQ(it->line, 7u);  // a continued rule reports its first line
}

TEST(RuleParser, NegatedAnyIsRejectedWithTheVariableNamed) {
  // With the default MODBUS_CLIENT = any, "!$MODBUS_CLIENT" matches nothing: reported, not loaded.
  auto compiled = compile_rules(test::read_file(test::test_rules_path()));
  const RejectedRule* r = rejected_sid(compiled.report, 9000007);
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->reason.find("!$MODBUS_CLIENT"), std::string::npos) << r->reason;
  EXPECT_EQ(compiled.report.rejected.size(), 2u);  // 9000007 and the DNP3 one
}

TEST(RuleParser, CommentsBlankLinesAndContinuations) {
  auto compiled = compile_rules(
      "# comment\n\n   # indented comment\r\nalert tcp any any -> any 502 \\\n  (msg:\"a\"; \\\n sid:1;)\n"
      "alert tcp any any -> any 502 (msg:\"b\"; sid:2;)");
  EXPECT_EQ(compiled.report.loaded, 2u);
  EXPECT_TRUE(compiled.report.rejected.empty());
}

TEST(RuleParser, ReportsEveryUnsupportedRuleWithReason) {
  auto compiled = compile_rules(
      "alert tcp any any -> any 80 (msg:\"http\"; content:\"x\"; http_uri; sid:10;)\n"
      "alert tcp any any -> any 80 (msg:\"no sid\";)\n"
      "alert foo any any -> any 80 (sid:12;)\n"
      "alert tcp any any -> any 80 (content:\"a\"; offset:1; distance:2; sid:13;)\n"
      "alert tcp any any -> any 80 (pcre:\"/a/U\"; sid:14;)\n"
      "alert tcp any any -> any 80 (byte_test:2,>,var,0; sid:15;)\n"
      "alert tcp any any -> any 80 (flow:to_server,to_client; sid:16;)\n"
      "alert tcp $NOPE any -> any 80 (sid:17;)\n"
      "alert tcp any any -> any 80 (sid:18;)\n"
      "alert tcp any any -> any 80 (sid:18;)\n"
      "alert tcp any any -> any 80 (modbus: function 8, access read; sid:19;)\n"
      "alert tcp any any -> any 80 (pcre:\"/(unclosed/\"; sid:20;)\n"
      "alert tcp any any -> any 80 (content:\"abc\"; depth:2; sid:21;)\n"
      "alert tcp any any -> any 80 (enip.vendor_id:1; sid:22;)\n");
  EXPECT_EQ(compiled.report.loaded, 1u);
  ASSERT_EQ(compiled.report.rejected.size(), 13u);
  auto reason = [&](uint32_t sid) {
    const RejectedRule* r = rejected_sid(compiled.report, sid);
    return r ? r->reason : std::string("<loaded>");
  };
  EXPECT_NE(reason(10).find("http_uri"), std::string::npos);
  EXPECT_EQ(compiled.report.rejected[1].line, 2u);
  EXPECT_NE(compiled.report.rejected[1].reason.find("sid"), std::string::npos);
  EXPECT_NE(reason(12).find("protocol"), std::string::npos);
  EXPECT_NE(reason(13).find("mixes"), std::string::npos);
  EXPECT_NE(reason(14).find("'U'"), std::string::npos);
  EXPECT_NE(reason(15).find("byte_extract"), std::string::npos);
  EXPECT_NE(reason(16).find("to_server and to_client"), std::string::npos);
  EXPECT_NE(reason(17).find("$NOPE"), std::string::npos);
  EXPECT_NE(reason(18).find("duplicate"), std::string::npos);
  EXPECT_NE(reason(19).find("cannot be combined"), std::string::npos);
  EXPECT_NE(reason(20).find("pcre"), std::string::npos);
  EXPECT_NE(reason(21).find("depth"), std::string::npos);
  EXPECT_NE(reason(22).find("enip.vendor_id"), std::string::npos);
}

TEST(RuleParser, NotesForOptionsWithoutEffect) {
  auto compiled = compile_rules(
      "alert tcp any any -> any 135 (content:\"|05|\"; byte_test:4,>,1000,8,relative,dce; classtype:made-up; sid:1;)");
  EXPECT_EQ(compiled.report.loaded, 1u);
  ASSERT_EQ(compiled.report.notes.size(), 2u);
  EXPECT_NE(compiled.report.notes[0].note.find("dce"), std::string::npos);
  EXPECT_NE(compiled.report.notes[1].note.find("made-up"), std::string::npos);
}

TEST(RuleParser, MetadataFields) {
  Harness h(
      "drop tcp any any -> any 502 (msg:\"semi\\;colon \\\"q\\\"\"; content:\"|00|\"; classtype:attempted-admin; "
      "metadata:created 2024, tag ics; reference:cve,2020-0001; gid:3; sid:77; rev:4;)");
  ASSERT_EQ(h.compiled.report.loaded, 1u);
  auto payload = std::vector<uint8_t>{0};
  ASSERT_EQ(h.sids(payload), std::vector<uint32_t>{77});
  const RuleMatch& m = h.matches[0];
  EXPECT_EQ(m.gid, 3u);
  EXPECT_EQ(m.rev, 4u);
  EXPECT_EQ(m.action, Action::Drop);
  EXPECT_EQ(m.priority, 1);  // attempted-admin
  EXPECT_EQ(m.msg, "semi;colon \"q\"");
  EXPECT_EQ(m.classtype, "attempted-admin");
  EXPECT_EQ(m.metadata, "created 2024, tag ics");
  EXPECT_EQ(m.references, "cve,2020-0001");
}

TEST(RuleParser, TaggedSourcesForAlertDefinitions) {
  const RuleSource sources[] = {
      {"alert tcp any any -> any 502 (content:\"a\"; sid:1;)\nalert tcp any any -> any 502 (bogus; sid:2;)", 7},
      {"# second definition\nalert tcp any any -> any 502 (content:\"b\"; sid:3;)\n"
       "alert tcp any any -> any 502 (content:\"c\"; sid:1;)",
       9},
  };
  auto compiled = compile_rules(sources);
  EXPECT_EQ(compiled.report.loaded, 2u);
  ASSERT_EQ(compiled.report.rejected.size(), 2u);
  EXPECT_EQ(compiled.report.rejected[0].tag, 7u);
  EXPECT_EQ(compiled.report.rejected[0].line, 2u);
  EXPECT_EQ(compiled.report.rejected[1].tag, 9u);
  EXPECT_EQ(compiled.report.rejected[1].line, 3u);
  EXPECT_NE(compiled.report.rejected[1].reason.find("duplicate sid (first in source 7 line 1)"), std::string::npos);
  RuleEvaluator evaluator;
  FlowRuleState flow;
  RuleInput input;
  input.transport = 6;
  input.dst_port = 502;
  auto payload = test::bytes_of("ab");
  input.payload = payload;
  std::vector<RuleMatch> out;
  evaluator.evaluate(*compiled.rules, input, flow, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].sid, 1u);
  EXPECT_EQ(out[0].tag, 7u);
  EXPECT_EQ(out[1].sid, 3u);
  EXPECT_EQ(out[1].tag, 9u);
}

TEST(RuleHeader, AddressListsNegationCidrAndVariables) {
  Variables v = Variables::defaults();
  v.set("HOME_NET", "[10.0.0.0/8,!10.9.0.0/16]");
  v.set("EXTERNAL_NET", "!$HOME_NET");
  Harness h("alert tcp $EXTERNAL_NET any -> $HOME_NET 502 (sid:1;)\n"
            "alert tcp [192.168.1.0/24,2001:db8::/32] any -> any 502 (sid:2;)\n"
            "alert tcp any any -> ![10.0.0.2,10.0.0.3] 502 (sid:3;)\n",
            v);
  ASSERT_EQ(h.compiled.report.loaded, 3u);
  std::vector<uint8_t> payload = {1};
  h.input.src_ip = *IpAddr::parse("8.8.8.8");
  h.input.dst_ip = *IpAddr::parse("10.1.2.3");
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1, 3}));
  h.input.dst_ip = *IpAddr::parse("10.9.2.3");  // carved out of HOME_NET
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{3}));
  h.input.src_ip = *IpAddr::parse("10.1.1.1");  // inside HOME_NET: not external
  h.input.dst_ip = *IpAddr::parse("10.0.0.2");
  EXPECT_TRUE(h.sids(payload).empty());
  h.input.src_ip = *IpAddr::parse("192.168.1.77");  // external, and in sid 2's list
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1, 2}));
  h.input.dst_ip = *IpAddr::parse("10.0.0.4");
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1, 2, 3}));
  h.input.src_ip = *IpAddr::parse("2001:db8::5");
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1, 2, 3}));
}

TEST(RuleHeader, PortRangesListsAndNegation) {
  Harness h("alert tcp any any -> any 1024: (sid:1;)\n"
            "alert tcp any any -> any [80,443,8000:8100] (sid:2;)\n"
            "alert tcp any any -> any [1:1023,!80] (sid:3;)\n"
            "alert tcp any :1023 -> any any (sid:4;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 4u);
  std::vector<uint8_t> payload = {1};
  h.input.src_port = 40000;
  h.input.dst_port = 8050;
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1, 2}));
  h.input.dst_port = 80;
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{2}));
  h.input.dst_port = 22;
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{3}));
  h.input.src_port = 1000;
  h.input.dst_port = 5000;
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1, 4}));
}

TEST(RuleHeader, BidirectionalAndTransport) {
  Harness h("alert tcp 10.0.0.1 any <> 10.0.0.2 502 (sid:1;)\n"
            "alert udp any any -> any 502 (sid:2;)\n"
            "alert ip 10.0.0.2 any -> any any (sid:3;)\n"
            "alert icmp any any -> any any (sid:4;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 4u);
  std::vector<uint8_t> payload = {1};
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1}));
  std::swap(h.input.src_ip, h.input.dst_ip);
  std::swap(h.input.src_port, h.input.dst_port);
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{1, 3}));
  h.input.transport = 17;
  std::swap(h.input.src_port, h.input.dst_port);
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{2, 3}));
  h.input.transport = 1;
  h.input.src_port = h.input.dst_port = 0;
  EXPECT_EQ(h.sids(payload), (std::vector<uint32_t>{3, 4}));
}

TEST(RuleHeader, AppProtocolHeaderNeedsTheFlowProtocol) {
  Harness h("alert modbus any any -> any any (modbus: function 8; sid:1;)\n"
            "alert tcp any any -> any any (app-layer-protocol:modbus; content:\"|08|\"; sid:2;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 2u);
  auto adu = modbus_adu(1, {0x08, 0x00, 0x01, 0x00, 0x00});
  EXPECT_TRUE(h.sids(adu).empty());
  h.input.app_protocol = "modbus";
  EXPECT_EQ(h.sids(adu), (std::vector<uint32_t>{1, 2}));
  h.input.app_protocol = "dnp3";
  EXPECT_TRUE(h.sids(adu).empty());
}

}  // namespace
}  // namespace ots::detect::rules
