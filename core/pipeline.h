// Runs packet sources through the workers into the inventory and the store.
//
// One worker: the receiving thread processes packets itself (run to completion).
// Several workers over one source queue: the receiving thread dispatches each
// packet by a symmetric hash of its IP pair into the worker's ring, so both
// directions of a flow and all fragments of a datagram meet on one worker.
// A source with one queue per worker (DPDK with RSS): each worker polls its own.
// Folding worker deltas into the inventory and deriving the changed records runs on
// its own thread, so the packet threads only decode, track flows and dissect.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "capture/packet_source.h"
#include "core/worker.h"
#include "inventory/inventory.h"
#include "store/database.h"
#include "store/store_writer.h"

namespace ots {

struct PipelineOptions {
  size_t workers = 1;
  WorkerConfig worker;
  double speed = 0;                     // 0: as fast as possible; 1: capture pace; 10: ten times faster
  bool drop_when_full = false;          // live sources drop (and count) instead of waiting
  std::chrono::milliseconds flush_interval{1000};
  std::optional<double> idle_stop_seconds;  // live sources: stop after this long without packets
  size_t ring_bytes = 16 * 1024 * 1024;
};

struct SourceOutcome {
  bool error = false;
  std::string message;
};

class Pipeline {
 public:
  Pipeline(PipelineOptions options, StoreWriter& store, Inventory& inventory, RunRecord run);
  ~Pipeline();

  // Reads `source` until its end, an error, idle stop or request_stop(). Each source after the
  // first (the next file of a replay) gets its own timeline: the previous source's flows end on
  // its own clock and fresh workers start, so packet times of different files never meet in
  // one flow table or one silence clock.
  SourceOutcome run(PacketSource& source);
  // Safe from any thread.
  void request_stop();
  bool stop_requested() const { return stop_.load(); }
  // Ends all flows, folds the last deltas, records the run's final status and
  // waits until the store has committed everything.
  void finish(const std::string& status);

  const RunRecord& run_record() const { return run_; }
  // Why the inventory and detection thread stopped (an exception there ends the run cleanly,
  // with everything committed before it), or nullopt.
  std::optional<std::string> inventory_error() const;
  // CPU time the packet workers used so far: the figure to size a sensor by (packets
  // per second per core). With one worker it includes reading the source, done on the same thread.
  double worker_cpu_seconds() const { return static_cast<double>(worker_cpu_ns_.load()) / 1e9; }

 private:
  struct WorkerThread;
  SourceOutcome run_inline(PacketSource& source);
  SourceOutcome run_dispatch(PacketSource& source);
  SourceOutcome run_per_queue(PacketSource& source);
  void pace(const PacketView& p);
  void maybe_flush(bool force);
  void post_delta(WorkerDelta delta);
  void start_new_timeline();
  // Folds the pending deltas and writes the changes; a timeline boundary among them is written
  // in two batches, so one batch never mixes two sources' times.
  void collect_and_write(const SourceStats& totals);
  void fold(WorkerDelta& delta);  // takes the delta's alerts and activity
  void write_changes(const SourceStats& totals);
  SourceStats source_snapshot() const;
  void inventory_loop();
  void stop_inventory_thread();
  void note_inventory_error(const std::string& message);  // and request_stop()
  mutable std::mutex inventory_error_mutex_;
  std::optional<std::string> inventory_error_;
  void start_threads();
  void stop_threads();

  PipelineOptions options_;
  StoreWriter& store_;
  Inventory& inventory_;
  RunRecord run_;
  std::atomic<bool> stop_{false};
  std::atomic<PacketSource*> active_source_{nullptr};

  std::unique_ptr<Worker> inline_worker_;
  std::vector<std::unique_ptr<WorkerThread>> threads_;
  std::mutex deltas_mutex_;                 // guards pending_deltas_, timeline_ and the inventory_* requests
  struct PendingDelta {
    uint64_t timeline = 0;  // the source the delta belongs to
    WorkerDelta delta;
  };
  std::vector<PendingDelta> pending_deltas_;
  uint64_t timeline_ = 0;          // sources started so far, minus one
  uint64_t folded_timeline_ = 0;   // the timeline of the deltas folded last (inventory thread)
  bool timeline_changed_ = false;  // the next detection flush starts a new timeline (inventory thread)
  std::vector<int64_t> timeline_starts_;  // first packet time of each timeline (0: not known yet)
  bool source_first_seen_ = false;        // the receiving thread saw the current source's first packet
  void note_first_packet(int64_t ts_ns);
  // Pauses of the source (no packet for a while, in packet time), seen by the receiving thread.
  struct QuietGap {
    uint64_t timeline;
    int64_t from_ns, to_ns;
  };
  void note_gap(int64_t ts_ns) {
    if (ts_ns - previous_packet_ts_ > kQuietGapNs && previous_packet_ts_ != 0) record_gap(previous_packet_ts_, ts_ns);
    previous_packet_ts_ = ts_ns;
  }
  void record_gap(int64_t from_ns, int64_t to_ns);
  static constexpr int64_t kQuietGapNs = 60'000'000'000;
  int64_t previous_packet_ts_ = 0;    // receiving thread
  std::vector<QuietGap> quiet_gaps_;  // guarded by deltas_mutex_
  bool gaps_measured_ = true;         // false once a source with a queue per worker ran
  std::vector<WorkerCounters> retired_counters_;  // of workers of finished timelines (inventory thread)
  uint64_t retired_dispatch_drops_ = 0;
  bool source_started_ = false;
  std::condition_variable inventory_wake_;
  bool inventory_flush_requested_ = false;
  bool inventory_stopping_ = false;
  SourceStats inventory_source_stats_;  // source counters as of the latest flush request
  std::vector<WorkerCounters> latest_counters_;  // inventory thread (or finish() after it stopped)
  SourceStats source_totals_;  // of finished sources
  SourceStats active_stats_;
  std::chrono::steady_clock::time_point last_flush_;
  std::atomic<uint64_t> flush_epoch_{0};
  std::atomic<int64_t> worker_cpu_ns_{0};

  // Detection inputs gathered from the deltas until the next flush (inventory thread).
  std::vector<detect::Alert> detection_alerts_;
  std::vector<detect::ActivityBatch> detection_activity_;
  int64_t newest_ts_ns_ = 0;

  std::thread inventory_thread_;  // last among the threads' state: started in the constructor

  // Pacing (--realtime / --speed)
  bool pacing_started_ = false;
  int64_t pace_first_ts_ = 0;
  std::chrono::steady_clock::time_point pace_start_;
};

}  // namespace ots
