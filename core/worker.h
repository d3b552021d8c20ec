// A shared-nothing worker: decodes packets, tracks flows, feeds dissectors and
// accumulates inventory observations as deltas that the inventory folds in.
// Everything here is owned by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/flow_memory.h"
#include "core/detection.h"
#include "core/flow_table.h"
#include "core/ndpi_labeler.h"
#include "core/packet.h"
#include "dissectors/decode/packet_decoder.h"
#include "dissectors/dissector.h"
#include "dissectors/flow/tcp_reassembler.h"
#include "inventory/model.h"

namespace ots {

struct WorkerConfig {
  FlowTableConfig flows;
  DecoderConfig decoder;
  TcpReassemblyConfig tcp;
  bool dissectors_enabled = true;
  bool ndpi_enabled = true;  // label flows no dissector confirmed
  std::shared_ptr<DetectionHub> detection;  // null: no alert engines (tests of the packet path)
};

// What the worker's flows cost in memory, sampled every few thousand packets; the
// sample with the most concurrent flows is kept.
struct FlowMemoryStats {
  uint64_t flows = 0;            // active flows in that sample
  uint64_t table_bytes = 0;      // flow table: entry chunks + index (capacity, used or not)
  uint64_t app_state_bytes = 0;  // pool of per-flow application state (with the inline TCP reassembler)
  uint64_t heap_bytes = 0;       // measured heap of dissector sessions, TCP buffers and nDPI flow data
  uint64_t total() const { return table_bytes + app_state_bytes + heap_bytes; }
};

// Absolute counters of one worker since it started.
struct WorkerCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  DecoderStats decoder;
  FlowTableStats flows;
  TcpReassemblyStats tcp;
  FlowMemoryStats flow_memory;
  std::map<std::string, uint64_t, std::less<>> protocol_flows;  // dissector name -> confirmed flows
  std::map<std::string, uint64_t, std::less<>> anomalies;       // dissector anomaly name -> count
};

// What a worker learned since its previous delta. Observation rows carry deltas:
// counters to add, times to min/max, VLANs to union.
struct WorkerDelta {
  size_t worker = 0;
  Observations observations;
  WorkerCounters counters;  // absolute
  std::vector<detect::Alert> alerts;     // raised since the previous delta
  detect::ActivityBatch activity;        // for the baseline comparison
  int64_t newest_ts_ns = 0;              // packet time of the newest packet seen
};

struct TrafficAggregate;     // per MAC / per IP
struct MacIpKey {
  MacAddr mac;
  IpAddr ip;
  bool operator==(const MacIpKey&) const = default;
};
struct MacIpKeyHash {
  size_t operator()(const MacIpKey& k) const noexcept {
    return std::hash<IpAddr>{}(k.ip) ^ (std::hash<MacAddr>{}(k.mac) * 0x9E3779B97F4A7C15ull);
  }
};
struct CommandKey {
  IpAddr client, server;
  std::string_view protocol;  // static storage (descriptor / Operation names)
  uint32_t code = 0;
  std::string_view name;
  bool operator==(const CommandKey&) const = default;
};
struct CommandKeyHash {
  size_t operator()(const CommandKey& k) const noexcept {
    return std::hash<IpAddr>{}(k.client) ^ (std::hash<IpAddr>{}(k.server) * 31) ^
           (std::hash<std::string_view>{}(k.protocol) * 131) ^ (k.code * 0x9E3779B97F4A7C15ull) ^
           std::hash<std::string_view>{}(k.name);
  }
};
struct ArpRequestKey {
  IpAddr sender, target;
  bool operator==(const ArpRequestKey&) const = default;
};
struct ArpRequestKeyHash {
  size_t operator()(const ArpRequestKey& k) const noexcept {
    return std::hash<IpAddr>{}(k.sender) ^ (std::hash<IpAddr>{}(k.target) * 0x9E3779B97F4A7C15ull);
  }
};
// Where an identity fact or a spoken protocol belongs: an IP, or a MAC (L2 protocols, a DHCP
// client without an address yet). Structured map keys: no text is built to find a row.
struct EndpointKey {
  IpAddr ip;
  MacAddr mac;
  uint8_t kind = 0;  // 0 none, 1 ip, 2 mac
  bool operator==(const EndpointKey&) const = default;
  uint64_t hash() const { return hash_bytes(ip.bytes.data(), 16, hash_bytes(mac.bytes.data(), 6, kind + 1)); }
};
struct ProtocolKey {
  EndpointKey endpoint;
  std::string_view protocol;  // static storage (descriptor names)
  bool server = false;
  bool operator==(const ProtocolKey&) const = default;
};
struct ProtocolKeyHash {
  size_t operator()(const ProtocolKey& k) const noexcept {
    return k.endpoint.hash() ^ (std::hash<std::string_view>{}(k.protocol) * 131) ^ (k.server ? 0x51ED27ull : 0);
  }
};
// The row of one fact; found with an IdentityKeyView (no copy of the value) and stored owning it.
struct IdentityKeyView {
  EndpointKey endpoint;
  std::string_view protocol;  // static storage
  IdentityField field{};
  std::string_view value;
};
struct IdentityKey {
  EndpointKey endpoint;
  std::string_view protocol;
  IdentityField field{};
  std::string value;
  IdentityKeyView view() const { return {endpoint, protocol, field, value}; }
};
struct IdentityKeyHash {
  using is_transparent = void;
  size_t operator()(const IdentityKeyView& k) const noexcept {
    return k.endpoint.hash() ^ (std::hash<std::string_view>{}(k.protocol) * 131) ^
           (static_cast<size_t>(k.field) * 0x9E3779B97F4A7C15ull) ^ std::hash<std::string_view>{}(k.value);
  }
  size_t operator()(const IdentityKey& k) const noexcept { return (*this)(k.view()); }
};
struct IdentityKeyEqual {
  using is_transparent = void;
  static bool same(const IdentityKeyView& a, const IdentityKeyView& b) {
    return a.endpoint == b.endpoint && a.field == b.field && a.protocol == b.protocol && a.value == b.value;
  }
  bool operator()(const IdentityKey& a, const IdentityKey& b) const { return same(a.view(), b.view()); }
  bool operator()(const IdentityKeyView& a, const IdentityKey& b) const { return same(a, b.view()); }
  bool operator()(const IdentityKey& a, const IdentityKeyView& b) const { return same(a.view(), b); }
};
struct BindingAggregate;     // per (MAC, IP)
struct ConnectionAggregate;  // per connection key

class Worker : private EventSink {
 public:
  Worker(size_t index, const WorkerConfig& config);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void process(const PacketView& packet);
  // Ends idle flows; call between bursts with the latest packet time.
  void expire_idle_flows();
  // End of input: ends every flow so reassembled data reaches the dissectors.
  void drain();
  // Moves everything learned since the previous call into `out`.
  void take_delta(WorkerDelta& out);

 private:
  TrafficAggregate* mac_aggregate(const MacAddr& mac, uint16_t vlan);
  TrafficAggregate* ip_aggregate(const IpAddr& ip, uint16_t vlan);
  BindingAggregate* binding_aggregate(const MacAddr& mac, const IpAddr& ip);
  void account_l2(const DecodedPacket& p, uint16_t vlan);
  void account_arp(const DecodedPacket& p, uint16_t vlan);
  void account_ip(const DecodedPacket& p, uint16_t vlan);
  void account_flow(const DecodedPacket& p, const PacketView& frame);
  void feed_l2_dissectors(const DecodedPacket& p, uint16_t vlan);
  void feed_dissectors(Flow& flow, Direction dir, const DecodedPacket& p);
  void choose_dissector(Flow& flow, Direction dir, Bytes payload);
  void label_with_ndpi(Flow& flow, const DecodedPacket& p);
  void set_application(Flow& flow, std::string_view application);
  FlowContext context_of(const Flow& flow, int64_t ts_ns) const;
  // Adds a flow's pending traffic and command counts to the worker's aggregates.
  void fold_flow(Flow& flow);
  void fold_traffic(Flow& flow);
  void fold_command(Flow& flow);
  void queue_fold(Flow& flow);
  void account_flow_direct(Flow& flow, const DecodedPacket& p, int sender);
  void keep_probe_evidence(Flow& flow, const FlowTable::Lookup& found);
  CommandObservation& command_row(const IpAddr& client, const IpAddr& server, std::string_view protocol,
                                  uint32_t code, std::string_view name);
  void sample_flow_memory();
  static void on_flow_end(void* self, Flow& flow);

  // EventSink: dissector events.
  void protocol_confirmed(const FlowContext& ctx, std::string_view protocol) override;
  void identity(const FlowContext& ctx, std::string_view protocol, ots::Side side, IdentityField field,
                std::string_view value, std::string_view event) override;
  void operation(const FlowContext& ctx, std::string_view protocol, ots::Side from, const Operation& op) override;
  void anomaly(const FlowContext& ctx, std::string_view protocol, std::string_view name) override;
  void observable(const FlowContext& ctx, std::string_view protocol, ots::Side side, Observable kind,
                  std::string_view value) override;

  // Detection: the bundle in force (refreshed at burst boundaries) and the per-packet hooks.
  void refresh_detection();
  // Evidence ring and ARP checks for a packet without a flow (flows feed the ring in account_flow).
  void detect_packet(const PacketView& packet, const DecodedPacket& p, bool has_flow);
  void detect_flow_start(const Flow& flow, const DecodedPacket& p);
  void detect_rules(Flow& flow, Direction dir, const DecodedPacket& p);
  void detect_indicator(const FlowContext& ctx, std::string_view protocol, const detect::ti::IndicatorMatch& match,
                        std::string what);

  size_t index_;
  WorkerConfig config_;
  PacketDecoder decoder_;
  flow_memory::Account flow_heap_;  // heap allocated on behalf of flows (see core/flow_memory.h)
  FlowAppPool app_pool_;  // before flows_: flows return their state here when the table goes
  FlowTable flows_;
  DecodedPacket packet_;
  int64_t now_ns_ = 0;
  WorkerCounters counters_;

  std::unique_ptr<NdpiLabeler> ndpi_;
  std::shared_ptr<const DetectionBundle> detection_;
  std::unique_ptr<detect::WorkerDetector> detector_;
  std::unique_ptr<detect::rules::RuleEvaluator> rule_evaluator_;
  std::vector<detect::rules::RuleMatch> rule_matches_;
  Flow* current_flow_ = nullptr;  // the flow whose bytes the dissectors are reading right now

  std::unordered_map<MacAddr, std::unique_ptr<TrafficAggregate>> macs_;
  std::unordered_map<IpAddr, std::unique_ptr<TrafficAggregate>> ips_;
  std::unordered_map<MacIpKey, std::unique_ptr<BindingAggregate>, MacIpKeyHash> bindings_;
  std::unordered_map<ConnectionKey, std::unique_ptr<ConnectionAggregate>> connections_;
  std::vector<TrafficAggregate*> dirty_macs_, dirty_ips_;
  std::vector<BindingAggregate*> dirty_bindings_;
  std::vector<ConnectionAggregate*> dirty_connections_;
  // EtherType -> dissector for L2 protocols (Profinet DCP, GOOSE, LLDP …), with one
  // session per dissector per worker since L2 frames have no flows.
  std::unordered_map<uint16_t, const DissectorDescriptor*> l2_dissectors_;
  std::unordered_map<const DissectorDescriptor*, std::unique_ptr<DissectorSession>> l2_sessions_;
  // Dissector events since the last delta (low volume except commands, which are coalesced).
  std::unordered_map<IdentityKey, IdentityObservation, IdentityKeyHash, IdentityKeyEqual> identities_;
  std::unordered_map<ProtocolKey, ProtocolObservation, ProtocolKeyHash> protocols_;
  std::unordered_map<CommandKey, CommandObservation, CommandKeyHash> commands_;
  std::unordered_map<ArpRequestKey, ArpRequestObservation, ArpRequestKeyHash> arp_requests_;
  std::vector<Flow*> fold_list_;  // flows with counts pending for the aggregates (Flow::in_fold_list)
};

}  // namespace ots
