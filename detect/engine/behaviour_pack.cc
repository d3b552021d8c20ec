#include "detect/engine/behaviour_pack.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ots::detect {

namespace {

using nlohmann::json;

// Reads an optional string member; false when present with another type.
bool string_member(const json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool string_array_member(const json& object, const char* key, std::vector<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end()) return true;
  if (!it->is_array()) return false;
  for (const json& item : *it) {
    if (!item.is_string()) return false;
    out.push_back(item.get<std::string>());
  }
  return true;
}

std::string read_definition(const json& item, AlertDefinition& out) {
  if (!item.is_object()) return "definition is not an object";
  std::string severity, engine;
  if (!string_member(item, "id", out.id) || out.id.empty()) return "missing or non-string id";
  if (!string_member(item, "title", out.title) || out.title.empty()) return "missing or non-string title";
  if (!string_member(item, "attack_name", out.attack_name) || !string_member(item, "description", out.description) ||
      !string_member(item, "remediation", out.remediation) || !string_member(item, "group", out.group) ||
      !string_member(item, "severity", severity) || !string_member(item, "engine", engine))
    return "a text field is not a string";
  if (!string_array_member(item, "attack_techniques", out.attack_techniques) ||
      !string_array_member(item, "behaviours", out.behaviours) || !string_array_member(item, "rules", out.rules))
    return "attack_techniques, behaviours and rules must be arrays of strings";
  if (auto s = parse_severity(severity)) out.severity = *s;
  else return "unknown severity '" + severity + "'";
  if (engine.empty()) engine = "malware";
  if (auto e = parse_engine(engine)) out.engine = *e;
  else return "unknown engine '" + engine + "'";
  if (out.behaviours.empty() && out.rules.empty()) return "definition names no behaviour and no rule";
  return {};
}

}  // namespace

BehaviourPack parse_behaviour_pack(std::string_view json_text) {
  json document = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) throw std::invalid_argument("behaviour pack is not valid JSON");
  if (!document.is_object()) throw std::invalid_argument("behaviour pack is not a JSON object");
  auto format = document.find("format");
  if (format == document.end() || !format->is_string() || *format != "otsensor-behaviour-pack")
    throw std::invalid_argument("behaviour pack: format is not \"otsensor-behaviour-pack\"");
  auto definitions = document.find("definitions");
  if (definitions == document.end() || !definitions->is_array())
    throw std::invalid_argument("behaviour pack: no \"definitions\" array");
  BehaviourPack pack;
  if (!string_member(document, "version", pack.version)) throw std::invalid_argument("behaviour pack: bad version");
  for (const json& item : *definitions) {
    AlertDefinition definition;
    std::string problem = read_definition(item, definition);
    if (problem.empty()) {
      for (const AlertDefinition& seen : pack.definitions)
        if (seen.id == definition.id) problem = "duplicate id";
    }
    if (problem.empty()) pack.definitions.push_back(std::move(definition));
    else pack.problems.push_back({definition.id, std::move(problem)});
  }
  return pack;
}

BehaviourPack load_behaviour_pack(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read behaviour pack '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_behaviour_pack(text.str());
}

}  // namespace ots::detect
