// Rule-engine throughput: evaluations per second with 1,000 and 10,000 generated rules over a
// mix of Modbus, DNP3, EtherNet/IP, S7 and HTTP-like payloads, with the prefilter (the engine
// as shipped) and, for comparison, a naive loop that evaluates every rule on every packet.
//
//   build/<dir>/detect/rules/ots_rules_bench [evaluations]     (default 200,000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "detect/rules/rules.h"

namespace {

using ots::detect::rules::compile_rules;
using ots::detect::rules::FlowRuleState;
using ots::detect::rules::RuleEvaluator;
using ots::detect::rules::RuleInput;
using ots::detect::rules::RuleMatch;

std::string hex(uint32_t value, int bytes) {
  std::string out;
  char buffer[4];
  for (int i = bytes - 1; i >= 0; --i) {
    std::snprintf(buffer, sizeof buffer, "%02X", static_cast<unsigned>((value >> (8 * i)) & 0xFF));
    if (!out.empty()) out += ' ';
    out += buffer;
  }
  return out;
}

// A rule set shaped like real ICS rule sets: content rules on the ICS ports, a few keyword
// rules without content, a few pcre rules.
std::string generate_rules(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  const uint16_t ports[] = {502, 20000, 44818, 102, 80, 2404};
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    uint16_t port = ports[rng() % std::size(ports)];
    uint32_t sid = 5'000'000 + static_cast<uint32_t>(i);
    std::string options = "msg:\"generated " + std::to_string(i) + "\"; flow:to_server; ";
    switch (i % 20) {
      case 0:
        options += "modbus: function " + std::to_string(rng() % 128) + "; ";
        port = 502;
        break;
      case 1:
        options += "content:\"|" + hex(static_cast<uint32_t>(rng()), 3) + "|\"; pcre:\"/[0-9]{2}" +
                   std::to_string(rng() % 1000) + "/R\"; ";
        break;
      default:
        options += "content:\"|" + hex(static_cast<uint32_t>(rng()), 4) + "|\"; ";
        if (i % 3 == 0) options += "offset:" + std::to_string(rng() % 8) + "; depth:16; ";
        break;
    }
    text += "alert tcp any any -> any " + std::to_string(port) + " (" + options + "sid:" + std::to_string(sid) + ";)\n";
  }
  return text;
}

struct Packet {
  std::vector<uint8_t> bytes;
  uint16_t port;
};

std::vector<Packet> payload_mix() {
  std::vector<Packet> mix;
  mix.push_back({{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}, 502});
  mix.push_back({{0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x01, 0x06, 0x00, 0x10, 0x00, 0xFF}, 502});
  mix.push_back({{0x05, 0x64, 0x08, 0xC4, 0x0A, 0x00, 0x01, 0x00, 0x5F, 0x9D, 0xC0, 0xC1, 0x0D, 0x8D, 0x8E}, 20000});
  std::vector<uint8_t> enip(40, 0);
  enip[0] = 0x6F;
  enip[2] = 16;
  mix.push_back({enip, 44818});
  mix.push_back({{0x03, 0x00, 0x00, 0x16, 0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC1, 0x02, 0x01, 0x00, 0xC2,
                  0x02, 0x01, 0x02, 0xC0, 0x01, 0x0A},
                 102});
  std::string http = "GET /index.html HTTP/1.1\r\nHost: plc.example\r\nUser-Agent: bench\r\n\r\n";
  mix.push_back({std::vector<uint8_t>(http.begin(), http.end()), 80});
  return mix;
}

void run(size_t rule_count, size_t evaluations) {
  std::string rules_text = generate_rules(rule_count, 7);
  auto compile_start = std::chrono::steady_clock::now();
  auto compiled = compile_rules(rules_text);
  double compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - compile_start).count();
  const auto& rules = *compiled.rules;
  auto mix = payload_mix();
  RuleEvaluator evaluator;
  FlowRuleState flow;
  std::vector<RuleMatch> matches;
  matches.reserve(64);
  RuleInput input;
  input.transport = 6;
  input.src_ip = *ots::IpAddr::parse("10.0.0.1");
  input.dst_ip = *ots::IpAddr::parse("10.0.0.2");
  input.src_port = 40000;
  input.established = true;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < evaluations; ++i) {
    const Packet& packet = mix[i % mix.size()];
    input.payload = packet.bytes;
    input.dst_port = packet.port;
    input.ts_ns = static_cast<int64_t>(i) * 1000;
    matches.clear();
    evaluator.evaluate(rules, input, flow, matches);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%6zu rules (%zu rejected, compiled in %.0f ms): %10.0f evaluations/s with prefilter, "
              "%.2f candidate rules/packet\n",
              compiled.report.loaded, compiled.report.rejected.size(), compile_ms, evaluations / seconds,
              static_cast<double>(evaluator.stats().candidates) / static_cast<double>(evaluations));

  // Naive: every rule is its own rule set, evaluated on every packet — cost grows with N (this
  // includes each set's fixed per-evaluation overhead, as a rule-by-rule engine would have).
  size_t naive_evaluations = std::max<size_t>(evaluations / rule_count, 20);
  const std::string& text = rules_text;
  std::vector<std::shared_ptr<const ots::detect::rules::RuleSet>> singles;
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t end = text.find('\n', line_start);
    singles.push_back(compile_rules(text.substr(line_start, end - line_start)).rules);
    line_start = end + 1;
  }
  RuleEvaluator naive;
  start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < naive_evaluations; ++i) {
    const Packet& packet = mix[i % mix.size()];
    input.payload = packet.bytes;
    input.dst_port = packet.port;
    matches.clear();
    for (const auto& single : singles) naive.evaluate(*single, input, flow, matches);
  }
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%6zu rules: %10.0f evaluations/s with one rule set per rule (no prefilter)\n", rule_count,
              naive_evaluations / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  size_t evaluations = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200'000;
  run(1'000, evaluations);
  run(10'000, evaluations);
  return 0;
}
