#include "core/pipeline.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <iterator>
#include <utility>

#include "core/packet_ring.h"
#include "dissectors/decode/packet_decoder.h"

namespace ots {

namespace {

constexpr size_t kBurst = 64;
constexpr uint64_t kPacketsPerDelta = 1 << 16;

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Adds the CPU time the calling thread spends in its scope to a counter.
class ThreadCpuMeter {
 public:
  explicit ThreadCpuMeter(std::atomic<int64_t>& total) : total_(total), start_(now()) {}
  ~ThreadCpuMeter() { total_.fetch_add(now() - start_); }
  ThreadCpuMeter(const ThreadCpuMeter&) = delete;
  ThreadCpuMeter& operator=(const ThreadCpuMeter&) = delete;

 private:
  static int64_t now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
  }
  std::atomic<int64_t>& total_;
  int64_t start_;
};

void add(SourceStats& into, const SourceStats& s) {
  into.packets += s.packets;
  into.bytes += s.bytes;
  into.dropped_by_sensor += s.dropped_by_sensor;
  into.dropped_by_interface += s.dropped_by_interface;
}

}  // namespace

struct Pipeline::WorkerThread {
  WorkerThread(size_t index, const PipelineOptions& options)
      : worker(std::make_unique<Worker>(index, options.worker)), ring(options.ring_bytes) {}
  std::unique_ptr<Worker> worker;
  PacketRing ring;
  std::thread thread;
  std::atomic<bool> input_done{false};
  uint64_t dispatch_drops = 0;  // written by the dispatcher only
};

Pipeline::Pipeline(PipelineOptions options, StoreWriter& store, Inventory& inventory, RunRecord run)
    : options_(std::move(options)), store_(store), inventory_(inventory), run_(std::move(run)) {
  if (options_.workers == 0) options_.workers = 1;
  latest_counters_.resize(options_.workers);
  last_flush_ = std::chrono::steady_clock::now();
  if (options_.workers == 1) inline_worker_ = std::make_unique<Worker>(0, options_.worker);
  inventory_thread_ = std::thread([this] { inventory_loop(); });
}

Pipeline::~Pipeline() {
  stop_threads();
  stop_inventory_thread();
}

void Pipeline::inventory_loop() {
  for (;;) {
    SourceStats totals;
    {
      std::unique_lock lock(deltas_mutex_);
      inventory_wake_.wait(lock, [this] { return inventory_flush_requested_ || inventory_stopping_; });
      if (!inventory_flush_requested_) return;
      inventory_flush_requested_ = false;
      totals = inventory_source_stats_;
    }
    try {
      collect_and_write(totals);
    } catch (const std::exception& e) {
      note_inventory_error(e.what());
      return;
    }
  }
}

void Pipeline::note_inventory_error(const std::string& message) {
  {
    std::lock_guard lock(inventory_error_mutex_);
    if (!inventory_error_) inventory_error_ = "inventory: " + message;
  }
  request_stop();
}

std::optional<std::string> Pipeline::inventory_error() const {
  std::lock_guard lock(inventory_error_mutex_);
  return inventory_error_;
}

void Pipeline::stop_inventory_thread() {
  if (!inventory_thread_.joinable()) return;
  {
    std::lock_guard lock(deltas_mutex_);
    inventory_stopping_ = true;  // a pending flush request is served first
  }
  inventory_wake_.notify_one();
  inventory_thread_.join();
}

void Pipeline::request_stop() {
  stop_.store(true);
  if (PacketSource* s = active_source_.load()) s->request_stop();
}

void Pipeline::pace(const PacketView& p) {
  if (options_.speed <= 0) return;
  if (!pacing_started_) {
    pacing_started_ = true;
    pace_first_ts_ = p.ts_ns;
    pace_start_ = std::chrono::steady_clock::now();
    return;
  }
  const auto offset = std::chrono::nanoseconds(
      static_cast<int64_t>(static_cast<double>(p.ts_ns - pace_first_ts_) / options_.speed));
  const auto due = pace_start_ + offset;
  // Sleep in short steps so a stop request is honoured promptly.
  while (!stop_.load() && std::chrono::steady_clock::now() < due) {
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(due - std::chrono::steady_clock::now(),
                                                                   std::chrono::milliseconds(100)));
    maybe_flush(false);  // a paced replay keeps the store current while it waits
  }
}

SourceOutcome Pipeline::run(PacketSource& source) {
  if (source_started_) start_new_timeline();
  source_started_ = true;
  source_first_seen_ = false;
  previous_packet_ts_ = 0;  // a pause is measured within a source; between sources, see timelines
  active_source_.store(&source);
  if (stop_.load()) source.request_stop();
  SourceOutcome outcome;
  if (source.queue_count() > 1) outcome = run_per_queue(source);
  else if (inline_worker_) outcome = run_inline(source);
  else outcome = run_dispatch(source);
  add(source_totals_, source.stats());
  active_stats_ = SourceStats{};
  active_source_.store(nullptr);
  maybe_flush(true);
  return outcome;
}

namespace {

// Tracks how long a live source has delivered nothing.
class IdleClock {
 public:
  explicit IdleClock(std::optional<double> limit) : limit_(limit), since_(std::chrono::steady_clock::now()) {}
  void packets() { since_ = std::chrono::steady_clock::now(); }
  bool expired() const {
    return limit_ && std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count() >= *limit_;
  }

 private:
  std::optional<double> limit_;
  std::chrono::steady_clock::time_point since_;
};

SourceOutcome outcome_of(const Burst& b, const PacketSource& source) {
  if (b.status == BurstStatus::Error) return {true, source.error()};
  return {};
}

}  // namespace

SourceOutcome Pipeline::run_inline(PacketSource& source) {
  const ThreadCpuMeter cpu(worker_cpu_ns_);
  std::array<PacketView, kBurst> burst;
  IdleClock idle(options_.idle_stop_seconds);
  uint64_t since_expire = 0;
  for (;;) {
    if (stop_.load()) return {};
    const Burst b = source.receive_burst(0, burst);
    if (b.status == BurstStatus::End || b.status == BurstStatus::Error) return outcome_of(b, source);
    if (b.count == 0) {
      if (idle.expired()) return {};
      maybe_flush(false);
      continue;
    }
    idle.packets();
    if (!source_first_seen_) note_first_packet(burst[0].ts_ns);
    for (size_t i = 0; i < b.count; ++i) {
      // The next packet's headers load while this one is processed (a sequential
      // reader has touched only its record header so far).
      if (i + 1 < b.count) __builtin_prefetch(burst[i + 1].data.data());
      note_gap(burst[i].ts_ns);
      pace(burst[i]);
      inline_worker_->process(burst[i]);
    }
    source.release(0);
    if ((since_expire += b.count) >= 4096) {
      inline_worker_->expire_idle_flows();
      since_expire = 0;
    }
    active_stats_ = source.stats();
    maybe_flush(false);
  }
}

void Pipeline::start_threads() {
  if (!threads_.empty()) return;
  for (size_t i = 0; i < options_.workers; ++i) threads_.push_back(std::make_unique<WorkerThread>(i, options_));
  for (auto& t : threads_) {
    WorkerThread* self = t.get();
    t->thread = std::thread([this, self] {
      const ThreadCpuMeter cpu(worker_cpu_ns_);
      uint64_t seen_epoch = flush_epoch_.load();
      uint64_t since_delta = 0, since_expire = 0;
      auto post = [&] {
        WorkerDelta delta;
        self->worker->take_delta(delta);
        post_delta(std::move(delta));
        since_delta = 0;
      };
      unsigned idle_rounds = 0;
      for (;;) {
        PacketView v;
        size_t n = 0;
        while (n < 256 && self->ring.front(v)) {
          self->worker->process(v);
          self->ring.pop();
          ++n;
        }
        since_delta += n;
        since_expire += n;
        if (since_expire >= 4096) {
          self->worker->expire_idle_flows();
          since_expire = 0;
        }
        const uint64_t epoch = flush_epoch_.load(std::memory_order_relaxed);
        if (epoch != seen_epoch || since_delta >= kPacketsPerDelta) {
          seen_epoch = epoch;
          post();
        }
        if (n > 0) {
          idle_rounds = 0;
          continue;
        }
        if (self->input_done.load(std::memory_order_acquire) && !self->ring.front(v)) break;
        // Back off gently while the ring is empty.
        if (++idle_rounds < 64) std::this_thread::yield();
        else std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      self->worker->drain();
      post();
    });
  }
}

void Pipeline::stop_threads() {
  for (auto& t : threads_) t->input_done.store(true, std::memory_order_release);
  for (auto& t : threads_)
    if (t->thread.joinable()) t->thread.join();
}

SourceOutcome Pipeline::run_dispatch(PacketSource& source) {
  start_threads();
  std::array<PacketView, kBurst> burst;
  IdleClock idle(options_.idle_stop_seconds);
  const size_t n_workers = threads_.size();
  for (;;) {
    if (stop_.load()) return {};
    const Burst b = source.receive_burst(0, burst);
    if (b.status == BurstStatus::End || b.status == BurstStatus::Error) return outcome_of(b, source);
    if (b.count == 0) {
      if (idle.expired()) return {};
      maybe_flush(false);
      continue;
    }
    idle.packets();
    if (!source_first_seen_) note_first_packet(burst[0].ts_ns);
    for (size_t i = 0; i < b.count; ++i) {
      const PacketView& p = burst[i];
      note_gap(p.ts_ns);
      pace(p);
      WorkerThread& w = *threads_[symmetric_dispatch_hash(p) % n_workers];
      while (!w.ring.try_push(p)) {
        if (options_.drop_when_full) {
          ++w.dispatch_drops;  // counted, never silent
          break;
        }
        if (stop_.load()) return {};
        std::this_thread::yield();  // replay: wait for the worker rather than lose packets
      }
    }
    source.release(0);
    active_stats_ = source.stats();
    maybe_flush(false);
  }
}

SourceOutcome Pipeline::run_per_queue(PacketSource& source) {
  gaps_measured_ = false;  // no thread sees every packet: the detector judges pauses by batch times
  // One worker per queue; the receiving thread only keeps time and flushes.
  const size_t queues = source.queue_count();
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  std::atomic<bool> done{false};
  std::atomic<int64_t> last_packet_ns{wall_clock_ns()};
  std::atomic<size_t> finished{0};
  std::mutex error_mutex;
  SourceOutcome outcome;
  for (size_t q = 0; q < queues; ++q) workers.push_back(std::make_unique<Worker>(q, options_.worker));
  for (size_t q = 0; q < queues; ++q) {
    threads.emplace_back([&, q] {
      const ThreadCpuMeter cpu(worker_cpu_ns_);
      Worker& worker = *workers[q];
      std::array<PacketView, kBurst> burst;
      uint64_t seen_epoch = flush_epoch_.load();
      auto post = [&] {
        WorkerDelta delta;
        worker.take_delta(delta);
        post_delta(std::move(delta));
      };
      while (!done.load(std::memory_order_relaxed)) {
        const Burst b = source.receive_burst(q, burst);
        if (b.status == BurstStatus::End || b.status == BurstStatus::Error) {
          if (b.status == BurstStatus::Error) {
            std::lock_guard lock(error_mutex);
            outcome = {true, source.error()};
          }
          break;
        }
        for (size_t i = 0; i < b.count; ++i) worker.process(burst[i]);
        if (b.count) {
          source.release(q);
          last_packet_ns.store(wall_clock_ns(), std::memory_order_relaxed);
          worker.expire_idle_flows();
        } else {
          std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        const uint64_t epoch = flush_epoch_.load(std::memory_order_relaxed);
        if (epoch != seen_epoch) {
          seen_epoch = epoch;
          post();
        }
      }
      worker.drain();
      post();
      finished.fetch_add(1);
    });
  }
  while (!stop_.load() && finished.load() < queues) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    active_stats_ = source.stats();
    maybe_flush(false);
    if (options_.idle_stop_seconds &&
        static_cast<double>(wall_clock_ns() - last_packet_ns.load()) / 1e9 >= *options_.idle_stop_seconds)
      break;
  }
  done.store(true);
  for (auto& t : threads) t.join();
  return outcome;
}

void Pipeline::post_delta(WorkerDelta delta) {
  std::lock_guard lock(deltas_mutex_);
  pending_deltas_.push_back({timeline_, std::move(delta)});
}

void Pipeline::note_first_packet(int64_t ts_ns) {
  source_first_seen_ = true;
  std::lock_guard lock(deltas_mutex_);
  if (timeline_starts_.size() <= timeline_) timeline_starts_.resize(timeline_ + 1, 0);
  timeline_starts_[timeline_] = ts_ns;
}

void Pipeline::record_gap(int64_t from_ns, int64_t to_ns) {
  std::lock_guard lock(deltas_mutex_);
  quiet_gaps_.push_back({timeline_, from_ns, to_ns});
}

void Pipeline::start_new_timeline() {
  // The previous source's workers end their flows on its clock and hand in their last deltas;
  // the next source gets fresh workers, whose clocks start at its own packets.
  if (inline_worker_) {
    WorkerDelta delta;
    {
      const ThreadCpuMeter cpu(worker_cpu_ns_);
      inline_worker_->drain();
      inline_worker_->take_delta(delta);
    }
    post_delta(std::move(delta));
    inline_worker_ = std::make_unique<Worker>(0, options_.worker);
  } else {
    stop_threads();  // each thread drains its worker and posts its last delta
    for (const auto& t : threads_) retired_dispatch_drops_ += t->dispatch_drops;
    threads_.clear();
  }
  std::lock_guard lock(deltas_mutex_);
  ++timeline_;
}

void Pipeline::fold(WorkerDelta& delta) {
  inventory_.fold(delta.observations);
  if (delta.worker >= latest_counters_.size()) latest_counters_.resize(delta.worker + 1);
  latest_counters_[delta.worker] = delta.counters;
  detection_alerts_.insert(detection_alerts_.end(), std::make_move_iterator(delta.alerts.begin()),
                           std::make_move_iterator(delta.alerts.end()));
  if (!delta.activity.empty()) detection_activity_.push_back(std::move(delta.activity));
  newest_ts_ns_ = std::max(newest_ts_ns_, delta.newest_ts_ns);
}

void Pipeline::collect_and_write(const SourceStats& totals) {
  std::vector<PendingDelta> deltas;
  {
    std::lock_guard lock(deltas_mutex_);
    deltas.swap(pending_deltas_);
  }
  for (PendingDelta& d : deltas) {
    if (d.timeline != folded_timeline_) {
      write_changes(totals);  // the previous timeline's last changes, on its own clock
      folded_timeline_ = d.timeline;
      for (WorkerCounters& c : latest_counters_) retired_counters_.push_back(std::move(c));
      latest_counters_.assign(options_.workers, WorkerCounters{});
      newest_ts_ns_ = 0;
      timeline_changed_ = true;
    }
    fold(d.delta);
  }
  write_changes(totals);
}

SourceStats Pipeline::source_snapshot() const {
  SourceStats s = source_totals_;
  add(s, active_stats_);
  s.dropped_by_sensor += retired_dispatch_drops_;
  for (const auto& t : threads_) s.dropped_by_sensor += t->dispatch_drops;
  return s;
}

void Pipeline::write_changes(const SourceStats& s) {
  RunRecord& r = run_;
  r.packets = s.packets;
  r.bytes = s.bytes;
  r.dropped_by_sensor = s.dropped_by_sensor;
  r.dropped_by_interface = s.dropped_by_interface;
  r.flows = r.flow_evictions = 0;
  r.protocol_packets.clear();
  r.malformed.clear();
  auto counters = [&](const WorkerCounters& c, bool current) {
    r.flows += c.flows.created;
    r.flow_evictions += c.flows.evicted;
    const DecoderStats& d = c.decoder;
    const std::pair<const char*, uint64_t> layers[] = {
        {"arp", d.arp},         {"ipv4", d.ipv4},           {"ipv6", d.ipv6},
        {"tcp", d.tcp},         {"udp", d.udp},             {"icmp", d.icmp},
        {"otherL3", d.other_l3}, {"tunneled", d.tunneled},   {"ipFragments", d.fragments},
        {"ipReassembled", d.reassembled}, {"ipFragmentsDropped", d.fragments_dropped}};
    for (const auto& [name, count] : layers)
      if (count) r.protocol_packets[name] += count;
    for (size_t a = 1; a < static_cast<size_t>(DecodeAnomaly::kCount); ++a)
      if (d.anomalies[a]) r.malformed[anomaly_name(static_cast<DecodeAnomaly>(a))] += d.anomalies[a];
    for (const auto& [proto, flows] : c.protocol_flows) r.protocol_packets[proto + ".flows"] += flows;
    // Flow memory at each worker's busiest sample, summed (the run record has no
    // column of its own for it; `otsensor stats` lifts these keys out again).
    const FlowMemoryStats& m = c.flow_memory;
    if (current && m.flows) {
      r.protocol_packets["flowMemory.flows"] += m.flows;
      r.protocol_packets["flowMemory.tableBytes"] += m.table_bytes;
      r.protocol_packets["flowMemory.appStateBytes"] += m.app_state_bytes;
      r.protocol_packets["flowMemory.heapBytes"] += m.heap_bytes;
    }
    for (const auto& [name, count] : c.anomalies) r.malformed[name] += count;
  };
  for (const WorkerCounters& c : retired_counters_) counters(c, false);
  for (const WorkerCounters& c : latest_counters_) counters(c, true);
  StoreBatch batch;
  inventory_.take_changes(batch);
  if (options_.worker.detection) {
    // A new timeline is announced with its first packet's time (known once the receiving thread
    // saw it; sources with a queue per worker do not say, and the detector takes its newest time).
    std::optional<int64_t> timeline_start;
    if (timeline_changed_) {
      std::lock_guard lock(deltas_mutex_);
      const int64_t start = folded_timeline_ < timeline_starts_.size() ? timeline_starts_[folded_timeline_] : 0;
      if (start != 0 || newest_ts_ns_ != 0) timeline_start = start != 0 ? start : newest_ts_ns_;
    }
    if (timeline_start) timeline_changed_ = false;
    std::vector<std::pair<int64_t, int64_t>> quiet;
    {
      std::lock_guard lock(deltas_mutex_);
      std::erase_if(quiet_gaps_, [&](const QuietGap& g) {
        if (g.timeline > folded_timeline_) return false;  // the next source's: with its own deltas
        if (g.timeline == folded_timeline_) quiet.emplace_back(g.from_ns, g.to_ns);
        return true;
      });
    }
    options_.worker.detection->on_flush(batch, detection_alerts_, detection_activity_, newest_ts_ns_, timeline_start,
                                        gaps_measured_ ? &quiet : nullptr);
    detection_activity_.clear();
  }
  batch.runs.push_back(r);
  store_.submit(std::move(batch));
}

void Pipeline::maybe_flush(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_flush_ < options_.flush_interval) return;
  last_flush_ = now;
  WorkerDelta delta;
  if (inline_worker_) inline_worker_->take_delta(delta);
  else flush_epoch_.fetch_add(1, std::memory_order_relaxed);  // workers post their deltas
  {
    std::lock_guard lock(deltas_mutex_);
    if (inline_worker_) pending_deltas_.push_back({timeline_, std::move(delta)});
    inventory_source_stats_ = source_snapshot();
    inventory_flush_requested_ = true;
  }
  inventory_wake_.notify_one();
}

void Pipeline::finish(const std::string& status) {
  if (inline_worker_) {
    const ThreadCpuMeter cpu(worker_cpu_ns_);
    inline_worker_->drain();
  }
  stop_threads();
  stop_inventory_thread();  // from here on this thread owns the inventory
  if (inline_worker_) {
    WorkerDelta delta;
    inline_worker_->take_delta(delta);
    post_delta(std::move(delta));
  }
  run_.status = status;
  run_.ended_at_ns = wall_clock_ns();
  if (!inventory_error()) {
    try {
      collect_and_write(source_snapshot());
    } catch (const std::exception& e) {
      note_inventory_error(e.what());
    }
  }
  if (auto error = inventory_error()) {  // the run's record says why it ended early
    run_.status = "error: " + *error;
    StoreBatch batch;
    batch.runs.push_back(run_);
    store_.submit(std::move(batch));
  }
  store_.flush();
}

}  // namespace ots
