// Fuzzes evaluation: a fixed rule set using every supported keyword, against arbitrary
// payload bytes. Input: byte 0 = flags (bit 0 to_server, bit 1 established, bit 2 from_stream,
// bits 3–4 transport tcp/udp/icmp, bits 5–7 server port choice), byte 1 = flow protocol
// (none/modbus/dnp3/enip), then the payload, evaluated twice (flowbits, thresholds).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "detect/rules/rules.h"

namespace {

constexpr std::string_view kRules = R"(
alert tcp any any -> any 502 (msg:"c"; content:"|00 00|"; offset:2; depth:2; content:"|08 00 04|"; offset:7; depth:3; sid:1;)
alert tcp any any -> any 502 (pcre:"/[\S\s]{3}(\x05|\x06|\x0F|\x10|\x15|\x16)/iAR"; content:"|00 00|"; offset:2; depth:2; sid:2;)
alert tcp any 502 -> any any (content:"|00 00|"; offset:2; depth:2; byte_test:1,&,0x80,7; byte_test:1,=,6,8; sid:3;)
alert tcp any any -> any 502 (content:"|10|"; offset:7; depth:1; byte_jump:1,4,relative,align,multiplier 2; isdataat:0,relative; sid:4;)
alert tcp any any -> any 502 (byte_jump:2,4,from_beginning,post_offset -3; byte_test:2,>,10,0,relative,little; sid:5;)
alert tcp any any -> any any (byte_test:5,=,12345,0,string,dec; byte_test:3,!^,0x10,1,string,hex,bitmask 0x0F; sid:6;)
alert tcp any any <> any 502 (dsize:>300; sid:7;)
alert tcp any any -> any any (modbus: function 8, subfunction 4; sid:8;)
alert tcp any any -> any any (modbus: access write holding, address 100<>200, value >5; sid:9;)
alert tcp any any -> any any (modbus: access read, address >10; modbus: unit 1-9; sid:10;)
alert tcp any any -> any any (modbus: function !assigned; threshold: type both, track by_src, count 2, seconds 5; sid:11;)
alert tcp any any -> any any (modbus: function 90, subfunction 0x10; flowbits:set,r; flowbits:noalert; sid:12;)
alert tcp any any -> any any (modbus: function 90; flowbits:isset,r; flowbits:toggle,s; sid:13;)
alert tcp any any -> any any (dnp3_func:cold_restart; dnp3_obj:60,2; sid:14;)
alert tcp any any -> any any (dnp3_ind:device_restart,reserved_1; sid:15;)
alert udp any any -> any any (dnp3_data; content:"abc"; nocase; pcre:"/a.c/sR"; sid:16;)
alert tcp any any -> any any (dnp3_func:read; dnp3_data; byte_test:1,>,0,1; pkt_data; content:"|05 64|"; depth:2; sid:17;)
alert ip any any -> any any (enip_command:0x6F; cip_service:0x4C,0x6B; sid:18;)
alert tcp any any -> any any (cip_service:1; detection_filter: track by_dst, count 1, seconds 1; sid:19;)
alert modbus any any -> any any (content:"|00|"; content:!"|FF|"; distance:1; within:4; sid:20;)
alert tcp any any -> any any (content:"|03 00|"; startswith; content:"P_PROGRAM"; nocase; content:"|29|"; distance:-20; within:12; sid:21;)
alert tcp any any -> any any (content:"abc"; endswith; isdataat:!1,relative; flowbits:isnotset,r|s; sid:22;)
pass tcp 10.0.0.99 any -> any any (sid:23;)
alert icmp any any -> any any (content:"ping"; fast_pattern; pcre:!"/pong/"; sid:24;)
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ots::detect::rules;
  static const std::shared_ptr<const RuleSet> rules = [] {
    CompileResult compiled = compile_rules(kRules);
    for (const auto& r : compiled.report.rejected) {  // the fixed set must load whole
      std::fprintf(stderr, "fixed rule set: sid %u rejected: %s\n", r.sid, r.reason.c_str());
      std::abort();
    }
    return compiled.rules;
  }();
  if (size < 2) return 0;
  static RuleEvaluator evaluator(256);
  constexpr uint16_t kPorts[] = {502, 20000, 44818, 102, 80, 2222, 1502, 47808};
  constexpr uint8_t kTransports[] = {6, 17, 1, 6};
  constexpr std::string_view kProtocols[] = {"", "modbus", "dnp3", "enip"};
  RuleInput input;
  input.to_server = data[0] & 1;
  input.established = data[0] & 2;
  input.from_stream = data[0] & 4;
  input.transport = kTransports[(data[0] >> 3) & 3];
  uint16_t port = kPorts[data[0] >> 5];
  input.src_port = input.to_server ? 40000 : port;
  input.dst_port = input.to_server ? port : 40000;
  input.src_ip = ots::IpAddr::v4(0x0A000001u);
  input.dst_ip = ots::IpAddr::v4(0x0A000002u);
  input.app_protocol = kProtocols[data[1] & 3];
  input.payload = ots::Bytes(data + 2, size - 2);
  FlowRuleState flow;
  std::vector<RuleMatch> matches;
  for (int i = 0; i < 2; ++i) {
    input.ts_ns = i * 1'000'000'000LL;
    evaluator.evaluate(*rules, input, flow, matches);
  }
  return 0;
}
