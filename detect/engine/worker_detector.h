// The per-worker half of the alert engines: protocol violation, operational, anomaly and the
// built-in behaviours, fed by the worker thread's own events. One per worker thread, owned by
// that thread, no locks: it reads an immutable DetectionSnapshot (swapped at burst boundaries),
// keeps a ring of recent frames for evidence, aggregates repeats locally and leaves raised alerts
// and new activity in buffers the pipeline drains.
//
// Wiring (core/worker.cc):
//   process(packet):   detector.on_packet(ts, frame bytes, flow id) before the dissectors run,
//                      flow id = WorkerDetector::flow_id(src ip, src port, dst ip, dst port, ip proto)
//                      (l2_flow_id(src mac, dst mac) for frames without IP; Ethernet link type only);
//                      on_arp(...) for ARP frames; on_flow_start(...) when the flow table creates a
//                      flow; on_flow_end(...) when it ends one (timeout, eviction, end of input).
//   EventSink:         operation() → on_operation(), anomaly() → on_anomaly(),
//                      observable() → on_observable(…, matcher) when a TI matcher is loaded.
//   burst boundary:    set_snapshot(latest) when the published pointer changed.
//   take_delta():      drain_alerts() and drain_activity() into the delta the pipeline hands to
//                      the detection thread (AlertStore::record_all, CentralDetector::on_activity).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/net_types.h"
#include "detect/alert_model.h"
#include "detect/engine/key_set.h"
#include "detect/engine/snapshot.h"
#include "dissectors/dissector.h"

namespace ots::detect {

struct EvidenceSettings {
  size_t ring_frames = 256;          // recent frames kept per worker
  size_t snap_bytes = 1600;          // bytes kept of each frame
  size_t max_frames_per_alert = 20;  // frames of the raising flow attached to an alert
  size_t probe_candidates = 4096;    // flows at once that keep their opening frames (see keep_probe_frame)
};

// A frame kept as a probe's evidence: its headers (a probe's substance) and the start of any payload.
struct ProbeFrame {
  static constexpr size_t kSnapBytes = 128;
  int64_t ts_ns = 0;
  uint16_t length = 0;
  std::array<uint8_t, kSnapBytes> bytes{};
  std::span<const uint8_t> view() const { return {bytes.data(), length}; }
};

// What the threat-intelligence matcher offers the hook: the definition an observable matches.
class IndicatorMatcher {
 public:
  virtual ~IndicatorMatcher() = default;
  virtual const AlertDefinition* match(Observable kind, std::string_view value) const = 0;
};

// An operation the central detector compares with the baseline (write ranges, S7 data blocks,
// CIP class/service, pairs writing, programming hosts). Reported once per worker (until the
// baseline generation changes).
struct ActivityRecord {
  IpAddr client, server;
  std::string protocol;
  uint32_t code = 0;
  std::string name;
  uint32_t unit = 0;  // Modbus unit, IEC-104 CASDU, S7 DB number, CIP class …
  uint32_t address = 0, quantity = 0;
  bool has_range = false;
  bool is_write = false;
  bool programming = false;  // program download/upload, stop/start, firmware: the client is an engineering host
  std::string object;        // S7 block name ("DB5", "OB1") …
  int64_t ts_ns = 0;
};

// What the S7 block policy is about in an S7 operation (function `code`, DB number `unit`, the
// dissector's `object` text): "DB<n>" for a data block; the area ("M", "I", "Q", "T", "C" …,
// the first word of the address) of another variable access; the block of a block transfer
// ("OB1") or of a PI service that names one ("_DELE FC7" → "FC7"). Addresses inside one item are
// no new item (write ranges have their own policy); other operations (SZL reads, PLC stop,
// restarts) name none (`empty()`).
struct S7PolicyItem {
  uint32_t db = 0;
  std::string_view name;
  bool empty() const { return db == 0 && name.empty(); }
  std::string str() const { return db != 0 ? "DB" + std::to_string(db) : std::string(name); }
};
inline S7PolicyItem s7_policy_item(uint32_t code, uint32_t unit, std::string_view object) {
  constexpr uint32_t kReadVar = 0x04, kWriteVar = 0x05, kFirstBlockTransfer = 0x1A, kLastBlockTransfer = 0x1F,
                     kPiService = 0x28;
  if ((code == kReadVar || code == kWriteVar) && unit != 0) return {unit, {}};
  if (code == kReadVar || code == kWriteVar) return {0, object.substr(0, object.find(' '))};
  if (code >= kFirstBlockTransfer && code <= kLastBlockTransfer) return {0, object};
  if (code == kPiService && object.starts_with('_') && object.find(' ') != std::string_view::npos)
    return {0, object.substr(object.find(' ') + 1)};
  return {};
}

// A polling channel whose period became learned (reported once, for the baseline).
struct PollingRecord {
  IpAddr client, server;
  std::string protocol;
  uint32_t code = 0, address = 0;
  PollingStats stats;
};

// What scan detection counts. Scans are decided centrally (CentralDetector) over the probes of
// every worker, so the verdict does not depend on how flows are spread over workers.
enum class ProbeKind : uint8_t {
  Unanswered,  // a flow the server never answered (TCP: only the client's SYNs; UDP/ICMP: no reply)
  Refused,     // a TCP flow the server reset or half-opened, no byte of payload either way
  Identity,    // an identity request (ListIdentity, Read Device Identification, Read SZL)
};
struct ProbeRecord {
  ProbeKind kind = ProbeKind::Unanswered;
  IpAddr client, server;
  uint16_t server_port = 0;
  uint8_t transport = 0;
  std::string_view protocol;  // "tcp"/"udp"/"ip", or the identity request's protocol (static names)
  int64_t ts_ns = 0;          // the flow's first packet: the same whichever worker saw it
  // Evidence for the scan alert: the probe's frames (its first, and the answer that refused it),
  // when the link is Ethernet and the worker still held them.
  std::vector<ProbeFrame> frames;
};

// New UDP flows one worker saw to one server in one flood bucket (probe_bucket of the flood
// window): the central detector sums them over workers for UDP floods.
struct FlowStartCount {
  IpAddr server;
  MacAddr server_mac;
  int64_t bucket = 0;
  int64_t first_ts_ns = 0;
  uint32_t flows = 0;
  std::vector<ProbeFrame> frames;  // the first flows' first frames (up to kFlowStartFrames)
};
inline constexpr size_t kFlowStartFrames = 4;

struct ActivityBatch {
  std::vector<ActivityRecord> activities;
  std::vector<PollingRecord> polling;
  std::vector<ProbeRecord> probes;  // unanswered TCP ones also count towards SYN floods
  std::vector<FlowStartCount> udp_flow_starts;
  bool empty() const { return activities.empty() && polling.empty() && probes.empty() && udp_flow_starts.empty(); }
};

// A flow the flow table ended, as the scan and flood engines see it.
struct EndedFlow {
  int64_t first_ts_ns = 0, last_ts_ns = 0;
  uint8_t transport = 0;
  IpAddr client, server;
  uint16_t client_port = 0, server_port = 0;
  uint64_t client_packets = 0, server_packets = 0;
  bool payload = false;  // a byte of payload passed either way
  bool closed = false;   // FIN or RST seen
  uint64_t evidence_id = 0;     // WorkerDetector::flow_id of the flow
  bool probe_frames = false;    // keep_probe_frame kept its frames (on_flow_end takes them)
};

struct WorkerDetectorCounters {
  uint64_t alerts_raised = 0;      // alerts handed to drain_alerts (after local aggregation)
  uint64_t alerts_aggregated = 0;  // repeats folded into a pending alert
  uint64_t untracked = 0;          // new keys not tracked because a table was full
  uint64_t activities = 0;
  uint64_t probe_frames_untracked = 0;  // flows that kept no opening frames because the table was full
};

// Probes are counted in fixed buckets of half a scan window; any window-long stretch of time lies
// within three consecutive buckets, and a bucket's content does not depend on arrival order.
inline int64_t probe_bucket(int64_t ts_ns, int64_t scan_window_ns) {
  const int64_t width = std::max<int64_t>(scan_window_ns / 2, 1);
  return ts_ns >= 0 ? ts_ns / width : (ts_ns - width + 1) / width;
}

class WorkerDetector {
 public:
  explicit WorkerDetector(std::shared_ptr<const DetectionSnapshot> snapshot, EvidenceSettings evidence = {});
  WorkerDetector(const WorkerDetector&) = delete;
  WorkerDetector& operator=(const WorkerDetector&) = delete;

  // Burst boundary: later events use `snapshot`.
  void set_snapshot(std::shared_ptr<const DetectionSnapshot> snapshot);
  const DetectionSnapshot& snapshot() const { return *snapshot_; }

  // Symmetric flow identities (both directions give the same id) for the evidence ring.
  static uint64_t flow_id(const IpAddr& a, uint16_t port_a, const IpAddr& b, uint16_t port_b, uint8_t transport);
  static uint64_t l2_flow_id(const MacAddr& a, const MacAddr& b);
  static uint64_t flow_id(const FlowContext& ctx);  // l2_flow_id for transport 0

  // Every frame, before its events: copied (up to snap_bytes) into the evidence ring.
  // Frames must be Ethernet (DLT_EN10MB, as the evidence pcap says); for captures of another link
  // type the worker skips this call and alerts carry no frames.
  void on_packet(int64_t ts_ns, std::span<const uint8_t> frame, uint64_t flow);

  struct FlowMemo;  // below
  // `memo`: the flow's own (kept by the worker with the flow), or null for an operation without one.
  void on_operation(const FlowContext& ctx, std::string_view protocol, Side from, const Operation& op,
                    FlowMemo* memo = nullptr);
  void on_anomaly(const FlowContext& ctx, std::string_view protocol, std::string_view name);
  void on_observable(const FlowContext& ctx, std::string_view protocol, Side side, Observable kind,
                     std::string_view value, const IndicatorMatcher& matcher);
  // An alert of `definition` on the flow `ctx` names: an indicator on one of its addresses or a
  // rule that matched its payload (the TI and rule engines decide; this keeps evidence).
  void raise_definition(const FlowContext& ctx, std::string_view protocol, const AlertDefinition& definition,
                        std::string message, std::string activity);
  // Also pairs requests with replies: a request its target has not answered within
  // AnomalySettings::arp_reply_ns becomes an unanswered "arp" probe (ARP sweeps find hosts
  // without a single IP packet). Request and reply meet on one worker (the dispatch hashes
  // an ARP frame's IP pair). `evidence_flow`: the flow id on_packet filed this frame under (0:
  // not in the ring), so an unanswered request's probe carries it.
  void on_arp(int64_t ts_ns, const MacAddr& sender_mac, const IpAddr& sender_ip, const MacAddr& target_mac,
              const IpAddr& target_ip, bool is_reply, uint64_t evidence_flow = 0);
  // Packet time moved to `now_ns`: requests unanswered since arp_reply_ns become probes.
  void expire_arp_requests(int64_t now_ns);
  // End of input: every request still unanswered is a probe.
  void end_of_input();
  // A new flow (the client is the side that sent the first packet): UDP flows are counted per
  // server for the central UDP flood count. `echo_request`:
  // an ICMP flow opened by an echo request (only those count as probes when unanswered; other
  // ICMP, such as a router's unreachables, is no attempt to reach anyone).
  void on_flow_start(int64_t ts_ns, uint8_t transport, const IpAddr& client, uint16_t client_port,
                     const IpAddr& server, uint16_t server_port, const MacAddr& server_mac, bool echo_request = false);
  // A flow ended: an unanswered or refused one is a probe (reported for the central scan and
  // SYN flood detection, with the frames keep_probe_frame kept).
  void on_flow_end(const EndedFlow& flow);
  // Probe evidence: a flow that may still end as a probe (no payload, no second answer) keeps
  // the newest evidence-ring frame when it is the flow's (call right after on_packet): its
  // client's first frame and the server's first answer, at most two. False when nothing was
  // kept (another link type, or probe_candidates flows keep theirs already: counted).
  bool keep_probe_frame(uint64_t flow);
  // The flow carried payload or a real answer: it is no probe, its frames go.
  void forget_probe_frames(uint64_t flow);
  // Appends the alerts raised since the previous call (repeats within the period folded into one
  // with a count) and forgets them.
  void drain_alerts(std::vector<Alert>& out);
  void drain_activity(ActivityBatch& out);
  const WorkerDetectorCounters& counters() const { return counters_; }

  // Bounded per-key state of the windowed engines (public for the tests' benefit only).
  struct WindowCounter {
    int64_t window_start = 0;
    uint32_t count = 0;
    bool alerted = false;
  };
  static constexpr size_t kMaxDistinct = 64;  // thresholds above this are clamped
  struct DistinctSet {
    int64_t window_start = 0;
    uint32_t count = 0;
    bool alerted = false;
    std::array<uint32_t, kMaxDistinct> items{};
    bool add(uint32_t item);  // true when new
  };
  struct BehaviourState {
    int64_t window_start = 0;
    uint32_t flags = 0;
    uint32_t events = 0;
    bool alerted = false;
    DistinctSet distinct;
  };
  struct PollingChannel {
    int64_t last_ts_ns = 0;
    uint64_t samples = 0;
    double mean = 0, m2 = 0;  // Welford over the intervals
    bool learned = false;
    PollingStats learned_stats;
  };
  // What one flow remembers between its operations so that a poll repeating itself costs no
  // hash-table lookup here.
  struct FlowMemo {
    // The protocol last classified on this flow, by the address of its name (static storage),
    // with its Proto and its (client, server, protocol) key; the shortcuts below belong to it.
    const char* proto_name = nullptr;
    uint64_t pair_protocol_key = 0;
    PollingChannel* channel = nullptr;  // the polling channel of (protocol, channel_code, _address)
    uint32_t channel_code = 0, channel_address = 0;
    uint64_t activity_key = 0;    // the last activity this flow reported, while
    uint32_t activity_epoch = 0;  // reported_activity_epoch_ had this value
    // Until this packet time the pair's FrostyGoop state holds "registers read" (set while
    // shortcut_epoch_ == reads_epoch): a further read changes nothing there.
    uint32_t reads_epoch = 0;
    int64_t reads_noted_until_ns = 0;
    uint32_t proto_name_size = 0;
    uint8_t proto = 0;
  };

  struct ArpEntry {
    MacAddr mac;
    int64_t last_seen_ns = 0;
  };

  // Internal: an alert's fixed part, its endpoints, the protocols the engines know.
  struct Head;
  struct Endpoints;
  enum class Proto : uint8_t;

 private:
  // A windowed table and when expired entries were last swept out of it.
  template <class Value>
  struct Table {
    std::unordered_map<uint64_t, Value> map;
    int64_t last_sweep_ns = INT64_MIN / 2;
  };
  Proto proto_of(std::string_view protocol);
  void raise(const Head& head, const Endpoints& where, std::string_view protocol, std::string message,
             std::string activity, uint64_t flow, int64_t ts_ns);
  void raise_behaviour(Behaviour b, const FlowContext& ctx, std::string_view protocol, std::string message,
                       std::string activity);
  void operational(Proto p, const FlowContext& ctx, std::string_view protocol, const Operation& op, bool& programming);
  void anomalies_on_operation(Proto p, const FlowContext& ctx, std::string_view protocol, uint64_t pair_protocol,
                              Side from, const Operation& op, FlowMemo* memo);
  void polling(const FlowContext& ctx, std::string_view protocol, uint64_t pair_protocol, const Operation& op,
               FlowMemo* memo);
  void behaviours(Proto p, const FlowContext& ctx, std::string_view protocol, const Operation& op, FlowMemo* memo);
  void record_activity(Proto p, const FlowContext& ctx, std::string_view protocol, uint64_t pair_protocol,
                       const Operation& op, bool programming, FlowMemo* memo);
  void count_auth_failure(const FlowContext& ctx, std::string_view protocol, std::string_view what);
  bool unknown_engineer(const IpAddr& host, const IpAddr& target, const BehaviourParams& params) const;
  bool new_pair(const IpAddr& client, const IpAddr& server, std::string_view protocol,
                const BehaviourParams& params) const;
  bool new_writer(const IpAddr& client, const IpAddr& server, std::string_view protocol,
                  const BehaviourParams& params) const;
  // The state of `key` in `map`, restarted when its window has passed; nullptr when the table is
  // full of live entries (counted in untracked).
  template <class Value>
  Value* track(Table<Value>& table, uint64_t key, int64_t ts_ns, int64_t window_ns);

  std::shared_ptr<const DetectionSnapshot> snapshot_;
  EvidenceSettings evidence_;
  WorkerDetectorCounters counters_;
  uint64_t baseline_generation_ = 0;

  // Evidence ring: fixed storage allocated once.
  struct RingSlot {
    int64_t ts_ns = 0;
    uint64_t flow = 0;
    uint32_t length = 0, original_length = 0;
  };
  std::vector<RingSlot> ring_;
  std::vector<uint8_t> ring_bytes_;
  size_t ring_next_ = 0;

  // Pending alerts and their local aggregation index.
  std::vector<Alert> pending_;
  std::unordered_map<uint64_t, size_t> pending_index_;

  // Activity not yet drained, and what this worker already reported.
  ActivityBatch activity_;
  KeySet reported_activity_;
  // Advances at every set_snapshot and whenever a tracking table sweeps entries out early:
  // FlowMemo shortcuts taken under another value are void.
  uint32_t shortcut_epoch_ = 1;
  uint32_t reported_activity_epoch_ = 1;  // advances whenever reported_activity_ forgets (see FlowMemo)

  const char* last_protocol_data_ = nullptr;
  size_t last_protocol_size_ = 0;
  Proto last_proto_{};

  // Identity requests already reported, by (client, server) → probe bucket (see probe_bucket()).
  std::unordered_map<uint64_t, int64_t> identity_reported_;
  std::unordered_set<uint64_t> echo_flows_;  // ICMP flows opened by an echo request, until they end
  Table<WindowCounter> auth_failures_, arp_storms_;
  std::unordered_map<uint64_t, FlowStartCount> udp_flow_starts_;  // by (server, bucket), until drained
  std::unordered_map<IpAddr, ArpEntry> arp_;
  struct ArpRequest {
    IpAddr requester, target;
    int64_t ts_ns = 0;  // the first request not yet answered
    ProbeFrame frame;   // that request (length 0 for another link type)
  };
  std::unordered_map<uint64_t, ArpRequest> arp_requests_;           // by arp_pair_key(requester, target)
  std::deque<std::pair<uint64_t, int64_t>> arp_request_order_;       // (key, ts) in packet-time order
  // The request (key, ts) still unanswered becomes an "arp" probe; one answered or renewed is left.
  void settle_arp_request(uint64_t key, int64_t ts_ns);
  std::unordered_map<uint64_t, PollingChannel> polling_;
  Table<BehaviourState> behaviour_states_;

  // Opening frames of flows that may end as probes, by flow id (see keep_probe_frame).
  struct ProbeCandidate {
    std::array<ProbeFrame, 2> frames;
    uint8_t count = 0;
  };
  std::unordered_map<uint64_t, ProbeCandidate> probe_candidates_;
  // The newest ring frame when it belongs to `flow`, snapped for a probe; false otherwise.
  bool newest_frame_of(uint64_t flow, ProbeFrame& out) const;
  // A new probe for the central detector (frames left to the caller); valid until the next one.
  ProbeRecord& add_probe(ProbeKind kind, const IpAddr& client, const IpAddr& server, uint16_t server_port,
                         uint8_t transport, std::string_view protocol, int64_t ts_ns);
};

}  // namespace ots::detect
