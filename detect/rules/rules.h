// Suricata/Snort-syntax rules for ICS traffic: compile once, match purely.
//
//   auto compiled = ots::detect::rules::compile_rules(text, variables);   // control plane
//   // compiled.report lists every rule that did not load, with its line, sid and reason.
//   std::shared_ptr<const RuleSet> snapshot = compiled.rules;             // published to workers
//
//   RuleEvaluator evaluator;                                              // one per worker thread
//   evaluator.evaluate(*snapshot, input, flow_state, matches);            // per packet
//
// A RuleSet is immutable and may be shared by every worker, except for its bounded threshold /
// detection_filter table, which every evaluator of the set shares (under a lock, taken only
// when a rule with a threshold matched) so that counts are global. A RuleEvaluator owns the
// per-thread parts: scratch buffers and PCRE2 match data. FlowRuleState (flowbits) lives in the
// worker's flow record.
//
// Cost per packet does not grow with the number of rules: rules are grouped by transport and
// port (and by application protocol for `alert modbus …` headers); each group has an
// Aho-Corasick automaton over one content of each rule (its fast_pattern, else its longest
// content) and a short list of rules without content that are always evaluated. Only the
// candidates the prefilter yields are evaluated in full.
//
// ICS keywords (modbus, dnp3_func, dnp3_ind, dnp3_obj, dnp3_data, enip_command, cip_service) are
// evaluated on the payload bytes with the project's wire parsers, once per packet and only
// when a candidate rule needs them: every Modbus ADU, DNP3 application fragment (link CRCs
// removed, transport segments of the payload joined) or EtherNet/IP encapsulation PDU in the
// payload is a "transaction", and a rule's keywords of one protocol must all hold on the same
// one — as Suricata matches them on one transaction.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/net_types.h"

namespace ots::detect::rules {

enum class Action : uint8_t { Alert, Drop, Pass, Reject, Log };
std::string_view action_name(Action a);  // "alert", "drop", "pass", "reject", "log"

// Address and port variables ($HOME_NET, $MODBUS_SERVER, $DNP3_PORTS …), name without '$'.
// Values use rule syntax: "any", "10.0.0.0/8", "[10.0.0.1,!10.0.0.2]", "502", "[1024:,!8080]".
struct Variables {
  std::map<std::string, std::string, std::less<>> values;

  // HOME_NET / EXTERNAL_NET and the ICS client/server variables default to "any"; the port
  // variables to the protocols' registered ports (MODBUS_PORTS 502, DNP3_PORTS 20000,
  // ENIP_PORTS 44818, HTTP_PORTS 80 …).
  static Variables defaults();
  void set(std::string name, std::string value) { values[std::move(name)] = std::move(value); }
};

struct RejectedRule {
  uint32_t tag = 0;  // RuleSource::tag of the text it came from
  uint32_t sid = 0;  // 0 when the rule broke before its sid could be read
  size_t line = 0;   // 1-based line of the rule's first line in the file
  std::string reason;
};

// A rule that loaded, with a remark about a part of it that has no effect here.
struct RuleNote {
  uint32_t tag = 0;
  uint32_t sid = 0;
  size_t line = 0;
  std::string note;
};

struct RuleLoadReport {
  size_t loaded = 0;
  std::vector<RejectedRule> rejected;
  std::vector<RuleNote> notes;
};

class RuleSet;

struct CompileResult {
  std::shared_ptr<const RuleSet> rules;  // never null; empty when nothing loaded
  RuleLoadReport report;
};

// Compiles a rules file: one rule per line, lines ending in '\' continue on the next line,
// '#' comments and blank lines ignored. Rules that cannot be supported are rejected with the
// reason; the others load. A duplicate (gid, sid) is rejected (the first one stays).
CompileResult compile_rules(std::string_view text, const Variables& variables = Variables::defaults());

// Several texts compiled into one set, e.g. the `rules` of every AlertDefinition of the TI
// packages in force: each match and each report entry carries the tag of its text (an index
// into the caller's definitions), and sids must be unique across all of them.
struct RuleSource {
  std::string_view text;
  uint32_t tag = 0;
};
CompileResult compile_rules(std::span<const RuleSource> sources, const Variables& variables = Variables::defaults());

// Everything one evaluation looks at; the worker fills it from the decoded packet and flow.
// ICS keywords read `payload` with the wire parsers (see the file comment), not the
// dissectors' Operation events: Suricata's keywords are defined on the wire fields (unit id,
// sub-function, register values, CIP paths inside Multiple Service Packets) and the payload
// holds all of them, so the worker passes nothing else.
struct RuleInput {
  int64_t ts_ns = 0;            // packet time (thresholds run on it)
  uint8_t transport = 0;        // IP protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 …
  IpAddr src_ip, dst_ip;        // of this packet
  uint16_t src_port = 0, dst_port = 0;
  bool to_server = true;        // the packet travels from the flow's client to its server
  bool established = false;     // TCP: handshake completed; UDP: packets seen both ways
  bool from_stream = false;     // payload is a reassembled PDU, not one segment (flow:only_stream)
  Bytes payload;                // TCP segment / reassembled PDU, or UDP datagram
  std::string_view app_protocol;  // the flow's confirmed protocol ("modbus", "dnp3", "enip"), or ""
};

// Per-flow rule state (flowbits), kept by the worker in its flow record. Bounded: a rule set
// names at most kMaxFlowbits distinct flowbits (more are rejected at load time).
struct FlowRuleState {
  static constexpr size_t kMaxFlowbits = 128;
  std::array<uint64_t, kMaxFlowbits / 64> bits{};
  uint64_t ruleset_id = 0;  // flowbit numbering belongs to one RuleSet; reset when it changes
};

struct RuleMatch {
  uint32_t tag = 0;  // RuleSource::tag
  uint32_t gid = 1, sid = 0, rev = 0;
  Action action = Action::Alert;
  int priority = 3;
  // Views into the RuleSet; valid while the snapshot that produced them is alive.
  std::string_view msg, classtype, metadata, references;
};

// Counters of one evaluator (monotonic).
struct RuleEvaluatorStats {
  uint64_t packets = 0;
  uint64_t candidates = 0;          // rules evaluated in full
  uint64_t matches = 0;             // rule matches, before thresholds
  uint64_t alerts = 0;              // matches appended to the output
  uint64_t suppressed = 0;          // matches held back by threshold / detection_filter / noalert
  uint64_t pcre_errors = 0;         // match-limit or JIT stack exhaustion (counted as no match)
  uint64_t threshold_evictions = 0; // tracking entries overwritten because the table was full
};

class RuleEvaluator {
 public:
  // Threshold / detection_filter counts: by default those of the rule set, shared by every
  // evaluator of it (the workers), so counts and alerts do not depend on how packets are spread
  // over workers. `threshold_capacity` > 0: a private table of that many (rule, address) pairs.
  explicit RuleEvaluator(size_t threshold_capacity = 0);
  ~RuleEvaluator();
  RuleEvaluator(const RuleEvaluator&) = delete;
  RuleEvaluator& operator=(const RuleEvaluator&) = delete;

  // Appends the matches that alert to `out` (pass rules that match suppress the others;
  // noalert and thresholds hold matches back). No allocation once `out` and the evaluator's
  // scratch have grown to the rule set's size.
  void evaluate(const RuleSet& rules, const RuleInput& input, FlowRuleState& flow, std::vector<RuleMatch>& out);

  const RuleEvaluatorStats& stats() const { return stats_; }

 private:
  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
  RuleEvaluatorStats stats_;
};

// Description of a compiled rule set, for listing.
struct RuleSummary {
  uint32_t tag = 0;
  uint32_t gid = 1, sid = 0, rev = 0;
  Action action = Action::Alert;
  std::string msg;
  size_t line = 0;
};
std::vector<RuleSummary> summarize(const RuleSet& rules);
size_t rule_count(const RuleSet& rules);

}  // namespace ots::detect::rules
