// The cross-worker half of the alert engines, run on one detection thread: the policy engine
// (inventory and activity compared with the Baseline, silent while learning), the baseline's
// learning itself, and the operational alerts only the centre can see (device suspected
// disconnected, no traffic on a monitored interface).
//
// Wiring (core/pipeline.cc, the thread that folds worker deltas into the inventory):
//   after Inventory::take_changes(batch):  central.on_batch(batch, latest packet time)
//   with the workers' deltas of a flush:   central.on_activity(their ActivityBatches, latest packet time)
//                                          (its probes feed the scan detection: port, address and PLC
//                                          scans are counted here, over all workers; so are SYN floods,
//                                          from the unanswered TCP probes, and UDP floods, from the
//                                          workers' new-flow counts)
//   once a second (wall clock):            central.on_interface_packets(name, received, wall ns)
//   then:                                  central.drain_alerts(alerts) → AlertStore::record_all and export;
//                                          if central.take_view_change(): publish a new DetectionSnapshot
//                                          with baseline.view() to the workers.
//   on "learn" of an alert (web/CLI):      central.learn(alert), then AlertStore::set_state(id, Learned …).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detect/alert_model.h"
#include "detect/engine/baseline.h"
#include "detect/engine/worker_detector.h"
#include "store/database.h"

namespace ots::detect {

// A stretch of packet time in which a source delivered no packet at all.
struct QuietPeriod {
  int64_t from_ns = 0, to_ns = 0;
};

struct CentralSettings {
  bool policy = true;
  bool operational = true;
  // A device that talked for at least this long and then stays silent this long (packet time,
  // while others keep talking) is suspected disconnected.
  int64_t device_silence_ns = 300'000'000'000;
  int64_t interface_idle_ns = 300'000'000'000;  // wall time without a packet on a monitored interface
  bool scans = true;        // scans and floods (the anomaly engine's cross-worker counts)
  AnomalySettings anomaly;  // scan and flood windows and thresholds (the same as the workers')
};

class CentralDetector {
 public:
  explicit CentralDetector(Baseline& baseline, CentralSettings settings = {});

  // The next batch belongs to another source (the next file of a replay) whose first packet
  // has time `first_ts_ns`. When it does not continue the previous source's clock (it lies
  // before the previous source's newest packet, or after it by more than the silence time), the
  // previous source's devices leave the silence watch: a jump between files, backwards or
  // forwards, is nobody's silence. Scan counts restart too. A continuing file (a capture
  // rotated into several files) keeps every clock.
  void begin_timeline(int64_t first_ts_ns);
  // Stretches of packet time in which the source delivered no packet at all (the capture
  // paused, the sensor was down) are nobody's silence. Whoever sees every packet time (the
  // pipeline's receiving thread) reports them here, with every flush (an empty list too); device
  // silence is then measured minus these periods, whatever order batches arrive in. Until a
  // report, a jump of the batch time beyond the silence time counts as such a pause.
  void on_quiet_periods(std::span<const QuietPeriod> periods);
  // The inventory's changed rows of one flush (absolute values).
  void on_batch(const StoreBatch& changes, int64_t now_ns);
  // New activity from the workers (write ranges, S7 blocks, CIP class/service, writers,
  // programming hosts, learned polling periods), every worker's batch of one flush together:
  // probes and flow counts are counted in packet-time order, so neither the order of the
  // batches nor a batch spanning more than the windows changes a scan or flood verdict.
  void on_activity(std::span<const ActivityBatch> batches, int64_t now_ns);
  void on_activity(const ActivityBatch& activity, int64_t now_ns) { on_activity({&activity, 1}, now_ns); }
  // Its two halves: the probes and flow counts (scans, floods; no database), then each batch's
  // policy activity (compared with or learned into the baseline).
  void on_probes(std::span<const ActivityBatch> batches);
  void on_policy_activity(const ActivityBatch& activity, int64_t now_ns);
  // Packets received so far on a monitored interface, and the wall time.
  void on_interface_packets(std::string_view interface, uint64_t received, int64_t wall_ns);

  // "Learn" on an alert: adds the activity it reports to the baseline.
  void learn(const Alert& alert);

  void drain_alerts(std::vector<Alert>& out);
  // True once after the baseline's hot-path view changed (learning started or ended, reset,
  // learn): publish a new snapshot with baseline().view().
  bool take_view_change();
  Baseline& baseline() { return baseline_; }

 private:
  bool comparing() const;
  void on_probe(const ProbeRecord& probe);  // policy alerts are raised: learning has ended and is not running again
  void clock(int64_t now_ns);
  // The alert raised, or the pending one this repeat was folded into.
  Alert& raise(std::string_view id, std::string_view title, Severity severity, std::string_view group,
               std::string_view techniques, const IpAddr& source, const IpAddr& destination, std::string_view protocol,
               std::string message, std::string activity, int64_t ts_ns, EngineKind engine = EngineKind::PolicyViolation);

  Baseline& baseline_;
  CentralSettings settings_;
  std::vector<Alert> pending_;
  bool view_changed_ = false;
  bool was_learning_ = false, was_established_ = false;
  uint64_t generation_ = 0;

  struct DeviceActivity {
    int64_t first_seen_ns = 0, last_seen_ns = 0;
    IpAddr ip;
    MacAddr mac;
    bool alerted = false;
  };
  std::map<std::string, DeviceActivity> devices_;
  int64_t last_silence_check_ns_ = 0;
  int64_t last_batch_ns_ = 0;  // packet time of the previous batch
  std::vector<QuietPeriod> quiet_;  // the newest ones (bounded)
  bool quiet_reported_ = false;
  int64_t quiet_after(int64_t ts_ns, int64_t now_ns) const;  // quiet time between the two

  // Distinct targets of one scan key (kind, source[, host], protocol) in one probe bucket;
  // a key keeps its three newest buckets.
  struct ScanBucket {
    int64_t bucket = 0;
    std::vector<uint64_t> targets;  // distinct, at most the threshold
    bool alerted = false;
  };
  struct ScanKey {
    std::array<ScanBucket, 3> buckets;
    int64_t newest_bucket = INT64_MIN / 2;
    std::vector<ProbeFrame> evidence;  // frames of the counted probes (bounded, see keep_evidence)
  };
  static constexpr size_t kScanEvidenceFrames = 12;
  std::unordered_map<uint64_t, ScanKey> scans_;
  static int64_t bucket_start_ns(int64_t bucket, int64_t scan_window_ns);  // inverse of probe_bucket

  // Floods: events (unanswered SYNs, new UDP flows) to one server per bucket of half a flood
  // window; a key keeps its three newest buckets, whose sum is compared with the threshold.
  struct FloodBucket {
    int64_t bucket = 0;
    uint64_t events = 0;
    bool alerted = false;
  };
  struct FloodKey {
    std::array<FloodBucket, 3> buckets;
    int64_t newest_bucket = INT64_MIN / 2;
    std::vector<ProbeFrame> evidence;
  };
  enum class Flood : uint8_t { Syn, Udp };
  void count_flood(Flood kind, const IpAddr& server, const MacAddr& server_mac, int64_t bucket, uint64_t events,
                   const std::vector<ProbeFrame>& frames, int64_t ts_ns);
  std::unordered_map<uint64_t, FloodKey> floods_;
  // The scan or flood key `key` (made when new); nullptr, counted, when the map is full of keys
  // whose buckets are all still counted at `bucket`.
  template <class Key>
  Key* bucketed_key(std::unordered_map<uint64_t, Key>& map, uint64_t key, int64_t bucket);
  // Evidence of a scan or flood key: frames of its counted events in the buckets still counted
  // (older than `oldest_ns` go), the first kScanEvidenceFrames to arrive.
  static void keep_evidence(std::vector<ProbeFrame>& kept, const std::vector<ProbeFrame>& frames, int64_t oldest_ns);
  static void attach_evidence(Alert& alert, std::vector<ProbeFrame>& frames);  // in time order, then forgotten
  uint64_t scan_keys_untracked_ = 0;

  struct InterfaceActivity {
    uint64_t received = 0;
    int64_t changed_wall_ns = 0;
    bool alerted = false;
  };
  std::map<std::string, InterfaceActivity, std::less<>> interfaces_;
};

}  // namespace ots::detect
