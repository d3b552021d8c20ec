// A tiny JSON Schema (2020-12) checker for the keywords web/schema/api.schema.json uses:
// type, required, properties, additionalProperties, items, allOf, $ref (local), minimum,
// maximum, pattern. Any other validation keyword is reported, so schema and checker cannot
// drift apart silently.
#pragma once

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace ots::testing {

class SchemaChecker {
 public:
  explicit SchemaChecker(nlohmann::json root) : root_(std::move(root)) {}

  // Returns one line per violation; empty when `value` conforms to `#/$defs/<def>`.
  std::vector<std::string> check(const nlohmann::json& value, const std::string& def) const {
    std::vector<std::string> errors;
    check_against(value, resolve("#/$defs/" + def), "$", errors);
    return errors;
  }

 private:
  const nlohmann::json& resolve(const std::string& ref) const {
    return root_.at(nlohmann::json::json_pointer(ref.substr(1)));
  }

  static bool has_type(const nlohmann::json& value, const std::string& type) {
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "null") return value.is_null();
    return false;
  }

  void check_against(const nlohmann::json& value, const nlohmann::json& schema, const std::string& where,
                     std::vector<std::string>& errors) const {
    static const std::set<std::string> known = {"type",    "required", "properties", "additionalProperties",
                                                "items",   "allOf",    "$ref",       "minimum",
                                                "maximum", "pattern",  "description", "title"};
    for (const auto& [keyword, unused] : schema.items()) {
      if (!known.contains(keyword)) errors.push_back(where + ": checker does not support keyword " + keyword);
    }
    if (schema.contains("$ref")) check_against(value, resolve(schema["$ref"]), where, errors);
    if (schema.contains("allOf")) {
      for (const auto& part : schema["allOf"]) check_against(value, part, where, errors);
    }
    if (schema.contains("type")) {
      const auto& type = schema["type"];
      bool ok = false;
      if (type.is_string()) ok = has_type(value, type);
      for (const auto& alternative : type.is_array() ? type : nlohmann::json::array()) {
        ok = ok || has_type(value, alternative);
      }
      if (!ok) {
        errors.push_back(where + ": expected type " + type.dump() + ", got " + value.dump());
        return;
      }
    }
    if (value.is_object()) {
      for (const auto& name : schema.value("required", nlohmann::json::array())) {
        if (!value.contains(name.get<std::string>())) errors.push_back(where + ": missing " + name.get<std::string>());
      }
      const auto properties = schema.value("properties", nlohmann::json::object());
      for (const auto& [name, member] : value.items()) {
        if (properties.contains(name)) {
          check_against(member, properties[name], where + "." + name, errors);
        } else if (schema.contains("additionalProperties")) {
          check_against(member, schema["additionalProperties"], where + "." + name, errors);
        }
      }
    }
    if (value.is_array() && schema.contains("items")) {
      for (size_t i = 0; i < value.size(); ++i) {
        check_against(value[i], schema["items"], where + "[" + std::to_string(i) + "]", errors);
      }
    }
    if (value.is_number()) {
      if (schema.contains("minimum") && value.get<double>() < schema["minimum"].get<double>()) {
        errors.push_back(where + ": below minimum: " + value.dump());
      }
      if (schema.contains("maximum") && value.get<double>() > schema["maximum"].get<double>()) {
        errors.push_back(where + ": above maximum: " + value.dump());
      }
    }
    if (value.is_string() && schema.contains("pattern") &&
        !std::regex_search(value.get<std::string>(), std::regex(schema["pattern"].get<std::string>()))) {
      errors.push_back(where + ": does not match " + schema["pattern"].get<std::string>() + ": " + value.dump());
    }
  }

  nlohmann::json root_;
};

}  // namespace ots::testing
