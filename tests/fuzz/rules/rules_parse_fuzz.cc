// Fuzzes the rule parser: arbitrary rule-file text must load or be rejected with a reason,
// never crash. The loaded rules are then evaluated once on a fixed payload.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "detect/rules/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ots::detect::rules;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Variables variables = Variables::defaults();
  variables.set("MODBUS_CLIENT", "[10.0.0.1,10.0.0.2/31,!10.0.0.3]");
  CompileResult compiled = compile_rules(text, variables);
  static const std::vector<uint8_t> kPayload = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x08, 0x00, 0x04, 0x00, 0x00};
  RuleEvaluator evaluator(64);
  FlowRuleState flow;
  RuleInput input;
  input.transport = 6;
  input.dst_port = 502;
  input.src_port = 1234;
  input.established = true;
  input.payload = kPayload;
  std::vector<RuleMatch> matches;
  evaluator.evaluate(*compiled.rules, input, flow, matches);
  return 0;
}
