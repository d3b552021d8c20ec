// The console's own tables (module "console" in the sensor's SQLite file): users and
// roles, browser sessions, API tokens, the audit log, and operator annotations of devices.
// Secrets are never stored: sessions and API tokens are kept as SHA-256 digests and
// passwords as scrypt hashes. One connection behind a mutex: console traffic is light.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.h"
#include "web/auth/crypto.h"

namespace ots::console {

// Defender for IoT's roles: admin changes everything (users, TI, settings); analyst works
// alerts and devices; read-only only reads.
enum class Role : uint8_t { ReadOnly, Analyst, Admin };
std::string_view role_name(Role role);  // "read-only", "analyst", "admin"
std::optional<Role> parse_role(std::string_view text);

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::ReadOnly;
  int64_t created_at_ns = 0;
};

// Who a request acts as, and how it proved it.
struct Principal {
  User user;
  std::string csrf_token;  // browser sessions only; empty for API tokens (no cookie, no CSRF)
  bool api_token = false;
};

struct NewSession {
  std::string token;       // the cookie value (only returned here)
  std::string csrf_token;  // echoed by the page in X-CSRF-Token on every state change
  int64_t expires_at_ns = 0;
};

struct ApiTokenInfo {
  int64_t id = 0;
  std::string name;
  std::string user;
  int64_t created_at_ns = 0;
  int64_t last_used_ns = 0;
};

struct AuditEntry {
  int64_t id = 0;
  int64_t at_ns = 0;
  std::string user;    // "" for the system (first start)
  std::string action;  // "user.add", "alert.acknowledge", "ti.import" …
  std::string target;
  std::string detail;
  std::string remote;  // client address
};

// Operator-edited fields of a device; unset fields keep what the sensor derived.
struct DeviceAnnotation {
  int64_t device_id = 0;
  std::optional<std::string> name, type, notes;
  std::optional<int> purdue_level;
  std::optional<bool> authorized;
  std::vector<std::string> tags;
  int64_t updated_at_ns = 0;
  std::string updated_by;
};

class ConsoleError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ConsoleStore {
 public:
  static std::unique_ptr<ConsoleStore> open(const std::string& db_path, ScryptParams params = {});

  bool has_users();
  // Names: 1–64 of [A-Za-z0-9._@-]; passwords: at least 12 characters. ConsoleError otherwise
  // or when the name is taken.
  User add_user(std::string_view name, Role role, std::string_view password);
  void set_password(std::string_view name, std::string_view password);
  void set_role(std::string_view name, Role role);
  void remove_user(std::string_view name);  // also ends its sessions and revokes its tokens
  std::vector<User> list_users();
  std::optional<User> find_user(std::string_view name);
  // The user when the password is right (scrypt runs even for unknown names, so timing does
  // not reveal which names exist).
  std::optional<User> check_password(std::string_view name, std::string_view password);

  NewSession create_session(int64_t user_id, int64_t now_ns, int64_t lifetime_ns);
  // A live session's principal; expired sessions are deleted on sight.
  std::optional<Principal> session_principal(std::string_view token, int64_t now_ns);
  void end_session(std::string_view token);

  // "ots_<64 hex>"; only returned here.
  std::string create_api_token(int64_t user_id, std::string_view name, int64_t now_ns);
  std::optional<Principal> api_token_principal(std::string_view token, int64_t now_ns);
  std::vector<ApiTokenInfo> list_api_tokens();
  bool revoke_api_token(int64_t id);

  void audit(std::string_view user, std::string_view action, std::string_view target, std::string_view detail,
             std::string_view remote, int64_t now_ns);
  std::vector<AuditEntry> audit_log(int64_t offset, int64_t limit);
  int64_t count_audit();

  std::optional<DeviceAnnotation> annotation(int64_t device_id);
  std::vector<DeviceAnnotation> all_annotations();
  void save_annotation(const DeviceAnnotation& annotation);

 private:
  ConsoleStore(std::unique_ptr<SqliteConnection> db, ScryptParams params);
  std::optional<Principal> principal_for(int64_t user_id);
  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> db_;
  ScryptParams params_;
  std::string dummy_hash_;  // verified against for unknown names
};

}  // namespace ots::console
