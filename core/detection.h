// Detection for a running sensor: loads the signed built-in behaviour pack, the threat
// intelligence in force (indicators and Suricata-syntax rules) and the baseline, publishes
// what the workers read as one immutable bundle (swapped at burst boundaries, so importing a
// package takes effect without a restart or lost packets), and on the pipeline's inventory
// thread runs the central (baseline) detector, stores alerts and forwards them to SIEMs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detect/alert_model.h"
#include "detect/engine/alert_store.h"
#include "detect/engine/baseline.h"
#include "detect/engine/central_detector.h"
#include "detect/engine/snapshot.h"
#include "detect/engine/worker_detector.h"
#include "detect/export/forwarder.h"
#include "detect/rules/rules.h"
#include "detect/ti/indicator_set.h"
#include "store/database.h"

namespace ots {

struct DetectionOptions {
  std::vector<detect::ForwarderConfig> forwarders;
};

// Parses "udp://host:port", "tcp://host:port", "tls://host:port?ca=FILE" or
// "tls://host:port?pin=SHA256" (CEF over syslog) and "jsonl:PATH" / "jsonl+tcp://host:port".
// Throws std::invalid_argument naming what is wrong.
detect::ForwarderConfig parse_forwarder(const std::string& text);

// What a worker reads; immutable once published.
struct DetectionBundle {
  uint64_t generation = 0;
  std::shared_ptr<const detect::DetectionSnapshot> snapshot;
  std::shared_ptr<const detect::ti::IndicatorSet> indicators;  // TI definitions live here
  std::shared_ptr<const detect::rules::RuleSet> rules;         // RuleMatch::tag = index into indicators->definitions()
};

class DetectionHub {
 public:
  // Throws std::runtime_error when the built-in pack does not verify or the stores cannot open.
  DetectionHub(const std::string& db_path, DetectionOptions options);
  ~DetectionHub();

  // Workers: a cheap check at every burst, the bundle only when it changed.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const DetectionBundle> bundle() const;

  // Inventory thread, once per flush: the inventory's changes, the workers' alerts and
  // activity, and the newest packet time. Stores and forwards alerts; republishes the
  // bundle when the baseline or the TI packages changed. `new_timeline`: this flush is the
  // first of another source (the next file of a replay), whose clock is its own and starts
  // at this packet time. `quiet`: the source's pauses (from, to) since the previous flush, or
  // null when nobody measured them.
  void on_flush(const StoreBatch& changes, std::vector<detect::Alert>& worker_alerts,
                const std::vector<detect::ActivityBatch>& activity, int64_t newest_ts_ns,
                std::optional<int64_t> new_timeline, const std::vector<std::pair<int64_t, int64_t>>* quiet);

  // Messages for the operator (pack, TI or rule problems), collected at load time.
  const std::vector<std::string>& notes() const { return notes_; }
  uint64_t alerts_stored() const { return alerts_stored_; }

  // A step of on_flush that failed (the database refused a write: locked past the busy timeout,
  // disk full …) is counted and named here instead of ending the sensor. Alerts that could not
  // be stored wait (repeats folded in) and are stored at a later flush (forwarders got them at
  // once); beyond kMaxUnstoredAlerts new ones are dropped and counted, and beyond
  // kMaxUnstoredEvidenceBytes they wait without their frames. A failed republish is retried.
  struct Failures {
    uint64_t count = 0;        // failed steps
    std::string last;          // "storing alerts: database 'x': …"
    uint64_t alerts_dropped = 0;
  };
  Failures failures() const;
  size_t alerts_unstored() const;
  static constexpr size_t kMaxUnstoredAlerts = 100'000;
  static constexpr size_t kMaxUnstoredEvidenceBytes = 64u << 20;

 private:
  // Runs `step`; a failure is counted under `what` and the flush goes on.
  template <class Step>
  bool attempt(const char* what, Step&& step);
  void reload_threat_intelligence();
  void publish();
  std::string ti_fingerprint();

  std::string db_path_;
  DetectionOptions options_;
  std::vector<detect::AlertDefinition> pack_definitions_;
  std::unique_ptr<detect::Baseline> baseline_;
  std::unique_ptr<detect::CentralDetector> central_;
  std::unique_ptr<detect::AlertStore> store_;
  std::vector<std::unique_ptr<detect::AlertForwarder>> forwarders_;
  std::unique_ptr<SqliteConnection> ti_watch_;
  std::string ti_fingerprint_;
  std::shared_ptr<const detect::ti::IndicatorSet> indicators_;
  std::shared_ptr<const detect::rules::RuleSet> rules_;
  std::vector<std::string> notes_;
  uint64_t alerts_stored_ = 0;
  void keep_unstored(detect::Alert alert);  // with failures_mutex_ held
  std::vector<detect::Alert> unstored_alerts_;  // oldest first
  size_t unstored_evidence_bytes_ = 0;
  bool republish_pending_ = false;
  mutable std::mutex failures_mutex_;  // failures() and alerts_unstored() may be asked from another thread
  Failures failures_;

  mutable std::mutex mutex_;
  std::shared_ptr<const DetectionBundle> bundle_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace ots
