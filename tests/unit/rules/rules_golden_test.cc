// Golden tests over the shared public captures: how many TCP segments / UDP datagrams a rule
// matches must equal how many frames tshark finds with the equivalent display filter.
// Skips when the captures or tshark are absent.
#include <gtest/gtest.h>

#include "tests/support/tshark.h"
#include "tests/unit/rules/rule_test_support.h"

namespace ots::detect::rules {
namespace {

namespace ts = ots::test_support;

std::optional<std::filesystem::path> capture(const std::string& name) {
  if (!ts::have_tshark()) return std::nullopt;
  return ts::shared_pcap(name);
}

size_t tshark_frames(const std::filesystem::path& pcap, const std::string& filter) {
  return ts::tshark_fields(pcap, filter, {"frame.number"}).size();
}

// Evaluates `rule` (sid 1) on every TCP segment matching `segment_filter`; counts matches.
size_t tcp_matches(const std::filesystem::path& pcap, const std::string& rule, const std::string& segment_filter,
                   uint16_t server_port) {
  auto compiled = compile_rules(rule);
  EXPECT_EQ(compiled.report.loaded, 1u);
  RuleEvaluator evaluator;
  FlowRuleState flow;
  std::vector<RuleMatch> matches;
  size_t count = 0;
  for (const auto& segment : ts::tcp_segments(pcap, segment_filter)) {
    RuleInput input;
    input.transport = 6;
    input.src_port = segment.src_port;
    input.dst_port = segment.dst_port;
    input.to_server = segment.dst_port == server_port;
    input.established = true;
    input.payload = segment.payload;
    matches.clear();
    evaluator.evaluate(*compiled.rules, input, flow, matches);
    count += matches.size();
  }
  return count;
}

size_t udp_matches(const std::filesystem::path& pcap, const std::string& rule, const std::string& filter) {
  auto compiled = compile_rules(rule);
  EXPECT_EQ(compiled.report.loaded, 1u);
  RuleEvaluator evaluator;
  FlowRuleState flow;
  std::vector<RuleMatch> matches;
  size_t count = 0;
  for (const auto& datagram : ts::udp_datagrams(pcap, filter)) {
    RuleInput input;
    input.transport = 17;
    input.src_ip = *IpAddr::parse(datagram.src_ip);
    input.dst_ip = *IpAddr::parse(datagram.dst_ip);
    input.src_port = datagram.src_port;
    input.dst_port = datagram.dst_port;
    input.payload = datagram.payload;
    matches.clear();
    evaluator.evaluate(*compiled.rules, input, flow, matches);
    count += matches.size();
  }
  return count;
}

const std::string kNoRetransmissions = "!tcp.analysis.retransmission";

TEST(RulesGolden, ModbusDiagnosticsQuickdraw) {
  auto pcap = capture("modbus_iti_quickdraw_modbus_test_data_part1.pcap");
  if (!pcap) GTEST_SKIP() << "shared capture or tshark absent";
  size_t expected = tshark_frames(*pcap, "modbus.func_code == 8 && tcp.dstport == 502 && " + kNoRetransmissions);
  ASSERT_GT(expected, 0u);
  std::string filter = "tcp.port == 502 && " + kNoRetransmissions;
  EXPECT_EQ(tcp_matches(*pcap, "alert tcp any any -> any 502 (flow:to_server; modbus: function 8; sid:1;)", filter, 502),
            expected);
  EXPECT_EQ(tcp_matches(*pcap,
                        "alert tcp any any -> any 502 (flow:to_server; content:\"|00 00|\"; offset:2; depth:2; "
                        "content:\"|08|\"; offset:7; depth:1; sid:1;)",
                        filter, 502),
            expected);
  // Per diagnostic sub-function as well.
  for (int sub : {1, 4, 10}) {
    size_t want = tshark_frames(*pcap, "modbus.diagnostic_code == " + std::to_string(sub) +
                                           " && tcp.dstport == 502 && " + kNoRetransmissions);
    EXPECT_EQ(tcp_matches(*pcap,
                          "alert tcp any any -> any 502 (modbus: function 8, subfunction " + std::to_string(sub) +
                              "; sid:1;)",
                          filter, 502),
              want)
        << "subfunction " << sub;
  }
}

TEST(RulesGolden, ModbusHoldingWrites) {
  auto pcap = capture("modbus_iti_modbus_test.pcap");
  if (!pcap) GTEST_SKIP() << "shared capture or tshark absent";
  size_t expected = tshark_frames(*pcap, "modbus.func_code == 6 && tcp.dstport == 502 && " + kNoRetransmissions);
  ASSERT_GT(expected, 0u);
  EXPECT_EQ(tcp_matches(*pcap, "alert tcp any any -> any 502 (modbus: access write holding; sid:1;)",
                        "tcp.port == 502 && " + kNoRetransmissions, 502),
            expected);
  size_t reads = tshark_frames(*pcap, "modbus.func_code == 4 && tcp.dstport == 502 && " + kNoRetransmissions);
  EXPECT_EQ(tcp_matches(*pcap, "alert tcp any any -> any 502 (modbus: access read input; sid:1;)",
                        "tcp.port == 502 && " + kNoRetransmissions, 502),
            reads);
}

TEST(RulesGolden, Dnp3Functions) {
  auto pcap = capture("dnp3_zeek_dnp3.pcap");
  if (!pcap) GTEST_SKIP() << "shared capture or tshark absent";
  for (const auto& [name, code] : std::vector<std::pair<std::string, int>>{
           {"disable_unsolicited", 21}, {"stop_appl", 18}, {"read", 1}, {"unsolicited_response", 130}}) {
    size_t expected = tshark_frames(*pcap, "dnp3.al.func == " + std::to_string(code) + " && " + kNoRetransmissions);
    ASSERT_GT(expected, 0u) << name;
    EXPECT_EQ(tcp_matches(*pcap, "alert tcp any any -> any any (dnp3_func:" + name + "; sid:1;)",
                          "tcp.port == 20000 && " + kNoRetransmissions, 20000),
              expected)
        << name;
  }
}

TEST(RulesGolden, EnipListIdentityAndCipService) {
  auto identity = capture("enip_iti_quickdraw_EIP-IPAddressChangeAttempt.pcap");
  if (!identity) GTEST_SKIP() << "shared capture or tshark absent";
  size_t expected = tshark_frames(*identity, "udp && enip.command == 0x0063");
  ASSERT_GT(expected, 0u);
  EXPECT_EQ(udp_matches(*identity, "alert udp any any -> any any (enip_command:99; sid:1;)", ""), expected);

  auto upload = capture("enip_iti_quickdraw_EIP-SoftwareUpload.pcap");
  if (!upload) GTEST_SKIP() << "shared capture absent";
  size_t pccc = tshark_frames(*upload, "cip.sc == 0x4b && tcp.dstport == 44818 && " + kNoRetransmissions);
  ASSERT_GT(pccc, 0u);
  EXPECT_EQ(tcp_matches(*upload, "alert tcp any any -> any 44818 (cip_service:0x4B; sid:1;)",
                        "tcp.port == 44818 && " + kNoRetransmissions, 44818),
            pccc);
}

}  // namespace
}  // namespace ots::detect::rules
