#include "store/database.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/migrations.h"

namespace ots {

namespace {

constexpr int kBusyTimeoutMs = 5000;

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SQLite integers are signed 64-bit; counters never get near 2^63, so the cast round-trips.
int64_t as_sql(uint64_t v) { return static_cast<int64_t>(v); }

std::string vlans_to_json(const std::vector<uint16_t>& vlans) { return nlohmann::json(vlans).dump(); }

std::string ips_to_json(const std::vector<IpAddr>& ips) {
  nlohmann::json array = nlohmann::json::array();
  for (const IpAddr& ip : ips) array.push_back(ip.str());
  return array.dump();
}

std::string counts_to_json(const std::map<std::string, uint64_t>& counts) { return nlohmann::json(counts).dump(); }

// One use of a cached prepared statement: binds, steps, and on destruction resets it so
// that no read transaction stays open between calls.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt, const std::string& path) : db_(db), stmt_(stmt), path_(path) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind_int(int index, int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Query& bind_text(int index, std::string_view value) {
    check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Query& bind_null(int index) {
    check(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // True while there is a row to read.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail();
  }
  void run() {
    while (step()) {
    }
  }

  int64_t i64(int column) const { return sqlite3_column_int64(stmt_, column); }
  uint64_t u64(int column) const { return static_cast<uint64_t>(sqlite3_column_int64(stmt_, column)); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, column)) : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail();
  }
  [[noreturn]] void fail() {
    throw StoreError("database '" + path_ + "': " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  const std::string& path_;
};

[[noreturn]] void corrupt(const std::string& path, std::string_view what, std::string_view value) {
  throw StoreError("database '" + path + "': invalid " + std::string(what) + " '" + std::string(value) + "'");
}

MacAddr parse_mac(const std::string& path, const std::string& text) {
  auto mac = MacAddr::parse(text);
  if (!mac) corrupt(path, "MAC address", text);
  return *mac;
}

IpAddr parse_ip(const std::string& path, const std::string& text) {
  auto ip = IpAddr::parse(text);
  if (!ip) corrupt(path, "IP address", text);
  return *ip;
}

nlohmann::json parse_json(const std::string& path, const std::string& text) {
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) corrupt(path, "JSON", text);
  return value;
}

std::vector<uint16_t> parse_vlans(const std::string& path, const std::string& text) {
  nlohmann::json array = parse_json(path, text);
  std::vector<uint16_t> vlans;
  if (!array.is_array()) corrupt(path, "VLAN list", text);
  for (const auto& v : array) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > 0xffff) corrupt(path, "VLAN list", text);
    vlans.push_back(v.get<uint16_t>());
  }
  return vlans;
}

std::map<std::string, uint64_t> parse_counts(const std::string& path, const std::string& text) {
  nlohmann::json object = parse_json(path, text);
  std::map<std::string, uint64_t> counts;
  if (!object.is_object()) corrupt(path, "counter map", text);
  for (const auto& [name, value] : object.items()) {
    if (!value.is_number_unsigned()) corrupt(path, "counter map", text);
    counts[name] = value.get<uint64_t>();
  }
  return counts;
}

// Device facts and protocols as JSON arrays of objects; a malformed element is a corrupt row.
std::string facts_to_json(const std::vector<DeviceFact>& facts) {
  nlohmann::json array = nlohmann::json::array();
  for (const DeviceFact& f : facts) {
    array.push_back({{"field", f.field}, {"value", f.value}, {"protocol", f.protocol},
                     {"first_seen", f.first_seen_ns}, {"last_seen", f.last_seen_ns}, {"event", f.event}});
  }
  return array.dump();
}

std::string device_protocols_to_json(const std::vector<DeviceProtocol>& protocols) {
  nlohmann::json array = nlohmann::json::array();
  for (const DeviceProtocol& p : protocols) {
    array.push_back({{"protocol", p.protocol}, {"server", p.server}, {"flows", p.flows},
                     {"first_seen", p.first_seen_ns}, {"last_seen", p.last_seen_ns}});
  }
  return array.dump();
}

nlohmann::json array_from_json(const std::string& path, const std::string& text, std::string_view what) {
  nlohmann::json array = parse_json(path, text);
  if (!array.is_array()) corrupt(path, what, text);
  return array;
}

std::vector<DeviceFact> facts_from_json(const std::string& path, const std::string& text) {
  std::vector<DeviceFact> facts;
  try {
    for (const auto& f : array_from_json(path, text, "fact list")) {
      facts.push_back({f.at("field").get<std::string>(), f.at("value").get<std::string>(),
                       f.at("protocol").get<std::string>(), f.at("first_seen").get<int64_t>(),
                       f.at("last_seen").get<int64_t>(), f.value("event", std::string())});
    }
  } catch (const nlohmann::json::exception&) {
    corrupt(path, "fact list", text);
  }
  return facts;
}

std::vector<DeviceProtocol> device_protocols_from_json(const std::string& path, const std::string& text) {
  std::vector<DeviceProtocol> protocols;
  try {
    for (const auto& p : array_from_json(path, text, "protocol list")) {
      protocols.push_back({p.at("protocol").get<std::string>(), p.at("server").get<bool>(),
                           p.at("flows").get<uint64_t>(), p.at("first_seen").get<int64_t>(),
                           p.at("last_seen").get<int64_t>()});
    }
  } catch (const nlohmann::json::exception&) {
    corrupt(path, "protocol list", text);
  }
  return protocols;
}

std::vector<std::string> strings_from_json(const std::string& path, const std::string& text) {
  std::vector<std::string> strings;
  for (const auto& v : array_from_json(path, text, "string list")) {
    if (!v.is_string()) corrupt(path, "string list", text);
    strings.push_back(v.get<std::string>());
  }
  return strings;
}

// An endpoint is an IP or a MAC; the absent one is stored as ''.
std::string optional_text(const std::optional<IpAddr>& ip) { return ip ? ip->str() : std::string(); }
std::string optional_text(const std::optional<MacAddr>& mac) { return mac ? mac->str() : std::string(); }

TrafficCounters read_traffic(const Query& q, int first_column) {
  TrafficCounters t;
  t.first_seen_ns = q.i64(first_column);
  t.last_seen_ns = q.i64(first_column + 1);
  t.packets_sent = q.u64(first_column + 2);
  t.bytes_sent = q.u64(first_column + 3);
  t.packets_received = q.u64(first_column + 4);
  t.bytes_received = q.u64(first_column + 5);
  return t;
}

void bind_traffic(Query& q, int first_index, const TrafficCounters& t) {
  q.bind_int(first_index, t.first_seen_ns)
      .bind_int(first_index + 1, t.last_seen_ns)
      .bind_int(first_index + 2, as_sql(t.packets_sent))
      .bind_int(first_index + 3, as_sql(t.bytes_sent))
      .bind_int(first_index + 4, as_sql(t.packets_received))
      .bind_int(first_index + 5, as_sql(t.bytes_received));
}

// --- SQL, one constant per statement (the constant's address keys the statement cache) ---

constexpr const char* kMaxVersion = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* kHasMigrationsTable =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

constexpr const char* kUpsertMac =
    "INSERT INTO macs(mac, first_seen, last_seen, packets_sent, bytes_sent, packets_received, bytes_received, "
    "vlans) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(mac) DO UPDATE SET "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, packets_sent = excluded.packets_sent, "
    "bytes_sent = excluded.bytes_sent, packets_received = excluded.packets_received, "
    "bytes_received = excluded.bytes_received, vlans = excluded.vlans";
constexpr const char* kUpsertIp =
    "INSERT INTO ips(ip, first_seen, last_seen, packets_sent, bytes_sent, packets_received, bytes_received, "
    "vlans) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(ip) DO UPDATE SET "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, packets_sent = excluded.packets_sent, "
    "bytes_sent = excluded.bytes_sent, packets_received = excluded.packets_received, "
    "bytes_received = excluded.bytes_received, vlans = excluded.vlans";
constexpr const char* kUpsertBinding =
    "INSERT INTO mac_ip_bindings(mac, ip, sources, first_seen, last_seen, packets) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(mac, ip) DO UPDATE SET sources = excluded.sources, "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, packets = excluded.packets";
constexpr const char* kUpsertConnection =
    "INSERT INTO connections(client, server, transport, server_port, first_seen, last_seen, packets_to_server, "
    "bytes_to_server, packets_to_client, bytes_to_client, flows, application) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT(client, server, transport, server_port) DO UPDATE SET first_seen = excluded.first_seen, "
    "last_seen = excluded.last_seen, packets_to_server = excluded.packets_to_server, "
    "bytes_to_server = excluded.bytes_to_server, packets_to_client = excluded.packets_to_client, "
    "bytes_to_client = excluded.bytes_to_client, flows = excluded.flows, application = excluded.application";
// Upsert by key keeps the row (and so its id).
constexpr const char* kUpsertDevice =
    "INSERT INTO devices(key, mac, ips, vlans, vendor, first_seen, last_seen, packets_sent, bytes_sent, "
    "packets_received, bytes_received, is_router, facts, protocols, type, type_reasons, purdue_level, "
    "programming_device, scanner) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) "
    "ON CONFLICT(key) DO UPDATE SET mac = excluded.mac, ips = excluded.ips, vlans = excluded.vlans, "
    "vendor = excluded.vendor, first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
    "packets_sent = excluded.packets_sent, bytes_sent = excluded.bytes_sent, "
    "packets_received = excluded.packets_received, bytes_received = excluded.bytes_received, "
    "is_router = excluded.is_router, facts = excluded.facts, protocols = excluded.protocols, type = excluded.type, "
    "type_reasons = excluded.type_reasons, purdue_level = excluded.purdue_level, "
    "programming_device = excluded.programming_device, scanner = excluded.scanner";
constexpr const char* kDeleteDevice = "DELETE FROM devices WHERE key = ?1";
constexpr const char* kUpsertIdentity =
    "INSERT INTO identities(ip, mac, protocol, field, value, first_seen, last_seen, count, event) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(ip, mac, protocol, field, value) DO UPDATE SET "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, count = excluded.count, "
    "event = excluded.event";
constexpr const char* kUpsertEndpointProtocol =
    "INSERT INTO endpoint_protocols(ip, mac, protocol, server, first_seen, last_seen, flows) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(ip, mac, protocol, server) DO UPDATE SET "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, flows = excluded.flows";
constexpr const char* kUpsertCommand =
    "INSERT INTO commands(client, server, protocol, code, name, is_write, first_seen, last_seen, requests, errors) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(client, server, protocol, code) DO UPDATE SET "
    "name = excluded.name, is_write = excluded.is_write, first_seen = excluded.first_seen, "
    "last_seen = excluded.last_seen, requests = excluded.requests, errors = excluded.errors";
constexpr const char* kSelectIdentities =
    "SELECT ip, mac, protocol, field, value, first_seen, last_seen, count, event FROM identities "
    "ORDER BY ip, mac, protocol, field, value";
constexpr const char* kSelectEndpointProtocols =
    "SELECT ip, mac, protocol, server, first_seen, last_seen, flows FROM endpoint_protocols "
    "ORDER BY ip, mac, protocol, server";
constexpr const char* kUpsertArpRequest =
    "INSERT INTO arp_requests(sender, target, first_seen, last_seen, requests) VALUES(?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(sender, target) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
    "requests = excluded.requests";
constexpr const char* kSelectArpRequests =
    "SELECT sender, target, first_seen, last_seen, requests FROM arp_requests ORDER BY sender, target";
constexpr const char* kSelectCommands =
    "SELECT client, server, protocol, code, name, is_write, first_seen, last_seen, requests, errors FROM commands "
    "ORDER BY client, server, protocol, code";
constexpr const char* kInsertRun =
    "INSERT INTO runs(mode, source, started_at, ended_at, status, packets, bytes, dropped_by_sensor, "
    "dropped_by_interface, flows, flow_evictions, protocol_packets, malformed) "
    "VALUES(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
constexpr const char* kUpsertRun =
    "INSERT INTO runs(id, mode, source, started_at, ended_at, status, packets, bytes, dropped_by_sensor, "
    "dropped_by_interface, flows, flow_evictions, protocol_packets, malformed) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT(id) DO UPDATE SET "
    "mode = excluded.mode, source = excluded.source, started_at = excluded.started_at, "
    "ended_at = excluded.ended_at, status = excluded.status, packets = excluded.packets, bytes = excluded.bytes, "
    "dropped_by_sensor = excluded.dropped_by_sensor, dropped_by_interface = excluded.dropped_by_interface, "
    "flows = excluded.flows, flow_evictions = excluded.flow_evictions, "
    "protocol_packets = excluded.protocol_packets, malformed = excluded.malformed";

constexpr const char* kSelectMacs =
    "SELECT mac, first_seen, last_seen, packets_sent, bytes_sent, packets_received, bytes_received, vlans "
    "FROM macs ORDER BY mac";
constexpr const char* kSelectIps =
    "SELECT ip, first_seen, last_seen, packets_sent, bytes_sent, packets_received, bytes_received, vlans "
    "FROM ips ORDER BY ip";
constexpr const char* kSelectBindings =
    "SELECT mac, ip, sources, first_seen, last_seen, packets FROM mac_ip_bindings ORDER BY mac, ip";
constexpr const char* kSelectAllConnections =
    "SELECT client, server, transport, server_port, first_seen, last_seen, packets_to_server, bytes_to_server, "
    "packets_to_client, bytes_to_client, flows, application FROM connections "
    "ORDER BY client, server, transport, server_port";
constexpr const char* kSelectConnectionPage =
    "SELECT client, server, transport, server_port, first_seen, last_seen, packets_to_server, bytes_to_server, "
    "packets_to_client, bytes_to_client, flows, application FROM connections "
    "ORDER BY client, server, transport, server_port "
    "LIMIT ?1 OFFSET ?2";
constexpr const char* kCountConnections = "SELECT count(*) FROM connections";
constexpr const char* kCountDevices = "SELECT count(*) FROM devices";
#define OTS_DEVICE_COLUMNS                                                                                     \
  "id, key, mac, ips, vlans, vendor, first_seen, last_seen, packets_sent, bytes_sent, packets_received, " \
  "bytes_received, is_router, facts, protocols, type, type_reasons, purdue_level, programming_device, scanner"
constexpr const char* kSelectDevicePage = "SELECT " OTS_DEVICE_COLUMNS " FROM devices ORDER BY id LIMIT ?1 OFFSET ?2";
constexpr const char* kSelectDevice = "SELECT " OTS_DEVICE_COLUMNS " FROM devices WHERE id = ?1";
#undef OTS_DEVICE_COLUMNS
constexpr const char* kSelectRuns =
    "SELECT id, mode, source, started_at, ended_at, status, packets, bytes, dropped_by_sensor, "
    "dropped_by_interface, flows, flow_evictions, protocol_packets, malformed FROM runs ORDER BY id DESC";

void bind_run(Query& q, const RunRecord& run) {
  q.bind_text(2, run.mode)
      .bind_text(3, run.source)
      .bind_int(4, run.started_at_ns)
      .bind_int(5, run.ended_at_ns)
      .bind_text(6, run.status)
      .bind_int(7, as_sql(run.packets))
      .bind_int(8, as_sql(run.bytes))
      .bind_int(9, as_sql(run.dropped_by_sensor))
      .bind_int(10, as_sql(run.dropped_by_interface))
      .bind_int(11, as_sql(run.flows))
      .bind_int(12, as_sql(run.flow_evictions))
      .bind_text(13, counts_to_json(run.protocol_packets))
      .bind_text(14, counts_to_json(run.malformed));
}

ConnectionObservation read_connection(const std::string& path, const Query& q) {
  ConnectionObservation c;
  c.key.client = parse_ip(path, q.text(0));
  c.key.server = parse_ip(path, q.text(1));
  c.key.transport = static_cast<uint8_t>(q.i64(2));
  c.key.server_port = static_cast<uint16_t>(q.i64(3));
  c.first_seen_ns = q.i64(4);
  c.last_seen_ns = q.i64(5);
  c.packets_to_server = q.u64(6);
  c.bytes_to_server = q.u64(7);
  c.packets_to_client = q.u64(8);
  c.bytes_to_client = q.u64(9);
  c.flows = q.u64(10);
  c.application = q.text(11);
  return c;
}

Device read_device(const std::string& path, const Query& q) {
  Device d;
  d.id = q.i64(0);
  d.key = q.text(1);
  if (!q.is_null(2)) d.mac = parse_mac(path, q.text(2));
  std::string ips_text = q.text(3);
  nlohmann::json ips = parse_json(path, ips_text);
  if (!ips.is_array()) corrupt(path, "IP list", ips_text);
  for (const auto& ip : ips) {
    if (!ip.is_string()) corrupt(path, "IP list", ips_text);
    d.ips.push_back(parse_ip(path, ip.get<std::string>()));
  }
  d.vlans = parse_vlans(path, q.text(4));
  d.vendor = q.text(5);
  d.traffic = read_traffic(q, 6);
  d.is_router = q.i64(12) != 0;
  d.facts = facts_from_json(path, q.text(13));
  d.protocols = device_protocols_from_json(path, q.text(14));
  d.type = q.text(15);
  d.type_reasons = strings_from_json(path, q.text(16));
  d.purdue_level = static_cast<int>(q.i64(17));
  d.programming_device = q.i64(18) != 0;
  d.scanner = q.i64(19) != 0;
  return d;
}

// LIMIT/OFFSET from a Page: negative values mean "nothing" and "from the start".
int64_t page_limit(Page page) { return std::max<int64_t>(page.limit, 0); }
int64_t page_offset(Page page) { return std::max<int64_t>(page.offset, 0); }

}  // namespace

struct Database::StatementCache {
  std::unordered_map<const char*, sqlite3_stmt*> by_sql;
  ~StatementCache() {
    for (auto& [sql, stmt] : by_sql) sqlite3_finalize(stmt);
  }
};

namespace {

Query use(sqlite3* db, std::unordered_map<const char*, sqlite3_stmt*>& cache, const char* sql,
          const std::string& path) {
  auto it = cache.find(sql);
  if (it == cache.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      throw StoreError("database '" + path + "': " + sqlite3_errmsg(db));
    }
    it = cache.emplace(sql, stmt).first;
  }
  return Query(db, it->second, path);
}

}  // namespace

#define OTS_QUERY(sql) use(db_, statements_->by_sql, sql, path_)

Database::Database(sqlite3* db, Mode mode, std::string path)
    : db_(db), mode_(mode), path_(std::move(path)), statements_(std::make_unique<StatementCache>()) {}

Database::~Database() {
  statements_.reset();  // statements first, or close would leave the connection as a zombie
  sqlite3_close_v2(db_);
}

int Database::latest_schema_version() { return static_cast<int>(schema_migrations().size()); }

int Database::schema_version() const { return schema_version_; }

void Database::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw StoreError("database '" + path_ + "': " + text);
  }
}

std::unique_ptr<Database> Database::open(const std::string& path, Mode mode) {
  const int flags = mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    throw StoreError("cannot open database '" + path + "': " + message);
  }
  std::unique_ptr<Database> db(new Database(raw, mode, path));
  try {
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    if (mode == Mode::ReadWrite) {
      // journal_mode answers with the mode actually in force.
      Query q = use(raw, db->statements_->by_sql, "PRAGMA journal_mode = WAL", db->path_);
      if (!q.step() || q.text(0) != "wal") {
        throw StoreError("database '" + path + "': cannot switch to WAL journal mode");
      }
    }
    db->exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
    // A flush writes tens of thousands of rows in one transaction: with SQLite's default 2 MiB
    // page cache it spills dirty pages to the WAL mid-transaction and reads them back.
    if (mode == Mode::ReadWrite) db->exec("PRAGMA cache_size = -65536");
    db->migrate();
  } catch (const StoreError& e) {
    // "database 'x': reason" -> "cannot open database 'x': reason"
    std::string reason = e.what();
    const std::string prefix = "database '" + path + "': ";
    if (reason.starts_with(prefix)) reason.erase(0, prefix.size());
    throw StoreError("cannot open database '" + path + "': " + reason);
  }
  return db;
}

void Database::migrate() {
  auto read_version = [&] {
    Query q = OTS_QUERY(kMaxVersion);
    q.step();
    return static_cast<int>(q.i64(0));
  };
  auto refuse_newer = [&](int version) {
    if (version > latest_schema_version()) {
      throw StoreError("schema version " + std::to_string(version) + " is newer than this otsensor knows (" +
                       std::to_string(latest_schema_version()) + "); upgrade otsensor");
    }
  };

  if (mode_ == Mode::ReadOnly) {
    Query has_table = OTS_QUERY(kHasMigrationsTable);
    has_table.step();
    if (has_table.i64(0) == 0) throw StoreError("not an otsensor database (no schema_migrations table)");
    schema_version_ = read_version();
    refuse_newer(schema_version_);
    if (schema_version_ < latest_schema_version()) {
      throw StoreError("schema version " + std::to_string(schema_version_) +
                       " is older than this otsensor needs; open it once read-write to migrate");
    }
    return;
  }

  exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const auto migrations = schema_migrations();
  for (;;) {
    // The version is re-read inside the write transaction so that two writers opening a
    // fresh file at once do not both apply the same migration.
    exec("BEGIN IMMEDIATE");
    try {
      int version = read_version();
      refuse_newer(version);
      if (version == latest_schema_version()) {
        exec("COMMIT");
        schema_version_ = version;
        return;
      }
      exec(std::string(migrations[version]).c_str());
      OTS_QUERY("INSERT INTO schema_migrations(version, applied_at) VALUES(?1, ?2)")
          .bind_int(1, version + 1)
          .bind_int(2, wall_clock_ns())
          .run();
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

StoredObservations Database::load_observations() {
  StoredObservations out;
  read_snapshot([&] {
    for (Query q = OTS_QUERY(kSelectMacs); q.step();) {
      MacObservation m;
      m.mac = parse_mac(path_, q.text(0));
      m.traffic = read_traffic(q, 1);
      m.vlans = parse_vlans(path_, q.text(7));
      out.macs.push_back(std::move(m));
    }
    for (Query q = OTS_QUERY(kSelectIps); q.step();) {
      IpObservation o;
      o.ip = parse_ip(path_, q.text(0));
      o.traffic = read_traffic(q, 1);
      o.vlans = parse_vlans(path_, q.text(7));
      out.ips.push_back(std::move(o));
    }
    for (Query q = OTS_QUERY(kSelectBindings); q.step();) {
      MacIpBinding b;
      b.mac = parse_mac(path_, q.text(0));
      b.ip = parse_ip(path_, q.text(1));
      b.sources = static_cast<uint8_t>(q.i64(2));
      b.first_seen_ns = q.i64(3);
      b.last_seen_ns = q.i64(4);
      b.packets = q.u64(5);
      out.bindings.push_back(b);
    }
    for (Query q = OTS_QUERY(kSelectAllConnections); q.step();) {
      out.connections.push_back(read_connection(path_, q));
    }
    auto endpoint_ip = [&](const std::string& text) {
      return text.empty() ? std::nullopt : std::optional(parse_ip(path_, text));
    };
    auto endpoint_mac = [&](const std::string& text) {
      return text.empty() ? std::nullopt : std::optional(parse_mac(path_, text));
    };
    for (Query q = OTS_QUERY(kSelectIdentities); q.step();) {
      out.identities.push_back({endpoint_ip(q.text(0)), endpoint_mac(q.text(1)), q.text(2), q.text(3), q.text(4),
                                q.i64(5), q.i64(6), q.u64(7), q.text(8)});
    }
    for (Query q = OTS_QUERY(kSelectEndpointProtocols); q.step();) {
      out.protocols.push_back(
          {endpoint_ip(q.text(0)), endpoint_mac(q.text(1)), q.text(2), q.i64(3) != 0, q.i64(4), q.i64(5), q.u64(6)});
    }
    for (Query q = OTS_QUERY(kSelectCommands); q.step();) {
      out.commands.push_back({parse_ip(path_, q.text(0)), parse_ip(path_, q.text(1)), q.text(2),
                              static_cast<uint32_t>(q.i64(3)), q.text(4), q.i64(5) != 0, q.i64(6), q.i64(7),
                              q.u64(8), q.u64(9)});
    }
    for (Query q = OTS_QUERY(kSelectArpRequests); q.step();)
      out.arp_requests.push_back({parse_ip(path_, q.text(0)), parse_ip(path_, q.text(1)), q.i64(2), q.i64(3), q.u64(4)});
  });
  return out;
}

int64_t Database::begin_run(const RunRecord& run) {
  Query q = OTS_QUERY(kInsertRun);
  bind_run(q, run);
  q.run();
  return sqlite3_last_insert_rowid(db_);
}

void Database::apply(const StoreBatch& batch) { apply_all(std::span<const StoreBatch>(&batch, 1)); }

void Database::apply_all(std::span<const StoreBatch> batches) {
  exec("BEGIN IMMEDIATE");
  try {
    for (const StoreBatch& batch : batches) apply_in_transaction(batch);
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Database::apply_in_transaction(const StoreBatch& batch) {
  for (const MacObservation& m : batch.macs) {
    Query q = OTS_QUERY(kUpsertMac);
    q.bind_text(1, m.mac.str());
    bind_traffic(q, 2, m.traffic);
    q.bind_text(8, vlans_to_json(m.vlans)).run();
  }
  for (const IpObservation& o : batch.ips) {
    Query q = OTS_QUERY(kUpsertIp);
    q.bind_text(1, o.ip.str());
    bind_traffic(q, 2, o.traffic);
    q.bind_text(8, vlans_to_json(o.vlans)).run();
  }
  for (const MacIpBinding& b : batch.bindings) {
    OTS_QUERY(kUpsertBinding)
        .bind_text(1, b.mac.str())
        .bind_text(2, b.ip.str())
        .bind_int(3, b.sources)
        .bind_int(4, b.first_seen_ns)
        .bind_int(5, b.last_seen_ns)
        .bind_int(6, as_sql(b.packets))
        .run();
  }
  for (const ConnectionObservation& c : batch.connections) {
    OTS_QUERY(kUpsertConnection)
        .bind_text(1, c.key.client.str())
        .bind_text(2, c.key.server.str())
        .bind_int(3, c.key.transport)
        .bind_int(4, c.key.server_port)
        .bind_int(5, c.first_seen_ns)
        .bind_int(6, c.last_seen_ns)
        .bind_int(7, as_sql(c.packets_to_server))
        .bind_int(8, as_sql(c.bytes_to_server))
        .bind_int(9, as_sql(c.packets_to_client))
        .bind_int(10, as_sql(c.bytes_to_client))
        .bind_int(11, as_sql(c.flows))
        .bind_text(12, c.application)
        .run();
  }
  for (const IdentityObservation& i : batch.identities) {
    OTS_QUERY(kUpsertIdentity)
        .bind_text(1, optional_text(i.ip))
        .bind_text(2, optional_text(i.mac))
        .bind_text(3, i.protocol)
        .bind_text(4, i.field)
        .bind_text(5, i.value)
        .bind_int(6, i.first_seen_ns)
        .bind_int(7, i.last_seen_ns)
        .bind_int(8, as_sql(i.count))
        .bind_text(9, i.event)
        .run();
  }
  for (const ProtocolObservation& p : batch.protocols) {
    OTS_QUERY(kUpsertEndpointProtocol)
        .bind_text(1, optional_text(p.ip))
        .bind_text(2, optional_text(p.mac))
        .bind_text(3, p.protocol)
        .bind_int(4, p.server ? 1 : 0)
        .bind_int(5, p.first_seen_ns)
        .bind_int(6, p.last_seen_ns)
        .bind_int(7, as_sql(p.flows))
        .run();
  }
  for (const CommandObservation& c : batch.commands) {
    OTS_QUERY(kUpsertCommand)
        .bind_text(1, c.client.str())
        .bind_text(2, c.server.str())
        .bind_text(3, c.protocol)
        .bind_int(4, c.code)
        .bind_text(5, c.name)
        .bind_int(6, c.is_write ? 1 : 0)
        .bind_int(7, c.first_seen_ns)
        .bind_int(8, c.last_seen_ns)
        .bind_int(9, as_sql(c.requests))
        .bind_int(10, as_sql(c.errors))
        .run();
  }
  for (const ArpRequestObservation& a : batch.arp_requests)
    OTS_QUERY(kUpsertArpRequest)
        .bind_text(1, a.sender.str())
        .bind_text(2, a.target.str())
        .bind_int(3, a.first_seen_ns)
        .bind_int(4, a.last_seen_ns)
        .bind_int(5, as_sql(a.requests))
        .run();
  for (const std::string& key : batch.removed_device_keys) OTS_QUERY(kDeleteDevice).bind_text(1, key).run();
  for (const Device& d : batch.devices) {
    Query q = OTS_QUERY(kUpsertDevice);
    q.bind_text(1, d.key);
    if (d.mac) {
      q.bind_text(2, d.mac->str());
    } else {
      q.bind_null(2);
    }
    q.bind_text(3, ips_to_json(d.ips)).bind_text(4, vlans_to_json(d.vlans)).bind_text(5, d.vendor);
    bind_traffic(q, 6, d.traffic);
    q.bind_int(12, d.is_router ? 1 : 0)
        .bind_text(13, facts_to_json(d.facts))
        .bind_text(14, device_protocols_to_json(d.protocols))
        .bind_text(15, d.type)
        .bind_text(16, nlohmann::json(d.type_reasons).dump())
        .bind_int(17, d.purdue_level)
        .bind_int(18, d.programming_device ? 1 : 0)
        .bind_int(19, d.scanner ? 1 : 0)
        .run();
  }
  for (const RunRecord& run : batch.runs) {
    if (run.id <= 0) throw StoreError("database '" + path_ + "': run record without an id (use begin_run)");
    Query q = OTS_QUERY(kUpsertRun);
    q.bind_int(1, run.id);
    bind_run(q, run);
    q.run();
  }
}

int64_t Database::count_devices() {
  Query q = OTS_QUERY(kCountDevices);
  q.step();
  return q.i64(0);
}

std::vector<Device> Database::list_devices(Page page) {
  std::vector<Device> devices;
  Query q = OTS_QUERY(kSelectDevicePage);
  q.bind_int(1, page_limit(page)).bind_int(2, page_offset(page));
  while (q.step()) devices.push_back(read_device(path_, q));
  return devices;
}

std::optional<Device> Database::get_device(int64_t id) {
  Query q = OTS_QUERY(kSelectDevice);
  q.bind_int(1, id);
  if (!q.step()) return std::nullopt;
  return read_device(path_, q);
}

int64_t Database::count_connections() {
  Query q = OTS_QUERY(kCountConnections);
  q.step();
  return q.i64(0);
}

std::vector<ConnectionObservation> Database::list_connections(Page page) {
  std::vector<ConnectionObservation> connections;
  Query q = OTS_QUERY(kSelectConnectionPage);
  q.bind_int(1, page_limit(page)).bind_int(2, page_offset(page));
  while (q.step()) connections.push_back(read_connection(path_, q));
  return connections;
}

std::vector<RunRecord> Database::list_runs() {
  std::vector<RunRecord> runs;
  for (Query q = OTS_QUERY(kSelectRuns); q.step();) {
    RunRecord r;
    r.id = q.i64(0);
    r.mode = q.text(1);
    r.source = q.text(2);
    r.started_at_ns = q.i64(3);
    r.ended_at_ns = q.i64(4);
    r.status = q.text(5);
    r.packets = q.u64(6);
    r.bytes = q.u64(7);
    r.dropped_by_sensor = q.u64(8);
    r.dropped_by_interface = q.u64(9);
    r.flows = q.u64(10);
    r.flow_evictions = q.u64(11);
    r.protocol_packets = parse_counts(path_, q.text(12));
    r.malformed = parse_counts(path_, q.text(13));
    runs.push_back(std::move(r));
  }
  return runs;
}

void Database::read_snapshot(const std::function<void()>& body) {
  exec("BEGIN");  // deferred: becomes a read transaction at the first SELECT
  try {
    body();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace ots
