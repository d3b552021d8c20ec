#include "detect/ti/ti_store.h"

#include <algorithm>
#include <array>
#include <set>

namespace ots::detect::ti {

namespace {

constexpr std::array<std::string_view, 1> kMigrations{
    "CREATE TABLE ti_packages("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  package_id TEXT NOT NULL,"
    "  version TEXT NOT NULL,"
    "  build_date TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  imported_at INTEGER NOT NULL,"
    "  enabled INTEGER NOT NULL,"
    "  current INTEGER NOT NULL,"
    "  definitions INTEGER NOT NULL,"
    "  indicators INTEGER NOT NULL,"
    "  rules INTEGER NOT NULL,"
    "  rejected INTEGER NOT NULL,"
    "  payload BLOB NOT NULL);"
    "CREATE INDEX ti_packages_by_name ON ti_packages(name, current);"
    "CREATE TABLE ti_rejected("
    "  package INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  location TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  PRIMARY KEY (package, seq)) WITHOUT ROWID;"
    "CREATE TABLE ti_trusted_keys("
    "  key_id TEXT PRIMARY KEY,"
    "  pem TEXT NOT NULL,"
    "  comment TEXT NOT NULL,"
    "  added_at INTEGER NOT NULL);"
    "CREATE TABLE ti_taxii_cursors("
    "  feed TEXT PRIMARY KEY,"
    "  added_after TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL);"};

constexpr const char* kColumns =
    "id, name, kind, package_id, version, build_date, source, key_id, imported_at, enabled, definitions, indicators, "
    "rules, rejected, (SELECT COUNT(*) FROM ti_packages o WHERE o.name = ti_packages.name AND o.id < ti_packages.id)";

std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

TiStore::TiStore(const std::string& db_path) : TiStore(SqliteConnection::open(db_path, SqliteConnection::Mode::ReadWrite)) {}

TiStore::TiStore(std::unique_ptr<SqliteConnection> connection) : db_(std::move(connection)) {
  migrate_module(*db_, "ti", kMigrations);
}

StoredPackage TiStore::row(Statement& s) const {
  StoredPackage p;
  p.row_id = s.i64(0);
  p.name = s.text(1);
  p.kind = parse_package_kind(s.text(2)).value_or(PackageKind::Package);
  p.package_id = s.text(3);
  p.version = s.text(4);
  p.build_date = s.text(5);
  p.source = s.text(6);
  p.key_id = s.text(7);
  p.imported_at_ns = s.i64(8);
  p.enabled = s.i64(9) != 0;
  p.definitions = static_cast<size_t>(s.i64(10));
  p.indicators = static_cast<size_t>(s.i64(11));
  p.rules = static_cast<size_t>(s.i64(12));
  p.rejected = static_cast<size_t>(s.i64(13));
  p.older_versions = static_cast<size_t>(s.i64(14));
  return p;
}

StoredPackage TiStore::import(const TiPackage& package, int64_t now_ns) {
  if (package.name.empty()) throw TiError("a package needs a name");
  if (package.definitions.empty())
    throw TiError("nothing usable in " + package.name + " (" + std::to_string(package.rejected.size()) +
                  " rejected entries); the package in force stays");
  const std::string payload = package_to_json(package);
  int64_t id = 0;
  {
    Transaction transaction(*db_);
    Statement retire(*db_, "UPDATE ti_packages SET current = 0 WHERE name = ?1");
    retire.bind(1, package.name).run();
    Statement insert(*db_,
                     "INSERT INTO ti_packages(name, kind, package_id, version, build_date, source, key_id, imported_at, "
                     "enabled, current, definitions, indicators, rules, rejected, payload) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, 1, ?9, ?10, ?11, ?12, ?13)");
    insert.bind(1, package.name)
        .bind(2, package_kind_name(package.kind))
        .bind(3, package.id)
        .bind(4, package.version)
        .bind(5, package.build_date)
        .bind(6, package.source)
        .bind(7, package.key_id)
        .bind(8, now_ns)
        .bind(9, static_cast<int64_t>(package.definitions.size()))
        .bind(10, static_cast<int64_t>(package.indicator_count()))
        .bind(11, static_cast<int64_t>(package.rule_count()))
        .bind(12, static_cast<int64_t>(package.rejected.size()))
        .bind_blob(13, as_bytes(payload));
    insert.run();
    id = db_->last_insert_rowid();
    Statement reject(*db_, "INSERT INTO ti_rejected(package, seq, location, value, reason) VALUES(?1, ?2, ?3, ?4, ?5)");
    int64_t seq = 0;
    for (const RejectedEntry& r : package.rejected) {
      reject.bind(1, id).bind(2, seq++).bind(3, r.location).bind(4, r.value).bind(5, r.reason);
      reject.run();
      reject.reset();
    }
    transaction.commit();
  }
  return *find(id);
}

std::optional<StoredPackage> TiStore::merge_import(const TiPackage& delta, int64_t now_ns) {
  auto in_force = current(delta.name);
  if (!in_force) {
    if (delta.definitions.empty()) return std::nullopt;
    return import(delta, now_ns);
  }
  if (delta.definitions.empty() && delta.withdrawn_ids.empty()) return std::nullopt;
  TiPackage merged = delta;
  std::set<std::string> replaced(delta.withdrawn_ids.begin(), delta.withdrawn_ids.end());
  for (const AlertDefinition& d : delta.definitions) replaced.insert(d.id);
  TiPackage previous = load(in_force->row_id);
  merged.definitions.clear();
  for (AlertDefinition& d : previous.definitions)
    if (!replaced.count(d.id)) merged.definitions.push_back(std::move(d));
  const size_t kept = merged.definitions.size();
  for (const AlertDefinition& d : delta.definitions) merged.definitions.push_back(d);
  if (kept == previous.definitions.size() && delta.definitions.empty()) return std::nullopt;  // withdrew nothing we had
  return import(merged, now_ns);
}

std::vector<StoredPackage> TiStore::list() const {
  Statement s(*db_, std::string("SELECT ") + kColumns + " FROM ti_packages WHERE current = 1 ORDER BY name");
  std::vector<StoredPackage> out;
  while (s.step()) out.push_back(row(s));
  return out;
}

std::optional<StoredPackage> TiStore::find(int64_t row_id) const {
  Statement s(*db_, std::string("SELECT ") + kColumns + " FROM ti_packages WHERE id = ?1");
  s.bind(1, row_id);
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::optional<StoredPackage> TiStore::current(std::string_view name) const {
  Statement s(*db_, std::string("SELECT ") + kColumns + " FROM ti_packages WHERE name = ?1 AND current = 1");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::vector<RejectedEntry> TiStore::rejected(int64_t row_id) const {
  Statement s(*db_, "SELECT location, value, reason FROM ti_rejected WHERE package = ?1 ORDER BY seq");
  s.bind(1, row_id);
  std::vector<RejectedEntry> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2)});
  return out;
}

TiPackage TiStore::load(int64_t row_id) const {
  Statement s(*db_, "SELECT payload, key_id, name FROM ti_packages WHERE id = ?1");
  s.bind(1, row_id);
  if (!s.step()) throw TiError("no TI package with id " + std::to_string(row_id));
  std::vector<uint8_t> payload = s.blob(0);
  TiPackage package = package_from_json(std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
  package.key_id = s.text(1);
  package.name = s.text(2);
  return package;
}

StoredPackage TiStore::remove(int64_t row_id) {
  auto package = find(row_id);
  if (!package) throw TiError("no TI package with id " + std::to_string(row_id));
  Transaction transaction(*db_);
  Statement rejected(*db_, "DELETE FROM ti_rejected WHERE package IN (SELECT id FROM ti_packages WHERE name = ?1)");
  rejected.bind(1, package->name).run();
  Statement packages(*db_, "DELETE FROM ti_packages WHERE name = ?1");
  packages.bind(1, package->name).run();
  transaction.commit();
  return *package;
}

StoredPackage TiStore::rollback(std::string_view name) {
  auto in_force = current(name);
  if (!in_force) throw TiError("no TI package named \"" + std::string(name) + "\"");
  Statement previous(*db_, "SELECT MAX(id) FROM ti_packages WHERE name = ?1 AND id < ?2");
  previous.bind(1, name).bind(2, in_force->row_id);
  if (!previous.step() || previous.is_null(0))
    throw TiError("\"" + std::string(name) + "\" has no previous version to restore (version " + in_force->version +
                  " is the only one)");
  const int64_t restored = previous.i64(0);
  previous.reset();
  Transaction transaction(*db_);
  Statement rejected(*db_, "DELETE FROM ti_rejected WHERE package = ?1");
  rejected.bind(1, in_force->row_id).run();
  Statement drop(*db_, "DELETE FROM ti_packages WHERE id = ?1");
  drop.bind(1, in_force->row_id).run();
  Statement promote(*db_, "UPDATE ti_packages SET current = 1 WHERE id = ?1");
  promote.bind(1, restored).run();
  transaction.commit();
  return *find(restored);
}

void TiStore::set_enabled(int64_t row_id, bool enabled) {
  auto package = find(row_id);
  if (!package) throw TiError("no TI package with id " + std::to_string(row_id));
  Statement s(*db_, "UPDATE ti_packages SET enabled = ?1 WHERE name = ?2");
  s.bind(1, enabled ? 1 : 0).bind(2, package->name).run();
}

std::vector<AlertDefinition> TiStore::active_definitions() const {
  std::vector<int64_t> ids;
  {
    Statement s(*db_, "SELECT id FROM ti_packages WHERE current = 1 AND enabled = 1 ORDER BY name");
    while (s.step()) ids.push_back(s.i64(0));
  }
  std::vector<AlertDefinition> out;
  for (int64_t id : ids) {
    TiPackage package = load(id);
    for (AlertDefinition& d : package.definitions) out.push_back(std::move(d));
  }
  return out;
}

std::string TiStore::trust_key(std::string_view pem, std::string_view comment, int64_t now_ns) {
  TrustedKeys check;
  const std::string key_id = check.add_pem(pem);
  Statement s(*db_,
              "INSERT INTO ti_trusted_keys(key_id, pem, comment, added_at) VALUES(?1, ?2, ?3, ?4) "
              "ON CONFLICT(key_id) DO UPDATE SET comment = excluded.comment");
  s.bind(1, key_id).bind(2, pem).bind(3, comment).bind(4, now_ns).run();
  return key_id;
}

bool TiStore::untrust_key(std::string_view key_id) {
  Statement s(*db_, "DELETE FROM ti_trusted_keys WHERE key_id = ?1");
  s.bind(1, key_id).run();
  return db_->changes() > 0;
}

std::vector<TrustedKeyRecord> TiStore::trusted_key_records() const {
  Statement s(*db_, "SELECT key_id, pem, comment, added_at FROM ti_trusted_keys ORDER BY added_at, key_id");
  std::vector<TrustedKeyRecord> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.i64(3)});
  return out;
}

TrustedKeys TiStore::trusted_keys() const {
  TrustedKeys keys;
  for (const TrustedKeyRecord& record : trusted_key_records()) keys.add_pem(record.pem);
  return keys;
}

std::optional<std::string> TiStore::taxii_cursor(std::string_view feed) const {
  Statement s(*db_, "SELECT added_after FROM ti_taxii_cursors WHERE feed = ?1");
  s.bind(1, feed);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void TiStore::set_taxii_cursor(std::string_view feed, std::string_view added_after, int64_t now_ns) {
  Statement s(*db_,
              "INSERT INTO ti_taxii_cursors(feed, added_after, updated_at) VALUES(?1, ?2, ?3) "
              "ON CONFLICT(feed) DO UPDATE SET added_after = excluded.added_after, updated_at = excluded.updated_at");
  s.bind(1, feed).bind(2, added_after).bind(3, now_ns).run();
}

}  // namespace ots::detect::ti
