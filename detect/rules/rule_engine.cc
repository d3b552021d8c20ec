// Evaluation: prefilter candidates, then each candidate rule in full.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstring>

#include "detect/rules/compiled_rule.h"
#include "detect/rules/ics_keywords.h"

namespace ots::detect::rules {
namespace {

constexpr uint32_t kBacktrackBudget = 4096;  // content retries per rule and buffer
constexpr uint32_t kPcreMatchLimit = 100000;
constexpr uint32_t kPcreDepthLimit = 10000;
constexpr size_t kThresholdProbe = 8;

u128 to_u128(const IpAddr& ip) {
  u128 v = 0;
  for (uint8_t b : ip.bytes) v = v << 8 | b;
  return v;
}

// ---- Payload inspection ----

size_t find_pattern(const ContentStep& c, Bytes buffer, size_t from, size_t to) {
  const size_t n = c.pattern.size();
  if (to > buffer.size() || from > to || to - from < n) return SIZE_MAX;
  const auto* pattern = reinterpret_cast<const uint8_t*>(c.pattern.data());
  if (!c.nocase) {
    const void* hit = memmem(buffer.data() + from, to - from, pattern, n);
    return hit ? static_cast<size_t>(static_cast<const uint8_t*>(hit) - buffer.data()) : SIZE_MAX;
  }
  const auto& fold = AhoCorasick::kFold;
  for (size_t pos = from; pos + n <= to; ++pos) {
    size_t i = 0;
    while (i < n && fold[buffer[pos + i]] == fold[pattern[i]]) ++i;
    if (i == n) return pos;
  }
  return SIZE_MAX;
}

bool read_number(const ByteRead& read, Bytes buffer, size_t cursor, uint64_t& value, size_t& end) {
  int64_t start = (read.relative ? static_cast<int64_t>(cursor) : 0) + read.offset;
  if (start < 0 || static_cast<uint64_t>(start) + read.bytes > buffer.size()) return false;
  const uint8_t* p = buffer.data() + start;
  value = 0;
  if (read.base == NumberBase::Binary) {
    for (size_t i = 0; i < read.bytes; ++i) {
      size_t index = read.little_endian ? read.bytes - 1 - i : i;
      value = value << 8 | p[index];
    }
  } else {
    const unsigned base = read.base == NumberBase::Dec ? 10 : read.base == NumberBase::Hex ? 16 : 8;
    size_t digits = 0;
    for (size_t i = 0; i < read.bytes; ++i) {
      char c = static_cast<char>(p[i]);
      unsigned digit = c >= '0' && c <= '9' ? static_cast<unsigned>(c - '0')
                       : c >= 'a' && c <= 'f' ? static_cast<unsigned>(c - 'a' + 10)
                       : c >= 'A' && c <= 'F' ? static_cast<unsigned>(c - 'A' + 10)
                                              : 99;
      if (digit >= base) break;  // the number ends at the first non-digit
      if (value > (UINT64_MAX - digit) / base) return false;
      value = value * base + digit;
      ++digits;
    }
    if (digits == 0) return false;
  }
  if (read.bitmask != 0) {
    value &= read.bitmask;
    value >>= std::countr_zero(read.bitmask);
  }
  end = static_cast<size_t>(start) + read.bytes;
  return true;
}

struct Inspector {
  Bytes buffer;
  pcre2_match_data* match_data;
  pcre2_match_context* match_context;
  uint64_t* pcre_errors;
  uint32_t budget = kBacktrackBudget;

  bool run(std::span<const Step> steps, size_t index, size_t cursor) {
    if (index == steps.size()) return true;
    if (budget == 0) return false;
    --budget;
    return std::visit([&](const auto& step) { return check(step, steps, index, cursor); }, steps[index]);
  }

  bool check(const ContentStep& c, std::span<const Step> steps, size_t index, size_t cursor) {
    const int64_t size = static_cast<int64_t>(buffer.size());
    const int64_t n = static_cast<int64_t>(c.pattern.size());
    int64_t from = 0, to = size;
    if (c.relative()) {
      from = static_cast<int64_t>(cursor) + (c.has_distance ? c.distance : 0);
      if (c.has_within) to = std::min(to, from + c.within);
      from = std::max<int64_t>(from, 0);
    } else {
      if (c.has_offset) from = c.offset;
      if (c.has_depth) to = std::min(to, from + c.depth);
    }
    if (c.startswith) to = std::min(to, n);
    if (c.endswith) from = std::max(from, size - n);
    if (from > to || from > size) return c.negated && run(steps, index + 1, cursor);
    size_t pos = find_pattern(c, buffer, static_cast<size_t>(from), static_cast<size_t>(to));
    if (c.negated) return pos == SIZE_MAX && run(steps, index + 1, cursor);
    // Later relative options may fail at one occurrence and hold at a later one.
    while (pos != SIZE_MAX) {
      if (run(steps, index + 1, pos + c.pattern.size())) return true;
      if (budget == 0) return false;
      pos = find_pattern(c, buffer, pos + 1, static_cast<size_t>(to));
    }
    return false;
  }

  bool check(const ByteTestStep& t, std::span<const Step> steps, size_t index, size_t cursor) {
    uint64_t value = 0;
    size_t end = 0;
    if (!read_number(t.read, buffer, cursor, value, end)) return false;
    bool hit = false;
    switch (t.op) {
      case ByteTestStep::Op::Lt: hit = value < t.value; break;
      case ByteTestStep::Op::Gt: hit = value > t.value; break;
      case ByteTestStep::Op::Eq: hit = value == t.value; break;
      case ByteTestStep::Op::Le: hit = value <= t.value; break;
      case ByteTestStep::Op::Ge: hit = value >= t.value; break;
      case ByteTestStep::Op::And: hit = (value & t.value) != 0; break;
      case ByteTestStep::Op::Xor: hit = (value ^ t.value) != 0; break;
    }
    return hit != t.negated && run(steps, index + 1, cursor);
  }

  bool check(const ByteJumpStep& j, std::span<const Step> steps, size_t index, size_t cursor) {
    uint64_t value = 0;
    size_t end = 0;
    if (!read_number(j.read, buffer, cursor, value, end)) return false;
    if (value > (uint64_t{1} << 32) || j.multiplier > (uint64_t{1} << 16)) return false;
    uint64_t jump = value * j.multiplier;
    if (j.align && jump % 4 != 0) jump += 4 - jump % 4;
    int64_t base = j.from_beginning ? 0 : j.from_end ? static_cast<int64_t>(buffer.size()) : static_cast<int64_t>(end);
    int64_t target = base + static_cast<int64_t>(jump) + j.post_offset;
    if (target < 0 || target > static_cast<int64_t>(buffer.size())) return false;
    return run(steps, index + 1, static_cast<size_t>(target));
  }

  bool check(const IsDataAtStep& d, std::span<const Step> steps, size_t index, size_t cursor) {
    int64_t position = (d.relative ? static_cast<int64_t>(cursor) : 0) + d.position;
    bool has_data = position < static_cast<int64_t>(buffer.size());
    return has_data != d.negated && run(steps, index + 1, cursor);
  }

  bool check(const PcreStep& p, std::span<const Step> steps, size_t index, size_t cursor) {
    static constexpr uint8_t kEmpty = 0;
    const uint8_t* subject = buffer.empty() ? &kEmpty : buffer.data();
    size_t start = p.relative ? std::min(cursor, buffer.size()) : 0;
    int rc = pcre2_match(p.code.get(), subject, buffer.size(), start, 0, match_data, match_context);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) ++*pcre_errors;
    bool matched = rc >= 0;
    if (p.negated) return !matched && run(steps, index + 1, cursor);
    if (!matched) return false;
    size_t end = pcre2_get_ovector_pointer(match_data)[1];
    return run(steps, index + 1, end);
  }
};

}  // namespace

ThresholdTable::ThresholdTable(size_t capacity)
    : capacity_(std::bit_ceil(std::max<size_t>(capacity, kThresholdProbe))) {}

bool ThresholdTable::allow(const Rule& rule, const RuleInput& input, uint64_t& evictions) {
  const ThresholdSpec& spec = *rule.threshold;
  Entry key;
  key.gid = rule.gid;
  key.sid = rule.sid;
  switch (spec.track) {
    case ThresholdSpec::Track::BySrc: key.a = input.src_ip; break;
    case ThresholdSpec::Track::ByDst: key.a = input.dst_ip; break;
    case ThresholdSpec::Track::ByRule: break;
    case ThresholdSpec::Track::ByBoth:
      key.a = input.src_ip;
      key.b = input.dst_ip;
      break;
  }
  const uint64_t hash =
      hash_bytes(key.a.bytes.data(), 16, hash_bytes(key.b.bytes.data(), 16, uint64_t{key.gid} << 32 | key.sid));
  const int64_t window_ns = int64_t{spec.seconds} * 1'000'000'000;
  std::lock_guard lock(mutex_);
  if (slots_.empty()) slots_.resize(capacity_);
  Entry* slot = nullptr;
  Entry* oldest = nullptr;
  for (size_t i = 0; i < kThresholdProbe; ++i) {
    Entry& e = slots_[(hash + i) & (capacity_ - 1)];
    if (!e.used) {
      slot = &e;
      break;
    }
    if (e.gid == key.gid && e.sid == key.sid && e.a == key.a && e.b == key.b) {
      slot = &e;
      break;
    }
    if (!oldest || e.window_start_ns < oldest->window_start_ns) oldest = &e;
  }
  if (!slot) {
    slot = oldest;
    slot->used = false;
    ++evictions;
  }
  // Workers run a little apart in packet time, so a match slightly older than the window's
  // start still belongs to it; one a whole window older (another capture file) restarts it.
  if (!slot->used || input.ts_ns - slot->window_start_ns >= window_ns ||
      slot->window_start_ns - input.ts_ns >= window_ns) {
    *slot = key;
    slot->used = true;
    slot->window_start_ns = input.ts_ns;
    slot->count = 0;
  }
  const uint32_t count = ++slot->count;
  switch (spec.type) {
    case ThresholdSpec::Type::Limit: return count <= spec.count;
    case ThresholdSpec::Type::Both: return count == spec.count;
    case ThresholdSpec::Type::DetectionFilter: return count > spec.count;
    case ThresholdSpec::Type::Threshold:
      if (count >= spec.count) {
        slot->count = 0;
        return true;
      }
      return false;
  }
  return false;
}

struct RuleEvaluator::Scratch {
  explicit Scratch(size_t threshold_capacity) {
    if (threshold_capacity != 0) own_thresholds = std::make_unique<ThresholdTable>(threshold_capacity);
    match_data = pcre2_match_data_create(1, nullptr);
    match_context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(match_context, kPcreMatchLimit);
    pcre2_set_depth_limit(match_context, kPcreDepthLimit);
    jit_stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, nullptr);
    if (jit_stack) pcre2_jit_stack_assign(match_context, nullptr, jit_stack);
  }
  ~Scratch() {
    pcre2_match_data_free(match_data);
    pcre2_match_context_free(match_context);
    if (jit_stack) pcre2_jit_stack_free(jit_stack);
  }

  std::vector<uint32_t> stamp;  // per rule: the generation that last made it a candidate
  uint32_t generation = 0;
  std::vector<uint32_t> candidates;
  IcsView ics;
  pcre2_match_data* match_data = nullptr;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  std::unique_ptr<ThresholdTable> own_thresholds;  // a private table, when asked for one
  uint64_t ruleset_id = 0;
};

RuleEvaluator::RuleEvaluator(size_t threshold_capacity) : scratch_(std::make_unique<Scratch>(threshold_capacity)) {}
RuleEvaluator::~RuleEvaluator() = default;

namespace {

bool header_matches(const Rule& rule, const RuleInput& in, u128 src, u128 dst) {
  switch (rule.proto) {
    case Proto::Ip: break;
    case Proto::Tcp:
      if (in.transport != 6) return false;
      break;
    case Proto::Udp:
      if (in.transport != 17) return false;
      break;
    case Proto::Icmp:
      if (in.transport != 1 && in.transport != 58) return false;
      break;
    case Proto::App:
      if (in.transport != 6 && in.transport != 17) return false;
      break;
  }
  if (!rule.app_protocol.empty() && in.app_protocol != rule.app_protocol) return false;
  bool forward = rule.src.contains(src) && rule.dst.contains(dst) && rule.sport.contains(in.src_port) &&
                 rule.dport.contains(in.dst_port);
  if (!forward) {
    if (!rule.bidirectional) return false;
    if (!(rule.src.contains(dst) && rule.dst.contains(src) && rule.sport.contains(in.dst_port) &&
          rule.dport.contains(in.src_port))) {
      return false;
    }
  }
  if (rule.flow_to_server && !in.to_server) return false;
  if (rule.flow_to_client && in.to_server) return false;
  if (rule.flow_established && !in.established) return false;
  if (rule.flow_not_established && in.established) return false;
  if (rule.only_stream && !in.from_stream) return false;
  if (rule.no_stream && in.from_stream) return false;
  if (rule.dsize && !rule.dsize->matches(in.payload.size())) return false;
  return true;
}

bool bit_set(const FlowRuleState& flow, uint16_t bit) { return (flow.bits[bit / 64] >> (bit % 64)) & 1; }

bool flowbit_conditions(const Rule& rule, const FlowRuleState& flow) {
  for (const FlowbitOp& op : rule.flowbits) {
    if (op.kind != FlowbitOp::Kind::IsSet && op.kind != FlowbitOp::Kind::IsNotSet) continue;
    bool any = std::any_of(op.bits.begin(), op.bits.end(), [&](uint16_t bit) { return bit_set(flow, bit); });
    if (op.kind == FlowbitOp::Kind::IsSet && !any) return false;
    // isnotset,a|b: some named bit is not set.
    if (op.kind == FlowbitOp::Kind::IsNotSet &&
        std::all_of(op.bits.begin(), op.bits.end(), [&](uint16_t bit) { return bit_set(flow, bit); })) {
      return false;
    }
  }
  return true;
}

void flowbit_actions(const Rule& rule, FlowRuleState& flow) {
  for (const FlowbitOp& op : rule.flowbits) {
    for (uint16_t bit : op.bits) {
      uint64_t mask = uint64_t{1} << (bit % 64);
      uint64_t& word = flow.bits[bit / 64];
      switch (op.kind) {
        case FlowbitOp::Kind::Set: word |= mask; break;
        case FlowbitOp::Kind::Unset: word &= ~mask; break;
        case FlowbitOp::Kind::Toggle: word ^= mask; break;
        default: break;
      }
    }
  }
}

}  // namespace

void RuleEvaluator::evaluate(const RuleSet& set, const RuleInput& input, FlowRuleState& flow,
                             std::vector<RuleMatch>& out) {
  Scratch& s = *scratch_;
  ++stats_.packets;
  if (flow.ruleset_id != set.id) {
    flow.bits = {};
    flow.ruleset_id = set.id;
  }
  if (s.ruleset_id != set.id) {  // a new snapshot: size the per-rule scratch once
    s.ruleset_id = set.id;
    s.stamp.assign(set.rules.size(), 0);
    s.generation = 0;
    s.candidates.reserve(set.rules.size());
  }
  if (++s.generation == 0) {
    std::fill(s.stamp.begin(), s.stamp.end(), 0);
    s.generation = 1;
  }
  s.candidates.clear();
  s.ics.reset(input.payload, input.to_server);
  auto add = [&](uint32_t rule) {
    if (s.stamp[rule] == s.generation) return;
    s.stamp[rule] = s.generation;
    s.candidates.push_back(rule);
  };
  auto collect = [&](int64_t group_index) {
    if (group_index < 0) return;
    const RuleGroup& group = set.groups[static_cast<size_t>(group_index)];
    for (uint32_t rule : group.always) add(rule);
    group.prefilter.scan(input.payload, add);
    if (!group.modbus_by_function.empty()) {
      for (const ModbusAduView& adu : s.ics.modbus()) {
        if (auto it = group.modbus_by_function.find(adu.function); it != group.modbus_by_function.end()) {
          for (uint32_t rule : it->second) add(rule);
        }
      }
    }
    if (!group.dnp3_by_function.empty()) {
      for (const Dnp3FragmentView& fragment : s.ics.dnp3()) {
        if (fragment.data.size() < 2) continue;
        if (auto it = group.dnp3_by_function.find(fragment.function); it != group.dnp3_by_function.end()) {
          for (uint32_t rule : it->second) add(rule);
        }
      }
    }
  };
  const size_t t = input.transport == 6 ? 0 : input.transport == 17 ? 1 : 2;
  collect(set.any_port_group[t]);
  if (t < 2) {
    if (auto it = set.by_dst_port[t].find(input.dst_port); it != set.by_dst_port[t].end()) collect(it->second);
    if (auto it = set.by_src_port[t].find(input.src_port); it != set.by_src_port[t].end()) collect(it->second);
    if (!input.app_protocol.empty()) {
      for (const auto& [name, group] : set.app_groups) {
        if (name == input.app_protocol) collect(group);
      }
    }
  }
  collect(set.ip_group);
  if (s.candidates.empty()) return;
  std::sort(s.candidates.begin(), s.candidates.end());

  const u128 src = to_u128(input.src_ip), dst = to_u128(input.dst_ip);
  for (uint32_t index : s.candidates) {
    const Rule& rule = set.rules[index];
    ++stats_.candidates;
    if (!header_matches(rule, input, src, dst) || !flowbit_conditions(rule, flow)) continue;

    if (!rule.modbus.empty()) {
      bool hit = false;
      for (const ModbusAduView& adu : s.ics.modbus()) {
        hit = std::all_of(rule.modbus.begin(), rule.modbus.end(),
                          [&](const ModbusCondition& c) { return modbus_matches(c, adu); });
        if (hit) break;
      }
      if (!hit) continue;
    }
    if (!rule.dnp3.empty() || rule.uses_dnp3_data) {
      bool hit = false;
      for (const Dnp3FragmentView& fragment : s.ics.dnp3()) {
        if (!dnp3_matches(rule.dnp3, fragment)) continue;
        Inspector inspector{fragment.data, s.match_data, s.match_context, &stats_.pcre_errors};
        if (inspector.run(rule.dnp3_data_steps, 0, 0)) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
    }
    if (!rule.enip.empty()) {
      auto commands = s.ics.enip_commands();
      bool hit = std::all_of(rule.enip.commands.begin(), rule.enip.commands.end(), [&](const IntMatch& m) {
        return std::any_of(commands.begin(), commands.end(), [&](uint16_t c) { return m.matches(c); });
      });
      if (hit && !rule.enip.services.empty()) {
        auto requests = s.ics.cip_requests();
        hit = std::all_of(rule.enip.services.begin(), rule.enip.services.end(), [&](const CipServiceCondition& c) {
          return std::any_of(requests.begin(), requests.end(), [&](const CipRequestView& r) { return cip_matches(c, r); });
        });
      }
      if (!hit) continue;
    }
    if (!rule.payload_steps.empty()) {
      Inspector inspector{input.payload, s.match_data, s.match_context, &stats_.pcre_errors};
      if (!inspector.run(rule.payload_steps, 0, 0)) continue;
    }

    ++stats_.matches;
    flowbit_actions(rule, flow);
    if (rule.action == Action::Pass) return;  // pass rules come first: nothing alerted yet
    ThresholdTable* thresholds = s.own_thresholds ? s.own_thresholds.get() : set.thresholds.get();
    if (rule.noalert ||
        (rule.threshold && thresholds && !thresholds->allow(rule, input, stats_.threshold_evictions))) {
      ++stats_.suppressed;
      continue;
    }
    ++stats_.alerts;
    out.push_back(RuleMatch{rule.tag, rule.gid, rule.sid, rule.rev, rule.action, rule.priority, rule.msg, rule.classtype,
                            rule.metadata, rule.references});
  }
}

}  // namespace ots::detect::rules
