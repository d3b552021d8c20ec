// A small RAII layer over SQLite for the subsystems that keep their own tables next to
// the inventory (threat intelligence, alerts, baseline, console users): one connection,
// prepared statements, transactions, and per-module migration chains.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.h"  // StoreError

struct sqlite3;
struct sqlite3_stmt;

namespace ots {

class SqliteConnection;

// A prepared statement; reset and unbound when destroyed so it can be prepared again cheaply.
class Statement {
 public:
  Statement(SqliteConnection& connection, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based as in SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::span<const uint8_t> bytes);
  Statement& bind_null(int index);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }

  bool step();  // true while a row is available
  void run();   // steps to completion
  void reset();

  int64_t i64(int column) const;
  double f64(int column) const;
  std::string text(int column) const;
  std::vector<uint8_t> blob(int column) const;
  bool is_null(int column) const;

 private:
  [[noreturn]] void fail() const;
  SqliteConnection& connection_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteConnection {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  // Opens (ReadWrite: creates) the file in WAL mode with a busy timeout, so these
  // connections share the file with the inventory's writer thread.
  static std::unique_ptr<SqliteConnection> open(const std::string& path, Mode mode);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  void exec(std::string_view sql);  // one or more statements without results
  int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed without commit().
class Transaction {
 public:
  explicit Transaction(SqliteConnection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  SqliteConnection& connection_;
  bool done_ = false;
};

// Applies `steps[v]` for every version v the module has not applied yet, each in its own
// transaction, recorded in the `module_migrations` table. A module chain evolves on its own,
// independently of the inventory's schema_migrations. Throws StoreError when the file holds
// a newer version of the module than `steps` knows.
void migrate_module(SqliteConnection& connection, std::string_view module, std::span<const std::string_view> steps);
// The module's applied version (0 when none); for read-only connections that must refuse
// a schema they do not know.
int module_version(SqliteConnection& connection, std::string_view module);

}  // namespace ots
