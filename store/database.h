// SQLite persistence: WAL mode, numbered migrations, one writer connection
// (owned by the StoreWriter thread) and any number of read-only connections.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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
  std::vector<Device> devices;                  // upserted by Device::key; id ignored
  std::vector<std::string> removed_device_keys;  // devices whose key no longer exists
  std::vector<RunRecord> runs;                  // upserted by RunRecord::id
  bool empty() const {
    return macs.empty() && ips.empty() && bindings.empty() && connections.empty() && devices.empty() &&
           removed_device_keys.empty() && runs.empty();
  }
};

// Everything the inventory needs to resume from a database.
struct StoredObservations {
  std::vector<MacObservation> macs;
  std::vector<IpObservation> ips;
  std::vector<MacIpBinding> bindings;
  std::vector<ConnectionObservation> connections;
};

struct Page {
  int64_t offset = 0;
  int64_t limit = 100;
};

class Database {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  // Opens (and for ReadWrite creates and migrates) the database. Throws StoreError
  // with one clear line ("cannot open database /x/y.db: unable to open database file").
  static std::unique_ptr<Database> open(const std::string& path, Mode mode);
  ~Database();

  int schema_version() const;

  // --- writer side (one thread) ---
  StoredObservations load_observations();
  int64_t begin_run(const RunRecord& run);  // returns the new run id
  void apply(const StoreBatch& batch);       // one transaction

  // --- reader side ---
  int64_t count_devices();
  std::vector<Device> list_devices(Page page);  // ordered by id
  std::optional<Device> get_device(int64_t id);
  int64_t count_connections();
  std::vector<ConnectionObservation> list_connections(Page page);  // ordered by client, server, transport, port
  std::vector<RunRecord> list_runs();  // newest first

 private:
  Database(sqlite3* db, Mode mode);
  sqlite3* db_;
  Mode mode_;
};

}  // namespace ots
