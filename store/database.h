// SQLite persistence: WAL mode, numbered migrations, one writer connection
// (owned by the StoreWriter thread) and any number of read-only connections.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "inventory/model.h"

struct sqlite3;

namespace ots {

class StoreError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One capture/replay run and its counters.
struct RunRecord {
  int64_t id = 0;
  std::string mode;           // "replay", "capture", "capture-dpdk"
  std::string source;         // file list, interface, EAL args
  int64_t started_at_ns = 0;  // wall clock
  int64_t ended_at_ns = 0;    // 0 while running
  std::string status;         // "running", "completed", "interrupted", "error: <message>"
  uint64_t packets = 0, bytes = 0;
  uint64_t dropped_by_sensor = 0, dropped_by_interface = 0;
  uint64_t flows = 0, flow_evictions = 0;
  std::map<std::string, uint64_t> protocol_packets;   // "ipv4", "tcp", "arp", "modbus" …
  std::map<std::string, uint64_t> malformed;          // anomaly name -> count
};

// What the inventory changed since the previous batch, as absolute values:
// each row replaces the stored row with the same natural key.
struct StoreBatch {
  std::vector<MacObservation> macs;
  std::vector<IpObservation> ips;
  std::vector<MacIpBinding> bindings;
  std::vector<ConnectionObservation> connections;
  std::vector<IdentityObservation> identities;  // by (ip, mac, protocol, field, value)
  std::vector<ProtocolObservation> protocols;   // by (ip, mac, protocol, server)
  std::vector<CommandObservation> commands;     // by (client, server, protocol, code)
  std::vector<ArpRequestObservation> arp_requests;  // by (sender, target)
  std::vector<Device> devices;                  // upserted by Device::key; id ignored
  std::vector<std::string> removed_device_keys;  // devices whose key no longer exists
  std::vector<RunRecord> runs;                  // upserted by RunRecord::id
  bool empty() const {
    return macs.empty() && ips.empty() && bindings.empty() && connections.empty() && identities.empty() &&
           protocols.empty() && commands.empty() && arp_requests.empty() && devices.empty() &&
           removed_device_keys.empty() && runs.empty();
  }
};

// Everything the inventory needs to resume from a database.
struct StoredObservations {
  std::vector<MacObservation> macs;
  std::vector<IpObservation> ips;
  std::vector<MacIpBinding> bindings;
  std::vector<ConnectionObservation> connections;
  std::vector<IdentityObservation> identities;
  std::vector<ProtocolObservation> protocols;
  std::vector<CommandObservation> commands;
  std::vector<ArpRequestObservation> arp_requests;
};

struct Page {
  int64_t offset = 0;
  int64_t limit = 100;
};

class Database {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  // Opens (and for ReadWrite creates and migrates) the database. Throws StoreError
  // with one clear line ("cannot open database '/x/y.db': unable to open database file").
  // Both modes refuse a database whose schema is newer than this build knows.
  static std::unique_ptr<Database> open(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int schema_version() const;
  static int latest_schema_version();  // the newest migration this build knows
  const std::string& path() const { return path_; }

  // --- writer side (one thread) ---
  StoredObservations load_observations();
  int64_t begin_run(const RunRecord& run);  // returns the new run id
  // One transaction. Within a batch, removed_device_keys are deleted before the devices are
  // upserted. Throws StoreError (and rolls back) on failure.
  void apply(const StoreBatch& batch);
  // Several batches, in order, in one transaction (the writer thread catching up).
  void apply_all(std::span<const StoreBatch> batches);

  // --- reader side ---
  int64_t count_devices();
  std::vector<Device> list_devices(Page page);  // ordered by id
  std::optional<Device> get_device(int64_t id);
  int64_t count_connections();
  std::vector<ConnectionObservation> list_connections(Page page);  // ordered by client, server, transport, port
  std::vector<RunRecord> list_runs();  // newest first
  // Runs `body` (a few reader calls) inside one read transaction, so a count and a page agree.
  void read_snapshot(const std::function<void()>& body);

 private:
  struct StatementCache;
  Database(sqlite3* db, Mode mode, std::string path);
  void migrate();
  void exec(const char* sql);
  void apply_in_transaction(const StoreBatch& batch);
  sqlite3* db_;
  Mode mode_;
  std::string path_;
  int schema_version_ = 0;
  std::unique_ptr<StatementCache> statements_;  // prepared once, kept for the connection's lifetime
};

}  // namespace ots
