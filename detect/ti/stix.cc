#include "detect/ti/stix.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/net_types.h"

namespace ots::detect::ti {

namespace {

using nlohmann::json;

// One comparison of the pattern: object:path op value(s).
struct Literal {
  bool is_string = false;
  std::string text;     // string literals
  int64_t number = 0;   // integer literals
};

enum class Op : uint8_t { Equal, In, IsSubset };

struct Comparison {
  std::string object;  // "ipv4-addr", "network-traffic" …
  std::string path;    // "value", "dst_ref.value", "hashes.SHA-256", "dst_port"
  Op op = Op::Equal;
  std::vector<Literal> values;
};

using Conjunction = std::vector<Comparison>;
using Disjunction = std::vector<Conjunction>;  // the pattern in disjunctive normal form

constexpr size_t kMaxTerms = 10000;  // conjunctions after expanding AND over OR
constexpr int kMaxDepth = 64;

class PatternParser {
 public:
  explicit PatternParser(std::string_view text) : text_(text) {}

  Disjunction parse() {
    Disjunction result = observation_sequence();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text at offset " + std::to_string(pos_));
    return result;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw TiError(why); }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool peek_char(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect_char(char c) {
    if (!peek_char(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
    ++pos_;
  }
  // A keyword (case-insensitive) followed by a non-word character.
  bool accept_keyword(std::string_view word) {
    skip_space();
    if (text_.size() - pos_ < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(text_[pos_ + i])) != word[i]) return false;
    size_t end = pos_ + word.size();
    if (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) return false;
    pos_ = end;
    return true;
  }
  void enter() {
    if (++depth_ > kMaxDepth) fail("pattern nested too deeply");
  }

  static Disjunction conjoin(const Disjunction& a, const Disjunction& b) {
    if (a.size() * b.size() > kMaxTerms) throw TiError("pattern expands to more than 10000 alternatives");
    Disjunction out;
    for (const Conjunction& x : a)
      for (const Conjunction& y : b) {
        Conjunction c = x;
        c.insert(c.end(), y.begin(), y.end());
        out.push_back(std::move(c));
      }
    return out;
  }
  static void disjoin(Disjunction& a, Disjunction b) {
    if (a.size() + b.size() > kMaxTerms) throw TiError("pattern expands to more than 10000 alternatives");
    for (Conjunction& c : b) a.push_back(std::move(c));
  }

  Disjunction observation_sequence() {
    Disjunction result = observation_or();
    if (accept_keyword("FOLLOWEDBY"))
      fail("FOLLOWEDBY (a sequence of observations) cannot be reduced to indicators");
    return result;
  }
  Disjunction observation_or() {
    Disjunction result = observation_and();
    while (accept_keyword("OR")) disjoin(result, observation_and());
    return result;
  }
  Disjunction observation_and() {
    Disjunction result = observation_qualified();
    if (accept_keyword("AND")) fail("AND between observations (two observed objects) cannot be reduced to indicators");
    return result;
  }
  Disjunction observation_qualified() {
    Disjunction result = observation_primary();
    for (std::string_view qualifier : {"WITHIN", "REPEATS", "START"})
      if (accept_keyword(qualifier))
        fail("the " + std::string(qualifier) + " qualifier (timing or repetition) cannot be reduced to indicators");
    return result;
  }
  Disjunction observation_primary() {
    enter();
    Disjunction result;
    if (peek_char('[')) {
      ++pos_;
      result = comparison_or();
      expect_char(']');
    } else if (peek_char('(')) {
      ++pos_;
      result = observation_sequence();
      expect_char(')');
    } else {
      fail("expected '[' at offset " + std::to_string(pos_));
    }
    --depth_;
    return result;
  }
  Disjunction comparison_or() {
    Disjunction result = comparison_and();
    while (accept_keyword("OR")) disjoin(result, comparison_and());
    return result;
  }
  Disjunction comparison_and() {
    Disjunction result = comparison_unary();
    while (accept_keyword("AND")) result = conjoin(result, comparison_unary());
    return result;
  }
  Disjunction comparison_unary() {
    enter();
    Disjunction result;
    if (peek_char('(')) {
      ++pos_;
      result = comparison_or();
      expect_char(')');
    } else if (accept_keyword("EXISTS")) {
      fail("EXISTS cannot be reduced to indicators");
    } else {
      result = {{comparison()}};
    }
    --depth_;
    return result;
  }

  std::string object_type() {
    skip_space();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '-' || text_[pos_] == '_'))
      ++pos_;
    if (pos_ == start) fail("expected an object type at offset " + std::to_string(start));
    std::string out(text_.substr(start, pos_ - start));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  std::string identifier() {
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    if (pos_ == start) fail("expected a property name at offset " + std::to_string(start));
    return std::string(text_.substr(start, pos_ - start));
  }
  std::string quoted() {
    // At the opening quote; \' and \\ are the escapes.
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string literal");
      char c = text_[pos_++];
      if (c == '\'') return out;
      if (c == '\\') {
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '\\')) fail("invalid escape in string literal");
        c = text_[pos_++];
      }
      out += c;
    }
  }
  std::string property_path() {
    std::string path = identifier();
    while (pos_ < text_.size()) {
      if (text_[pos_] == '.') {
        ++pos_;
        path += '.';
        path += pos_ < text_.size() && text_[pos_] == '\'' ? quoted() : identifier();
      } else if (text_[pos_] == '[') {
        size_t close = text_.find(']', pos_);
        if (close == std::string_view::npos) fail("unterminated list index in object path");
        path += text_.substr(pos_, close - pos_ + 1);
        pos_ = close + 1;
      } else {
        break;
      }
    }
    return path;
  }
  Literal literal() {
    skip_space();
    if (pos_ >= text_.size()) fail("expected a value at the end of the pattern");
    char c = text_[pos_];
    if (c == '\'') return Literal{true, quoted(), 0};
    if ((c == 't' || c == 'h' || c == 'b') && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'') {
      ++pos_;
      quoted();
      fail(std::string(c == 't' ? "timestamp" : c == 'h' ? "hex" : "binary") + " literals are not indicator values");
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = pos_++;
      while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) ++pos_;
      std::string_view number = text_.substr(start, pos_ - start);
      if (number.find('.') != std::string_view::npos) fail("a float is not an indicator value");
      if (number.size() > 18 || number == "-") fail("invalid integer literal");
      return Literal{false, std::string(number), std::stoll(std::string(number))};
    }
    if (accept_keyword("TRUE") || accept_keyword("FALSE")) fail("a boolean is not an indicator value");
    fail("expected a value at offset " + std::to_string(pos_));
  }

  Comparison comparison() {
    Comparison out;
    out.object = object_type();
    expect_char(':');
    skip_space();
    out.path = property_path();
    const std::string where = out.object + ":" + out.path;
    if (accept_keyword("NOT")) fail("NOT on " + where + " matches every other value; cannot be reduced to indicators");
    skip_space();
    if (text_.substr(pos_).starts_with("!=")) fail("!= on " + where + " matches every other value; cannot be reduced to indicators");
    if (text_.substr(pos_).starts_with("<") || text_.substr(pos_).starts_with(">"))
      fail("ordering comparisons on " + where + " cannot be reduced to indicators");
    if (text_.substr(pos_).starts_with("=")) {
      ++pos_;
      out.op = Op::Equal;
      out.values.push_back(literal());
    } else if (accept_keyword("IN")) {
      out.op = Op::In;
      expect_char('(');
      out.values.push_back(literal());
      while (peek_char(',')) {
        ++pos_;
        out.values.push_back(literal());
      }
      expect_char(')');
    } else if (accept_keyword("ISSUBSET")) {
      out.op = Op::IsSubset;
      out.values.push_back(literal());
    } else {
      for (std::string_view word : {"LIKE", "MATCHES", "ISSUPERSET"})
        if (accept_keyword(word)) fail(std::string(word) + " on " + where + " cannot be reduced to indicators");
      fail("expected a comparison operator after " + where);
    }
    return out;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
};

std::string upper_no_dash(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '-' && c != '_') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The indicator type of a single-object comparison path, or nullopt with `why`.
std::optional<IndicatorType> type_of(const Comparison& c, std::string& why) {
  const std::string where = c.object + ":" + c.path;
  if ((c.object == "ipv4-addr" || c.object == "ipv6-addr") && c.path == "value") return IndicatorType::Ip;
  if (c.op == Op::IsSubset) {
    why = "ISSUBSET applies to address values only, not " + where;
    return std::nullopt;
  }
  if (c.object == "domain-name" && c.path == "value") return IndicatorType::Domain;
  if (c.object == "url" && c.path == "value") return IndicatorType::Url;
  if ((c.object == "file" || c.object == "x509-certificate") && c.path.starts_with("hashes.")) {
    const std::string algorithm = upper_no_dash(c.path.substr(7));
    const bool file = c.object == "file";
    if (algorithm == "MD5" && file) return IndicatorType::Md5;
    if (algorithm == "SHA1") return file ? IndicatorType::Sha1 : IndicatorType::CertSha1;
    if (algorithm == "SHA256") return file ? IndicatorType::Sha256 : IndicatorType::CertSha256;
    why = "hash algorithm " + c.path.substr(7) + " of " + c.object + " is not supported";
    return std::nullopt;
  }
  why = "object path " + where + " is not supported";
  return std::nullopt;
}

void add_values(const Comparison& c, IndicatorType type, EndpointRole role, uint16_t port, std::vector<Indicator>& out) {
  for (const Literal& value : c.values) {
    if (!value.is_string) throw TiError(c.object + ":" + c.path + " needs a string value, not " + value.text);
    IndicatorType actual = type;
    if (type == IndicatorType::Ip && (c.op == Op::IsSubset || value.text.find('/') != std::string::npos))
      actual = IndicatorType::Cidr;
    std::string reason;
    auto canonical = canonical_indicator_value(actual, value.text, &reason);
    if (!canonical) throw TiError("'" + value.text + "' in " + c.object + ":" + c.path + ": " + reason);
    if (type == IndicatorType::Ip && c.object != "network-traffic") {
      const bool v4 = IpAddr::parse(value.text.substr(0, value.text.find('/')))->is_v4();
      if (v4 != (c.object == "ipv4-addr")) throw TiError("'" + value.text + "' is not an " + c.object + " value");
    }
    Indicator indicator;
    indicator.type = actual;
    indicator.value = std::move(*canonical);
    indicator.role = role;
    indicator.port = port;
    out.push_back(std::move(indicator));
  }
}

// network-traffic: one address ref (src_ref or dst_ref) and at most one port on the same end.
void reduce_network_traffic(const Conjunction& terms, std::vector<Indicator>& out) {
  const Comparison* address = nullptr;
  const Comparison* port = nullptr;
  for (const Comparison& c : terms) {
    if (c.object != "network-traffic")
      throw TiError("AND of network-traffic with " + c.object + " (two observed objects) cannot be reduced to indicators");
    if (c.path == "src_ref.value" || c.path == "dst_ref.value") {
      if (address) throw TiError("network-traffic with conditions on two addresses cannot be reduced to indicators");
      address = &c;
    } else if (c.path == "src_port" || c.path == "dst_port") {
      if (port) throw TiError("network-traffic with conditions on two ports cannot be reduced to indicators");
      port = &c;
    } else if (c.path == "src_ref.type" || c.path == "dst_ref.type") {
      continue;  // the address value already says its family
    } else {
      throw TiError("network-traffic:" + c.path + " is not supported");
    }
  }
  if (!address) throw TiError("network-traffic without src_ref.value or dst_ref.value has no indicator value");
  const bool source = address->path.starts_with("src");
  if (port && port->path.starts_with("src") != source)
    throw TiError("network-traffic with an address on one end and a port on the other cannot be reduced to indicators");
  if (port && port->op == Op::IsSubset) throw TiError("ISSUBSET applies to address values only, not network-traffic:" + port->path);
  const EndpointRole role = source ? EndpointRole::Source : EndpointRole::Destination;
  std::vector<uint16_t> ports{0};
  if (port) {
    ports.clear();
    for (const Literal& value : port->values) {
      if (value.is_string || value.number < 1 || value.number > 65535)
        throw TiError("network-traffic:" + port->path + " needs an integer 1..65535, not " + value.text);
      ports.push_back(static_cast<uint16_t>(value.number));
    }
  }
  if (address->values.size() * ports.size() > kMaxTerms) throw TiError("pattern expands to more than 10000 alternatives");
  for (uint16_t p : ports) add_values(*address, IndicatorType::Ip, role, p, out);
}

std::string json_string(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<Indicator> stix_pattern_to_indicators(std::string_view pattern) {
  Disjunction dnf = PatternParser(pattern).parse();
  std::vector<Indicator> out;
  for (const Conjunction& terms : dnf) {
    if (std::any_of(terms.begin(), terms.end(), [](const Comparison& c) { return c.object == "network-traffic"; })) {
      reduce_network_traffic(terms, out);
      continue;
    }
    if (terms.size() > 1)
      throw TiError("AND of " + terms[0].object + ":" + terms[0].path + " and " + terms[1].object + ":" + terms[1].path +
                    " (both must hold at once) cannot be reduced to indicators");
    std::string why;
    auto type = type_of(terms[0], why);
    if (!type) throw TiError(why);
    add_values(terms[0], *type, EndpointRole::Any, 0, out);
  }
  // The same value reached through two alternatives is one indicator.
  std::sort(out.begin(), out.end(), [](const Indicator& a, const Indicator& b) {
    return std::tie(a.type, a.value, a.role, a.port) < std::tie(b.type, b.value, b.role, b.port);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Indicator& a, const Indicator& b) {
                          return a.type == b.type && a.value == b.value && a.role == b.role && a.port == b.port;
                        }),
            out.end());
  return out;
}

void add_stix_objects(const json& objects, int min_confidence, TiPackage& package) {
  if (!objects.is_array()) throw TiError("STIX \"objects\" must be an array");
  // Context first: malware names that indicators point at, and the newest version of each indicator.
  std::map<std::string, std::string> malware_names;
  std::map<std::string, std::string> indicates;  // indicator id → malware id
  std::map<std::string, const json*> newest;
  std::vector<std::string> order;
  size_t position = 0;
  for (const json& object : objects) {
    ++position;
    if (!object.is_object()) {
      add_rejected(package.rejected, "object " + std::to_string(position), object.dump().substr(0, 200),
                   "a STIX object must be a JSON object");
      continue;
    }
    const std::string type = json_string(object, "type"), id = json_string(object, "id");
    if ((type == "malware" || type == "tool" || type == "intrusion-set") && !id.empty())
      malware_names[id] = json_string(object, "name");
    if (type == "relationship" && json_string(object, "relationship_type") == "indicates")
      indicates[json_string(object, "source_ref")] = json_string(object, "target_ref");
    if (type != "indicator") continue;
    if (id.empty()) {
      add_rejected(package.rejected, "object " + std::to_string(position), json_string(object, "pattern"),
                   "indicator without an id");
      continue;
    }
    auto [it, inserted] = newest.emplace(id, &object);
    if (inserted) {
      order.push_back(id);
    } else if (json_string(object, "modified") > json_string(*it->second, "modified")) {
      it->second = &object;
    }
  }

  for (const std::string& id : order) {
    const json& object = *newest[id];
    const std::string pattern = json_string(object, "pattern");
    auto reject = [&](const std::string& reason) { add_rejected(package.rejected, id, pattern, reason); };
    if (auto revoked = object.find("revoked"); revoked != object.end() && revoked->is_boolean() && revoked->get<bool>()) {
      reject("revoked");
      package.withdrawn_ids.push_back(id);
      continue;
    }
    if (std::string type = json_string(object, "pattern_type"); !type.empty() && type != "stix") {
      reject("pattern_type \"" + type + "\" is not supported (only stix)");
      continue;
    }
    if (pattern.empty()) {
      reject("indicator without a pattern");
      continue;
    }
    int confidence = 100;
    if (auto it = object.find("confidence"); it != object.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 100) {
        reject("confidence must be an integer 0..100");
        continue;
      }
      confidence = it->get<int>();
    }
    if (confidence < min_confidence) {
      reject("confidence " + std::to_string(confidence) + " is below the minimum " + std::to_string(min_confidence));
      continue;
    }
    int64_t valid_from = 0, valid_until = 0;
    if (std::string text = json_string(object, "valid_from"); !text.empty()) {
      auto ns = parse_iso8601_ns(text);
      if (!ns) {
        reject("valid_from is not a timestamp: " + text);
        continue;
      }
      valid_from = *ns;
    }
    if (std::string text = json_string(object, "valid_until"); !text.empty()) {
      auto ns = parse_iso8601_ns(text);
      if (!ns || *ns <= valid_from) {
        reject("valid_until is not a timestamp after valid_from: " + text);
        continue;
      }
      valid_until = *ns;
    }
    std::vector<Indicator> indicators;
    try {
      indicators = stix_pattern_to_indicators(pattern);
    } catch (const TiError& e) {
      reject(e.what());
      continue;
    }
    bool benign = false;
    if (auto types = object.find("indicator_types"); types != object.end() && types->is_array())
      for (const json& t : *types) benign = benign || (t.is_string() && t.get<std::string>() == "benign");

    AlertDefinition definition;
    definition.id = id;
    definition.title = json_string(object, "name");
    if (definition.title.empty()) definition.title = "STIX indicator " + id;
    definition.description = json_string(object, "description");
    definition.group = "Suspicion of malicious activity";
    definition.engine = EngineKind::Malware;
    if (auto target = indicates.find(id); target != indicates.end()) {
      auto name = malware_names.find(target->second);
      if (name != malware_names.end()) definition.attack_name = name->second;
    }
    if (auto refs = object.find("external_references"); refs != object.end() && refs->is_array())
      for (const json& ref : *refs)
        if (ref.is_object() && json_string(ref, "source_name").starts_with("mitre") &&
            json_string(ref, "external_id").starts_with("T"))
          definition.attack_techniques.push_back(json_string(ref, "external_id"));
    for (Indicator& indicator : indicators) {
      indicator.action = benign ? IndicatorAction::Allow : IndicatorAction::Alert;
      indicator.confidence = confidence;
      indicator.valid_from_ns = valid_from;
      indicator.valid_until_ns = valid_until;
      indicator.source = "stix:" + id;
      definition.indicators.push_back(std::move(indicator));
    }
    package.definitions.push_back(std::move(definition));
  }
}

TiPackage import_stix_bundle(std::string_view text, int min_confidence) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    throw TiError(std::string("not valid JSON: ") + e.what());
  }
  if (!root.is_object() || json_string(root, "type") != "bundle") throw TiError("not a STIX bundle (type is not \"bundle\")");
  auto objects = root.find("objects");
  if (objects == root.end()) throw TiError("STIX bundle without \"objects\"");
  TiPackage package;
  package.kind = PackageKind::Stix;
  package.id = json_string(root, "id");
  add_stix_objects(*objects, min_confidence, package);
  // The newest modification in the bundle is its version.
  std::string newest;
  for (const json& object : *objects)
    if (object.is_object()) newest = std::max(newest, json_string(object, "modified"));
  package.version = newest.empty() ? "1" : newest;
  if (parse_iso8601_ns(newest)) package.build_date = newest;
  return package;
}

}  // namespace ots::detect::ti
