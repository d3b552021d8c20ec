#include "web/event_routes.h"

#include <httplib.h>
#include <sqlite3.h>

#include <array>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "detect/alert_model.h"
#include "store/sqlite.h"
#include "web/http_params.h"
#include "web/json.h"

namespace ots {

namespace {

using console::Role;

// The order is also the tie-break between sources for events at the same nanosecond.
enum class EventKind : uint8_t { Alert, UserOperation, DeviceDiscovered };
constexpr std::array<std::string_view, 3> kKindNames = {"alert", "user-operation", "device-discovered"};

struct EventQuery {
  std::array<bool, 3> kinds{};  // indexed by EventKind
  int64_t since_ns = 0;
  int64_t until_ns = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> device_id;
  Page page;

  bool wants(EventKind kind) const { return kinds[static_cast<size_t>(kind)]; }
};

std::optional<std::string_view> query_param(const RequestContext& c, const char* name) {
  if (!c.request.has_param(name)) return std::nullopt;
  return c.request.params.find(name)->second;
}

// The filters of a request; on failure answers 400 (or 403) and returns nullopt.
std::optional<EventQuery> parse_event_query(const RequestContext& c) {
  EventQuery q;
  PageParams page = parse_page_params(query_param(c, "offset"), query_param(c, "limit"));
  if (!page.error.empty()) return c.send_error(400, page.error), std::nullopt;
  q.page = page.page;

  // type=alert&type=device-discovered or type=alert,device-discovered.
  auto [first, last] = c.request.params.equal_range("type");
  const bool typed = first != last;
  for (auto it = first; it != last; ++it) {
    std::string_view list = it->second;
    while (true) {
      const size_t comma = list.find(',');
      const std::string_view name = list.substr(0, comma);
      size_t kind = 0;
      while (kind < kKindNames.size() && kKindNames[kind] != name) ++kind;
      if (kind == kKindNames.size()) {
        c.send_error(400, "unknown event type '" + std::string(name) +
                              "' (expected alert, user-operation or device-discovered)");
        return std::nullopt;
      }
      q.kinds[kind] = true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  const bool admin = c.principal.user.role >= Role::Admin;
  if (!typed) q.kinds = {true, admin, true};
  // User operations are the audit log, which only admins may read.
  if (q.wants(EventKind::UserOperation) && !admin) {
    c.send_error(403, "user operations are shown to admins only");
    return std::nullopt;
  }

  for (auto [name, out] : {std::pair{"since", &q.since_ns}, std::pair{"until", &q.until_ns}}) {
    if (auto text = query_param(c, name)) {
      auto t = parse_utc_time(std::string(*text));
      if (!t) return c.send_error(400, std::string(name) + " must be an ISO 8601 UTC time"), std::nullopt;
      *out = *t;
    }
  }
  if (q.since_ns > q.until_ns) return c.send_error(400, "since is after until"), std::nullopt;

  if (auto text = query_param(c, "deviceId")) {
    q.device_id = parse_device_id(*text);
    if (!q.device_id) return c.send_error(400, "deviceId must be a positive integer"), std::nullopt;
  }
  return q;
}

// Ends the read transaction that gives every query of a request the same snapshot.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(SqliteConnection& db) : db_(db) { db_.exec("BEGIN"); }
  // A read transaction has nothing to lose: its COMMIT's result is irrelevant.
  ~ReadSnapshot() { sqlite3_exec(db_.handle(), "COMMIT", nullptr, nullptr, nullptr); }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  SqliteConnection& db_;
};

// Where a device filter matches: the device's addresses for alerts, its id elsewhere.
struct DeviceScope {
  std::string id;
  std::string ips_json = "[]";
  std::string mac;
};

// One source of the timeline. The query's first two columns are time and id; ?1/?2 are the
// time bounds and ?3 (and ?4) the device scope, NULL when there is none.
struct Source {
  EventKind kind;
  std::string_view columns;
  std::string_view from_where;
  std::string_view order;
};

constexpr Source kSources[] = {
    {EventKind::Alert,
     "first_seen_ns, id, severity, title, message, source_ip, source_mac, destination_ip, destination_mac",
     "FROM alerts WHERE first_seen_ns BETWEEN ?1 AND ?2 AND (?3 IS NULL"
     " OR source_ip IN (SELECT value FROM json_each(?3))"
     " OR destination_ip IN (SELECT value FROM json_each(?3))"
     " OR (?4 <> '' AND (source_mac = ?4 OR destination_mac = ?4)))",
     "first_seen_ns DESC, id DESC"},
    {EventKind::UserOperation, "at, id, user, action, target, detail",
     "FROM console_audit WHERE at BETWEEN ?1 AND ?2"
     " AND (?3 IS NULL OR (action LIKE 'device.%' AND target = ?3))",
     "at DESC, id DESC"},
    {EventKind::DeviceDiscovered, "d.first_seen, d.id, d.mac, d.ips, d.type, d.vendor, a.name, a.type",
     "FROM devices d LEFT JOIN console_device_annotations a ON a.device_id = d.id"
     " WHERE d.first_seen BETWEEN ?1 AND ?2 AND (?3 IS NULL OR d.id = ?3)",
     "d.first_seen DESC, d.id DESC"},
};

void bind_filters(Statement& q, const Source& source, const EventQuery& query,
                  const std::optional<DeviceScope>& scope) {
  q.bind(1, query.since_ns).bind(2, query.until_ns);
  if (!scope) {
    q.bind_null(3);
    if (source.kind == EventKind::Alert) q.bind(4, "");
    return;
  }
  if (source.kind == EventKind::Alert) {
    q.bind(3, scope->ips_json).bind(4, scope->mac);
  } else {
    q.bind(3, scope->id);  // console_audit.target is text; devices.id compares by value
  }
}

// A source's rows, newest first, read one at a time during the merge.
struct Cursor {
  const Source* source;
  std::unique_ptr<Statement> rows;
  bool has_row = false;

  int64_t time() const { return rows->i64(0); }
  int64_t id() const { return rows->i64(1); }
  // Newest first; at the same time alerts, then user operations, then discoveries; then higher ids.
  bool before(const Cursor& other) const {
    if (time() != other.time()) return time() > other.time();
    if (source->kind != other.source->kind) return source->kind < other.source->kind;
    return id() > other.id();
  }
};

nlohmann::json text_or_null(std::string text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(std::move(text));
}

nlohmann::json base_event(EventKind kind, int64_t time, int64_t id) {
  return {{"id", std::string(kKindNames[static_cast<size_t>(kind)]) + ":" + std::to_string(id)},
          {"time", iso8601_utc(time)},
          {"type", kKindNames[static_cast<size_t>(kind)]},
          {"severity", nullptr},
          {"title", ""},
          {"description", ""},
          {"deviceId", nullptr},
          {"user", nullptr},
          {"link", nullptr}};
}

nlohmann::json alert_event(const Statement& r) {
  nlohmann::json e = base_event(EventKind::Alert, r.i64(0), r.i64(1));
  const int64_t severity = r.i64(2);
  if (severity >= 0 && severity <= static_cast<int64_t>(detect::Severity::Critical))
    e["severity"] = detect::severity_name(static_cast<detect::Severity>(severity));
  e["title"] = r.text(3);
  e["description"] = r.text(4);
  e["link"] = "/api/v1/alerts/" + std::to_string(r.i64(1));
  return e;
}

nlohmann::json user_operation_event(const Statement& r) {
  nlohmann::json e = base_event(EventKind::UserOperation, r.i64(0), r.i64(1));
  const std::string action = r.text(3), target = r.text(4), detail = r.text(5);
  e["user"] = text_or_null(r.text(2));  // empty: the sensor itself (first start)
  e["title"] = action;
  e["description"] = detail.empty() ? target : target + ": " + detail;
  // Operations on a device or an alert link to it (the target is then its id).
  const auto target_id = parse_device_id(target);
  if (target_id && action.starts_with("device.")) {
    e["deviceId"] = *target_id;
    e["link"] = "/api/v1/devices/" + target;
  } else if (target_id && action.starts_with("alert.")) {
    e["link"] = "/api/v1/alerts/" + target;
  }
  return e;
}

nlohmann::json device_event(const Statement& r) {
  const int64_t id = r.i64(1);
  nlohmann::json e = base_event(EventKind::DeviceDiscovered, r.i64(0), id);
  std::string addresses;
  const auto ips = nlohmann::json::parse(r.text(3), nullptr, false);
  if (ips.is_array()) {
    for (const auto& ip : ips) {
      if (ip.is_string()) addresses += (addresses.empty() ? "" : ", ") + ip.get<std::string>();
    }
  }
  const std::string mac = r.is_null(2) ? "" : r.text(2);
  if (!mac.empty()) addresses += (addresses.empty() ? "" : ", ") + mac;
  const std::string name = r.is_null(6) || r.text(6).empty() ? addresses : r.text(6);
  const std::string type = r.is_null(7) || r.text(7).empty() ? r.text(4) : r.text(7);
  e["title"] = "Device discovered: " + (name.empty() ? "device " + std::to_string(id) : name);
  std::string description = type.empty() ? "Unclassified device" : type;
  if (!r.text(5).empty()) description += " by " + r.text(5);
  if (!addresses.empty()) description += " (" + addresses + ")";
  e["description"] = description;
  e["deviceId"] = id;
  e["link"] = "/api/v1/devices/" + std::to_string(id);
  return e;
}

// Alerts carry addresses, not device ids: the device of the source (IP, then MAC), else of the
// destination. One pass over the devices for the whole page.
void resolve_alert_devices(SqliteConnection& db, nlohmann::json& items,
                           const std::vector<std::pair<size_t, std::array<std::string, 4>>>& alerts) {
  if (alerts.empty()) return;
  nlohmann::json endpoints = nlohmann::json::array();
  for (const auto& [item, addresses] : alerts) {
    for (const std::string& a : addresses) {
      if (!a.empty()) endpoints.push_back(a);
    }
  }
  std::map<std::string, int64_t> device_of;
  Statement q(db,
              "SELECT j.value, d.id FROM devices d, json_each(d.ips) j WHERE j.value IN (SELECT value FROM"
              " json_each(?1)) UNION ALL"
              " SELECT mac, id FROM devices WHERE mac IN (SELECT value FROM json_each(?1))"
              " ORDER BY 2");
  q.bind(1, endpoints.dump());
  while (q.step()) device_of.emplace(q.text(0), q.i64(1));  // the lowest id wins
  for (const auto& [item, addresses] : alerts) {
    for (const std::string& a : addresses) {
      auto found = a.empty() ? device_of.end() : device_of.find(a);
      if (found != device_of.end()) {
        items[item]["deviceId"] = found->second;
        break;
      }
    }
  }
}

bool has_table(SqliteConnection& db, std::string_view name) {
  Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  q.bind(1, name);
  return q.step();
}

void list_events(RequestContext& c, const std::string& db_path) {
  auto query = parse_event_query(c);
  if (!query) return;
  auto db = SqliteConnection::open(db_path, SqliteConnection::Mode::ReadOnly);
  ReadSnapshot snapshot(*db);

  std::optional<DeviceScope> scope;
  if (query->device_id) {
    scope = DeviceScope{std::to_string(*query->device_id), "[]", ""};
    Statement d(*db, "SELECT ips, mac FROM devices WHERE id = ?1");
    d.bind(1, *query->device_id);
    if (d.step()) {
      scope->ips_json = d.text(0);
      scope->mac = d.is_null(1) ? "" : d.text(1);
    }
  }

  // A sensor that never ran detection has no alerts table yet.
  const bool alerts_exist = has_table(*db, "alerts");
  const int64_t wanted = query->page.offset + query->page.limit;
  int64_t total = 0;
  std::vector<Cursor> cursors;
  for (const Source& source : kSources) {
    if (!query->wants(source.kind) || (source.kind == EventKind::Alert && !alerts_exist)) continue;
    Statement count(*db, "SELECT COUNT(*) " + std::string(source.from_where));
    bind_filters(count, source, *query, scope);
    count.step();
    total += count.i64(0);
    auto rows = std::make_unique<Statement>(
        *db, "SELECT " + std::string(source.columns) + " " + std::string(source.from_where) + " ORDER BY " +
                 std::string(source.order) + " LIMIT " + std::to_string(wanted));
    bind_filters(*rows, source, *query, scope);
    Cursor cursor{&source, std::move(rows)};
    cursor.has_row = cursor.rows->step();
    cursors.push_back(std::move(cursor));
  }

  nlohmann::json items = nlohmann::json::array();
  std::vector<std::pair<size_t, std::array<std::string, 4>>> unresolved_alerts;
  for (int64_t index = 0; index < wanted; ++index) {
    Cursor* next = nullptr;
    for (Cursor& cursor : cursors) {
      if (cursor.has_row && (!next || cursor.before(*next))) next = &cursor;
    }
    if (!next) break;
    if (index >= query->page.offset) {
      const Statement& r = *next->rows;
      switch (next->source->kind) {
        case EventKind::Alert:
          items.push_back(alert_event(r));
          if (query->device_id)
            items.back()["deviceId"] = *query->device_id;
          else
            unresolved_alerts.push_back({items.size() - 1, {r.text(5), r.text(6), r.text(7), r.text(8)}});
          break;
        case EventKind::UserOperation:
          items.push_back(user_operation_event(r));
          break;
        case EventKind::DeviceDiscovered:
          items.push_back(device_event(r));
          break;
      }
    }
    next->has_row = next->rows->step();
  }
  resolve_alert_devices(*db, items, unresolved_alerts);
  c.send_json(
      200,
      {{"total", total}, {"offset", query->page.offset}, {"limit", query->page.limit}, {"items", items}});
}

}  // namespace

void install_event_routes(ConsoleRoutes& routes) {
  routes.get("/api/v1/events", Role::ReadOnly,
             [db = routes.db_path()](RequestContext& c) { list_events(c, db); });
}

}  // namespace ots
