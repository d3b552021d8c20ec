#include "detect/ti/ti_model.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "core/net_types.h"

namespace ots::detect::ti {

namespace {

constexpr std::array<std::string_view, 7> kKinds{"package", "stix", "misp", "list", "zeek", "rules", "taxii"};
constexpr std::array<std::string_view, 3> kRoles{"any", "source", "destination"};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::optional<int> parse_small_int(std::string_view s, int max) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0 || value > max) return std::nullopt;
  return value;
}

std::optional<std::string> canonical_cidr(std::string_view text, std::string* reason) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    *reason = "a CIDR needs /<prefix length>";
    return std::nullopt;
  }
  auto address = IpAddr::parse(text.substr(0, slash));
  if (!address) {
    *reason = "not an IP network";
    return std::nullopt;
  }
  const bool v4 = address->is_v4();
  auto length = parse_small_int(text.substr(slash + 1), v4 ? 32 : 128);
  if (!length) {
    *reason = v4 ? "prefix length must be 0..32" : "prefix length must be 0..128";
    return std::nullopt;
  }
  const int mapped_length = v4 ? *length + 96 : *length;
  for (int bit = mapped_length; bit < 128; ++bit) address->bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  return address->str() + "/" + std::to_string(*length);
}

std::optional<std::string> canonical_domain(std::string_view text, std::string* reason) {
  std::string name = to_lower(text);
  if (name.starts_with("*.")) name.erase(0, 2);  // a wildcard means the subdomains, which a domain matches anyway
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty() || name.size() > 253) {
    *reason = "a domain name has 1..253 characters";
    return std::nullopt;
  }
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) {
        *reason = "empty label in domain name";
        return std::nullopt;
      }
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      *reason = "invalid character in domain name";
      return std::nullopt;
    }
    if (++label > 63) {
      *reason = "domain label longer than 63 characters";
      return std::nullopt;
    }
  }
  if (label == 0) {
    *reason = "empty label in domain name";
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> canonical_hex(std::string_view text, size_t length, std::string_view what, std::string* reason) {
  if (text.size() != length || !is_hex(text)) {
    *reason = std::string(what) + " must be " + std::to_string(length) + " hex digits";
    return std::nullopt;
  }
  return to_lower(text);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

using nlohmann::json;

std::string required_string(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    throw TiError(where + ": \"" + key + "\" must be a non-empty string");
  return it->get<std::string>();
}

std::string optional_string(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_string()) throw TiError(where + ": \"" + key + "\" must be a string");
  return it->get<std::string>();
}

std::vector<std::string> string_list(const json& object, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) throw TiError(where + ": \"" + key + "\" must be an array of strings");
  for (const json& item : *it) {
    if (!item.is_string()) throw TiError(where + ": \"" + key + "\" must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Indicator indicator_from_json(const json& object, const std::string& where) {
  if (!object.is_object()) throw TiError(where + ": an indicator must be an object");
  Indicator indicator;
  const std::string type_text = required_string(object, "type", where);
  auto type = parse_indicator_type(type_text);
  if (!type) throw TiError(where + ": unknown indicator type \"" + type_text + "\"");
  indicator.type = *type;
  const std::string value = required_string(object, "value", where);
  std::string reason;
  auto canonical = canonical_indicator_value(*type, value, &reason);
  if (!canonical) throw TiError(where + ": " + type_text + " \"" + value + "\": " + reason);
  indicator.value = std::move(*canonical);
  if (std::string action = optional_string(object, "action", where); !action.empty()) {
    auto parsed = parse_indicator_action(action);
    if (!parsed) throw TiError(where + ": unknown action \"" + action + "\" (alert, alert+pcap, allow)");
    indicator.action = *parsed;
  }
  if (auto it = object.find("confidence"); it != object.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 100)
      throw TiError(where + ": \"confidence\" must be an integer 0..100");
    indicator.confidence = it->get<int>();
  }
  for (auto [key, field] : {std::pair{"validFrom", &indicator.valid_from_ns}, {"validUntil", &indicator.valid_until_ns}}) {
    std::string text = optional_string(object, key, where);
    if (text.empty()) continue;
    auto ns = parse_iso8601_ns(text);
    if (!ns) throw TiError(where + ": \"" + key + "\" is not an ISO 8601 time: " + text);
    *field = *ns;
  }
  if (indicator.valid_until_ns != 0 && indicator.valid_until_ns <= indicator.valid_from_ns)
    throw TiError(where + ": validUntil is not after validFrom");
  indicator.source = optional_string(object, "source", where);
  const bool address = indicator.type == IndicatorType::Ip || indicator.type == IndicatorType::Cidr;
  if (std::string role = optional_string(object, "role", where); !role.empty()) {
    auto it = std::find(kRoles.begin(), kRoles.end(), role);
    if (it == kRoles.end()) throw TiError(where + ": unknown role \"" + role + "\" (any, source, destination)");
    if (!address) throw TiError(where + ": \"role\" applies to ip and cidr indicators only");
    indicator.role = static_cast<EndpointRole>(it - kRoles.begin());
  }
  if (auto it = object.find("port"); it != object.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 65535)
      throw TiError(where + ": \"port\" must be an integer 1..65535");
    if (!address) throw TiError(where + ": \"port\" applies to ip and cidr indicators only");
    indicator.port = static_cast<uint16_t>(it->get<int>());
  }
  return indicator;
}

AlertDefinition definition_from_json(const json& object, const std::string& where_base) {
  if (!object.is_object()) throw TiError(where_base + ": an alert definition must be an object");
  AlertDefinition d;
  d.id = required_string(object, "id", where_base);
  const std::string where = "alert definition " + d.id;
  d.title = required_string(object, "title", where);
  d.attack_name = optional_string(object, "attackName", where);
  const std::string severity = required_string(object, "severity", where);
  auto parsed_severity = parse_severity(severity);
  if (!parsed_severity) throw TiError(where + ": unknown severity \"" + severity + "\"");
  d.severity = *parsed_severity;
  d.description = optional_string(object, "description", where);
  d.remediation = optional_string(object, "remediation", where);
  d.attack_techniques = string_list(object, "attackTechniques", where);
  d.group = optional_string(object, "group", where);
  if (std::string engine = optional_string(object, "engine", where); !engine.empty()) {
    auto parsed = parse_engine(engine);
    if (!parsed) throw TiError(where + ": unknown engine \"" + engine + "\"");
    d.engine = *parsed;
  }
  if (auto it = object.find("indicators"); it != object.end() && !it->is_null()) {
    if (!it->is_array()) throw TiError(where + ": \"indicators\" must be an array");
    for (size_t i = 0; i < it->size(); ++i)
      d.indicators.push_back(indicator_from_json((*it)[i], where + " indicator " + std::to_string(i + 1)));
  }
  d.rules = string_list(object, "rules", where);
  d.behaviours = string_list(object, "behaviours", where);
  if (d.indicators.empty() && d.rules.empty() && d.behaviours.empty())
    throw TiError(where + ": no indicators, rules or behaviours");
  return d;
}

}  // namespace

std::string_view package_kind_name(PackageKind kind) {
  auto index = static_cast<size_t>(kind);
  return index < kKinds.size() ? kKinds[index] : std::string_view("unknown");
}

std::optional<PackageKind> parse_package_kind(std::string_view text) {
  auto it = std::find(kKinds.begin(), kKinds.end(), text);
  if (it == kKinds.end()) return std::nullopt;
  return static_cast<PackageKind>(it - kKinds.begin());
}

size_t TiPackage::indicator_count() const {
  size_t n = 0;
  for (const AlertDefinition& d : definitions) n += d.indicators.size();
  return n;
}

size_t TiPackage::rule_count() const {
  size_t n = 0;
  for (const AlertDefinition& d : definitions) n += d.rules.size();
  return n;
}

void add_rejected(std::vector<RejectedEntry>& out, std::string location, std::string_view value, std::string reason) {
  constexpr size_t kMaxValue = 200;
  std::string shown(value.substr(0, kMaxValue));
  if (value.size() > kMaxValue) shown += "…";
  out.push_back({std::move(location), std::move(shown), std::move(reason)});
}

bool normalize_url_into(std::string_view url, std::string& out) {
  out.clear();
  url = trim(url);
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  std::string_view scheme = url.substr(0, scheme_end);
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return false;
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    out += lower(c);
  }
  const size_t scheme_length = out.size();
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (size_t hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);

  std::string_view userinfo;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return false;
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return false;
  for (char c : host)
    if (static_cast<unsigned char>(c) <= ' ') return false;
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  while (port.size() > 1 && port[0] == '0') port.remove_prefix(1);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDefaultPorts{
      {{"http", "80"}, {"https", "443"}, {"ftp", "21"}, {"ws", "80"}, {"wss", "443"}}};
  const std::string_view lowered_scheme(out.data(), scheme_length);
  for (auto [s, p] : kDefaultPorts)
    if (lowered_scheme == s && port == p) port = {};

  out += "://";
  out += userinfo;
  for (char c : host) out += lower(c);
  if (!port.empty()) {
    out += ':';
    out += port;
  }
  if (tail.empty() || tail[0] == '?') out += '/';
  out += tail;
  return true;
}

std::optional<std::string> normalize_url(std::string_view url) {
  std::string out;
  if (!normalize_url_into(url, out)) return std::nullopt;
  return out;
}

std::optional<std::string> canonical_indicator_value(IndicatorType type, std::string_view value, std::string* reason) {
  std::string scratch;
  if (reason == nullptr) reason = &scratch;
  value = trim(value);
  if (value.empty()) {
    *reason = "empty value";
    return std::nullopt;
  }
  switch (type) {
    case IndicatorType::Ip: {
      auto address = IpAddr::parse(value);
      if (!address) {
        *reason = "not an IP address";
        return std::nullopt;
      }
      return address->str();
    }
    case IndicatorType::Cidr:
      return canonical_cidr(value, reason);
    case IndicatorType::Domain:
      return canonical_domain(value, reason);
    case IndicatorType::Url: {
      auto url = normalize_url(value);
      if (!url) *reason = "not an absolute URL (scheme://host/…)";
      return url;
    }
    case IndicatorType::Md5:
      return canonical_hex(value, 32, "an MD5 digest", reason);
    case IndicatorType::Sha1:
      return canonical_hex(value, 40, "a SHA-1 digest", reason);
    case IndicatorType::Sha256:
      return canonical_hex(value, 64, "a SHA-256 digest", reason);
    case IndicatorType::Ja3:
      return canonical_hex(value, 32, "a JA3 fingerprint", reason);
    case IndicatorType::Ja3s:
      return canonical_hex(value, 32, "a JA3S fingerprint", reason);
    case IndicatorType::CertSha1:
      return canonical_hex(value, 40, "a certificate SHA-1", reason);
    case IndicatorType::CertSha256:
      return canonical_hex(value, 64, "a certificate SHA-256", reason);
    case IndicatorType::Ja4:
      if (value.size() > 128 || !std::all_of(value.begin(), value.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          })) {
        *reason = "a JA4 fingerprint is letters, digits and '_' (at most 128)";
        return std::nullopt;
      }
      return std::string(value);
  }
  *reason = "unknown indicator type";
  return std::nullopt;
}

std::optional<IndicatorType> infer_indicator_type(std::string_view value) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (IpAddr::parse(value)) return IndicatorType::Ip;
  std::string reason;
  if (value.find('/') != std::string_view::npos && value.find("://") == std::string_view::npos)
    return canonical_cidr(value, &reason) ? std::optional(IndicatorType::Cidr) : std::nullopt;
  if (value.find("://") != std::string_view::npos)
    return normalize_url(value) ? std::optional(IndicatorType::Url) : std::nullopt;
  if (is_hex(value)) {
    if (value.size() == 32) return IndicatorType::Md5;
    if (value.size() == 40) return IndicatorType::Sha1;
    if (value.size() == 64) return IndicatorType::Sha256;
  }
  // A domain has a dot and a letter (so "1.2.3" is not taken for one).
  if (value.find('.') == std::string_view::npos ||
      !std::any_of(value.begin(), value.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  return canonical_domain(value, &reason) ? std::optional(IndicatorType::Domain) : std::nullopt;
}

std::optional<int64_t> parse_iso8601_ns(std::string_view text) {
  text = trim(text);
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    if (pos + n > text.size()) return std::nullopt;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-' || *month < 1 || *month > 12 || *day < 1 || *day > 31)
    return std::nullopt;
  // Nanoseconds since 1970 in an int64 span the years 1678 to 2261; other years are refused.
  if (*year < 1678 || *year > 2261) return std::nullopt;
  int64_t seconds = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * 86400;
  if (text.size() == 10) return seconds * 1'000'000'000;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!hour || !minute || !second || text[13] != ':' || text[16] != ':' || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  seconds += *hour * 3600 + *minute * 60 + *second;
  int64_t fraction_ns = 0;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = 100'000'000;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction_ns += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    auto zh = digits(pos + 1, 2), zm = digits(pos + 4, 2);
    if (!zh || !zm || *zh > 23 || *zm > 59) return std::nullopt;
    const int64_t offset = *zh * 3600 + *zm * 60;
    seconds += zone[0] == '+' ? -offset : offset;
  } else if (!zone.empty()) {
    return std::nullopt;
  }
  return seconds * 1'000'000'000 + fraction_ns;
}

std::string format_iso8601(int64_t ns) {
  int64_t seconds = ns >= 0 ? ns / 1'000'000'000 : (ns - 999'999'999) / 1'000'000'000;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t rem = seconds - days * 86400;
  // civil_from_days (Howard Hinnant).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                        static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                        static_cast<long long>(rem % 60));
  const int64_t fraction = ns - seconds * 1'000'000'000;
  if (fraction != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%09lld", static_cast<long long>(fraction));
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

std::string package_to_json(const TiPackage& package) {
  json definitions = json::array();
  for (const AlertDefinition& d : package.definitions) {
    json indicators = json::array();
    for (const Indicator& i : d.indicators) {
      json item{{"type", indicator_type_name(i.type)}, {"value", i.value}, {"action", indicator_action_name(i.action)}};
      if (i.confidence != 100) item["confidence"] = i.confidence;
      if (i.valid_from_ns != 0) item["validFrom"] = format_iso8601(i.valid_from_ns);
      if (i.valid_until_ns != 0) item["validUntil"] = format_iso8601(i.valid_until_ns);
      if (!i.source.empty()) item["source"] = i.source;
      if (i.role != EndpointRole::Any) item["role"] = kRoles[static_cast<size_t>(i.role)];
      if (i.port != 0) item["port"] = i.port;
      indicators.push_back(std::move(item));
    }
    json item{{"id", d.id},
              {"title", d.title},
              {"severity", severity_name(d.severity)},
              {"engine", engine_name(d.engine)},
              {"indicators", std::move(indicators)}};
    if (!d.attack_name.empty()) item["attackName"] = d.attack_name;
    if (!d.description.empty()) item["description"] = d.description;
    if (!d.remediation.empty()) item["remediation"] = d.remediation;
    if (!d.attack_techniques.empty()) item["attackTechniques"] = d.attack_techniques;
    if (!d.group.empty()) item["group"] = d.group;
    if (!d.rules.empty()) item["rules"] = d.rules;
    if (!d.behaviours.empty()) item["behaviours"] = d.behaviours;
    definitions.push_back(std::move(item));
  }
  json out{{"format", "otsensor-ti"},
           {"kind", package_kind_name(package.kind)},
           {"id", package.id},
           {"name", package.name},
           {"version", package.version},
           {"buildDate", package.build_date},
           {"source", package.source},
           {"alertDefinitions", std::move(definitions)}};
  // Invalid UTF-8 from a feed is replaced rather than thrown on: the payload must always serialise.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

TiPackage package_from_json(std::string_view text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    throw TiError(std::string("payload is not valid JSON: ") + e.what());
  }
  if (!root.is_object()) throw TiError("payload must be a JSON object");
  if (optional_string(root, "format", "payload") != "otsensor-ti")
    throw TiError("payload \"format\" must be \"otsensor-ti\"");
  TiPackage package;
  if (std::string kind = optional_string(root, "kind", "payload"); !kind.empty()) {
    auto parsed = parse_package_kind(kind);
    if (!parsed) throw TiError("payload: unknown kind \"" + kind + "\"");
    package.kind = *parsed;
  }
  package.id = required_string(root, "id", "payload");
  package.name = required_string(root, "name", "payload");
  package.version = required_string(root, "version", "payload");
  package.build_date = optional_string(root, "buildDate", "payload");
  if (!package.build_date.empty() && !parse_iso8601_ns(package.build_date))
    throw TiError("payload: \"buildDate\" is not an ISO 8601 time: " + package.build_date);
  package.source = optional_string(root, "source", "payload");
  auto it = root.find("alertDefinitions");
  if (it == root.end() || !it->is_array()) throw TiError("payload: \"alertDefinitions\" must be an array");
  std::set<std::string> ids;
  const std::string default_source = "package:" + package.id + "@" + package.version;
  for (size_t i = 0; i < it->size(); ++i) {
    AlertDefinition d = definition_from_json((*it)[i], "alert definition " + std::to_string(i + 1));
    if (!ids.insert(d.id).second) throw TiError("payload: alert definition id \"" + d.id + "\" appears twice");
    for (Indicator& indicator : d.indicators)
      if (indicator.source.empty()) indicator.source = default_source;
    package.definitions.push_back(std::move(d));
  }
  return package;
}

}  // namespace ots::detect::ti
