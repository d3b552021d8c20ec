// Per-worker flow table: 5-tuple + VLAN keyed, bounded, with timeouts that run
// on packet time. Both directions of a flow map to one entry; the entry records
// which side is the client.
//
// Layout, for speed and a known memory cost per flow: flows live in fixed-size
// chunks (addresses stay put while the table grows); an open-addressing index of
// 8-byte entries (hash tag + slot) with linear probing and backward-shift
// deletion finds them, comparing the full 40-byte key only when the tag matches.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/net_types.h"
#include "dissectors/decode/decoded_packet.h"
#include "core/flow_app.h"
#include "dissectors/flow/tcp_reassembler.h"

namespace ots {

struct FlowKey {
  IpAddr ip_lo, ip_hi;  // ordered so both directions give the same key
  uint16_t port_lo = 0, port_hi = 0;
  uint8_t proto = 0;
  uint8_t zero = 0;  // explicit padding, always 0: the key compares and hashes as five 64-bit words
  uint16_t vlan = 0;
  bool operator==(const FlowKey&) const = default;
};
static_assert(sizeof(FlowKey) == 40);

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const noexcept;
};

struct FlowTimeouts {
  int64_t tcp_ns = 3600'000'000'000;  // established industrial sessions poll slowly but live long
  int64_t tcp_closed_ns = 30'000'000'000;
  // A TCP flow its server never answered and that carried no payload (SYN-only: a scan probe, a
  // flood, a host that is down; one-way SPAN of a real session carries payload and stays long):
  // short, so probes reach the scan engine within seconds of packet time and a SYN flood cannot
  // fill the table with one-packet flows for an hour.
  int64_t tcp_unanswered_ns = 30'000'000'000;
  int64_t udp_ns = 120'000'000'000;
  int64_t other_ns = 60'000'000'000;
};

struct FlowTableConfig {
  size_t max_flows = 1'000'000;
  FlowTimeouts timeouts;
};

struct FlowTableStats {
  uint64_t created = 0;
  uint64_t expired = 0;
  uint64_t evicted = 0;  // removed early because the table was full
  uint64_t active = 0;
  uint64_t peak = 0;
};

struct ConnectionAggregate;  // worker-side aggregates (core/worker.cc)
struct TrafficAggregate;
struct BindingAggregate;

struct Flow {
  FlowKey key;
  bool client_is_lo = true;  // the client is key.ip_lo/port_lo
  bool closing = false;      // FIN or RST seen: short timeout
  bool payload_seen = false; // a byte of payload passed either way
  bool probe_frames_kept = false;  // the detector keeps its opening frames (Worker::keep_probe_evidence)
  bool in_use = false;
  bool in_fold_list = false;       // queued for the next delta's fold
  uint8_t pending_binding_sources[2] = {0, 0};  // by Direction: binding_source bits the sender showed
  int64_t first_ts_ns = 0;
  int64_t last_ts_ns = 0;
  uint64_t packets[2] = {0, 0};  // indexed by Direction
  uint64_t bytes[2] = {0, 0};
  // The worker aggregates this flow's traffic goes to, indexed by side (0 client,
  // 1 server). A packet only counts into the pending fields below, in this entry,
  // which is in cache anyway; the worker folds them into the aggregates at each
  // delta, when a side's MAC changes and when the flow ends (see Worker::fold_flow).
  // That keeps six scattered aggregate cache lines off the per-packet path.
  ConnectionAggregate* connection = nullptr;
  TrafficAggregate* mac_of[2] = {nullptr, nullptr};
  TrafficAggregate* ip_of[2] = {nullptr, nullptr};
  BindingAggregate* binding_of[2] = {nullptr, nullptr};
  MacAddr side_mac[2];  // the MAC mac_of[side] (and binding_of[side]) stand for
  uint32_t pending_packets[2] = {0, 0};  // indexed by Direction, since the last fold
  uint64_t pending_bytes[2] = {0, 0};
  int64_t pending_first_ts_ns = 0, pending_last_ts_ns = 0;
  FlowAppStatePtr app;  // allocated once the flow carries payload (from the worker's pool)
  uint64_t evidence_id = 0;  // the detector's flow id for its evidence ring, computed once
  // Intrusive LRU list over slots, ordered by lru_ts_ns: a flow moves to the back at
  // most once per FlowTable::kLruStepNs of packet time, not at every packet, since the
  // move touches two other flows' entries (two cache misses) and the timeouts are long.
  uint32_t lru_prev = 0, lru_next = 0;
  int64_t lru_ts_ns = 0;

  const IpAddr& client_ip() const { return client_is_lo ? key.ip_lo : key.ip_hi; }
  const IpAddr& server_ip() const { return client_is_lo ? key.ip_hi : key.ip_lo; }
  uint16_t client_port() const { return client_is_lo ? key.port_lo : key.port_hi; }
  uint16_t server_port() const { return client_is_lo ? key.port_hi : key.port_lo; }
};

// True when `port` is a well-known or registered server port we treat as the
// server side of a flow whose opening was not seen.
bool is_server_port(uint16_t port);

class FlowTable {
 public:
  struct Lookup {
    Flow* flow = nullptr;
    Direction direction = Direction::FromClient;
    bool created = false;
  };
  // Called for a flow that leaves the table (timeout, eviction, drain).
  using EndCallback = void (*)(void* context, Flow& flow);

  FlowTable(FlowTableConfig config, EndCallback on_end, void* context);
  ~FlowTable();

  // Finds or creates the flow of an IP packet; ends a matching flow that had timed out first.
  Lookup lookup(const DecodedPacket& packet);
  // Counts a packet of `flow` (the lookup's): packets, bytes, last time, FIN/RST. A flow whose
  // timeout changes with it (its server's first answer, a close) moves to that timeout's list.
  void account_packet(Flow& flow, Direction direction, const DecodedPacket& packet);
  // Ends flows idle past their timeout at packet time `now_ns`; at most `budget` per call.
  void expire(int64_t now_ns, size_t budget);
  // Ends every flow (end of input).
  void drain();

  const FlowTableStats& stats() const { return stats_; }
  // Bytes the table holds right now (flow chunks, index, free list), counting capacity, not use.
  size_t memory_bytes() const;
  // Bytes of one flow entry plus its index entries at the index's lowest load, for sizing.
  static size_t bytes_per_flow();

 private:
  static constexpr uint32_t kChunkFlows = 256;
  static constexpr int64_t kLruStepNs = 1'000'000'000;
  // One LRU list per timeout (its sentinel is the slot of the same number), so each list is
  // ordered by expiry too and the sweep never waits behind a flow with a longer timeout.
  enum TimeoutClass : uint32_t { kTcpLong, kTcpClosed, kTcpUnanswered, kUdp, kOther, kTimeoutClasses };
  struct IndexEntry {
    uint32_t tag = 0;   // upper hash bits; meaningless when slot == 0
    uint32_t slot = 0;  // 0: empty (slot 0 is the LRU sentinel, never indexed)
  };

  Flow& slot(uint32_t index) { return chunks_[index / kChunkFlows][index % kChunkFlows]; }
  uint32_t allocate_slot();
  uint32_t least_recently_used();  // the oldest of the lists' heads (the table is not empty)
  void end_flow(uint32_t slot, bool evicted);
  void lru_unlink(uint32_t slot);
  void lru_push_back(uint32_t slot);  // to the back of the list of its timeout class
  static TimeoutClass timeout_class(const Flow& flow);
  int64_t timeout_of(const Flow& flow) const;
  size_t find(const FlowKey& key, uint64_t hash) const;  // index position, or index_.size() when absent
  void index_insert(uint64_t hash, uint32_t slot);
  void index_erase(size_t position);
  void index_grow();

  FlowTableConfig config_;
  EndCallback on_end_;
  void* context_;
  std::vector<std::unique_ptr<Flow[]>> chunks_;  // slots 0 .. kTimeoutClasses-1: the LRU lists' sentinels
  uint32_t slots_used_ = kTimeoutClasses;        // slots handed out so far (including the sentinels)
  std::vector<uint32_t> free_slots_;
  std::vector<IndexEntry> index_;  // power-of-two size, at most 3/4 full
  size_t index_mask_ = 0;
  FlowTableStats stats_;
};

}  // namespace ots
