// The learned baseline (module "baseline", in the inventory's SQLite file): devices and their
// firmware, communicating pairs, protocols per pair, function codes per pair, written register /
// IOA ranges, S7 blocks accessed, CIP class/service pairs, pairs seen writing, engineering hosts
// and learned polling periods. Learning runs for a period of packet time or until ended; it
// survives restarts. Owned by the detection thread (CentralDetector); the CLI opens its own.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/net_types.h"
#include "detect/engine/snapshot.h"
#include "store/sqlite.h"

namespace ots::detect {

struct BaselineStatus {
  bool learning = false;
  bool established = false;           // a learning period has ended
  int64_t learning_started_ns = 0;    // packet time of the first batch seen while learning; 0 not yet
  int64_t learning_duration_ns = 0;   // 0: until ended
  uint64_t generation = 0;            // advances on every reset
  size_t devices = 0, pairs = 0, protocols = 0, functions = 0, write_ranges = 0, blocks = 0, cip = 0,
         writers = 0, engineering_hosts = 0, polling = 0;
};

class Baseline {
 public:
  static std::unique_ptr<Baseline> open(const std::string& path);

  // --- control (the CLI and the detection thread) ---
  void start_learning(int64_t duration_ns);  // 0: until end_learning()
  void end_learning();                       // learning → established
  void reset();                              // forgets everything; not learning, not established
  BaselineStatus status() const;
  bool learning() const { return learning_; }
  bool established() const { return established_; }
  // The learning clock runs on packet time: the first call while learning starts the period, a
  // call past its end ends learning. Returns true when learning ended.
  bool advance(int64_t now_ns);
  // Picks up control changes another process (the CLI) wrote: learning started or ended, or a
  // reset (then everything is reloaded). Returns true when something changed.
  bool refresh();

  // --- facts; each add_* returns true when the fact was new (and persists it) ---
  std::optional<std::string> device_firmware(const std::string& key) const;  // nullopt: unknown device
  bool add_device(const std::string& key, const std::string& firmware);       // sets the firmware when given
  bool has_pair(const IpAddr& client, const IpAddr& server) const;
  bool add_pair(const IpAddr& client, const IpAddr& server);
  bool has_protocol(const IpAddr& client, const IpAddr& server, const std::string& protocol) const;
  bool add_protocol(const IpAddr& client, const IpAddr& server, const std::string& protocol);
  bool has_function(const IpAddr& client, const IpAddr& server, const std::string& protocol, uint32_t code) const;
  bool add_function(const IpAddr& client, const IpAddr& server, const std::string& protocol, uint32_t code);
  // Written ranges are kept per (server, protocol, unit) as merged intervals [first, last].
  bool write_covered(const IpAddr& server, const std::string& protocol, uint32_t unit, uint32_t first,
                     uint32_t last) const;
  bool add_write_range(const IpAddr& server, const std::string& protocol, uint32_t unit, uint32_t first,
                       uint32_t last);
  bool has_block(const IpAddr& server, const std::string& protocol, const std::string& item) const;
  bool add_block(const IpAddr& server, const std::string& protocol, const std::string& item);
  bool has_cip(const IpAddr& server, uint32_t class_id, uint32_t service) const;
  bool add_cip(const IpAddr& server, uint32_t class_id, uint32_t service);
  bool add_writer(const IpAddr& client, const IpAddr& server, const std::string& protocol);
  bool is_engineering_host(const IpAddr& host) const;
  bool add_engineering_host(const IpAddr& host);
  bool add_polling(const IpAddr& client, const IpAddr& server, const std::string& protocol, uint32_t code,
                   uint32_t address, const PollingStats& stats);

  // The hot-path part, for DetectionSnapshot.
  BaselineView view() const;

  // Batches many adds into one transaction.
  SqliteConnection& connection() { return *db_; }

 private:
  explicit Baseline(std::unique_ptr<SqliteConnection> db);
  void load();
  void clear_memory();
  void write_meta();
  int64_t meta(std::string_view key) const;

  using Pair = std::pair<IpAddr, IpAddr>;
  using PairText = std::tuple<IpAddr, IpAddr, std::string>;
  struct RangeKey {
    IpAddr server;
    std::string protocol;
    uint32_t unit;
    auto operator<=>(const RangeKey&) const = default;
  };
  struct PollingKey {
    IpAddr client, server;
    std::string protocol;
    uint32_t code, address;
    auto operator<=>(const PollingKey&) const = default;
  };

  std::unique_ptr<SqliteConnection> db_;
  bool learning_ = false, established_ = false;
  int64_t learning_started_ns_ = 0, learning_duration_ns_ = 0;
  uint64_t generation_ = 0;

  std::map<std::string, std::string> devices_;  // key → firmware
  std::set<Pair> pairs_;
  std::set<PairText> protocols_, writers_;
  std::set<std::tuple<IpAddr, IpAddr, std::string, uint32_t>> functions_;
  std::map<RangeKey, std::map<uint32_t, uint32_t>> write_ranges_;  // first → last, disjoint
  std::set<std::tuple<IpAddr, std::string, std::string>> blocks_;
  std::set<std::tuple<IpAddr, uint32_t, uint32_t>> cip_;
  std::set<IpAddr> engineering_;
  std::map<PollingKey, PollingStats> polling_;
};

}  // namespace ots::detect
