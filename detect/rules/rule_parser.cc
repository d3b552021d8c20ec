// Rule text → compiled Rule, and the rule set with its prefilter groups.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <string>
#include <unordered_map>

#include "detect/rules/compiled_rule.h"
#include "detect/rules/ics_keywords.h"

namespace ots::detect::rules {
namespace {

constexpr size_t kMaxRuleText = 64 * 1024;
constexpr size_t kMaxSteps = 64;
constexpr int kMaxVariableDepth = 16;
constexpr uint32_t kSmallPortSet = 32;  // port lists up to this size get per-port groups

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    parts.push_back(trim(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return parts;
}

// The error of a rule that cannot be loaded.
struct RuleError {
  std::string reason;
};

// ---- Addresses and ports ----

u128 to_u128(const IpAddr& ip) {
  u128 v = 0;
  for (uint8_t b : ip.bytes) v = v << 8 | b;
  return v;
}

template <typename T>
class SetParser {
 public:
  // `literal` parses one address / port literal into a set, or returns an error.
  using Literal = std::string (*)(std::string_view, IntervalSet<T>&);
  SetParser(const Variables& variables, T max, Literal literal, std::string_view what)
      : variables_(variables), max_(max), literal_(literal), what_(what) {}

  IntervalSet<T> parse(std::string_view text) {
    text = trim(text);
    size_t pos = 0;
    IntervalSet<T> out = list_body(text, pos, 0, /*bracketed=*/false);
    if (pos != text.size()) throw RuleError{"trailing text in " + std::string(what_) + " '" + std::string(text) + "'"};
    return out;
  }

 private:
  // Items separated by commas, up to ']' when bracketed. Positive items unite; negated items
  // are taken away; a list of negations only is "anything but".
  IntervalSet<T> list_body(std::string_view text, size_t& pos, int depth, bool bracketed) {
    if (depth > kMaxVariableDepth) throw RuleError{std::string(what_) + " nested too deeply"};
    IntervalSet<T> positive, negative;
    bool any_positive = false;
    while (true) {
      skip_spaces(text, pos);
      bool negated = false;
      while (pos < text.size() && text[pos] == '!') {
        negated = !negated;
        ++pos;
        skip_spaces(text, pos);
      }
      IntervalSet<T> item = element(text, pos, depth);
      if (negated) {
        negative.unite(item);
      } else {
        positive.unite(item);
        any_positive = true;
      }
      skip_spaces(text, pos);
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      break;
    }
    if (bracketed) {
      if (pos >= text.size() || text[pos] != ']') throw RuleError{"unclosed '[' in " + std::string(what_)};
      ++pos;
    }
    IntervalSet<T> base = any_positive ? positive : IntervalSet<T>::single(0, max_);
    return base.minus(negative, max_);
  }

  IntervalSet<T> element(std::string_view text, size_t& pos, int depth) {
    if (pos >= text.size()) throw RuleError{"empty " + std::string(what_)};
    if (text[pos] == '[') {
      ++pos;
      return list_body(text, pos, depth + 1, true);
    }
    size_t end = pos;
    while (end < text.size() && text[end] != ',' && text[end] != ']' && !std::isspace(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
    std::string_view token = text.substr(pos, end - pos);
    pos = end;
    if (token.empty()) throw RuleError{"empty item in " + std::string(what_)};
    if (token == "any") return IntervalSet<T>::single(0, max_);
    if (token[0] == '$') {
      auto it = variables_.values.find(token.substr(1));
      if (it == variables_.values.end()) throw RuleError{"undefined variable " + std::string(token)};
      std::string_view value = trim(it->second);
      size_t inner = 0;
      IntervalSet<T> out = list_body(value, inner, depth + 1, false);
      if (inner != value.size()) throw RuleError{"bad value of " + std::string(token) + ": '" + std::string(value) + "'"};
      return out;
    }
    IntervalSet<T> out;
    if (std::string error = literal_(token, out); !error.empty()) throw RuleError{error};
    return out;
  }

  static void skip_spaces(std::string_view text, size_t& pos) {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  }

  const Variables& variables_;
  T max_;
  Literal literal_;
  std::string_view what_;
};

std::string address_literal(std::string_view token, IntervalSet<u128>& out) {
  std::string_view address = token;
  int prefix = -1;
  if (size_t slash = token.find('/'); slash != std::string_view::npos) {
    address = token.substr(0, slash);
    uint64_t bits = 0;
    if (!parse_uint(token.substr(slash + 1), 128, bits)) return "bad prefix length in '" + std::string(token) + "'";
    prefix = static_cast<int>(bits);
  }
  std::optional<IpAddr> ip = IpAddr::parse(address);
  if (!ip) return "bad address '" + std::string(token) + "'";
  bool v4 = ip->is_v4();
  if (prefix < 0) prefix = v4 ? 32 : 128;
  if (v4 && prefix > 32) return "bad IPv4 prefix length in '" + std::string(token) + "'";
  int bits = v4 ? prefix + 96 : prefix;
  u128 value = to_u128(*ip);
  u128 host_mask = bits == 0 ? kMaxAddress : bits == 128 ? u128{0} : (kMaxAddress >> bits);
  out = IntervalSet<u128>::single(value & ~host_mask, value | host_mask);
  return "";
}

std::string port_literal(std::string_view token, IntervalSet<uint32_t>& out) {
  auto port = [](std::string_view text, uint32_t fallback, uint32_t& value) {
    if (text.empty()) {
      value = fallback;
      return true;
    }
    uint64_t v = 0;
    if (!parse_uint(text, kMaxPort, v)) return false;
    value = static_cast<uint32_t>(v);
    return true;
  };
  uint32_t lo = 0, hi = 0;
  if (size_t colon = token.find(':'); colon != std::string_view::npos) {
    if (!port(token.substr(0, colon), 0, lo) || !port(token.substr(colon + 1), kMaxPort, hi) || lo > hi) {
      return "bad port range '" + std::string(token) + "'";
    }
  } else {
    if (!port(token, 0, lo) || token.empty()) return "bad port '" + std::string(token) + "'";
    hi = lo;
  }
  out = IntervalSet<uint32_t>::single(lo, hi);
  return "";
}

// ---- Rule text splitting ----

// Header tokens: whitespace separated, but brackets keep their spaces.
std::vector<std::string_view> header_tokens(std::string_view header) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && std::isspace(static_cast<unsigned char>(header[pos]))) ++pos;
    if (pos >= header.size()) break;
    size_t start = pos;
    int depth = 0;
    while (pos < header.size() && (depth > 0 || !std::isspace(static_cast<unsigned char>(header[pos])))) {
      if (header[pos] == '[') ++depth;
      if (header[pos] == ']') --depth;
      ++pos;
    }
    tokens.push_back(header.substr(start, pos - start));
  }
  return tokens;
}

struct Option {
  std::string name;
  std::string_view value;  // raw, trimmed
  bool has_value = false;
};

// Options are separated by ';' that is neither escaped nor inside a quoted value.
std::vector<Option> split_options(std::string_view body) {
  std::vector<Option> options;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size()) {
      char c = body[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (c != ';' || quoted) continue;
    }
    std::string_view text = trim(body.substr(start, i - start));
    start = i + 1;
    if (text.empty()) continue;
    Option option;
    size_t colon = text.find(':');
    option.name = lower(trim(text.substr(0, colon)));
    if (colon != std::string_view::npos) {
      option.value = trim(text.substr(colon + 1));
      option.has_value = true;
    }
    options.push_back(std::move(option));
  }
  if (quoted) throw RuleError{"unterminated quoted string in options"};
  return options;
}

// The text between the first and the last double quote, and whether a '!' came before it.
std::string_view quoted_value(std::string_view value, const std::string& keyword, bool* negated) {
  value = trim(value);
  if (negated) {
    *negated = false;
    if (!value.empty() && value[0] == '!') {
      *negated = true;
      value = trim(value.substr(1));
    }
  }
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    throw RuleError{keyword + ": value must be quoted"};
  }
  return value.substr(1, value.size() - 2);
}

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out.push_back(text[i]);
  }
  return out;
}

// content:"abc|0D 0A|def" → bytes.
std::string decode_content(std::string_view text) {
  std::string out;
  bool hex = false;
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '|') {
      if (hex && high >= 0) throw RuleError{"content: odd number of hex digits"};
      hex = !hex;
      continue;
    }
    if (hex) {
      if (std::isspace(static_cast<unsigned char>(c))) continue;
      int nibble = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                   : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                   : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                               : -1;
      if (nibble < 0) throw RuleError{std::string("content: bad hex digit '") + c + "'"};
      if (high < 0) {
        high = nibble;
      } else {
        out.push_back(static_cast<char>(high << 4 | nibble));
        high = -1;
      }
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) throw RuleError{"content: dangling escape"};
      out.push_back(text[++i]);
      continue;
    }
    if (c == '"' || c == ';') throw RuleError{std::string("content: unescaped '") + c + "'"};
    out.push_back(c);
  }
  if (hex) throw RuleError{"content: unterminated hex section"};
  if (out.empty()) throw RuleError{"content: empty pattern"};
  return out;
}

int64_t signed_number(std::string_view text, const std::string& keyword) {
  text = trim(text);
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  uint64_t value = 0;
  if (!parse_uint(text, 1u << 30, value)) {
    throw RuleError{keyword + ": expected a number, got '" + std::string(text) + "' (byte_extract variables are not supported)"};
  }
  return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

int priority_of_classtype(std::string_view classtype, bool& known) {
  struct Entry {
    std::string_view name;
    int priority;
  };
  // Snort / Suricata classification.config.
  constexpr Entry kClasses[] = {
      {"not-suspicious", 3}, {"unknown", 3}, {"bad-unknown", 2}, {"attempted-recon", 2},
      {"successful-recon-limited", 2}, {"successful-recon-largescale", 2}, {"attempted-dos", 2},
      {"successful-dos", 2}, {"attempted-user", 1}, {"unsuccessful-user", 1}, {"successful-user", 1},
      {"attempted-admin", 1}, {"successful-admin", 1}, {"rpc-portmap-decode", 2}, {"shellcode-detect", 1},
      {"string-detect", 3}, {"suspicious-filename-detect", 2}, {"suspicious-login", 2},
      {"system-call-detect", 2}, {"tcp-connection", 4}, {"trojan-activity", 1},
      {"unusual-client-port-connection", 2}, {"network-scan", 3}, {"denial-of-service", 2},
      {"non-standard-protocol", 2}, {"protocol-command-decode", 3}, {"web-application-activity", 2},
      {"web-application-attack", 1}, {"misc-activity", 3}, {"misc-attack", 2}, {"icmp-event", 3},
      {"inappropriate-content", 1}, {"policy-violation", 1}, {"default-login-attempt", 2},
      {"targeted-activity", 1}, {"exploit-kit", 1}, {"external-ip-check", 2}, {"domain-c2", 1},
      {"pup-activity", 2}, {"credential-theft", 1}, {"social-engineering", 2}, {"coin-mining", 2},
      {"command-and-control", 1}, {"sdf", 2},
  };
  for (const Entry& e : kClasses) {
    if (e.name == classtype) {
      known = true;
      return e.priority;
    }
  }
  known = false;
  return 3;
}

// Application protocols a rule header may name (the dissectors' names; Suricata's spelling).
bool known_app_protocol(std::string_view name) {
  constexpr std::string_view kNames[] = {
      "modbus", "dnp3",  "enip",  "s7comm", "iec104", "bacnet", "opcua", "fins", "http", "tls",
      "dns",    "smb",   "ftp",   "ssh",    "dhcp",   "snmp",   "ntp",   "sip",  "rdp",  "mqtt",
      "goose",  "profinet", "lldp", "cdp", "nbns", "vnc"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// ---- One rule ----

class RuleBuilder {
 public:
  RuleBuilder(const Variables& variables, std::unordered_map<std::string, uint16_t>& flowbit_ids, size_t line)
      : variables_(variables), flowbit_ids_(flowbit_ids) {
    rule_.line = line;
  }

  uint32_t sid_seen() const { return rule_.sid; }
  std::vector<std::string>& notes() { return notes_; }

  Rule build(std::string_view text) {
    text = trim(text);
    if (text.size() > kMaxRuleText) throw RuleError{"rule longer than 64 KiB"};
    size_t open = text.find('(');
    size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
      throw RuleError{"missing '(options)'"};
    }
    if (!trim(text.substr(close + 1)).empty()) throw RuleError{"text after the closing ')'"};
    // Read the sid first so that every later error can name it.
    std::vector<Option> options = split_options(text.substr(open + 1, close - open - 1));
    for (const Option& o : options) {
      uint64_t sid = 0;
      if (o.name == "sid" && parse_uint(o.value, UINT32_MAX, sid)) rule_.sid = static_cast<uint32_t>(sid);
    }
    header(text.substr(0, open));
    for (const Option& o : options) option(o);
    finish();
    return std::move(rule_);
  }

 private:
  void header(std::string_view text) {
    auto tokens = header_tokens(text);
    if (tokens.size() != 7) throw RuleError{"header needs 7 fields: action proto src sport dir dst dport"};
    std::string action = lower(tokens[0]);
    if (action == "alert") {
      rule_.action = Action::Alert;
    } else if (action == "drop") {
      rule_.action = Action::Drop;
    } else if (action == "pass") {
      rule_.action = Action::Pass;
    } else if (action == "reject" || action == "rejectsrc" || action == "rejectdst" || action == "rejectboth") {
      rule_.action = Action::Reject;
    } else if (action == "log") {
      rule_.action = Action::Log;
    } else {
      throw RuleError{"unknown action '" + std::string(tokens[0]) + "'"};
    }
    std::string proto = lower(tokens[1]);
    if (proto == "ip") {
      rule_.proto = Proto::Ip;
    } else if (proto == "tcp") {
      rule_.proto = Proto::Tcp;
    } else if (proto == "tcp-pkt") {
      rule_.proto = Proto::Tcp;
      rule_.no_stream = true;
    } else if (proto == "tcp-stream") {
      rule_.proto = Proto::Tcp;
      rule_.only_stream = true;
    } else if (proto == "udp") {
      rule_.proto = Proto::Udp;
    } else if (proto == "icmp" || proto == "icmpv4" || proto == "icmpv6") {
      rule_.proto = Proto::Icmp;
    } else if (known_app_protocol(proto)) {
      rule_.proto = Proto::App;
      rule_.app_protocol = proto;
    } else {
      throw RuleError{"unsupported protocol '" + std::string(tokens[1]) + "'"};
    }
    SetParser<u128> addresses(variables_, kMaxAddress, &address_literal, "address");
    SetParser<uint32_t> ports(variables_, kMaxPort, &port_literal, "port");
    rule_.src = addresses.parse(tokens[2]);
    rule_.sport = ports.parse(tokens[3]);
    if (tokens[4] == "->") {
      rule_.bidirectional = false;
    } else if (tokens[4] == "<>") {
      rule_.bidirectional = true;
    } else {
      throw RuleError{"direction must be -> or <>, not '" + std::string(tokens[4]) + "'"};
    }
    rule_.dst = addresses.parse(tokens[5]);
    rule_.dport = ports.parse(tokens[6]);
    auto never = [&](std::string_view what, std::string_view token) {
      throw RuleError{std::string(what) + " '" + std::string(token) +
                      "' matches nothing (a negated 'any'? set the variable it names)"};
    };
    if (rule_.src.empty()) never("source address", tokens[2]);
    if (rule_.dst.empty()) never("destination address", tokens[5]);
    if (rule_.sport.empty()) never("source port", tokens[3]);
    if (rule_.dport.empty()) never("destination port", tokens[6]);
  }

  std::vector<Step>& buffer() { return in_dnp3_data_ ? rule_.dnp3_data_steps : rule_.payload_steps; }

  ContentStep& last_content(const std::string& modifier) {
    auto& steps = buffer();
    if (steps.empty() || !std::holds_alternative<ContentStep>(steps.back())) {
      throw RuleError{modifier + " must follow a content"};
    }
    return std::get<ContentStep>(steps.back());
  }

  void add_step(Step step) {
    if (buffer().size() >= kMaxSteps) throw RuleError{"more than 64 inspection options"};
    buffer().push_back(std::move(step));
  }

  void option(const Option& o) {
    const std::string& name = o.name;
    auto need_value = [&] {
      if (!o.has_value || o.value.empty()) throw RuleError{name + " needs a value"};
    };
    if (name == "msg") {
      need_value();
      rule_.msg = unescape(quoted_value(o.value, name, nullptr));
    } else if (name == "sid" || name == "rev" || name == "gid" || name == "priority") {
      need_value();
      uint64_t v = 0;
      if (!parse_uint(o.value, UINT32_MAX, v)) throw RuleError{name + ": bad number '" + std::string(o.value) + "'"};
      if (name == "sid") rule_.sid = static_cast<uint32_t>(v);
      if (name == "rev") rule_.rev = static_cast<uint32_t>(v);
      if (name == "gid") rule_.gid = static_cast<uint32_t>(v);
      if (name == "priority") {
        rule_.priority = static_cast<int>(std::min<uint64_t>(v, 255));
        explicit_priority_ = true;
      }
    } else if (name == "classtype") {
      need_value();
      rule_.classtype = std::string(o.value);
      bool known = false;
      int priority = priority_of_classtype(rule_.classtype, known);
      if (!known) notes_.push_back("unknown classtype '" + rule_.classtype + "' (priority 3)");
      if (!explicit_priority_) rule_.priority = priority;
    } else if (name == "reference") {
      need_value();
      if (!rule_.references.empty()) rule_.references += "; ";
      rule_.references += std::string(o.value);
    } else if (name == "metadata") {
      need_value();
      if (!rule_.metadata.empty()) rule_.metadata += ", ";
      rule_.metadata += std::string(o.value);
    } else if (name == "target" || name == "tag") {
      notes_.push_back(name + " has no effect here");
    } else if (name == "flow") {
      need_value();
      flow(o.value);
    } else if (name == "content") {
      need_value();
      ContentStep content;
      content.pattern = decode_content(quoted_value(o.value, name, &content.negated));
      add_step(std::move(content));
    } else if (name == "nocase") {
      last_content(name).nocase = true;
    } else if (name == "rawbytes") {
      if (!buffer().empty() && std::holds_alternative<ContentStep>(buffer().back())) return;
      throw RuleError{"rawbytes must follow a content"};
    } else if (name == "fast_pattern") {
      ContentStep& content = last_content(name);
      content.fast_pattern = true;
    } else if (name == "startswith") {
      last_content(name).startswith = true;
    } else if (name == "endswith") {
      last_content(name).endswith = true;
    } else if (name == "offset" || name == "depth" || name == "distance" || name == "within") {
      need_value();
      ContentStep& content = last_content(name);
      int64_t v = signed_number(o.value, name);
      if (name == "offset") {
        if (content.has_offset || v < 0) throw RuleError{"offset given twice or negative"};
        content.has_offset = true;
        content.offset = v;
      } else if (name == "depth") {
        if (content.has_depth || v < 1) throw RuleError{"depth given twice or below 1"};
        content.has_depth = true;
        content.depth = v;
      } else if (name == "distance") {
        if (content.has_distance) throw RuleError{"distance given twice"};
        content.has_distance = true;
        content.distance = v;
      } else {
        if (content.has_within || v < 1) throw RuleError{"within given twice or below 1"};
        content.has_within = true;
        content.within = v;
      }
    } else if (name == "dsize") {
      need_value();
      IntMatch match;
      if (std::string error = parse_int_match(o.value, 65535, match); !error.empty()) throw RuleError{"dsize: " + error};
      rule_.dsize = match;
    } else if (name == "isdataat") {
      need_value();
      IsDataAtStep step;
      auto parts = split_commas(o.value);
      std::string_view position = parts[0];
      if (!position.empty() && position[0] == '!') {
        step.negated = true;
        position.remove_prefix(1);
      }
      step.position = signed_number(position, name);
      for (size_t i = 1; i < parts.size(); ++i) {
        if (parts[i] == "relative") {
          step.relative = true;
        } else if (parts[i] != "rawbytes") {
          throw RuleError{"isdataat: unknown flag '" + std::string(parts[i]) + "'"};
        }
      }
      if (step.position < 0) throw RuleError{"isdataat: negative position"};
      add_step(step);
    } else if (name == "byte_test") {
      need_value();
      add_step(byte_test(o.value));
    } else if (name == "byte_jump") {
      need_value();
      add_step(byte_jump(o.value));
    } else if (name == "pcre") {
      need_value();
      add_step(pcre(o.value));
    } else if (name == "threshold" || name == "detection_filter") {
      need_value();
      if (rule_.threshold) throw RuleError{"only one threshold or detection_filter per rule"};
      rule_.threshold = threshold(o.value, name == "detection_filter");
    } else if (name == "flowbits") {
      need_value();
      flowbits(o.value);
    } else if (name == "noalert") {
      rule_.noalert = true;
    } else if (name == "app-layer-protocol") {
      need_value();
      std::string proto = lower(o.value);
      if (!known_app_protocol(proto)) throw RuleError{"app-layer-protocol: unsupported '" + std::string(o.value) + "'"};
      if (!rule_.app_protocol.empty() && rule_.app_protocol != proto) {
        throw RuleError{"app-layer-protocol contradicts the header protocol"};
      }
      rule_.app_protocol = proto;
    } else if (name == "pkt_data") {
      in_dnp3_data_ = false;
    } else if (name == "modbus") {
      need_value();
      ModbusCondition condition;
      if (std::string error = parse_modbus_keyword(o.value, condition); !error.empty()) throw RuleError{error};
      rule_.modbus.push_back(condition);
    } else if (name == "dnp3_func" || name == "dnp3.func") {
      need_value();
      uint8_t function = 0;
      if (std::string error = parse_dnp3_func(o.value, function); !error.empty()) throw RuleError{error};
      rule_.dnp3.functions.push_back(function);
    } else if (name == "dnp3_ind" || name == "dnp3.ind") {
      need_value();
      uint16_t mask = 0;
      if (std::string error = parse_dnp3_ind(o.value, mask); !error.empty()) throw RuleError{error};
      rule_.dnp3.indications.push_back(mask);
    } else if (name == "dnp3_obj" || name == "dnp3.obj") {
      need_value();
      std::pair<uint8_t, uint8_t> object;
      if (std::string error = parse_dnp3_obj(o.value, object); !error.empty()) throw RuleError{error};
      rule_.dnp3.objects.push_back(object);
    } else if (name == "dnp3_data" || name == "dnp3.data") {
      in_dnp3_data_ = true;
      rule_.uses_dnp3_data = true;
    } else if (name == "enip_command" || name == "enip.command") {
      need_value();
      IntMatch command;
      if (std::string error = parse_enip_command(o.value, command); !error.empty()) throw RuleError{error};
      rule_.enip.commands.push_back(command);
    } else if (name == "cip_service" || name == "enip.cip_service") {
      need_value();
      CipServiceCondition service;
      if (std::string error = parse_cip_service(o.value, service); !error.empty()) throw RuleError{error};
      rule_.enip.services.push_back(service);
    } else {
      throw RuleError{"unsupported keyword '" + name + "'"};
    }
  }

  void flow(std::string_view value) {
    for (std::string_view part : split_commas(value)) {
      std::string word = lower(part);
      if (word == "to_server" || word == "from_client") {
        rule_.flow_to_server = true;
      } else if (word == "to_client" || word == "from_server") {
        rule_.flow_to_client = true;
      } else if (word == "established") {
        rule_.flow_established = true;
      } else if (word == "not_established") {
        rule_.flow_not_established = true;
      } else if (word == "stateless") {
        // No flow requirement.
      } else if (word == "only_stream") {
        rule_.only_stream = true;
      } else if (word == "no_stream") {
        rule_.no_stream = true;
      } else {
        throw RuleError{"flow: unsupported option '" + std::string(part) + "'"};
      }
    }
    if (rule_.flow_to_server && rule_.flow_to_client) throw RuleError{"flow: to_server and to_client together"};
    if (rule_.flow_established && rule_.flow_not_established) {
      throw RuleError{"flow: established and not_established together"};
    }
    if (rule_.only_stream && rule_.no_stream) throw RuleError{"flow: only_stream and no_stream together"};
  }

  // Flags common to byte_test and byte_jump; false when `flag` is not one of them.
  bool byte_read_flag(std::string_view flag, ByteRead& read, const std::string& keyword) {
    if (flag == "relative") {
      read.relative = true;
    } else if (flag == "big") {
      read.little_endian = false;
    } else if (flag == "little") {
      read.little_endian = true;
    } else if (flag == "string") {
      if (read.base == NumberBase::Binary) read.base = NumberBase::Dec;
    } else if (flag == "dec") {
      read.base = NumberBase::Dec;
    } else if (flag == "hex") {
      read.base = NumberBase::Hex;
    } else if (flag == "oct") {
      read.base = NumberBase::Oct;
    } else if (flag == "dce") {
      notes_.push_back(keyword + ": 'dce' ignored (no DCE/RPC inspection; the endianness given is used)");
    } else if (flag.starts_with("bitmask")) {
      uint64_t mask = 0;
      if (!parse_uint(trim(flag.substr(7)), UINT32_MAX, mask) || mask == 0) {
        throw RuleError{keyword + ": bad bitmask '" + std::string(flag) + "'"};
      }
      read.bitmask = mask;
    } else {
      return false;
    }
    return true;
  }

  static void check_bytes(const ByteRead& read, uint64_t bytes, const std::string& keyword) {
    uint64_t max = read.base == NumberBase::Binary ? 8 : 20;
    if (bytes < 1 || bytes > max) {
      throw RuleError{keyword + ": byte count must be 1.." + std::to_string(max)};
    }
  }

  Step byte_test(std::string_view value) {
    auto parts = split_commas(value);
    if (parts.size() < 4) throw RuleError{"byte_test: expected bytes,operator,value,offset[,flags]"};
    ByteTestStep step;
    uint64_t bytes = 0;
    if (!parse_uint(parts[0], 64, bytes)) throw RuleError{"byte_test: bad byte count '" + std::string(parts[0]) + "'"};
    std::string_view op = parts[1];
    if (!op.empty() && op[0] == '!') {
      step.negated = true;
      op.remove_prefix(1);
    }
    using Op = ByteTestStep::Op;
    if (op == "<") {
      step.op = Op::Lt;
    } else if (op == ">") {
      step.op = Op::Gt;
    } else if (op == "=" || op.empty()) {  // "!" alone is "not equal"
      step.op = Op::Eq;
    } else if (op == "<=") {
      step.op = Op::Le;
    } else if (op == ">=") {
      step.op = Op::Ge;
    } else if (op == "&") {
      step.op = Op::And;
    } else if (op == "^") {
      step.op = Op::Xor;
    } else {
      throw RuleError{"byte_test: unknown operator '" + std::string(parts[1]) + "'"};
    }
    if (!parse_uint(parts[2], UINT64_MAX, step.value)) {
      throw RuleError{"byte_test: bad value '" + std::string(parts[2]) + "' (byte_extract variables are not supported)"};
    }
    step.read.offset = signed_number(parts[3], "byte_test");
    for (size_t i = 4; i < parts.size(); ++i) {
      if (!byte_read_flag(parts[i], step.read, "byte_test")) {
        throw RuleError{"byte_test: unknown flag '" + std::string(parts[i]) + "'"};
      }
    }
    check_bytes(step.read, bytes, "byte_test");
    step.read.bytes = static_cast<uint8_t>(bytes);
    return step;
  }

  Step byte_jump(std::string_view value) {
    auto parts = split_commas(value);
    if (parts.size() < 2) throw RuleError{"byte_jump: expected bytes,offset[,flags]"};
    ByteJumpStep step;
    uint64_t bytes = 0;
    if (!parse_uint(parts[0], 64, bytes)) throw RuleError{"byte_jump: bad byte count '" + std::string(parts[0]) + "'"};
    step.read.offset = signed_number(parts[1], "byte_jump");
    for (size_t i = 2; i < parts.size(); ++i) {
      std::string_view flag = parts[i];
      if (byte_read_flag(flag, step.read, "byte_jump")) continue;
      if (flag == "align") {
        step.align = true;
      } else if (flag == "from_beginning") {
        step.from_beginning = true;
      } else if (flag == "from_end") {
        step.from_end = true;
      } else if (flag.starts_with("multiplier")) {
        uint64_t m = 0;
        if (!parse_uint(trim(flag.substr(10)), 65535, m) || m == 0) {
          throw RuleError{"byte_jump: bad multiplier '" + std::string(flag) + "'"};
        }
        step.multiplier = m;
      } else if (flag.starts_with("post_offset")) {
        step.post_offset = signed_number(flag.substr(11), "byte_jump post_offset");
      } else {
        throw RuleError{"byte_jump: unknown flag '" + std::string(flag) + "'"};
      }
    }
    if (step.from_beginning && step.from_end) throw RuleError{"byte_jump: from_beginning and from_end together"};
    check_bytes(step.read, bytes, "byte_jump");
    step.read.bytes = static_cast<uint8_t>(bytes);
    return step;
  }

  Step pcre(std::string_view value) {
    PcreStep step;
    std::string_view text = quoted_value(value, "pcre", &step.negated);
    size_t first = text.find('/');
    size_t last = text.rfind('/');
    if (first != 0 || last == first) throw RuleError{"pcre: expected \"/regex/flags\""};
    std::string_view regex = text.substr(1, last - 1);
    uint32_t options = 0;
    for (char flag : text.substr(last + 1)) {
      switch (flag) {
        case 'i': options |= PCRE2_CASELESS; break;
        case 's': options |= PCRE2_DOTALL; break;
        case 'm': options |= PCRE2_MULTILINE; break;
        case 'x': options |= PCRE2_EXTENDED; break;
        case 'A': options |= PCRE2_ANCHORED; break;
        case 'E': options |= PCRE2_DOLLAR_ENDONLY; break;
        case 'G': options |= PCRE2_UNGREEDY; break;
        case 'R': step.relative = true; break;
        case 'B':  // raw bytes: the payload is raw already
        case 'O':  // override the match limit: ours stays
          break;
        default:
          throw RuleError{std::string("pcre: flag '") + flag + "' needs an HTTP/other buffer we do not inspect"};
      }
    }
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(), options, &error,
                                     &error_offset, nullptr);
    if (!code) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      throw RuleError{"pcre: " + std::string(reinterpret_cast<const char*>(message)) + " at offset " +
                      std::to_string(error_offset)};
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
    step.code = std::shared_ptr<pcre2_code>(code, pcre2_code_free);
    return step;
  }

  ThresholdSpec threshold(std::string_view value, bool detection_filter) {
    ThresholdSpec spec;
    spec.type = detection_filter ? ThresholdSpec::Type::DetectionFilter : ThresholdSpec::Type::Limit;
    bool has_type = detection_filter, has_track = false, has_count = false, has_seconds = false;
    const std::string keyword = detection_filter ? "detection_filter" : "threshold";
    for (std::string_view part : split_commas(value)) {
      size_t space = part.find_first_of(" \t");
      std::string key = lower(part.substr(0, space));
      std::string arg = lower(space == std::string_view::npos ? std::string_view{} : trim(part.substr(space)));
      uint64_t number = 0;
      if (key == "type" && !detection_filter) {
        has_type = true;
        if (arg == "limit") {
          spec.type = ThresholdSpec::Type::Limit;
        } else if (arg == "threshold") {
          spec.type = ThresholdSpec::Type::Threshold;
        } else if (arg == "both") {
          spec.type = ThresholdSpec::Type::Both;
        } else {
          throw RuleError{keyword + ": unknown type '" + arg + "'"};
        }
      } else if (key == "track") {
        has_track = true;
        if (arg == "by_src") {
          spec.track = ThresholdSpec::Track::BySrc;
        } else if (arg == "by_dst") {
          spec.track = ThresholdSpec::Track::ByDst;
        } else if (arg == "by_rule") {
          spec.track = ThresholdSpec::Track::ByRule;
        } else if (arg == "by_both") {
          spec.track = ThresholdSpec::Track::ByBoth;
        } else {
          throw RuleError{keyword + ": unsupported track '" + arg + "'"};
        }
      } else if (key == "count" && parse_uint(arg, UINT32_MAX, number) && number > 0) {
        has_count = true;
        spec.count = static_cast<uint32_t>(number);
      } else if (key == "seconds" && parse_uint(arg, 86400 * 365, number) && number > 0) {
        has_seconds = true;
        spec.seconds = static_cast<uint32_t>(number);
      } else {
        throw RuleError{keyword + ": bad setting '" + std::string(part) + "'"};
      }
    }
    if (!has_type || !has_track || !has_count || !has_seconds) {
      throw RuleError{keyword + ": needs " + (detection_filter ? "" : "type, ") + "track, count and seconds"};
    }
    return spec;
  }

  uint16_t flowbit_id(std::string_view name) {
    if (name.empty()) throw RuleError{"flowbits: empty name"};
    auto it = flowbit_ids_.find(std::string(name));
    if (it != flowbit_ids_.end()) return it->second;
    if (flowbit_ids_.size() >= FlowRuleState::kMaxFlowbits) {
      throw RuleError{"flowbits: more than " + std::to_string(FlowRuleState::kMaxFlowbits) +
                      " distinct names in the rule set"};
    }
    auto id = static_cast<uint16_t>(flowbit_ids_.size());
    flowbit_ids_.emplace(std::string(name), id);
    return id;
  }

  void flowbits(std::string_view value) {
    auto parts = split_commas(value);
    std::string command = lower(parts[0]);
    if (command == "noalert") {
      if (parts.size() != 1) throw RuleError{"flowbits:noalert takes no name"};
      rule_.noalert = true;
      return;
    }
    if (parts.size() != 2) throw RuleError{"flowbits: expected <command>,<name>"};
    FlowbitOp op;
    using K = FlowbitOp::Kind;
    char separator = '&';
    if (command == "set") {
      op.kind = K::Set;
    } else if (command == "unset") {
      op.kind = K::Unset;
    } else if (command == "toggle") {
      op.kind = K::Toggle;
    } else if (command == "isset") {
      op.kind = K::IsSet;
      separator = '|';
    } else if (command == "isnotset") {
      op.kind = K::IsNotSet;
      separator = '|';
    } else {
      throw RuleError{"flowbits: unsupported command '" + std::string(parts[0]) + "'"};
    }
    std::string_view names = parts[1];
    char other = separator == '&' ? '|' : '&';
    if (names.find(other) != std::string_view::npos) {
      throw RuleError{std::string("flowbits: '") + other + "' is not supported with " + command};
    }
    size_t start = 0;
    while (true) {
      size_t sep = names.find(separator, start);
      op.bits.push_back(flowbit_id(trim(names.substr(start, sep == std::string_view::npos ? sep : sep - start))));
      if (sep == std::string_view::npos) break;
      start = sep + 1;
    }
    rule_.flowbits.push_back(std::move(op));
  }

  void check_steps(const std::vector<Step>& steps) {
    for (const Step& step : steps) {
      const auto* content = std::get_if<ContentStep>(&step);
      if (!content) continue;
      const auto size = static_cast<int64_t>(content->pattern.size());
      if ((content->has_offset || content->has_depth) && content->relative()) {
        throw RuleError{"content mixes offset/depth with distance/within"};
      }
      if (content->startswith && (content->has_offset || content->relative())) {
        throw RuleError{"startswith cannot be combined with offset/depth/distance/within"};
      }
      if (content->has_depth && content->depth < size) throw RuleError{"depth shorter than its content"};
      if (content->has_within && content->within < size) throw RuleError{"within shorter than its content"};
    }
  }

  void finish() {
    if (rule_.sid == 0) throw RuleError{"missing sid"};
    check_steps(rule_.payload_steps);
    check_steps(rule_.dnp3_data_steps);
    bool ics = !rule_.modbus.empty() || !rule_.dnp3.empty() || rule_.uses_dnp3_data || !rule_.enip.empty();
    if (ics && rule_.proto == Proto::Icmp) throw RuleError{"ICS keywords on an icmp rule"};
    if (!rule_.modbus.empty() && rule_.flow_to_client) {
      throw RuleError{"modbus keyword with flow:to_client (the keyword inspects requests)"};
    }
    if (rule_.proto == Proto::Ip && (!rule_.sport.is_all(kMaxPort) || !rule_.dport.is_all(kMaxPort))) {
      throw RuleError{"ports on an ip rule"};
    }
    // The prefilter content: fast_pattern, else the longest positive content of the payload.
    int best = -1;
    for (size_t i = 0; i < rule_.payload_steps.size(); ++i) {
      const auto* content = std::get_if<ContentStep>(&rule_.payload_steps[i]);
      if (!content || content->negated) continue;
      if (content->fast_pattern) {
        best = static_cast<int>(i);
        break;
      }
      if (best < 0 || content->pattern.size() > std::get<ContentStep>(rule_.payload_steps[best]).pattern.size()) {
        best = static_cast<int>(i);
      }
    }
    rule_.prefilter_step = best;
  }

  const Variables& variables_;
  std::unordered_map<std::string, uint16_t>& flowbit_ids_;
  Rule rule_;
  std::vector<std::string> notes_;
  bool in_dnp3_data_ = false;
  bool explicit_priority_ = false;
};

// ---- The rule set ----

void add_to_group(RuleSet& set, uint32_t group, const Rule& rule) {
  RuleGroup& g = set.groups[group];
  if (rule.prefilter_step >= 0) {
    g.prefilter.add(std::get<ContentStep>(rule.payload_steps[static_cast<size_t>(rule.prefilter_step)]).pattern, rule.index);
  } else if (auto function = rule.modbus_function_key()) {
    g.modbus_by_function[*function].push_back(rule.index);
  } else if (auto dnp3_function = rule.dnp3_function_key()) {
    g.dnp3_by_function[*dnp3_function].push_back(rule.index);
  } else {
    g.always.push_back(rule.index);
  }
}

uint32_t new_group(RuleSet& set) {
  set.groups.emplace_back();
  return static_cast<uint32_t>(set.groups.size() - 1);
}

void index_rule(RuleSet& set, const Rule& rule) {
  if (rule.proto == Proto::Ip) {
    if (set.ip_group < 0) set.ip_group = static_cast<int32_t>(new_group(set));
    add_to_group(set, static_cast<uint32_t>(set.ip_group), rule);
    return;
  }
  if (rule.proto == Proto::App) {
    auto it = std::find_if(set.app_groups.begin(), set.app_groups.end(),
                           [&](const auto& entry) { return entry.first == rule.app_protocol; });
    if (it == set.app_groups.end()) {
      set.app_groups.emplace_back(rule.app_protocol, new_group(set));
      it = set.app_groups.end() - 1;
    }
    add_to_group(set, it->second, rule);
    return;
  }
  if (rule.proto == Proto::Icmp) {
    if (set.any_port_group[2] < 0) set.any_port_group[2] = static_cast<int32_t>(new_group(set));
    add_to_group(set, static_cast<uint32_t>(set.any_port_group[2]), rule);
    return;
  }
  const size_t t = rule.proto == Proto::Tcp ? 0 : 1;
  auto add_ports = [&](std::unordered_map<uint16_t, uint32_t>& map, const IntervalSet<uint32_t>& ports) {
    for (const auto& [lo, hi] : ports.ranges) {
      for (uint32_t port = lo; port <= hi; ++port) {
        auto [it, inserted] = map.try_emplace(static_cast<uint16_t>(port), 0);
        if (inserted) it->second = new_group(set);
        add_to_group(set, it->second, rule);
      }
    }
  };
  // The packet's destination port meets the rule's destination ports (and, for <>, the
  // packet's source port meets them in the swapped orientation).
  if (rule.dport.count(kSmallPortSet + 1) <= kSmallPortSet) {
    add_ports(set.by_dst_port[t], rule.dport);
    if (rule.bidirectional) add_ports(set.by_src_port[t], rule.dport);
  } else if (rule.sport.count(kSmallPortSet + 1) <= kSmallPortSet) {
    add_ports(set.by_src_port[t], rule.sport);
    if (rule.bidirectional) add_ports(set.by_dst_port[t], rule.sport);
  } else {
    if (set.any_port_group[t] < 0) set.any_port_group[t] = static_cast<int32_t>(new_group(set));
    add_to_group(set, static_cast<uint32_t>(set.any_port_group[t]), rule);
  }
}

std::atomic<uint64_t> g_next_ruleset_id{1};

}  // namespace

std::optional<uint8_t> Rule::modbus_function_key() const {
  for (const ModbusCondition& c : modbus) {
    if (c.function == ModbusCondition::FunctionKind::Code && !c.function_negated) return c.function_code;
  }
  return std::nullopt;
}

std::optional<uint8_t> Rule::dnp3_function_key() const {
  if (dnp3.functions.empty()) return std::nullopt;
  return dnp3.functions.front();
}

bool Rule::sets_flowbits() const {
  return std::any_of(flowbits.begin(), flowbits.end(), [](const FlowbitOp& op) {
    return op.kind == FlowbitOp::Kind::Set || op.kind == FlowbitOp::Kind::Unset || op.kind == FlowbitOp::Kind::Toggle;
  });
}

bool Rule::checks_flowbits() const {
  return std::any_of(flowbits.begin(), flowbits.end(), [](const FlowbitOp& op) {
    return op.kind == FlowbitOp::Kind::IsSet || op.kind == FlowbitOp::Kind::IsNotSet;
  });
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::Alert: return "alert";
    case Action::Drop: return "drop";
    case Action::Pass: return "pass";
    case Action::Reject: return "reject";
    case Action::Log: return "log";
  }
  return "alert";
}

Variables Variables::defaults() {
  Variables v;
  for (const char* name : {"HOME_NET", "EXTERNAL_NET", "HTTP_SERVERS", "SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS",
                           "TELNET_SERVERS", "DC_SERVERS", "MODBUS_CLIENT", "MODBUS_SERVER", "DNP3_CLIENT",
                           "DNP3_SERVER", "ENIP_CLIENT", "ENIP_SERVER", "S7_CLIENT", "S7_SERVER", "BACNET_CLIENT",
                           "BACNET_SERVER", "IEC104_CLIENT", "IEC104_SERVER", "OPCUA_CLIENT", "OPCUA_SERVER"}) {
    v.values[name] = "any";
  }
  v.values["HTTP_PORTS"] = "80";
  v.values["SHELLCODE_PORTS"] = "!80";
  v.values["ORACLE_PORTS"] = "1521";
  v.values["SSH_PORTS"] = "22";
  v.values["FTP_PORTS"] = "21";
  v.values["FILE_DATA_PORTS"] = "[$HTTP_PORTS,110,143]";
  v.values["MODBUS_PORTS"] = "502";
  v.values["DNP3_PORTS"] = "20000";
  v.values["ENIP_PORTS"] = "44818";
  v.values["S7_PORTS"] = "102";
  v.values["IEC104_PORTS"] = "2404";
  v.values["BACNET_PORTS"] = "47808";
  return v;
}

CompileResult compile_rules(std::string_view text, const Variables& variables) {
  const RuleSource source{text, 0};
  return compile_rules(std::span<const RuleSource>(&source, 1), variables);
}

CompileResult compile_rules(std::span<const RuleSource> sources, const Variables& variables) {
  CompileResult result;
  auto set = std::make_shared<RuleSet>();
  std::unordered_map<std::string, uint16_t> flowbit_ids;
  std::vector<Rule> rules;
  std::unordered_map<uint64_t, std::pair<uint32_t, size_t>> seen;  // (gid, sid) → tag, line

  for (const RuleSource& source : sources) {
    const std::string_view text = source.text;
    // Logical rules: comments and blank lines skipped, '\\'-continued lines joined.
    struct LogicalRule {
      size_t line;
      std::string text;
    };
    std::vector<LogicalRule> logical;
    bool continuing = false;
    size_t line_number = 0;
    for (size_t pos = 0; pos < text.size();) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = trim(text.substr(pos, end - pos));
      pos = end + 1;
      ++line_number;
      if (!continuing && (line.empty() || line[0] == '#')) continue;
      bool continues = !line.empty() && line.back() == '\\';
      if (continues) line.remove_suffix(1);
      if (continuing && logical.back().text.size() <= kMaxRuleText) {
        logical.back().text.push_back(' ');
        logical.back().text.append(line);
      } else if (!continuing) {
        logical.push_back({line_number, std::string(line)});
      }
      continuing = continues;
    }

    for (const LogicalRule& entry : logical) {
      RuleBuilder builder(variables, flowbit_ids, entry.line);
      try {
        Rule rule = builder.build(entry.text);
        rule.tag = source.tag;
        uint64_t key = uint64_t{rule.gid} << 32 | rule.sid;
        if (auto [it, inserted] = seen.emplace(key, std::pair{source.tag, entry.line}); !inserted) {
          throw RuleError{"duplicate sid (first in source " + std::to_string(it->second.first) + " line " +
                          std::to_string(it->second.second) + ")"};
        }
        for (const std::string& note : builder.notes()) {
          result.report.notes.push_back({source.tag, rule.sid, entry.line, note});
        }
        rules.push_back(std::move(rule));
      } catch (const RuleError& error) {
        result.report.rejected.push_back({source.tag, builder.sid_seen(), entry.line, error.reason});
      }
    }
  }

  // Evaluation order: pass rules first (a match stops the packet), flowbit setters before the
  // rules that check them, file order otherwise.
  auto rank = [](const Rule& r) { return r.action == Action::Pass ? 0 : r.sets_flowbits() && !r.checks_flowbits() ? 1 : 2; };
  std::stable_sort(rules.begin(), rules.end(), [&](const Rule& a, const Rule& b) { return rank(a) < rank(b); });
  for (size_t i = 0; i < rules.size(); ++i) {
    rules[i].index = static_cast<uint32_t>(i);
    set->needs_threshold = set->needs_threshold || rules[i].threshold.has_value();
  }
  set->rules = std::move(rules);
  for (const Rule& rule : set->rules) index_rule(*set, rule);
  for (RuleGroup& group : set->groups) group.prefilter.build();
  set->flowbit_count = flowbit_ids.size();
  if (set->needs_threshold) set->thresholds = std::make_shared<ThresholdTable>(ThresholdTable::kSharedCapacity);
  set->id = g_next_ruleset_id.fetch_add(1);
  result.report.loaded = set->rules.size();
  result.rules = std::move(set);
  return result;
}

std::vector<RuleSummary> summarize(const RuleSet& rules) {
  std::vector<RuleSummary> out;
  out.reserve(rules.rules.size());
  for (const Rule& r : rules.rules) out.push_back({r.tag, r.gid, r.sid, r.rev, r.action, r.msg, r.line});
  return out;
}

size_t rule_count(const RuleSet& rules) { return rules.rules.size(); }

}  // namespace ots::detect::rules
