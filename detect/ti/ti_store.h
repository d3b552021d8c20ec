// The threat-intelligence store: imported packages and feeds (every version kept, so the
// previous one can be restored), the entries each import rejected, trusted package-signing
// keys and TAXII cursors. Module "ti" in the sensor's SQLite file. One TiStore per process
// that changes TI (the CLI or the control plane); it is not used from packet workers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert_model.h"
#include "detect/ti/package_signing.h"
#include "detect/ti/ti_model.h"
#include "store/sqlite.h"

namespace ots::detect::ti {

struct StoredPackage {
  int64_t row_id = 0;  // the id `ti list` shows and `ti remove` takes
  std::string name;
  PackageKind kind = PackageKind::Package;
  std::string package_id, version, build_date, source, key_id;
  int64_t imported_at_ns = 0;
  bool enabled = true;
  size_t definitions = 0, indicators = 0, rules = 0, rejected = 0;
  size_t older_versions = 0;  // how many times `rollback` can go back
};

struct TrustedKeyRecord {
  std::string key_id;
  std::string pem;
  std::string comment;
  int64_t added_at_ns = 0;
};

class TiStore {
 public:
  // Opens (creating) the database file and applies the "ti" migrations.
  explicit TiStore(const std::string& db_path);
  explicit TiStore(std::unique_ptr<SqliteConnection> connection);

  // Stores `package` as the current version of `package.name`; the version it replaces is kept.
  // Throws TiError when the package has no usable definition (the one in force stays).
  StoredPackage import(const TiPackage& package, int64_t now_ns);
  // A TAXII poll brings only new objects: they are merged into the current version of the
  // collection's package (same ids replaced, withdrawn ids removed) as a new version. Returns
  // nullopt when the poll changed nothing.
  std::optional<StoredPackage> merge_import(const TiPackage& delta, int64_t now_ns);

  std::vector<StoredPackage> list() const;  // current versions, by name
  std::optional<StoredPackage> find(int64_t row_id) const;
  std::optional<StoredPackage> current(std::string_view name) const;
  std::vector<RejectedEntry> rejected(int64_t row_id) const;
  TiPackage load(int64_t row_id) const;  // the stored model of one version

  // Deletes the package (every version of its name). Throws TiError for an unknown id.
  StoredPackage remove(int64_t row_id);
  // Drops the current version of `name` and restores the one before. Throws TiError when there
  // is no older version. Returns the restored version.
  StoredPackage rollback(std::string_view name);
  void set_enabled(int64_t row_id, bool enabled);

  // What the engines load: the definitions of every enabled package, in name order.
  std::vector<AlertDefinition> active_definitions() const;

  // Trusted Ed25519 public keys for signed packages. Throws TiError when `pem` is not one.
  std::string trust_key(std::string_view pem, std::string_view comment, int64_t now_ns);
  bool untrust_key(std::string_view key_id);
  std::vector<TrustedKeyRecord> trusted_key_records() const;
  TrustedKeys trusted_keys() const;

  std::optional<std::string> taxii_cursor(std::string_view feed) const;
  void set_taxii_cursor(std::string_view feed, std::string_view added_after, int64_t now_ns);

  SqliteConnection& connection() { return *db_; }

 private:
  StoredPackage row(Statement& statement) const;
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace ots::detect::ti
