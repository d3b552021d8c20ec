// Alerts in SQLite (module "alerts", beside the inventory in the same file). Repeats of an alert
// (same definition id, engine, source, destination and protocol) aggregate into one row with a
// count and last time; evidence frames are kept per alert (the first kMaxEvidenceFrames) and
// served as a pcap. One writer (the detection thread) records alerts; the web layer and the CLI
// open their own read-only store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert_model.h"
#include "store/sqlite.h"

namespace ots::detect {

constexpr size_t kMaxEvidenceFrames = 20;

struct AlertComment {
  int64_t id = 0;
  std::string author;
  std::string text;
  int64_t created_ns = 0;
};

struct StoredAlert {
  Alert alert;  // evidence_frames filled by get() only
  std::string state_changed_by;
  int64_t state_changed_at_ns = 0;
  size_t evidence_count = 0;
  std::vector<AlertComment> comments;  // filled by get() only
};

struct AlertFilter {
  std::optional<EngineKind> engine;
  std::optional<Severity> severity;      // exactly this severity
  std::optional<Severity> min_severity;  // this severity or worse
  std::optional<AlertState> state;
  int64_t from_ns = 0;  // alerts whose [first, last] time overlaps [from, to]; 0 = open
  int64_t to_ns = 0;
  std::optional<IpAddr> device_ip;  // source or destination
  std::string definition_id;        // "" = any
  // Case-insensitive (ASCII) substring of the title, message, addresses, protocol or definition id;
  // "" = any.
  std::string text;
  int64_t offset = 0;
  int64_t limit = 100;
};

struct AlertPage {
  std::vector<StoredAlert> alerts;  // newest (last seen) first
  int64_t total = 0;                // matching alerts, ignoring offset/limit
};

class AlertStore {
 public:
  // ReadWrite applies the module's migrations; ReadOnly refuses an unknown (newer) schema and
  // reads an empty store from a database that has none yet.
  static std::unique_ptr<AlertStore> open(const std::string& path,
                                          SqliteConnection::Mode mode = SqliteConnection::Mode::ReadWrite);

  // --- writer side ---
  // Inserts the alert or folds it into the stored alert with the same key: count += alert.count,
  // last time = max, message updated, evidence appended up to kMaxEvidenceFrames. A muted alert
  // stays muted; an acknowledged or learned one that repeats becomes new again. Returns the id.
  int64_t record(const Alert& alert);
  void record_all(std::span<const Alert> alerts);  // one transaction
  // New → acknowledged / muted / learned (or back to new), with who and when. false: no such id.
  bool set_state(int64_t id, AlertState state, std::string_view who, int64_t when_ns);
  // Returns the comment id, or 0 when there is no such alert.
  int64_t add_comment(int64_t id, std::string_view author, std::string_view text, int64_t when_ns);

  // --- reader side ---
  AlertPage list(const AlertFilter& filter);
  std::optional<StoredAlert> get(int64_t id);
  std::optional<std::vector<uint8_t>> pcap(int64_t id);  // nullopt: no such alert

 private:
  AlertStore(std::unique_ptr<SqliteConnection> connection, bool has_schema);
  int64_t record_one(const Alert& alert);
  std::unique_ptr<SqliteConnection> db_;
  bool has_schema_;
};

}  // namespace ots::detect
