#include "web/detection_routes.h"

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "detect/engine/alert_store.h"
#include "detect/engine/baseline.h"
#include "detect/engine/central_detector.h"
#include "detect/ti/importers.h"
#include "detect/ti/ti_store.h"
#include "web/http_params.h"
#include "web/json.h"

namespace ots {

namespace {

using console::Role;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string param(const RequestContext& c, const char* name) {
  return c.request.has_param(name) ? c.request.get_param_value(name) : std::string();
}

nlohmann::json alert_json(const detect::StoredAlert& s) {
  const detect::Alert& a = s.alert;
  auto text_or_null = [](const std::string& t) { return t.empty() ? nlohmann::json() : nlohmann::json(t); };
  nlohmann::json j = {
      {"id", a.id},
      {"engine", detect::engine_name(a.engine)},
      {"severity", detect::severity_name(a.severity)},
      {"title", a.title},
      {"message", a.message},
      {"definitionId", a.definition_id},
      {"sourceIp", a.source_ip.is_unspecified() ? nlohmann::json() : nlohmann::json(a.source_ip.str())},
      {"destinationIp", a.destination_ip.is_unspecified() ? nlohmann::json() : nlohmann::json(a.destination_ip.str())},
      {"sourceMac", a.source_mac.is_zero() ? nlohmann::json() : nlohmann::json(a.source_mac.str())},
      {"destinationMac", a.destination_mac.is_zero() ? nlohmann::json() : nlohmann::json(a.destination_mac.str())},
      {"protocol", text_or_null(a.protocol)},
      {"attackTechniques", a.attack_techniques},
      {"group", a.group},
      {"firstSeen", iso8601_utc(a.first_seen_ns)},
      {"lastSeen", iso8601_utc(a.last_seen_ns)},
      {"count", a.count},
      {"state", detect::alert_state_name(a.state)},
      {"stateChangedBy", s.state_changed_by},
      {"hasPcap", s.evidence_count > 0},
  };
  if (!s.comments.empty()) {
    nlohmann::json comments = nlohmann::json::array();
    for (const auto& c : s.comments)
      comments.push_back({{"user", c.author}, {"at", iso8601_utc(c.created_ns)}, {"text", c.text}});
    j["comments"] = std::move(comments);
  }
  return j;
}

nlohmann::json package_json(const detect::ti::StoredPackage& p, const detect::ti::TiStore& store) {
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : store.rejected(p.row_id)) {
    rejected.push_back({{"entry", r.location + (r.value.empty() ? "" : " " + r.value)}, {"reason", r.reason}});
    if (rejected.size() >= 200) break;
  }
  return {{"id", p.row_id},          {"kind", detect::ti::package_kind_name(p.kind)},
          {"name", p.name},          {"version", p.version},
          {"buildDate", p.build_date}, {"source", p.source},
          {"importedAt", iso8601_utc(p.imported_at_ns)}, {"enabled", p.enabled},
          {"definitions", p.definitions}, {"indicators", p.indicators},
          {"rules", p.rules},        {"rejectedCount", p.rejected},
          {"olderVersions", p.older_versions}, {"rejected", std::move(rejected)}};
}

std::optional<int64_t> id_of(const RequestContext& c) {
  auto id = parse_device_id(c.path_match(1));  // positive decimal int64
  if (!id) c.send_error(404, "not found");
  return id;
}

}  // namespace

void install_detection_routes(ConsoleRoutes& routes) {
  const std::string db = routes.db_path();

  routes.get("/api/v1/alerts", Role::ReadOnly, [db](RequestContext& c) {
    detect::AlertFilter f;
    PageParams page = parse_page_params(
        c.request.has_param("offset") ? std::optional<std::string_view>(c.request.get_param_value("offset")) : std::nullopt,
        c.request.has_param("limit") ? std::optional<std::string_view>(c.request.get_param_value("limit")) : std::nullopt);
    if (!page.error.empty()) return c.send_error(400, page.error);
    f.offset = page.page.offset;
    f.limit = page.page.limit;
    if (auto v = param(c, "engine"); !v.empty()) {
      f.engine = detect::parse_engine(v);
      if (!f.engine) return c.send_error(400, "unknown engine '" + v + "'");
    }
    if (auto v = param(c, "severity"); !v.empty()) {
      f.min_severity = detect::parse_severity(v);
      if (!f.min_severity) return c.send_error(400, "unknown severity '" + v + "'");
    }
    if (auto v = param(c, "state"); !v.empty()) {
      f.state = detect::parse_alert_state(v);
      if (!f.state) return c.send_error(400, "unknown state '" + v + "'");
    }
    for (auto [name, out] : {std::pair{"from", &f.from_ns}, std::pair{"to", &f.to_ns}}) {
      if (auto v = param(c, name); !v.empty()) {
        auto t = parse_utc_time(v);
        if (!t) return c.send_error(400, std::string(name) + " must be an ISO 8601 UTC time");
        *out = *t;
      }
    }
    if (auto v = param(c, "device"); !v.empty()) {
      f.device_ip = IpAddr::parse(v);
      if (!f.device_ip) return c.send_error(400, "device must be an IP address");
    }
    f.text = param(c, "q");
    if (f.text.size() > 200) return c.send_error(400, "q is longer than 200 characters");
    auto store = detect::AlertStore::open(db, SqliteConnection::Mode::ReadOnly);
    auto result = store->list(f);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : result.alerts) items.push_back(alert_json(a));
    c.send_json(200, {{"total", result.total}, {"offset", f.offset}, {"limit", f.limit}, {"items", items}});
  });
  routes.get("/api/v1/alerts/summary", Role::ReadOnly, [db](RequestContext& c) {
    auto store = detect::AlertStore::open(db, SqliteConnection::Mode::ReadOnly);
    detect::AlertFilter f;
    f.limit = 1000;
    std::map<std::string, int64_t> by_severity;
    std::map<std::string, std::map<std::string, int64_t>> per_day;
    for (int64_t offset = 0;; offset += f.limit) {
      f.offset = offset;
      auto page = store->list(f);
      for (const auto& s : page.alerts) {
        const std::string severity(detect::severity_name(s.alert.severity));
        ++by_severity[severity];
        ++per_day[iso8601_utc(s.alert.last_seen_ns).substr(0, 10)][severity];
      }
      if (offset + f.limit >= page.total || offset >= 100'000) break;
    }
    nlohmann::json days = nlohmann::json::array();
    for (const auto& [day, counts] : per_day) {
      nlohmann::json d = {{"day", day}};
      for (const char* s : {"Warning", "Minor", "Major", "Critical"}) d[s] = counts.count(s) ? counts.at(s) : 0;
      days.push_back(std::move(d));
    }
    c.send_json(200, {{"bySeverity", by_severity}, {"perDay", days}});
  });
  routes.get(R"(/api/v1/alerts/(\d{1,18}))", Role::ReadOnly, [db](RequestContext& c) {
    auto id = id_of(c);
    if (!id) return;
    auto stored = detect::AlertStore::open(db, SqliteConnection::Mode::ReadOnly)->get(*id);
    if (!stored) return c.send_error(404, "no such alert");
    nlohmann::json j = alert_json(*stored);
    j["activity"] = stored->alert.activity;
    if (!j.contains("comments")) j["comments"] = nlohmann::json::array();
    c.send_json(200, j);
  });
  routes.get(R"(/api/v2/alerts/pcap/(\d{1,18}))", Role::ReadOnly, [db](RequestContext& c) {
    auto id = id_of(c);
    if (!id) return;
    auto pcap = detect::AlertStore::open(db, SqliteConnection::Mode::ReadOnly)->pcap(*id);
    if (!pcap) return c.send_error(404, "no such alert");
    c.response.set_header("Content-Disposition", "attachment; filename=\"otsensor-alert-" + std::to_string(*id) + ".pcap\"");
    c.response.set_content(std::string(pcap->begin(), pcap->end()), "application/vnd.tcpdump.pcap");
  });
  const std::pair<const char*, detect::AlertState> kActions[] = {{"acknowledge", detect::AlertState::Acknowledged},
                                                                 {"mute", detect::AlertState::Muted},
                                                                 {"unmute", detect::AlertState::New},
                                                                 {"learn", detect::AlertState::Learned}};
  for (const auto& [action, state] : kActions) {
    routes.post(std::string(R"(/api/v1/alerts/(\d{1,18})/)") + action, Role::Analyst,
                [db, action = std::string(action), state = state](RequestContext& c) {
                  auto id = id_of(c);
                  if (!id) return;
                  auto store = detect::AlertStore::open(db);
                  auto stored = store->get(*id);
                  if (!stored) return c.send_error(404, "no such alert");
                  if (state == detect::AlertState::Learned) {
                    auto baseline = detect::Baseline::open(db);
                    detect::CentralDetector central(*baseline);
                    central.learn(stored->alert);
                  }
                  store->set_state(*id, state, c.principal.user.name, now_ns());
                  c.audit("alert." + action, std::to_string(*id), stored->alert.title);
                  c.send_json(200, alert_json(*store->get(*id)));
                });
  }
  routes.post(R"(/api/v1/alerts/(\d{1,18})/comments)", Role::Analyst, [db](RequestContext& c) {
    auto id = id_of(c);
    if (!id) return;
    auto body = c.json_body();
    if (!body) return;
    if (!(*body)["text"].is_string() || (*body)["text"].get<std::string>().empty() ||
        (*body)["text"].get<std::string>().size() > 10'000)
      return c.send_error(400, "expected {\"text\": 1 to 10000 characters}");
    auto store = detect::AlertStore::open(db);
    if (!store->add_comment(*id, c.principal.user.name, (*body)["text"].get<std::string>(), now_ns()))
      return c.send_error(404, "no such alert");
    c.audit("alert.comment", std::to_string(*id));
    c.send_json(201, alert_json(*store->get(*id)));
  });

  // --- threat intelligence ---
  routes.get("/api/v1/ti/packages", Role::ReadOnly, [db](RequestContext& c) {
    detect::ti::TiStore store(db);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& p : store.list()) items.push_back(package_json(p, store));
    c.send_json(200, {{"items", items}});
  });
  routes.upload("/api/v1/ti/packages", Role::Admin, [db](RequestContext& c, const std::string& file, uint64_t) {
    detect::ti::TiStore store(db);
    const detect::ti::TrustedKeys keys = store.trusted_keys();
    detect::ti::ImportOptions options;
    options.trusted_keys = &keys;
    options.name = param(c, "name");
    std::string name = options.name;
    try {
      // The importers recognise the format by content; the upload's name only labels it.
      auto package = detect::ti::import_path(file, options);
      auto stored = store.import(package, now_ns());
      std::filesystem::remove(file);
      c.audit("ti.import", stored.name, stored.version);
      c.send_json(201, package_json(stored, store));
    } catch (const std::exception& e) {
      std::filesystem::remove(file);
      c.audit("ti.import_rejected", name, e.what());
      c.send_error(400, std::string("package rejected: ") + e.what());
    }
  });
  for (const auto& [action, enable] : {std::pair{"enable", true}, std::pair{"disable", false}}) {
    routes.post(std::string(R"(/api/v1/ti/packages/(\d{1,18})/)") + action, Role::Admin,
                [db, action = std::string(action), enable = enable](RequestContext& c) {
                  auto id = id_of(c);
                  if (!id) return;
                  detect::ti::TiStore store(db);
                  try {
                    store.set_enabled(*id, enable);
                  } catch (const std::exception& e) {
                    return c.send_error(404, e.what());
                  }
                  c.audit("ti." + action, std::to_string(*id));
                  c.send_json(200, {{"id", *id}, {"enabled", enable}});
                });
  }
  routes.del(R"(/api/v1/ti/packages/(\d{1,18}))", Role::Admin, [db](RequestContext& c) {
    auto id = id_of(c);
    if (!id) return;
    detect::ti::TiStore store(db);
    try {
      auto removed = store.remove(*id);
      c.audit("ti.remove", removed.name);
      c.send_json(200, {{"removed", removed.name}});
    } catch (const std::exception& e) {
      c.send_error(404, e.what());
    }
  });
  routes.post("/api/v1/ti/rollback", Role::Admin, [db](RequestContext& c) {
    auto body = c.json_body();
    if (!body) return;
    if (!(*body)["name"].is_string()) return c.send_error(400, "expected {\"name\": package name}");
    detect::ti::TiStore store(db);
    try {
      auto restored = store.rollback((*body)["name"].get<std::string>());
      c.audit("ti.rollback", restored.name, restored.version);
      c.send_json(200, package_json(restored, store));
    } catch (const std::exception& e) {
      c.send_error(400, e.what());
    }
  });

  // --- baseline learning ---
  routes.get("/api/v1/baseline", Role::ReadOnly, [db](RequestContext& c) {
    auto baseline = detect::Baseline::open(db);
    c.send_json(200, {{"learning", baseline->learning()}, {"established", baseline->established()}});
  });
  routes.post("/api/v1/baseline", Role::Admin, [db](RequestContext& c) {
    auto body = c.json_body();
    if (!body) return;
    const std::string action = (*body)["action"].is_string() ? (*body)["action"].get<std::string>() : "";
    auto baseline = detect::Baseline::open(db);
    if (action == "learn") {
      int64_t minutes = (*body)["minutes"].is_number_integer() ? (*body)["minutes"].get<int64_t>() : 0;
      if (minutes < 0 || minutes > 60 * 24 * 365) return c.send_error(400, "minutes must be 0 (until stopped) to one year");
      baseline->start_learning(minutes * 60'000'000'000LL);
    } else if (action == "stop") {
      baseline->end_learning();
    } else if (action == "reset") {
      baseline->reset();
    } else {
      return c.send_error(400, "action must be learn, stop or reset");
    }
    c.audit("baseline." + action, "");
    c.send_json(200, {{"learning", baseline->learning()}, {"established", baseline->established()}});
  });
}

}  // namespace ots
