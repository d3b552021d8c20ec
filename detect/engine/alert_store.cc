#include "detect/engine/alert_store.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "detect/engine/pcap_evidence.h"

namespace ots::detect {

namespace {

constexpr std::string_view kModule = "alerts";
constexpr std::array<std::string_view, 1> kMigrations = {
    R"sql(
CREATE TABLE alerts(
  id INTEGER PRIMARY KEY,
  engine TEXT NOT NULL,
  severity INTEGER NOT NULL,
  definition_id TEXT NOT NULL,
  title TEXT NOT NULL,
  message TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  destination_ip TEXT NOT NULL,
  source_mac TEXT NOT NULL,
  destination_mac TEXT NOT NULL,
  source_key TEXT NOT NULL,
  destination_key TEXT NOT NULL,
  protocol TEXT NOT NULL,
  attack_techniques TEXT NOT NULL,
  alert_group TEXT NOT NULL,
  activity TEXT NOT NULL,
  first_seen_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL,
  count INTEGER NOT NULL,
  state TEXT NOT NULL,
  state_changed_by TEXT NOT NULL DEFAULT '',
  state_changed_at_ns INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX alerts_key ON alerts(definition_id, engine, source_key, destination_key, protocol);
CREATE INDEX alerts_last_seen ON alerts(last_seen_ns);
CREATE TABLE alert_evidence(
  alert_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  ts_ns INTEGER NOT NULL,
  frame BLOB NOT NULL,
  PRIMARY KEY (alert_id, seq)) WITHOUT ROWID;
CREATE TABLE alert_comments(
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_ns INTEGER NOT NULL);
CREATE INDEX alert_comments_alert ON alert_comments(alert_id);
)sql",
};

std::string ip_text(const IpAddr& ip) { return ip.is_unspecified() ? std::string() : ip.str(); }
std::string mac_text(const MacAddr& mac) { return mac.is_zero() ? std::string() : mac.str(); }
// An endpoint is its IP; L2-only alerts (ARP, Profinet DCP) fall back to the MAC.
std::string endpoint_key(const IpAddr& ip, const MacAddr& mac) {
  if (!ip.is_unspecified()) return ip.str();
  return mac.is_zero() ? std::string() : "mac:" + mac.str();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

constexpr const char* kColumns =
    "id, engine, severity, definition_id, title, message, source_ip, destination_ip, source_mac, destination_mac, "
    "protocol, attack_techniques, alert_group, activity, first_seen_ns, last_seen_ns, count, state, "
    "state_changed_by, state_changed_at_ns, (SELECT count(*) FROM alert_evidence e WHERE e.alert_id = alerts.id)";

StoredAlert read_row(const Statement& q) {
  StoredAlert s;
  Alert& a = s.alert;
  a.id = q.i64(0);
  a.engine = parse_engine(q.text(1)).value_or(EngineKind::Anomaly);
  a.severity = static_cast<Severity>(std::clamp<int64_t>(q.i64(2), 0, 3));
  a.definition_id = q.text(3);
  a.title = q.text(4);
  a.message = q.text(5);
  a.source_ip = IpAddr::parse(q.text(6)).value_or(IpAddr{});
  a.destination_ip = IpAddr::parse(q.text(7)).value_or(IpAddr{});
  a.source_mac = MacAddr::parse(q.text(8)).value_or(MacAddr{});
  a.destination_mac = MacAddr::parse(q.text(9)).value_or(MacAddr{});
  a.protocol = q.text(10);
  a.attack_techniques = split(q.text(11));
  a.group = q.text(12);
  a.activity = q.text(13);
  a.first_seen_ns = q.i64(14);
  a.last_seen_ns = q.i64(15);
  a.count = static_cast<uint64_t>(q.i64(16));
  a.state = parse_alert_state(q.text(17)).value_or(AlertState::New);
  s.state_changed_by = q.text(18);
  s.state_changed_at_ns = q.i64(19);
  s.evidence_count = static_cast<size_t>(q.i64(20));
  return s;
}

}  // namespace

AlertStore::AlertStore(std::unique_ptr<SqliteConnection> connection, bool has_schema)
    : db_(std::move(connection)), has_schema_(has_schema) {}

std::unique_ptr<AlertStore> AlertStore::open(const std::string& path, SqliteConnection::Mode mode) {
  auto connection = SqliteConnection::open(path, mode);
  if (mode == SqliteConnection::Mode::ReadWrite) {
    migrate_module(*connection, kModule, kMigrations);
    return std::unique_ptr<AlertStore>(new AlertStore(std::move(connection), true));
  }
  const int version = module_version(*connection, kModule);
  if (version > static_cast<int>(kMigrations.size()))
    throw StoreError("database '" + path + "': alerts schema version " + std::to_string(version) +
                     " is newer than this otsensor knows; upgrade otsensor");
  return std::unique_ptr<AlertStore>(new AlertStore(std::move(connection), version == static_cast<int>(kMigrations.size())));
}

int64_t AlertStore::record(const Alert& alert) {
  Transaction transaction(*db_);
  const int64_t id = record_one(alert);
  transaction.commit();
  return id;
}

void AlertStore::record_all(std::span<const Alert> alerts) {
  if (alerts.empty()) return;
  Transaction transaction(*db_);
  for (const Alert& alert : alerts) record_one(alert);
  transaction.commit();
}

int64_t AlertStore::record_one(const Alert& alert) {
  const std::string source_key = endpoint_key(alert.source_ip, alert.source_mac);
  const std::string destination_key = endpoint_key(alert.destination_ip, alert.destination_mac);
  const std::string engine(engine_name(alert.engine));
  Statement find(*db_,
                 "SELECT id, (SELECT count(*) FROM alert_evidence e WHERE e.alert_id = alerts.id) FROM alerts "
                 "WHERE definition_id = ?1 AND engine = ?2 AND source_key = ?3 AND destination_key = ?4 AND "
                 "protocol = ?5");
  find.bind(1, alert.definition_id).bind(2, engine).bind(3, source_key).bind(4, destination_key).bind(5, alert.protocol);
  int64_t id = 0;
  size_t evidence = 0;
  const uint64_t count = std::max<uint64_t>(alert.count, 1);
  if (find.step()) {
    id = find.i64(0);
    evidence = static_cast<size_t>(find.i64(1));
    Statement update(*db_,
                     "UPDATE alerts SET count = count + ?2, first_seen_ns = min(first_seen_ns, ?3), "
                     "last_seen_ns = max(last_seen_ns, ?4), message = ?5, "
                     "state_changed_by = CASE WHEN state IN ('new', 'muted') THEN state_changed_by ELSE '' END, "
                     "state_changed_at_ns = CASE WHEN state IN ('new', 'muted') THEN state_changed_at_ns ELSE ?4 END, "
                     "state = CASE WHEN state = 'muted' THEN 'muted' ELSE 'new' END WHERE id = ?1");
    update.bind(1, id)
        .bind(2, static_cast<int64_t>(count))
        .bind(3, alert.first_seen_ns)
        .bind(4, alert.last_seen_ns)
        .bind(5, alert.message);
    update.run();
  } else {
    Statement insert(*db_,
                     "INSERT INTO alerts(engine, severity, definition_id, title, message, source_ip, destination_ip, "
                     "source_mac, destination_mac, source_key, destination_key, protocol, attack_techniques, "
                     "alert_group, activity, first_seen_ns, last_seen_ns, count, state) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
    insert.bind(1, engine)
        .bind(2, static_cast<int64_t>(alert.severity))
        .bind(3, alert.definition_id)
        .bind(4, alert.title)
        .bind(5, alert.message)
        .bind(6, ip_text(alert.source_ip))
        .bind(7, ip_text(alert.destination_ip))
        .bind(8, mac_text(alert.source_mac))
        .bind(9, mac_text(alert.destination_mac))
        .bind(10, source_key)
        .bind(11, destination_key)
        .bind(12, alert.protocol)
        .bind(13, join(alert.attack_techniques))
        .bind(14, alert.group)
        .bind(15, alert.activity)
        .bind(16, alert.first_seen_ns)
        .bind(17, alert.last_seen_ns)
        .bind(18, static_cast<int64_t>(count))
        .bind(19, alert_state_name(alert.state == AlertState::Muted ? AlertState::Muted : AlertState::New));
    insert.run();
    id = db_->last_insert_rowid();
  }
  const size_t frames = std::min(alert.evidence_frames.size(), alert.evidence_times_ns.size());
  for (size_t i = 0; i < frames && evidence < kMaxEvidenceFrames; ++i, ++evidence) {
    Statement add(*db_, "INSERT INTO alert_evidence(alert_id, seq, ts_ns, frame) VALUES(?1, ?2, ?3, ?4)");
    add.bind(1, id).bind(2, static_cast<int64_t>(evidence)).bind(3, alert.evidence_times_ns[i]);
    add.bind_blob(4, alert.evidence_frames[i]);
    add.run();
  }
  return id;
}

bool AlertStore::set_state(int64_t id, AlertState state, std::string_view who, int64_t when_ns) {
  Statement update(*db_, "UPDATE alerts SET state = ?2, state_changed_by = ?3, state_changed_at_ns = ?4 WHERE id = ?1");
  update.bind(1, id).bind(2, alert_state_name(state)).bind(3, who).bind(4, when_ns);
  update.run();
  return db_->changes() > 0;
}

int64_t AlertStore::add_comment(int64_t id, std::string_view author, std::string_view text, int64_t when_ns) {
  Transaction transaction(*db_);
  Statement exists(*db_, "SELECT 1 FROM alerts WHERE id = ?1");
  exists.bind(1, id);
  if (!exists.step()) return 0;
  Statement insert(*db_, "INSERT INTO alert_comments(alert_id, author, text, created_ns) VALUES(?1, ?2, ?3, ?4)");
  insert.bind(1, id).bind(2, author).bind(3, text).bind(4, when_ns);
  insert.run();
  const int64_t comment = db_->last_insert_rowid();
  transaction.commit();
  return comment;
}

AlertPage AlertStore::list(const AlertFilter& f) {
  AlertPage page;
  if (!has_schema_) return page;
  // Every filter is always bound; a NULL parameter switches its condition off.
  const std::string where =
      " WHERE (?1 IS NULL OR engine = ?1) AND (?2 IS NULL OR severity = ?2) AND (?3 IS NULL OR severity >= ?3) "
      "AND (?4 IS NULL OR state = ?4) AND (?5 IS NULL OR last_seen_ns >= ?5) AND (?6 IS NULL OR first_seen_ns <= ?6) "
      "AND (?7 IS NULL OR source_ip = ?7 OR destination_ip = ?7) AND (?8 IS NULL OR definition_id = ?8) "
      "AND (?11 IS NULL OR instr(lower(title || ' ' || message || ' ' || source_ip || ' ' || destination_ip || ' ' || "
      "source_mac || ' ' || destination_mac || ' ' || protocol || ' ' || definition_id), ?11) > 0)";
  std::string text = f.text;
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto bind_filters = [&](Statement& q) {
    if (f.engine) q.bind(1, engine_name(*f.engine));
    else q.bind_null(1);
    if (f.severity) q.bind(2, static_cast<int64_t>(*f.severity));
    else q.bind_null(2);
    if (f.min_severity) q.bind(3, static_cast<int64_t>(*f.min_severity));
    else q.bind_null(3);
    if (f.state) q.bind(4, alert_state_name(*f.state));
    else q.bind_null(4);
    if (f.from_ns) q.bind(5, f.from_ns);
    else q.bind_null(5);
    if (f.to_ns) q.bind(6, f.to_ns);
    else q.bind_null(6);
    if (f.device_ip) q.bind(7, f.device_ip->str());
    else q.bind_null(7);
    if (!f.definition_id.empty()) q.bind(8, f.definition_id);
    else q.bind_null(8);
    if (!text.empty()) q.bind(11, text);
    else q.bind_null(11);
  };
  db_->exec("BEGIN");  // one read transaction: the count and the page agree
  try {
    Statement count(*db_, "SELECT count(*) FROM alerts" + where);
    bind_filters(count);
    count.step();
    page.total = count.i64(0);
    Statement rows(*db_, std::string("SELECT ") + kColumns + " FROM alerts" + where +
                             " ORDER BY last_seen_ns DESC, id DESC LIMIT ?9 OFFSET ?10");
    bind_filters(rows);
    rows.bind(9, std::clamp<int64_t>(f.limit, 0, 10000)).bind(10, std::max<int64_t>(f.offset, 0));
    while (rows.step()) page.alerts.push_back(read_row(rows));
  } catch (...) {
    db_->exec("ROLLBACK");
    throw;
  }
  db_->exec("COMMIT");
  return page;
}

std::optional<StoredAlert> AlertStore::get(int64_t id) {
  if (!has_schema_) return std::nullopt;
  Statement q(*db_, std::string("SELECT ") + kColumns + " FROM alerts WHERE id = ?1");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  StoredAlert stored = read_row(q);
  Statement frames(*db_, "SELECT ts_ns, frame FROM alert_evidence WHERE alert_id = ?1 ORDER BY seq");
  frames.bind(1, id);
  while (frames.step()) {
    stored.alert.evidence_times_ns.push_back(frames.i64(0));
    stored.alert.evidence_frames.push_back(frames.blob(1));
  }
  Statement comments(*db_, "SELECT id, author, text, created_ns FROM alert_comments WHERE alert_id = ?1 ORDER BY id");
  comments.bind(1, id);
  while (comments.step())
    stored.comments.push_back({comments.i64(0), comments.text(1), comments.text(2), comments.i64(3)});
  return stored;
}

std::optional<std::vector<uint8_t>> AlertStore::pcap(int64_t id) {
  std::optional<StoredAlert> stored = get(id);
  if (!stored) return std::nullopt;
  std::vector<EvidenceFrame> frames;
  for (size_t i = 0; i < stored->alert.evidence_frames.size(); ++i)
    frames.push_back({stored->alert.evidence_times_ns[i], stored->alert.evidence_frames[i]});
  return make_pcap(frames);
}

}  // namespace ots::detect
