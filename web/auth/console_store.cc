#include "web/auth/console_store.h"

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>

namespace ots::console {

namespace {

constexpr std::array<std::string_view, 1> kMigrations{R"sql(
CREATE TABLE console_users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE console_sessions (
  token_sha256 TEXT PRIMARY KEY NOT NULL,
  user_id INTEGER NOT NULL REFERENCES console_users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE console_api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_sha256 TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES console_users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE console_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  user TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  remote TEXT NOT NULL
);
CREATE TABLE console_device_annotations (
  device_id INTEGER PRIMARY KEY NOT NULL,
  name TEXT,
  type TEXT,
  purdue_level INTEGER,
  authorized INTEGER,
  notes TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);
)sql"};

constexpr std::array<std::string_view, 3> kRoleNames{"read-only", "analyst", "admin"};
constexpr size_t kMinPasswordLength = 12;
constexpr size_t kMaxPasswordLength = 1024;

void check_name(std::string_view name) {
  if (name.empty() || name.size() > 64) throw ConsoleError("user name must be 1 to 64 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '@' || c == '-';
    if (!ok) throw ConsoleError("user name may only contain letters, digits and . _ @ -");
  }
}

void check_password(std::string_view password) {
  if (password.size() < kMinPasswordLength)
    throw ConsoleError("password must be at least " + std::to_string(kMinPasswordLength) + " characters");
  if (password.size() > kMaxPasswordLength) throw ConsoleError("password is too long");
}

User read_user(const Statement& q) {
  return User{q.i64(0), q.text(1), parse_role(q.text(2)).value_or(Role::ReadOnly), q.i64(3)};
}

}  // namespace

std::string_view role_name(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

std::optional<Role> parse_role(std::string_view text) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == text) return static_cast<Role>(i);
  }
  if (text == "readonly" || text == "read_only") return Role::ReadOnly;
  return std::nullopt;
}

ConsoleStore::ConsoleStore(std::unique_ptr<SqliteConnection> db, ScryptParams params)
    : db_(std::move(db)), params_(params), dummy_hash_(hash_password(random_token_hex(16), params)) {}

std::unique_ptr<ConsoleStore> ConsoleStore::open(const std::string& db_path, ScryptParams params) {
  auto db = SqliteConnection::open(db_path, SqliteConnection::Mode::ReadWrite);
  migrate_module(*db, "console", kMigrations);
  return std::unique_ptr<ConsoleStore>(new ConsoleStore(std::move(db), params));
}

bool ConsoleStore::has_users() {
  std::lock_guard lock(mutex_);
  Statement q(*db_, "SELECT count(*) FROM console_users");
  q.step();
  return q.i64(0) > 0;
}

User ConsoleStore::add_user(std::string_view name, Role role, std::string_view password) {
  check_name(name);
  console::check_password(password);
  std::string hash = hash_password(password, params_);
  std::lock_guard lock(mutex_);
  Statement exists(*db_, "SELECT count(*) FROM console_users WHERE name = ?1");
  exists.bind(1, name).step();
  if (exists.i64(0) > 0) throw ConsoleError("user '" + std::string(name) + "' already exists");
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  Statement insert(*db_, "INSERT INTO console_users(name, role, password_hash, created_at) VALUES(?1, ?2, ?3, ?4)");
  insert.bind(1, name).bind(2, role_name(role)).bind(3, hash).bind(4, now).run();
  return User{db_->last_insert_rowid(), std::string(name), role, now};
}

void ConsoleStore::set_password(std::string_view name, std::string_view password) {
  console::check_password(password);
  std::string hash = hash_password(password, params_);
  std::lock_guard lock(mutex_);
  Statement update(*db_, "UPDATE console_users SET password_hash = ?2 WHERE name = ?1");
  update.bind(1, name).bind(2, hash).run();
  if (db_->changes() == 0) throw ConsoleError("no user '" + std::string(name) + "'");
  // A new password ends every session opened with the old one.
  Statement end(*db_,
                "DELETE FROM console_sessions WHERE user_id = (SELECT id FROM console_users WHERE name = ?1)");
  end.bind(1, name).run();
}

void ConsoleStore::set_role(std::string_view name, Role role) {
  std::lock_guard lock(mutex_);
  Statement update(*db_, "UPDATE console_users SET role = ?2 WHERE name = ?1");
  update.bind(1, name).bind(2, role_name(role)).run();
  if (db_->changes() == 0) throw ConsoleError("no user '" + std::string(name) + "'");
}

void ConsoleStore::remove_user(std::string_view name) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  Statement find(*db_, "SELECT id FROM console_users WHERE name = ?1");
  if (!find.bind(1, name).step()) throw ConsoleError("no user '" + std::string(name) + "'");
  const int64_t id = find.i64(0);
  Statement(*db_, "DELETE FROM console_sessions WHERE user_id = ?1").bind(1, id).run();
  Statement(*db_, "DELETE FROM console_api_tokens WHERE user_id = ?1").bind(1, id).run();
  Statement(*db_, "DELETE FROM console_users WHERE id = ?1").bind(1, id).run();
  transaction.commit();
}

std::vector<User> ConsoleStore::list_users() {
  std::lock_guard lock(mutex_);
  std::vector<User> users;
  Statement q(*db_, "SELECT id, name, role, created_at FROM console_users ORDER BY name");
  while (q.step()) users.push_back(read_user(q));
  return users;
}

std::optional<User> ConsoleStore::find_user(std::string_view name) {
  std::lock_guard lock(mutex_);
  Statement q(*db_, "SELECT id, name, role, created_at FROM console_users WHERE name = ?1");
  if (!q.bind(1, name).step()) return std::nullopt;
  return read_user(q);
}

std::optional<User> ConsoleStore::check_password(std::string_view name, std::string_view password) {
  std::optional<User> user;
  std::string hash = dummy_hash_;
  {
    std::lock_guard lock(mutex_);
    Statement q(*db_, "SELECT id, name, role, created_at, password_hash FROM console_users WHERE name = ?1");
    if (q.bind(1, name).step()) {
      user = read_user(q);
      hash = q.text(4);
    }
  }
  if (password.size() > kMaxPasswordLength) password = password.substr(0, kMaxPasswordLength);
  bool ok = verify_password(password, hash);
  if (!user || !ok) return std::nullopt;
  return user;
}

NewSession ConsoleStore::create_session(int64_t user_id, int64_t now_ns, int64_t lifetime_ns) {
  NewSession session{random_token_hex(32), random_token_hex(32), now_ns + lifetime_ns};
  std::lock_guard lock(mutex_);
  Statement(*db_, "DELETE FROM console_sessions WHERE expires_at <= ?1").bind(1, now_ns).run();
  Statement insert(*db_,
                   "INSERT INTO console_sessions(token_sha256, user_id, csrf_token, created_at, expires_at) "
                   "VALUES(?1, ?2, ?3, ?4, ?5)");
  insert.bind(1, sha256_hex(session.token))
      .bind(2, user_id)
      .bind(3, session.csrf_token)
      .bind(4, now_ns)
      .bind(5, session.expires_at_ns)
      .run();
  return session;
}

std::optional<Principal> ConsoleStore::principal_for(int64_t user_id) {
  Statement q(*db_, "SELECT id, name, role, created_at FROM console_users WHERE id = ?1");
  if (!q.bind(1, user_id).step()) return std::nullopt;
  return Principal{read_user(q), "", false};
}

std::optional<Principal> ConsoleStore::session_principal(std::string_view token, int64_t now_ns) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  const std::string digest = sha256_hex(token);
  std::lock_guard lock(mutex_);
  Statement q(*db_, "SELECT user_id, csrf_token, expires_at FROM console_sessions WHERE token_sha256 = ?1");
  if (!q.bind(1, digest).step()) return std::nullopt;
  if (q.i64(2) <= now_ns) {
    Statement(*db_, "DELETE FROM console_sessions WHERE token_sha256 = ?1").bind(1, digest).run();
    return std::nullopt;
  }
  auto principal = principal_for(q.i64(0));
  if (principal) principal->csrf_token = q.text(1);
  return principal;
}

void ConsoleStore::end_session(std::string_view token) {
  std::lock_guard lock(mutex_);
  Statement(*db_, "DELETE FROM console_sessions WHERE token_sha256 = ?1").bind(1, sha256_hex(token)).run();
}

std::string ConsoleStore::create_api_token(int64_t user_id, std::string_view name, int64_t now_ns) {
  if (name.empty() || name.size() > 100) throw ConsoleError("token name must be 1 to 100 characters");
  std::string token = "ots_" + random_token_hex(32);
  std::lock_guard lock(mutex_);
  Statement insert(*db_,
                   "INSERT INTO console_api_tokens(token_sha256, user_id, name, created_at) VALUES(?1, ?2, ?3, ?4)");
  insert.bind(1, sha256_hex(token)).bind(2, user_id).bind(3, name).bind(4, now_ns).run();
  return token;
}

std::optional<Principal> ConsoleStore::api_token_principal(std::string_view token, int64_t now_ns) {
  if (!token.starts_with("ots_") || token.size() > 128) return std::nullopt;
  const std::string digest = sha256_hex(token);
  std::lock_guard lock(mutex_);
  Statement q(*db_, "SELECT id, user_id FROM console_api_tokens WHERE token_sha256 = ?1");
  if (!q.bind(1, digest).step()) return std::nullopt;
  Statement(*db_, "UPDATE console_api_tokens SET last_used = ?2 WHERE id = ?1").bind(1, q.i64(0)).bind(2, now_ns).run();
  auto principal = principal_for(q.i64(1));
  if (principal) principal->api_token = true;
  return principal;
}

std::vector<ApiTokenInfo> ConsoleStore::list_api_tokens() {
  std::lock_guard lock(mutex_);
  std::vector<ApiTokenInfo> tokens;
  Statement q(*db_,
              "SELECT t.id, t.name, u.name, t.created_at, t.last_used FROM console_api_tokens t "
              "JOIN console_users u ON u.id = t.user_id ORDER BY t.id");
  while (q.step()) tokens.push_back({q.i64(0), q.text(1), q.text(2), q.i64(3), q.i64(4)});
  return tokens;
}

bool ConsoleStore::revoke_api_token(int64_t id) {
  std::lock_guard lock(mutex_);
  Statement(*db_, "DELETE FROM console_api_tokens WHERE id = ?1").bind(1, id).run();
  return db_->changes() > 0;
}

void ConsoleStore::audit(std::string_view user, std::string_view action, std::string_view target,
                         std::string_view detail, std::string_view remote, int64_t now_ns) {
  std::lock_guard lock(mutex_);
  Statement insert(*db_,
                   "INSERT INTO console_audit(at, user, action, target, detail, remote) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind(1, now_ns).bind(2, user).bind(3, action).bind(4, target).bind(5, detail).bind(6, remote).run();
}

std::vector<AuditEntry> ConsoleStore::audit_log(int64_t offset, int64_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<AuditEntry> entries;
  Statement q(*db_,
              "SELECT id, at, user, action, target, detail, remote FROM console_audit ORDER BY id DESC "
              "LIMIT ?2 OFFSET ?1");
  q.bind(1, offset).bind(2, limit);
  while (q.step()) entries.push_back({q.i64(0), q.i64(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)});
  return entries;
}

int64_t ConsoleStore::count_audit() {
  std::lock_guard lock(mutex_);
  Statement q(*db_, "SELECT count(*) FROM console_audit");
  q.step();
  return q.i64(0);
}

namespace {

DeviceAnnotation read_annotation(const Statement& q) {
  DeviceAnnotation a;
  a.device_id = q.i64(0);
  if (!q.is_null(1)) a.name = q.text(1);
  if (!q.is_null(2)) a.type = q.text(2);
  if (!q.is_null(3)) a.purdue_level = static_cast<int>(q.i64(3));
  if (!q.is_null(4)) a.authorized = q.i64(4) != 0;
  if (!q.is_null(5)) a.notes = q.text(5);
  auto tags = nlohmann::json::parse(q.text(6), nullptr, false);
  if (tags.is_array()) {
    for (const auto& t : tags) {
      if (t.is_string()) a.tags.push_back(t.get<std::string>());
    }
  }
  a.updated_at_ns = q.i64(7);
  a.updated_by = q.text(8);
  return a;
}

constexpr const char* kAnnotationColumns =
    "device_id, name, type, purdue_level, authorized, notes, tags, updated_at, updated_by";

}  // namespace

std::optional<DeviceAnnotation> ConsoleStore::annotation(int64_t device_id) {
  std::lock_guard lock(mutex_);
  Statement q(*db_, std::string("SELECT ") + kAnnotationColumns + " FROM console_device_annotations WHERE device_id = ?1");
  if (!q.bind(1, device_id).step()) return std::nullopt;
  return read_annotation(q);
}

std::vector<DeviceAnnotation> ConsoleStore::all_annotations() {
  std::lock_guard lock(mutex_);
  std::vector<DeviceAnnotation> out;
  Statement q(*db_, std::string("SELECT ") + kAnnotationColumns + " FROM console_device_annotations");
  while (q.step()) out.push_back(read_annotation(q));
  return out;
}

void ConsoleStore::save_annotation(const DeviceAnnotation& a) {
  std::lock_guard lock(mutex_);
  Statement upsert(*db_, std::string("INSERT OR REPLACE INTO console_device_annotations(") + kAnnotationColumns +
                             ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  upsert.bind(1, a.device_id);
  a.name ? upsert.bind(2, *a.name) : upsert.bind_null(2);
  a.type ? upsert.bind(3, *a.type) : upsert.bind_null(3);
  a.purdue_level ? upsert.bind(4, static_cast<int64_t>(*a.purdue_level)) : upsert.bind_null(4);
  a.authorized ? upsert.bind(5, static_cast<int64_t>(*a.authorized)) : upsert.bind_null(5);
  a.notes ? upsert.bind(6, *a.notes) : upsert.bind_null(6);
  upsert.bind(7, nlohmann::json(a.tags).dump()).bind(8, a.updated_at_ns).bind(9, a.updated_by).run();
}

}  // namespace ots::console
