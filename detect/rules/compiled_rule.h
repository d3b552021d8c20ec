// The compiled form of a rule and of a rule set (private to detect/rules).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "detect/rules/aho_corasick.h"
#include "detect/rules/interval_set.h"
#include "detect/rules/rules.h"

struct pcre2_real_code_8;

namespace ots::detect::rules {

constexpr u128 kMaxAddress = ~u128{0};
constexpr uint32_t kMaxPort = 65535;

// A comparison on an unsigned integer, as Suricata writes them: "n", "!n", "<n", "<=n",
// ">n", ">=n", "n<>m" (exclusive bounds), "n-m" (inclusive).
struct IntMatch {
  enum class Op : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, RangeExclusive, RangeInclusive };
  Op op = Op::Eq;
  uint64_t a = 0, b = 0;
  bool matches(uint64_t v) const {
    switch (op) {
      case Op::Eq: return v == a;
      case Op::Ne: return v != a;
      case Op::Lt: return v < a;
      case Op::Le: return v <= a;
      case Op::Gt: return v > a;
      case Op::Ge: return v >= a;
      case Op::RangeExclusive: return v > a && v < b;
      case Op::RangeInclusive: return v >= a && v <= b;
    }
    return false;
  }
  // Whether some value of [lo, hi] matches (Modbus address ranges).
  bool overlaps(uint64_t lo, uint64_t hi) const;
};

// ---- Payload inspection steps (one list per buffer) ----

struct ContentStep {
  std::string pattern;  // raw bytes
  bool negated = false;
  bool nocase = false;
  bool fast_pattern = false;
  bool has_offset = false, has_depth = false, has_distance = false, has_within = false;
  bool startswith = false, endswith = false;
  int64_t offset = 0, depth = 0, distance = 0, within = 0;
  bool relative() const { return has_distance || has_within; }
};

enum class NumberBase : uint8_t { Binary, Dec, Hex, Oct };

struct ByteRead {  // shared by byte_test and byte_jump
  uint8_t bytes = 1;
  int64_t offset = 0;
  bool relative = false;
  bool little_endian = false;
  NumberBase base = NumberBase::Binary;
  uint64_t bitmask = 0;  // 0: none
};

struct ByteTestStep {
  ByteRead read;
  enum class Op : uint8_t { Lt, Gt, Eq, Le, Ge, And, Xor } op = Op::Eq;
  bool negated = false;
  uint64_t value = 0;
};

struct ByteJumpStep {
  ByteRead read;
  uint64_t multiplier = 1;
  bool align = false;
  bool from_beginning = false;
  bool from_end = false;
  int64_t post_offset = 0;
};

struct IsDataAtStep {
  int64_t position = 0;
  bool relative = false;
  bool negated = false;
};

struct PcreStep {
  std::shared_ptr<pcre2_real_code_8> code;
  bool negated = false;
  bool relative = false;
};

using Step = std::variant<ContentStep, ByteTestStep, ByteJumpStep, IsDataAtStep, PcreStep>;

// ---- ICS keywords ----

struct ModbusCondition {
  enum class FunctionKind : uint8_t { None, Code, Assigned, Unassigned, Public, User, Reserved, All };
  FunctionKind function = FunctionKind::None;
  bool function_negated = false;
  uint8_t function_code = 0;
  bool has_subfunction = false;
  uint16_t subfunction = 0;
  enum class Access : uint8_t { None, Read, Write } access = Access::None;
  enum class Table : uint8_t { Any, Discretes, Coils, Input, Holding } table = Table::Any;
  std::optional<IntMatch> address;
  std::optional<IntMatch> value;
  std::optional<IntMatch> unit;
};

struct Dnp3Conditions {
  std::vector<uint8_t> functions;     // dnp3_func (each must hold: AND of keywords)
  std::vector<uint16_t> indications;  // dnp3_ind masks (any bit of a mask; every mask)
  std::vector<std::pair<uint8_t, uint8_t>> objects;  // dnp3_obj group, variation
  bool empty() const { return functions.empty() && indications.empty() && objects.empty(); }
};

struct CipServiceCondition {
  uint8_t service = 0;
  std::optional<uint16_t> class_id;
  std::optional<uint16_t> attribute;
};

struct EnipConditions {
  std::vector<IntMatch> commands;  // enip_command
  std::vector<CipServiceCondition> services;
  bool empty() const { return commands.empty() && services.empty(); }
};

// ---- Stateful options ----

struct FlowbitOp {
  enum class Kind : uint8_t { Set, Unset, Toggle, IsSet, IsNotSet } kind = Kind::Set;
  std::vector<uint16_t> bits;  // IsSet / IsNotSet: any of (a|b); Set / Unset / Toggle: all of (a&b)
};

struct ThresholdSpec {
  enum class Type : uint8_t { Limit, Threshold, Both, DetectionFilter } type = Type::Limit;
  enum class Track : uint8_t { BySrc, ByDst, ByRule, ByBoth } track = Track::BySrc;
  uint32_t count = 1;
  uint32_t seconds = 60;
};

enum class Proto : uint8_t { Ip, Tcp, Udp, Icmp, App };

struct Rule {
  uint32_t tag = 0;
  uint32_t gid = 1, sid = 0, rev = 0;
  Action action = Action::Alert;
  int priority = 3;
  std::string msg, classtype, metadata, references;
  size_t line = 0;
  uint32_t index = 0;  // position in RuleSet::rules (evaluation order)

  Proto proto = Proto::Ip;
  std::string app_protocol;  // header protocol (Proto::App) or app-layer-protocol
  IntervalSet<u128> src, dst;
  IntervalSet<uint32_t> sport, dport;
  bool bidirectional = false;

  bool flow_to_server = false, flow_to_client = false;
  bool flow_established = false, flow_not_established = false;
  bool only_stream = false, no_stream = false;
  std::optional<IntMatch> dsize;

  std::vector<Step> payload_steps;
  std::vector<Step> dnp3_data_steps;
  bool uses_dnp3_data = false;  // dnp3_data given: the rule needs a DNP3 fragment
  int prefilter_step = -1;  // index in payload_steps of the content given to the prefilter

  std::vector<ModbusCondition> modbus;
  Dnp3Conditions dnp3;
  EnipConditions enip;

  std::vector<FlowbitOp> flowbits;
  bool noalert = false;
  std::optional<ThresholdSpec> threshold;

  // The function code every match must carry, when the ICS keywords pin one down.
  std::optional<uint8_t> modbus_function_key() const;
  std::optional<uint8_t> dnp3_function_key() const;

  bool sets_flowbits() const;
  bool checks_flowbits() const;
};

struct RuleGroup {
  AhoCorasick prefilter;
  std::vector<uint32_t> always;  // rules without a prefilter content or function code
  // Rules without content whose modbus / dnp3_func keyword names one function code: candidates
  // only when an ADU / fragment of the payload carries that code.
  std::unordered_map<uint8_t, std::vector<uint32_t>> modbus_by_function, dnp3_by_function;
};

}  // namespace ots::detect::rules

namespace ots::detect::rules {

// Counts of threshold / detection_filter (per rule and tracked address, over the rule's window,
// in packet time). One table is shared by every evaluator of a RuleSet — all the workers — so a
// count is the same whichever worker saw each match; a private one serves single evaluators
// that ask for it (RuleEvaluator(capacity)). Bounded: a full probe run overwrites its oldest entry.
class ThresholdTable {
 public:
  static constexpr size_t kSharedCapacity = 65536;
  explicit ThresholdTable(size_t capacity);
  // Whether this match of `rule` alerts under its threshold; counts an overwritten entry in `evictions`.
  bool allow(const Rule& rule, const RuleInput& input, uint64_t& evictions);

 private:
  struct Entry {
    IpAddr a, b;
    uint32_t gid = 0, sid = 0;
    int64_t window_start_ns = 0;
    uint32_t count = 0;
    bool used = false;
  };
  size_t capacity_;
  std::mutex mutex_;          // taken only for a matching rule that has a threshold
  std::vector<Entry> slots_;  // allocated on first use
};

class RuleSet {
 public:
  std::vector<Rule> rules;  // evaluation order: pass, flowbit setters, the rest (file order within)
  std::vector<RuleGroup> groups;
  // Transport classes: 0 TCP, 1 UDP, 2 other (ICMP and anything else).
  std::array<std::unordered_map<uint16_t, uint32_t>, 2> by_dst_port, by_src_port;
  std::array<int32_t, 3> any_port_group{-1, -1, -1};
  int32_t ip_group = -1;  // `alert ip` rules: every packet
  std::vector<std::pair<std::string, uint32_t>> app_groups;
  uint64_t id = 0;  // unique per compiled set (flowbit numbering belongs to it)
  size_t flowbit_count = 0;
  bool needs_threshold = false;
  std::shared_ptr<ThresholdTable> thresholds;  // when needs_threshold: shared by every evaluator
};

}  // namespace ots::detect::rules
