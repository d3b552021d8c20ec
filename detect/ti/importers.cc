#include "detect/ti/importers.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "detect/ti/stix.h"

namespace ots::detect::ti {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 8> kFormatNames{"package", "stix", "misp", "misp-event", "zeek", "rules", "list",
                                                       "unknown"};
constexpr uintmax_t kMaxSourceBytes = uintmax_t{2} << 30;  // a feed larger than 2 GiB is refused, not half-read

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

// Splits into lines without the line ends (\n or \r\n).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw TiError(path.string() + ": " + ec.message());
  if (size > kMaxSourceBytes) throw TiError(path.string() + ": larger than 2 GiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TiError(path.string() + ": cannot open");
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

std::string modification_time(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return format_iso8601(int64_t{info.st_mtim.tv_sec} * 1'000'000'000);
}

bool is_rule_line(std::string_view line) {
  line = trim(line);
  static constexpr std::array<std::string_view, 7> kActions{"alert ",     "drop ",      "pass ",      "reject ",
                                                            "rejectsrc ", "rejectdst ", "rejectboth "};
  return std::any_of(kActions.begin(), kActions.end(), [&](std::string_view a) { return line.starts_with(a); }) &&
         line.find('(') != std::string_view::npos;
}

AlertDefinition feed_definition(std::string id, std::string title) {
  AlertDefinition d;
  d.id = std::move(id);
  d.title = std::move(title);
  d.severity = Severity::Major;
  d.engine = EngineKind::Malware;
  d.group = "Suspicion of malicious activity";
  return d;
}

// Adds a (type, value) indicator to `d`, or a rejected entry naming `location` and why.
bool add_indicator(AlertDefinition& d, IndicatorType type, std::string_view value, const std::string& source,
                   IndicatorAction action, TiPackage& package, const std::string& location) {
  std::string reason;
  auto canonical = canonical_indicator_value(type, value, &reason);
  if (!canonical) {
    add_rejected(package.rejected, location, value, std::string(indicator_type_name(type)) + ": " + reason);
    return false;
  }
  Indicator indicator;
  indicator.type = type;
  indicator.value = std::move(*canonical);
  indicator.action = action;
  indicator.source = source;
  d.indicators.push_back(std::move(indicator));
  return true;
}

// ---- plain lists and CSV -------------------------------------------------------------------

// One CSV record (RFC 4180 quoting) split on `delimiter`.
std::vector<std::string> csv_fields(std::string_view line, char delimiter) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  for (std::string& f : fields) f = std::string(trim(f));
  return fields;
}

char pick_delimiter(std::string_view line) {
  size_t commas = std::count(line.begin(), line.end(), ','), tabs = std::count(line.begin(), line.end(), '\t'),
         semicolons = std::count(line.begin(), line.end(), ';');
  if (commas == 0 && tabs == 0 && semicolons == 0) return 0;
  if (tabs >= commas && tabs >= semicolons) return '\t';
  return commas >= semicolons ? ',' : ';';
}

// Column names that hold the indicator in common exports (abuse.ch, OTX, generic).
int column_by_header(const std::vector<std::string>& header) {
  static constexpr std::array<std::string_view, 16> kNames{
      "indicator", "ioc", "value", "dst_ip", "ip", "ip_address", "ipaddress", "url", "domain", "host", "hostname",
      "sha256_hash", "sha256", "md5_hash", "md5", "sha1_hash"};
  for (std::string_view name : kNames)
    for (size_t i = 0; i < header.size(); ++i)
      if (lower(header[i]) == name) return static_cast<int>(i);
  return -1;
}

// The value a hosts-file line ("0.0.0.0 evil.example") or a spaced line ("1.2.3.4 # note") names.
std::string_view list_value(std::string_view line) {
  if (size_t hash = line.find(" #"); hash != std::string_view::npos) line = trim(line.substr(0, hash));
  size_t space = line.find_first_of(" \t");
  if (space == std::string_view::npos) return line;
  std::string_view first = line.substr(0, space), rest = trim(line.substr(space));
  if ((first == "0.0.0.0" || first == "127.0.0.1") && !rest.empty() && rest.find_first_of(" \t") == std::string_view::npos)
    return rest;
  return line;  // spaces inside a value: the type check rejects it with the reason
}

// ---- MISP ------------------------------------------------------------------------------------

struct MispType {
  std::string_view name;
  IndicatorType type;
};
constexpr std::array<MispType, 20> kMispTypes{{
    {"ip-src", IndicatorType::Ip},
    {"ip-dst", IndicatorType::Ip},
    {"domain", IndicatorType::Domain},
    {"hostname", IndicatorType::Domain},
    {"url", IndicatorType::Url},
    {"link", IndicatorType::Url},
    {"md5", IndicatorType::Md5},
    {"sha1", IndicatorType::Sha1},
    {"sha256", IndicatorType::Sha256},
    {"filename|md5", IndicatorType::Md5},
    {"filename|sha1", IndicatorType::Sha1},
    {"filename|sha256", IndicatorType::Sha256},
    {"ja3-fingerprint-md5", IndicatorType::Ja3},
    {"ja3s-fingerprint-md5", IndicatorType::Ja3s},
    {"ja4-fingerprint", IndicatorType::Ja4},
    {"x509-fingerprint-sha1", IndicatorType::CertSha1},
    {"x509-fingerprint-sha256", IndicatorType::CertSha256},
    {"ip-dst|port", IndicatorType::Ip},
    {"ip-src|port", IndicatorType::Ip},
    {"domain|ip", IndicatorType::Domain},
}};

std::string json_text(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return {};
}

bool json_true(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return *it == "1" || *it == "true";
  if (it->is_number_integer()) return it->get<int64_t>() != 0;
  return false;
}

// ATT&CK technique ids ("T0855", "T1190.001") mentioned in a tag name.
void techniques_in(std::string_view text, std::vector<std::string>& out) {
  for (size_t i = 0; i + 5 <= text.size(); ++i) {
    if (text[i] != 'T' || (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])))) continue;
    size_t end = i + 1;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end - i != 5) continue;
    if (end + 4 <= text.size() && text[end] == '.' && std::isdigit(static_cast<unsigned char>(text[end + 1])) &&
        std::isdigit(static_cast<unsigned char>(text[end + 2])) && std::isdigit(static_cast<unsigned char>(text[end + 3])))
      end += 4;
    std::string id(text.substr(i, end - i));
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}

void add_misp_attribute(const json& attribute, AlertDefinition& d, const std::string& source, TiPackage& package,
                        const std::string& location, size_t& context_only) {
  if (!attribute.is_object()) {
    add_rejected(package.rejected, location, "", "an attribute must be a JSON object");
    return;
  }
  if (json_true(attribute, "deleted")) return;  // withdrawn by its author
  if (!json_true(attribute, "to_ids")) {
    ++context_only;
    return;
  }
  const std::string type = json_text(attribute, "type"), value = json_text(attribute, "value");
  auto known = std::find_if(kMispTypes.begin(), kMispTypes.end(), [&](const MispType& t) { return t.name == type; });
  if (known == kMispTypes.end()) {
    add_rejected(package.rejected, location, value, "MISP type \"" + type + "\" is not matchable by otsensor");
    return;
  }
  std::string_view text = value;
  size_t bar = text.find('|');
  const bool composite = type.find('|') != std::string::npos;
  if (composite && bar == std::string_view::npos) {
    add_rejected(package.rejected, location, value, "a " + type + " value needs two parts separated by '|'");
    return;
  }
  if (type == "domain|ip") {
    add_indicator(d, IndicatorType::Domain, text.substr(0, bar), source, IndicatorAction::Alert, package, location);
    add_indicator(d, IndicatorType::Ip, text.substr(bar + 1), source, IndicatorAction::Alert, package, location);
    return;
  }
  if (type == "ip-dst|port" || type == "ip-src|port") {
    std::string_view port_text = text.substr(bar + 1);
    int port = 0;
    for (char c : port_text) port = c >= '0' && c <= '9' && port < 100000 ? port * 10 + (c - '0') : 1 << 20;
    if (port_text.empty() || port < 1 || port > 65535) {
      add_rejected(package.rejected, location, value, "the port of " + type + " must be 1..65535");
      return;
    }
    if (!add_indicator(d, IndicatorType::Ip, text.substr(0, bar), source, IndicatorAction::Alert, package, location))
      return;
    d.indicators.back().port = static_cast<uint16_t>(port);
    d.indicators.back().role = type == "ip-dst|port" ? EndpointRole::Destination : EndpointRole::Source;
    return;
  }
  if (composite) text = text.substr(bar + 1);  // filename|hash: the hash
  add_indicator(d, known->type, text, source, IndicatorAction::Alert, package, location);
}

void add_misp_event(const json& root, TiPackage& package, std::set<std::string>& ids, const std::string& where) {
  const json* event = &root;
  if (root.is_object() && root.contains("Event")) event = &root["Event"];
  if (!event->is_object()) {
    add_rejected(package.rejected, where, "", "not a MISP event (no \"Event\" object)");
    return;
  }
  const std::string uuid = json_text(*event, "uuid");
  if (uuid.empty()) {
    add_rejected(package.rejected, where, "", "MISP event without a uuid");
    return;
  }
  const std::string id = "misp:" + uuid;
  if (!ids.insert(id).second) {
    add_rejected(package.rejected, where, uuid, "the same event appears twice");
    return;
  }
  std::string info = json_text(*event, "info");
  AlertDefinition d = feed_definition(id, info.empty() ? "MISP event " + uuid : info);
  // threat_level_id: 1 high, 2 medium, 3 low, 4 undefined.
  const std::string level = json_text(*event, "threat_level_id");
  d.severity = level == "1" ? Severity::Critical : level == "2" ? Severity::Major : level == "3" ? Severity::Minor
                                                                                               : Severity::Warning;
  d.description = "MISP event " + uuid + (json_text(*event, "date").empty() ? "" : " of " + json_text(*event, "date"));
  if (auto tags = event->find("Tag"); tags != event->end() && tags->is_array())
    for (const json& tag : *tags)
      if (tag.is_object()) {
        const std::string name = json_text(tag, "name");
        if (name.find("mitre") != std::string::npos) techniques_in(name, d.attack_techniques);
      }
  const std::string source = "misp:" + uuid;
  size_t context_only = 0, position = 0;
  auto add_all = [&](const json& attributes, const std::string& prefix) {
    if (!attributes.is_array()) return;
    for (const json& attribute : attributes) {
      ++position;
      std::string location = where + " attribute " + std::to_string(position);
      if (attribute.is_object() && !json_text(attribute, "uuid").empty()) location = prefix + json_text(attribute, "uuid");
      add_misp_attribute(attribute, d, source, package, location, context_only);
    }
  };
  if (auto attributes = event->find("Attribute"); attributes != event->end()) add_all(*attributes, where + " attribute ");
  if (auto objects = event->find("Object"); objects != event->end() && objects->is_array())
    for (const json& object : *objects)
      if (object.is_object() && object.contains("Attribute")) add_all(object["Attribute"], where + " object attribute ");
  if (context_only > 0)
    add_rejected(package.rejected, where, "",
                 std::to_string(context_only) + " attribute(s) with to_ids false (context, not for detection)");
  if (!d.indicators.empty()) package.definitions.push_back(std::move(d));
}

// ---- Zeek intel --------------------------------------------------------------------------------

std::optional<IndicatorType> zeek_type(std::string_view name, std::string_view value) {
  if (name == "Intel::ADDR") return IndicatorType::Ip;
  if (name == "Intel::SUBNET") return IndicatorType::Cidr;
  if (name == "Intel::DOMAIN") return IndicatorType::Domain;
  if (name == "Intel::URL") return IndicatorType::Url;
  if (name == "Intel::JA3") return IndicatorType::Ja3;
  if (name == "Intel::FILE_HASH") {
    if (value.size() == 32) return IndicatorType::Md5;
    if (value.size() == 40) return IndicatorType::Sha1;
    return IndicatorType::Sha256;
  }
  if (name == "Intel::CERT_HASH") return value.size() == 64 ? IndicatorType::CertSha256 : IndicatorType::CertSha1;
  return std::nullopt;
}

}  // namespace

std::string_view source_format_name(SourceFormat format) {
  auto index = static_cast<size_t>(format);
  return index < kFormatNames.size() ? kFormatNames[index] : std::string_view("unknown");
}

SourceFormat detect_text_format(std::string_view head) {
  if (looks_like_package(head)) return SourceFormat::Package;
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  std::string_view body = trim(head);
  if (body.starts_with('{')) {
    // The top-level keys of a bundle ("type": "bundle") or a MISP event ("Event") come early.
    std::string compact;
    for (char c : body.substr(0, 65536))
      if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
    if (compact.find("\"type\":\"bundle\"") != std::string::npos) return SourceFormat::Stix;
    if (compact.starts_with("{\"Event\":")) return SourceFormat::MispEvent;
    return SourceFormat::Unknown;
  }
  if (body.find('\0') != std::string_view::npos) return SourceFormat::Unknown;
  for (std::string_view line : lines_of(body.substr(0, 65536))) {
    if (line.starts_with("#fields")) return SourceFormat::Zeek;
    std::string_view t = trim(line);
    if (t.empty() || t.starts_with('#')) continue;
    return is_rule_line(t) ? SourceFormat::Rules : SourceFormat::List;
  }
  return SourceFormat::List;
}

SourceFormat detect_format(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return std::filesystem::exists(path / "manifest.json", ec) ? SourceFormat::MispFolder : SourceFormat::Unknown;
  std::ifstream in(path, std::ios::binary);
  if (!in) return SourceFormat::Unknown;
  std::string head(65536, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return detect_text_format(head);
}

TiPackage import_list(std::string_view text, const ImportOptions& options) {
  TiPackage package;
  package.kind = PackageKind::List;
  package.name = options.name.empty() ? "list" : options.name;
  package.id = "list:" + package.name;
  AlertDefinition d = feed_definition(package.id, "Known malicious indicator (" + package.name + ")");
  const std::string source = "list:" + package.name;
  const std::vector<std::string_view> lines = lines_of(text);

  // The first data line decides between CSV and one value per line; a commented line just before
  // it with the same delimiter is the header (abuse.ch writes "# first_seen_utc,dst_ip,…").
  char delimiter = 0;
  int column = options.column;
  size_t first_data = lines.size();
  std::string_view last_comment;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (t.empty()) continue;
    if (t.starts_with('#') || t.starts_with("//")) {
      last_comment = t;
      continue;
    }
    first_data = i;
    delimiter = pick_delimiter(t);
    if (delimiter != 0 && column < 0) {
      std::vector<std::string> fields = csv_fields(t, delimiter);
      std::string_view comment = trim(last_comment.substr(std::min<size_t>(1, last_comment.size())));
      std::vector<std::string> header = csv_fields(comment, delimiter);
      if (!comment.empty() && header.size() == fields.size()) column = column_by_header(header);
      if (column < 0) {
        const bool is_header = std::none_of(fields.begin(), fields.end(),
                                            [](const std::string& f) { return infer_indicator_type(f).has_value(); });
        if (is_header) {
          column = column_by_header(fields);
          if (column < 0) throw TiError("CSV header without a known indicator column (name one with --column)");
          first_data = i + 1;
        } else {
          for (size_t f = 0; f < fields.size() && column < 0; ++f)
            if (infer_indicator_type(fields[f])) column = static_cast<int>(f);
        }
      } else if (column_by_header(fields) == column &&
                 std::none_of(fields.begin(), fields.end(), [](const std::string& f) { return infer_indicator_type(f).has_value(); })) {
        first_data = i + 1;  // an uncommented header line as well
      }
    }
    break;
  }
  for (size_t i = first_data; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (t.empty() || t.starts_with('#') || t.starts_with("//")) continue;
    const std::string location = "line " + std::to_string(i + 1);
    std::string value;
    if (delimiter != 0) {
      std::vector<std::string> fields = csv_fields(t, delimiter);
      if (column < 0 || static_cast<size_t>(column) >= fields.size()) {
        add_rejected(package.rejected, location, t, "no indicator column in this row");
        continue;
      }
      value = fields[static_cast<size_t>(column)];
    } else {
      value = list_value(t);
    }
    auto type = options.type ? options.type : infer_indicator_type(value);
    if (!type) {
      add_rejected(package.rejected, location, value, "not an IP, CIDR, domain, URL or MD5/SHA-1/SHA-256 digest");
      continue;
    }
    add_indicator(d, *type, value, source, options.action, package, location);
  }
  if (!d.indicators.empty()) package.definitions.push_back(std::move(d));
  return package;
}

TiPackage import_zeek_intel(std::string_view text, const ImportOptions& options) {
  TiPackage package;
  package.kind = PackageKind::Zeek;
  package.name = options.name.empty() ? "zeek-intel" : options.name;
  package.id = "zeek:" + package.name;
  std::vector<std::string> fields;
  int indicator_column = -1, type_column = -1, source_column = -1, desc_column = -1;
  std::map<std::string, size_t> by_source;  // meta.source → definition index
  const std::vector<std::string_view> lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const std::string location = "line " + std::to_string(i + 1);
    if (line.starts_with("#fields")) {
      fields.clear();
      std::string_view rest = line.substr(7);
      while (!rest.empty()) {
        rest.remove_prefix(std::min(rest.find_first_not_of("\t "), rest.size()));
        if (rest.empty()) break;
        size_t end = rest.find_first_of("\t ");
        fields.emplace_back(rest.substr(0, end));
        rest.remove_prefix(std::min(end, rest.size()));
      }
      auto index = [&](std::string_view name) {
        auto it = std::find(fields.begin(), fields.end(), name);
        return it == fields.end() ? -1 : static_cast<int>(it - fields.begin());
      };
      indicator_column = index("indicator");
      type_column = index("indicator_type");
      source_column = index("meta.source");
      desc_column = index("meta.desc");
      if (indicator_column < 0 || type_column < 0)
        throw TiError(location + ": #fields must name indicator and indicator_type");
      continue;
    }
    if (trim(line).empty() || line.starts_with('#')) continue;
    if (indicator_column < 0) throw TiError("not a Zeek intel file: data before the #fields line");
    std::vector<std::string_view> columns;
    for (std::string_view rest = line;;) {
      size_t tab = rest.find('\t');
      columns.push_back(rest.substr(0, tab));
      if (tab == std::string_view::npos) break;
      rest.remove_prefix(tab + 1);
    }
    if (columns.size() <= static_cast<size_t>(std::max(indicator_column, type_column))) {
      add_rejected(package.rejected, location, line, "fewer tab-separated columns than #fields names");
      continue;
    }
    std::string_view value = columns[static_cast<size_t>(indicator_column)];
    std::string_view type_name = columns[static_cast<size_t>(type_column)];
    auto type = zeek_type(type_name, value);
    if (!type) {
      add_rejected(package.rejected, location, value, std::string(type_name) + " is not matchable by otsensor");
      continue;
    }
    std::string url;
    if (*type == IndicatorType::Url && value.find("://") == std::string_view::npos) {
      url = "http://" + std::string(value);  // Zeek intel URLs carry no scheme
      value = url;
    }
    auto column_text = [&](int c) {
      if (c < 0 || static_cast<size_t>(c) >= columns.size() || columns[static_cast<size_t>(c)] == "-") return std::string();
      return std::string(columns[static_cast<size_t>(c)]);
    };
    std::string meta_source = column_text(source_column);
    auto [it, inserted] = by_source.emplace(meta_source, package.definitions.size());
    if (inserted) {
      const std::string label = meta_source.empty() ? package.name : meta_source;
      AlertDefinition d = feed_definition(package.id + (meta_source.empty() ? "" : ":" + meta_source),
                                          "Known malicious indicator (" + label + ")");
      d.description = column_text(desc_column);
      package.definitions.push_back(std::move(d));
    }
    add_indicator(package.definitions[it->second], *type, value, "zeek:" + package.name, options.action, package, location);
  }
  if (fields.empty()) throw TiError("not a Zeek intel file: no #fields line");
  std::erase_if(package.definitions, [](const AlertDefinition& d) { return d.indicators.empty(); });
  return package;
}

TiPackage import_misp_event(std::string_view text, const ImportOptions& options) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    throw TiError(std::string("MISP event is not valid JSON: ") + e.what());
  }
  if (!root.is_object() || !root.contains("Event")) throw TiError("not a MISP event (no \"Event\" object)");
  TiPackage package;
  package.kind = PackageKind::Misp;
  std::set<std::string> ids;
  add_misp_event(root, package, ids, "event");
  const json& event = root["Event"];
  if (event.is_object()) {
    package.id = "misp:" + json_text(event, "uuid");
    package.version = json_text(event, "timestamp");
    if (auto date = json_text(event, "date"); parse_iso8601_ns(date)) package.build_date = date;
  }
  package.name = options.name.empty() ? package.id : options.name;
  return package;
}

TiPackage import_misp_folder(const std::filesystem::path& directory, const ImportOptions& options) {
  const std::filesystem::path manifest_path = directory / "manifest.json";
  json manifest;
  try {
    manifest = json::parse(read_file(manifest_path));
  } catch (const json::exception& e) {
    throw TiError(manifest_path.string() + ": not valid JSON: " + e.what());
  }
  if (!manifest.is_object()) throw TiError(manifest_path.string() + ": the manifest must map event uuids to summaries");
  TiPackage package;
  package.kind = PackageKind::Misp;
  package.name = options.name.empty() ? directory.filename().string() : options.name;
  if (package.name.empty()) package.name = directory.parent_path().filename().string();
  package.id = "misp:" + package.name;
  std::set<std::string> ids;
  int64_t newest = 0;
  for (const auto& [uuid, summary] : manifest.items()) {
    const std::string where = "event " + uuid;
    // Only names a MISP uuid can have: no path separators or dots that would leave the folder.
    if (uuid.empty() || uuid.size() > 64 ||
        !std::all_of(uuid.begin(), uuid.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '-'; })) {
      add_rejected(package.rejected, where, uuid, "not a MISP event uuid");
      continue;
    }
    if (summary.is_object()) {
      const std::string timestamp = json_text(summary, "timestamp");
      if (!timestamp.empty() && timestamp.size() < 12 && std::all_of(timestamp.begin(), timestamp.end(), ::isdigit))
        newest = std::max<int64_t>(newest, std::stoll(timestamp));
    }
    const std::filesystem::path file = directory / (uuid + ".json");
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      add_rejected(package.rejected, where, file.filename().string(), "listed in manifest.json but the file is missing");
      continue;
    }
    try {
      add_misp_event(json::parse(read_file(file)), package, ids, where);
    } catch (const json::exception& e) {
      add_rejected(package.rejected, where, file.filename().string(), std::string("not valid JSON: ") + e.what());
    } catch (const TiError& e) {
      add_rejected(package.rejected, where, file.filename().string(), e.what());
    }
  }
  if (newest > 0) {
    package.version = std::to_string(newest);
    package.build_date = format_iso8601(newest * 1'000'000'000);
  }
  return package;
}

TiPackage import_rules(std::string_view text, const ImportOptions& options) {
  TiPackage package;
  package.kind = PackageKind::Rules;
  package.name = options.name.empty() ? "rules" : options.name;
  package.id = "rules:" + package.name;
  std::set<std::string> sids;
  const std::vector<std::string_view> lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string location = "line " + std::to_string(i + 1);
    std::string rule(trim(lines[i]));
    // A trailing backslash continues the rule on the next line.
    while (!rule.empty() && rule.back() == '\\' && i + 1 < lines.size()) {
      rule.pop_back();
      rule += trim(lines[++i]);
    }
    if (rule.empty() || rule.starts_with('#')) continue;
    if (!is_rule_line(rule) || rule.back() != ')') {
      add_rejected(package.rejected, location, rule, "not a rule: expected '<action> <header> (<options>)'");
      continue;
    }
    // name[:value]; pairs between the parentheses; a value ends at a ';' outside quotes.
    std::map<std::string, std::string> options_found;
    for (size_t p = rule.find('(') + 1; p < rule.size() - 1;) {
      size_t name_start = rule.find_first_not_of(" \t;", p);
      if (name_start == std::string::npos || name_start >= rule.size() - 1) break;
      size_t name_end = rule.find_first_of(":;)", name_start);
      std::string name(trim(std::string_view(rule).substr(name_start, name_end - name_start)));
      p = name_end;
      if (name_end < rule.size() && rule[name_end] == ':') {
        size_t end = name_end + 1;
        bool in_quotes = false;
        while (end < rule.size() - 1 && (in_quotes || rule[end] != ';')) {
          if (rule[end] == '\\') ++end;
          else if (rule[end] == '"') in_quotes = !in_quotes;
          ++end;
        }
        std::string value(trim(std::string_view(rule).substr(name_end + 1, std::min(end, rule.size()) - name_end - 1)));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        options_found.emplace(std::move(name), std::move(value));
        p = end;
      }
      if (p < rule.size() && rule[p] != ')') ++p;
      else break;
    }
    auto option = [&](const char* name) {
      auto it = options_found.find(name);
      return it == options_found.end() ? std::string() : it->second;
    };
    const std::string sid = option("sid");
    if (sid.empty() || !std::all_of(sid.begin(), sid.end(), ::isdigit)) {
      add_rejected(package.rejected, location, rule, "rule without a numeric sid");
      continue;
    }
    if (!sids.insert(sid).second) {
      add_rejected(package.rejected, location, rule, "sid " + sid + " appears twice");
      continue;
    }
    const std::string msg = option("msg"), priority = option("priority");
    AlertDefinition d = feed_definition("sid:" + sid, msg.empty() ? "Rule sid " + sid : msg);
    d.group = option("classtype");
    // Suricata priority 1 is the most severe.
    d.severity = priority == "1" ? Severity::Critical : priority == "2" ? Severity::Major : priority == "3" ? Severity::Minor
                 : priority.empty()                                                               ? Severity::Major
                                                                                                  : Severity::Warning;
    d.rules.push_back(rule);
    package.definitions.push_back(std::move(d));
  }
  return package;
}

TiPackage import_path(const std::filesystem::path& path, const ImportOptions& options) {
  const SourceFormat format = detect_format(path);
  TiPackage package;
  switch (format) {
    case SourceFormat::Unknown: {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) throw TiError(path.string() + ": no such file or directory");
      throw TiError(path.string() + ": unknown format (not an otsensor package, STIX bundle, MISP feed or event, Zeek "
                                    "intel file, rules file or list)");
    }
    case SourceFormat::MispFolder:
      package = import_misp_folder(path, options);
      break;
    case SourceFormat::Package: {
      if (!options.trusted_keys || options.trusted_keys->size() == 0)
        throw TiError("no trusted keys: add the package publisher's public key first (ti trust-key PEM)");
      package = read_signed_package(read_file(path), *options.trusted_keys);
      if (!options.name.empty()) package.name = options.name;
      break;
    }
    case SourceFormat::Stix: {
      package = import_stix_bundle(read_file(path), options.min_confidence);
      package.name = options.name.empty() ? path.stem().string() : options.name;
      break;
    }
    case SourceFormat::MispEvent:
      package = import_misp_event(read_file(path), options);
      break;
    case SourceFormat::Zeek:
    case SourceFormat::Rules:
    case SourceFormat::List: {
      ImportOptions named = options;
      if (named.name.empty()) named.name = path.stem().string();
      const std::string text = read_file(path);
      package = format == SourceFormat::Zeek    ? import_zeek_intel(text, named)
                : format == SourceFormat::Rules ? import_rules(text, named)
                                                : import_list(text, named);
      package.version = modification_time(path);
      package.build_date = package.version;
      break;
    }
  }
  if (package.source.empty()) package.source = std::filesystem::absolute(path).string();
  if (package.version.empty()) package.version = "1";
  if (package.id.empty()) package.id = package.name;
  return package;
}

}  // namespace ots::detect::ti
