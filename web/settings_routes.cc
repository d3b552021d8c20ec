#include "web/settings_routes.h"

#include <stdexcept>
#include <vector>

#include "detect/export/forward_targets.h"
#include "store/sqlite.h"

namespace ots {

namespace {

using console::Role;
using detect::ForwardTarget;

nlohmann::json target_json(const ForwardTarget& t) {
  nlohmann::json out = {{"host", t.host}, {"port", t.port}, {"transport", t.transport}, {"format", t.format}};
  if (!t.ca_file.empty()) out["ca"] = t.ca_file;
  if (!t.pinned_sha256.empty()) out["pin"] = t.pinned_sha256;
  return out;
}

// One element of `syslog`; throws std::invalid_argument naming the target (1-based) when a field
// has the wrong type or is unknown. The values themselves are checked by forward_target_config.
ForwardTarget parse_target(const nlohmann::json& item, size_t position) {
  const std::string name = "target " + std::to_string(position);
  if (!item.is_object())
    throw std::invalid_argument(name + ": expected an object {host, port, transport, format}");
  ForwardTarget t;
  for (const auto& entry : item.items()) {
    // Named copies: clang 14 cannot capture structured bindings in the lambda below.
    const std::string& key = entry.key();
    const nlohmann::json& value = entry.value();
    auto text = [&](std::string& field) {
      if (!value.is_string()) throw std::invalid_argument(name + ": " + key + " must be a string");
      field = value.get<std::string>();
    };
    if (key == "host") {
      text(t.host);
    } else if (key == "port") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 65535)
        throw std::invalid_argument(name + ": port must be an integer from 1 to 65535");
      t.port = static_cast<uint16_t>(value.get<int64_t>());
    } else if (key == "transport") {
      text(t.transport);
    } else if (key == "format") {
      text(t.format);
    } else if (key == "ca") {
      text(t.ca_file);
    } else if (key == "pin") {
      text(t.pinned_sha256);
    } else {
      throw std::invalid_argument(name + ": unknown field '" + key.substr(0, 64) +
                                  "' (host, port, transport, format, ca, pin)");
    }
  }
  if (t.port == 0) throw std::invalid_argument(name + ": port must be an integer from 1 to 65535");
  return t;
}

// "siem:514 udp cef, 10.0.0.9:6514 tls json": what the audit log says the targets became.
std::string audit_detail(const std::vector<ForwardTarget>& targets) {
  if (targets.empty()) return "no targets";
  std::string detail;
  for (const ForwardTarget& t : targets) {
    if (!detail.empty()) detail += ", ";
    detail += t.host + ":" + std::to_string(t.port) + " " + t.transport + " " + t.format;
  }
  return detail;
}

}  // namespace

std::vector<ForwardTarget> parse_export_settings(const nlohmann::json& body) {
  const auto syslog = body.is_object() ? body.find("syslog") : body.end();
  if (syslog == body.end() || !syslog->is_array())
    throw std::invalid_argument("expected {\"syslog\": [{host, port, transport, format}]}");
  if (syslog->size() > detect::kMaxForwardTargets)
    throw std::invalid_argument("at most " + std::to_string(detect::kMaxForwardTargets) + " targets (got " +
                                std::to_string(syslog->size()) + ")");
  std::vector<ForwardTarget> targets;
  for (size_t i = 0; i < syslog->size(); ++i) targets.push_back(parse_target((*syslog)[i], i + 1));
  detect::validate_forward_targets(targets);
  return targets;
}

void install_settings_routes(ConsoleRoutes& routes) {
  const std::string db_path = routes.db_path();
  routes.get("/api/v1/settings/export", Role::Admin, [db_path](RequestContext& c) {
    auto db = SqliteConnection::open(db_path, SqliteConnection::Mode::ReadWrite);
    nlohmann::json syslog = nlohmann::json::array();
    for (const ForwardTarget& t : detect::load_forward_targets(*db)) syslog.push_back(target_json(t));
    c.send_json(200, {{"syslog", syslog}});
  });

  routes.put("/api/v1/settings/export", Role::Admin, [db_path](RequestContext& c) {
    auto body = c.json_body();
    if (!body) return;
    std::vector<ForwardTarget> targets;
    try {
      targets = parse_export_settings(*body);
    } catch (const std::invalid_argument& e) {
      return c.send_error(400, e.what());
    }
    auto db = SqliteConnection::open(db_path, SqliteConnection::Mode::ReadWrite);
    detect::store_forward_targets(*db, targets);
    c.audit("settings.export", "syslog", audit_detail(targets));
    nlohmann::json stored = nlohmann::json::array();
    for (const ForwardTarget& t : targets) stored.push_back(target_json(t));
    c.send_json(200, {{"syslog", stored}});
  });
}

}  // namespace ots
