#include "store/sqlite.h"

#include <sqlite3.h>

#include <chrono>

namespace ots {

namespace {

constexpr int kBusyTimeoutMs = 10'000;

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void throw_sqlite(sqlite3* db, const std::string& path) {
  throw StoreError("database '" + path + "': " + sqlite3_errmsg(db));
}

}  // namespace

Statement::Statement(SqliteConnection& connection, std::string_view sql) : connection_(connection) {
  if (sqlite3_prepare_v2(connection.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    fail();
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::fail() const { throw_sqlite(connection_.handle(), connection_.path()); }

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail();
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail();
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const uint8_t> bytes) {
  if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail();
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail();
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail();
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::i64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::f64(int column) const { return sqlite3_column_double(stmt_, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

std::vector<uint8_t> Statement::blob(int column) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_, column)) : std::vector<uint8_t>();
}

std::unique_ptr<SqliteConnection> SqliteConnection::open(const std::string& path, Mode mode) {
  const int flags = mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    throw StoreError("cannot open database '" + path + "': " + message);
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  if (mode == Mode::ReadWrite) {
    Statement wal(*connection, "PRAGMA journal_mode = WAL");
    if (!wal.step() || wal.text(0) != "wal") {
      throw StoreError("cannot open database '" + path + "': cannot switch to WAL journal mode");
    }
  }
  connection->exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
  return connection;
}

SqliteConnection::~SqliteConnection() { sqlite3_close_v2(db_); }

void SqliteConnection::exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw StoreError("database '" + path_ + "': " + message);
  }
}

int64_t SqliteConnection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int SqliteConnection::changes() const { return sqlite3_changes(db_); }

Transaction::Transaction(SqliteConnection& connection) : connection_(connection) { connection_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  done_ = true;
}

int module_version(SqliteConnection& connection, std::string_view module) {
  Statement has_table(connection,
                      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'module_migrations'");
  has_table.step();
  if (has_table.i64(0) == 0) return 0;
  Statement q(connection, "SELECT coalesce(max(version), 0) FROM module_migrations WHERE module = ?1");
  q.bind(1, module);
  q.step();
  return static_cast<int>(q.i64(0));
}

void migrate_module(SqliteConnection& connection, std::string_view module, std::span<const std::string_view> steps) {
  connection.exec(
      "CREATE TABLE IF NOT EXISTS module_migrations(module TEXT NOT NULL, version INTEGER NOT NULL, "
      "applied_at INTEGER NOT NULL, PRIMARY KEY (module, version)) WITHOUT ROWID");
  for (;;) {
    // The version is re-read inside the write transaction so that two processes opening
    // the same file at once do not both apply a step.
    Transaction transaction(connection);
    const int version = module_version(connection, module);
    if (version > static_cast<int>(steps.size())) {
      throw StoreError("database '" + connection.path() + "': " + std::string(module) + " schema version " +
                       std::to_string(version) + " is newer than this otsensor knows (" +
                       std::to_string(steps.size()) + "); upgrade otsensor");
    }
    if (version == static_cast<int>(steps.size())) {
      transaction.commit();
      return;
    }
    connection.exec(steps[static_cast<size_t>(version)]);
    Statement record(connection, "INSERT INTO module_migrations(module, version, applied_at) VALUES(?1, ?2, ?3)");
    record.bind(1, module).bind(2, version + 1).bind(3, wall_clock_ns());
    record.run();
    transaction.commit();
  }
}

}  // namespace ots
