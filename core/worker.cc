#include "core/worker.h"

#include <algorithm>

namespace ots {

struct TrafficAggregate {
  MacAddr mac;
  IpAddr ip;
  TrafficCounters delta;
  std::vector<uint16_t> vlans;  // every VLAN ever seen (sent in full; the inventory unions)
  uint16_t last_vlan = 0xffff;
  bool dirty = false;
};

struct BindingAggregate {
  MacIpKey key;
  uint8_t sources = 0;
  int64_t first_seen_ns = 0, last_seen_ns = 0;
  uint64_t packets = 0;
  bool dirty = false;
};

struct ConnectionAggregate {
  ConnectionObservation delta;
  std::string_view application;
  bool dirty = false;
};

namespace {

void stamp(int64_t& first, int64_t& last, int64_t ts) {
  if (first == 0 || ts < first) first = ts;
  if (ts > last) last = ts;
}

void note_vlan(TrafficAggregate& a, uint16_t vlan) {
  if (vlan == a.last_vlan) return;
  a.last_vlan = vlan;
  auto it = std::lower_bound(a.vlans.begin(), a.vlans.end(), vlan);
  if (it == a.vlans.end() || *it != vlan) a.vlans.insert(it, vlan);
}

template <typename T>
void mark_dirty(T* a, std::vector<T*>& dirty_list) {
  if (!a->dirty) {
    a->dirty = true;
    dirty_list.push_back(a);
  }
}

bool is_ndp(const DecodedPacket& p) {
  return p.ip_proto == static_cast<uint8_t>(IpProto::Icmpv6) && (p.icmp_type == 135 || p.icmp_type == 136);
}

// A destination IP names a device only when the frame was addressed to one host.
bool destination_is_device(const DecodedPacket& p) {
  if (!p.dst_ip.is_unicast()) return false;
  return !p.has_ethernet || !p.dst_mac.is_group();
}

uint16_t innermost_vlan(const DecodedPacket& p) { return p.vlan_count ? p.vlans[p.vlan_count - 1] : 0; }

}  // namespace

Worker::Worker(size_t index, const WorkerConfig& config)
    : index_(index), config_(config), decoder_(config.decoder), flows_(config.flows, &Worker::on_flow_end, this) {
  if (config_.ndpi_enabled) ndpi_ = std::make_unique<NdpiLabeler>();
  if (config_.detection) refresh_detection();
  for (const DissectorDescriptor* d : all_dissectors())
    if (d->transports & transport_bit::Ethernet)
      for (uint16_t ethertype : d->ethertypes) l2_dissectors_.emplace(ethertype, d);
}

Worker::~Worker() = default;

TrafficAggregate* Worker::mac_aggregate(const MacAddr& mac, uint16_t vlan) {
  auto& slot = macs_[mac];
  if (!slot) {
    slot = std::make_unique<TrafficAggregate>();
    slot->mac = mac;
  }
  note_vlan(*slot, vlan);
  return slot.get();
}

TrafficAggregate* Worker::ip_aggregate(const IpAddr& ip, uint16_t vlan) {
  auto& slot = ips_[ip];
  if (!slot) {
    slot = std::make_unique<TrafficAggregate>();
    slot->ip = ip;
  }
  note_vlan(*slot, vlan);
  return slot.get();
}

BindingAggregate* Worker::binding_aggregate(const MacAddr& mac, const IpAddr& ip) {
  auto& slot = bindings_[MacIpKey{mac, ip}];
  if (!slot) {
    slot = std::make_unique<BindingAggregate>();
    slot->key = MacIpKey{mac, ip};
  }
  return slot.get();
}

namespace {

void count_sent(TrafficAggregate* a, const DecodedPacket& p, std::vector<TrafficAggregate*>& dirty) {
  a->delta.packets_sent += p.frames;
  a->delta.bytes_sent += p.wire_len;
  stamp(a->delta.first_seen_ns, a->delta.last_seen_ns, p.ts_ns);
  mark_dirty(a, dirty);
}

void count_received(TrafficAggregate* a, const DecodedPacket& p, std::vector<TrafficAggregate*>& dirty) {
  a->delta.packets_received += p.frames;
  a->delta.bytes_received += p.wire_len;
  stamp(a->delta.first_seen_ns, a->delta.last_seen_ns, p.ts_ns);
  mark_dirty(a, dirty);
}

void count_binding(BindingAggregate* b, uint8_t source, int64_t ts, std::vector<BindingAggregate*>& dirty) {
  b->sources |= source;
  b->packets++;
  stamp(b->first_seen_ns, b->last_seen_ns, ts);
  mark_dirty(b, dirty);
}

void add_traffic(TrafficAggregate* a, bool sent, uint64_t packets, uint64_t bytes, int64_t first, int64_t last,
                 std::vector<TrafficAggregate*>& dirty) {
  (sent ? a->delta.packets_sent : a->delta.packets_received) += packets;
  (sent ? a->delta.bytes_sent : a->delta.bytes_received) += bytes;
  stamp(a->delta.first_seen_ns, a->delta.last_seen_ns, first);
  stamp(a->delta.first_seen_ns, a->delta.last_seen_ns, last);
  mark_dirty(a, dirty);
}

// True when a packet of `flow` goes to exactly the aggregates the flow points at, so
// that counting it in the flow and folding later gives what counting it now gives.
bool counts_as_pending(const Flow& flow, const DecodedPacket& p, int sender, int receiver) {
  if (!flow.ip_of[sender] || (flow.ip_of[receiver] != nullptr) != destination_is_device(p)) return false;
  if (!p.has_ethernet) return !flow.mac_of[sender] && !flow.mac_of[receiver];
  if (p.src_mac.is_unicast()) {
    if (!flow.mac_of[sender] || !flow.binding_of[sender] || flow.side_mac[sender] != p.src_mac) return false;
  } else if (flow.mac_of[sender]) {
    return false;
  }
  if (p.dst_mac.is_unicast()) return flow.mac_of[receiver] && flow.side_mac[receiver] == p.dst_mac;
  return !flow.mac_of[receiver];
}

}  // namespace

void Worker::process(const PacketView& packet) {
  ++counters_.packets;
  counters_.bytes += packet.wire_len;
  // A new TI package or baseline is picked up between packets (one atomic load when unchanged).
  if (detector_ && config_.detection->generation() != detection_->generation) refresh_detection();
  if (decoder_.decode(packet, packet_) == DecodeResult::Held) return;
  const DecodedPacket& p = packet_;
  if (p.ts_ns > now_ns_) now_ns_ = p.ts_ns;
  const uint16_t vlan = innermost_vlan(p);
  const bool has_transport = p.ip_version != 0 && !p.is_fragment && p.src_ip.is_unicast() &&
                             (p.anomaly == DecodeAnomaly::None || p.anomaly == DecodeAnomaly::Ipv4BadChecksum);
  if (detector_) detect_packet(packet, p, has_transport);
  if (has_transport) {
    account_flow(p, packet);
    return;
  }
  account_l2(p, vlan);
  if (p.has_arp) {
    account_arp(p, vlan);
  } else if (p.ip_version != 0) {
    account_ip(p, vlan);
    // A host without an address yet (a DHCP client at 0.0.0.0) gets no flow (flows are keyed by IPs):
    // its datagram is read like an L2 frame, about its MAC.
    if (config_.dissectors_enabled && p.src_ip.is_unspecified()) feed_l2_dissectors(p, vlan);
  } else if (config_.dissectors_enabled && !l2_dissectors_.empty()) {
    feed_l2_dissectors(p, vlan);
  }
}

void Worker::feed_l2_dissectors(const DecodedPacket& p, uint16_t vlan) {
  if (!p.has_ethernet) return;
  const DissectorDescriptor* d = nullptr;
  FlowContext ctx;  // transport 0: the facts are about MACs, and there is no client/server pair
  if (p.ip_version == 0) {
    auto found = l2_dissectors_.find(p.ethertype);
    if (found == l2_dissectors_.end()) return;
    d = found->second;
  } else {
    // From 0.0.0.0, only a DHCP client's DISCOVER / REQUEST (UDP 68 → 67) says something.
    static const DissectorDescriptor* const kDhcp = [] {
      for (const DissectorDescriptor* candidate : all_dissectors())
        if (candidate->name == "dhcp") return candidate;
      return static_cast<const DissectorDescriptor*>(nullptr);
    }();
    const bool dhcp_client = kDhcp && p.ip_proto == static_cast<uint8_t>(IpProto::Udp) && !p.is_fragment &&
                             p.src_port == 68 && p.dst_port == 67 &&
                             (p.anomaly == DecodeAnomaly::None || p.anomaly == DecodeAnomaly::Ipv4BadChecksum);
    if (!dhcp_client) return;
    d = kDhcp;
    ctx.client_ip = p.src_ip;
    ctx.server_ip = p.dst_ip;
    ctx.client_port = p.src_port;
    ctx.server_port = p.dst_port;
  }
  auto& session = l2_sessions_[d];
  if (!session || session->rejected()) session = d->make_session(*this);
  ctx.ts_ns = p.ts_ns;
  ctx.client_mac = p.src_mac;
  ctx.server_mac = p.dst_mac;
  ctx.vlan = vlan;
  session->data(ctx, Direction::FromClient, p.ip_version == 0 ? p.l3_payload : p.payload);
}

void Worker::account_l2(const DecodedPacket& p, uint16_t vlan) {
  if (!p.has_ethernet) return;
  if (p.src_mac.is_unicast()) count_sent(mac_aggregate(p.src_mac, vlan), p, dirty_macs_);
  if (p.dst_mac.is_unicast()) count_received(mac_aggregate(p.dst_mac, vlan), p, dirty_macs_);
}

void Worker::account_arp(const DecodedPacket& p, uint16_t vlan) {
  const ArpInfo& arp = p.arp;
  // An ARP probe (sender 0.0.0.0) claims nothing.
  if (!arp.sender_mac.is_unicast() || !arp.sender_ip.is_unicast()) return;
  count_sent(ip_aggregate(arp.sender_ip, vlan), p, dirty_ips_);
  count_binding(binding_aggregate(arp.sender_mac, arp.sender_ip), binding_source::ArpSender, p.ts_ns,
                dirty_bindings_);
  // A request for another address (not a gratuitous announcement of its own): who it looks for.
  if (arp.operation == 1 && arp.target_ip.is_unicast() && arp.target_ip != arp.sender_ip) {
    auto [it, inserted] = arp_requests_.try_emplace(ArpRequestKey{arp.sender_ip, arp.target_ip});
    ArpRequestObservation& row = it->second;
    if (inserted) {
      row.sender = arp.sender_ip;
      row.target = arp.target_ip;
    }
    stamp(row.first_seen_ns, row.last_seen_ns, p.ts_ns);
    row.requests++;
  }
}

void Worker::account_ip(const DecodedPacket& p, uint16_t vlan) {
  const bool src_device = p.src_ip.is_unicast();
  if (src_device) count_sent(ip_aggregate(p.src_ip, vlan), p, dirty_ips_);
  if (destination_is_device(p)) count_received(ip_aggregate(p.dst_ip, vlan), p, dirty_ips_);
  if (src_device && p.has_ethernet && p.src_mac.is_unicast()) {
    count_binding(binding_aggregate(p.src_mac, p.src_ip), binding_source::IpSource, p.ts_ns, dirty_bindings_);
  }
}

void Worker::account_flow(const DecodedPacket& p, const PacketView& frame) {
  FlowTable::Lookup found = flows_.lookup(p);
  Flow& flow = *found.flow;
  const int sender = found.direction == Direction::FromClient ? 0 : 1;
  const int receiver = 1 - sender;

  if (detector_) {
    // Every frame goes to the evidence ring before its events (alerts copy frames from there).
    if (found.created)
      flow.evidence_id = detect::WorkerDetector::flow_id(p.src_ip, p.src_port, p.dst_ip, p.dst_port, p.ip_proto);
    if (frame.link == LinkType::Ethernet) detector_->on_packet(p.ts_ns, frame.data, flow.evidence_id);
  }
  if (found.created) {
    // Group destinations (broadcast, multicast) are kept as connections too: who
    // publishes to which group is part of the communication map.
    {
      ConnectionKey key{flow.client_ip(), flow.server_ip(), flow.key.proto, 0};
      if (flow.key.proto == static_cast<uint8_t>(IpProto::Tcp) ||
          flow.key.proto == static_cast<uint8_t>(IpProto::Udp))
        key.server_port = flow.server_port();
      auto& slot = connections_[key];
      if (!slot) {
        slot = std::make_unique<ConnectionAggregate>();
        slot->delta.key = key;
      }
      flow.connection = slot.get();
      flow.connection->delta.flows++;
    }
    if (detector_) detect_flow_start(flow, p);
  }

  // Flow counters.
  const size_t d = static_cast<size_t>(found.direction);
  flows_.account_packet(flow, found.direction, p);
  if (detector_ && (found.created || flow.probe_frames_kept) && frame.link == LinkType::Ethernet)
    keep_probe_evidence(flow, found);

  // Inventory counters: a packet that goes to the aggregates this flow already
  // points at is only counted in the flow (folded later); any other one (a new
  // flow, a side whose MAC changed, a group frame) takes the direct path.
  if (counts_as_pending(flow, p, sender, receiver)) {
    flow.pending_packets[d] += p.frames;
    flow.pending_bytes[d] += p.wire_len;
    stamp(flow.pending_first_ts_ns, flow.pending_last_ts_ns, p.ts_ns);
    if (flow.binding_of[sender])
      flow.pending_binding_sources[d] |= is_ndp(p) ? binding_source::IpSource | binding_source::Ndp
                                                   : binding_source::IpSource;
    queue_fold(flow);
  } else {
    account_flow_direct(flow, p, sender);
  }

  if (config_.dissectors_enabled) feed_dissectors(flow, found.direction, p);
  if (detector_ && detection_->rules && !p.payload.empty() && flow.app) detect_rules(flow, found.direction, p);
}

void Worker::keep_probe_evidence(Flow& flow, const FlowTable::Lookup& found) {
  // While a flow can still end as a probe (see WorkerDetector::on_flow_end) it keeps its opening
  // frames: the scan alert's evidence. Payload or a second answer make it a conversation.
  const uint8_t proto = flow.key.proto;
  const bool tcp = proto == static_cast<uint8_t>(IpProto::Tcp);
  const uint64_t answers = flow.packets[static_cast<size_t>(Direction::FromServer)];
  const bool may_be_probe = tcp ? !flow.payload_seen && answers <= 1 : answers == 0;
  if (found.created) {
    const bool probe_transport = tcp || proto == static_cast<uint8_t>(IpProto::Udp) ||
                                 proto == static_cast<uint8_t>(IpProto::Icmp) ||
                                 proto == static_cast<uint8_t>(IpProto::Icmpv6);
    if (probe_transport && may_be_probe && flow.server_ip().is_unicast())
      flow.probe_frames_kept = detector_->keep_probe_frame(flow.evidence_id);
    return;
  }
  if (!may_be_probe) {
    detector_->forget_probe_frames(flow.evidence_id);
    flow.probe_frames_kept = false;
  } else if (found.direction == Direction::FromServer) {
    detector_->keep_probe_frame(flow.evidence_id);  // the answer that refused it
  }
}

void Worker::account_flow_direct(Flow& flow, const DecodedPacket& p, int sender) {
  fold_traffic(flow);  // what is pending belongs to the aggregates cached now
  const int receiver = 1 - sender;
  const uint16_t vlan = flow.key.vlan;
  // L2: cached per side, re-resolved if the side's MAC changes (asymmetric paths).
  if (p.has_ethernet) {
    if (p.src_mac.is_unicast()) {
      if (!flow.mac_of[sender] || flow.side_mac[sender] != p.src_mac) {
        flow.mac_of[sender] = mac_aggregate(p.src_mac, vlan);
        flow.side_mac[sender] = p.src_mac;
        flow.binding_of[sender] = nullptr;
      }
      count_sent(flow.mac_of[sender], p, dirty_macs_);
    }
    if (p.dst_mac.is_unicast()) {
      if (!flow.mac_of[receiver] || flow.side_mac[receiver] != p.dst_mac) {
        flow.mac_of[receiver] = mac_aggregate(p.dst_mac, vlan);
        flow.side_mac[receiver] = p.dst_mac;
        flow.binding_of[receiver] = nullptr;
      }
      count_received(flow.mac_of[receiver], p, dirty_macs_);
    }
  }
  // L3
  TrafficAggregate*& src_ip = flow.ip_of[sender];
  if (!src_ip) src_ip = ip_aggregate(p.src_ip, vlan);
  count_sent(src_ip, p, dirty_ips_);
  if (destination_is_device(p)) {
    TrafficAggregate*& dst_ip = flow.ip_of[receiver];
    if (!dst_ip) dst_ip = ip_aggregate(p.dst_ip, vlan);
    count_received(dst_ip, p, dirty_ips_);
  }
  if (p.has_ethernet && p.src_mac.is_unicast()) {
    BindingAggregate*& binding = flow.binding_of[sender];
    if (!binding) binding = binding_aggregate(p.src_mac, p.src_ip);
    count_binding(binding, is_ndp(p) ? binding_source::IpSource | binding_source::Ndp : binding_source::IpSource,
                  p.ts_ns, dirty_bindings_);
  }
  if (ConnectionAggregate* c = flow.connection) {
    ConnectionObservation& o = c->delta;
    if (sender == 0) {
      o.packets_to_server += p.frames;
      o.bytes_to_server += p.wire_len;
    } else {
      o.packets_to_client += p.frames;
      o.bytes_to_client += p.wire_len;
    }
    stamp(o.first_seen_ns, o.last_seen_ns, p.ts_ns);
    mark_dirty(c, dirty_connections_);
  }
}

void Worker::queue_fold(Flow& flow) {
  if (flow.in_fold_list) return;
  flow.in_fold_list = true;
  fold_list_.push_back(&flow);
}

void Worker::fold_flow(Flow& flow) {
  const flow_memory::Scope not_flow_memory(nullptr);  // inventory rows, not flow state
  flow.in_fold_list = false;
  if (flow.app) fold_command(flow);
  fold_traffic(flow);
}

void Worker::fold_traffic(Flow& flow) {
  const int64_t first = flow.pending_first_ts_ns, last = flow.pending_last_ts_ns;
  for (int d = 0; d < 2; ++d) {
    const uint32_t packets = flow.pending_packets[d];
    if (packets == 0) continue;
    const uint64_t bytes = flow.pending_bytes[d];
    const int sender = d, receiver = 1 - d;
    if (TrafficAggregate* a = flow.mac_of[sender]) add_traffic(a, true, packets, bytes, first, last, dirty_macs_);
    if (TrafficAggregate* a = flow.mac_of[receiver]) add_traffic(a, false, packets, bytes, first, last, dirty_macs_);
    if (TrafficAggregate* a = flow.ip_of[sender]) add_traffic(a, true, packets, bytes, first, last, dirty_ips_);
    if (TrafficAggregate* a = flow.ip_of[receiver]) add_traffic(a, false, packets, bytes, first, last, dirty_ips_);
    if (BindingAggregate* b = flow.binding_of[sender]) {
      b->sources |= flow.pending_binding_sources[d];
      b->packets += packets;
      stamp(b->first_seen_ns, b->last_seen_ns, first);
      stamp(b->first_seen_ns, b->last_seen_ns, last);
      mark_dirty(b, dirty_bindings_);
    }
    if (ConnectionAggregate* c = flow.connection) {
      ConnectionObservation& o = c->delta;
      (d == 0 ? o.packets_to_server : o.packets_to_client) += packets;
      (d == 0 ? o.bytes_to_server : o.bytes_to_client) += bytes;
      stamp(o.first_seen_ns, o.last_seen_ns, first);
      stamp(o.first_seen_ns, o.last_seen_ns, last);
      mark_dirty(c, dirty_connections_);
    }
    flow.pending_packets[d] = 0;
    flow.pending_bytes[d] = 0;
    flow.pending_binding_sources[d] = 0;
  }
  flow.pending_first_ts_ns = flow.pending_last_ts_ns = 0;
}

FlowContext Worker::context_of(const Flow& flow, int64_t ts_ns) const {
  FlowContext ctx;
  ctx.ts_ns = ts_ns;
  ctx.transport = flow.key.proto;
  ctx.client_ip = flow.client_ip();
  ctx.server_ip = flow.server_ip();
  ctx.client_port = flow.client_port();
  ctx.server_port = flow.server_port();
  // side_mac is the MAC of mac_of[side], read from the flow entry rather than the aggregate.
  if (flow.mac_of[0]) ctx.client_mac = flow.side_mac[0];
  if (flow.mac_of[1]) ctx.server_mac = flow.side_mac[1];
  ctx.vlan = flow.key.vlan;
  return ctx;
}

namespace {

// Delivers reassembled TCP bytes of one flow to its dissector (probing first).
class SessionFeeder final : public StreamConsumer {
 public:
  using Choose = void (*)(void* worker, Flow& flow, Direction dir, Bytes payload);
  SessionFeeder(Flow& flow, FlowContext ctx, void* worker, Choose choose)
      : flow_(flow), ctx_(ctx), worker_(worker), choose_(choose) {}
  void on_data(Direction dir, Bytes data, int64_t ts_ns) override {
    FlowAppState& app = *flow_.app;
    if (app.done) return;
    if (!app.session) choose_(worker_, flow_, dir, data);
    if (!app.session) return;
    ctx_.ts_ns = ts_ns;
    app.session->data(ctx_, dir, data);
  }
  void on_gap(Direction dir, uint64_t length) override {
    FlowAppState& app = *flow_.app;
    if (app.session) app.session->gap(ctx_, dir, length);
  }
  void on_end(Direction dir) override {
    FlowAppState& app = *flow_.app;
    if (app.session) app.session->end(ctx_, dir);
  }

 private:
  Flow& flow_;
  FlowContext ctx_;
  void* worker_;
  Choose choose_;
};

}  // namespace

void Worker::choose_dissector(Flow& flow, Direction dir, Bytes payload) {
  FlowAppState& app = *flow.app;
  if (payload.empty() || app.done) return;
  const uint8_t bit = flow.key.proto == static_cast<uint8_t>(IpProto::Tcp) ? transport_bit::Tcp : transport_bit::Udp;
  const uint16_t server_port = flow.server_port();
  const DissectorDescriptor* chosen = nullptr;
  bool need_more = false;
  // A port is only a hint: candidates on the server port are probed first, then the rest.
  for (int pass = 0; pass < 2 && !chosen; ++pass) {
    for (const DissectorDescriptor* d : all_dissectors()) {
      if (!(d->transports & bit)) continue;
      const bool port_hint = std::find(d->ports.begin(), d->ports.end(), server_port) != d->ports.end();
      if (port_hint != (pass == 0)) continue;
      const ProbeResult r = d->probe(dir, payload);
      if (r == ProbeResult::Match) {
        chosen = d;
        break;
      }
      if (r == ProbeResult::NeedMoreData) need_more = true;
    }
  }
  if (chosen) {
    app.dissector = chosen;
    app.session = chosen->make_session(*this);
    app.ndpi.reset();  // the flow is our dissector's now
    return;
  }
  // Called from inside the reassembler: feed_dissectors() frees it once it returns.
  if (!need_more || --app.probes_left == 0) app.done = true;
}

void Worker::set_application(Flow& flow, std::string_view application) {
  FlowAppState& app = *flow.app;
  app.labelled = !application.empty();
  app.ndpi.reset();
  if (ConnectionAggregate* c = flow.connection) {
    c->application = application;
    mark_dirty(c, dirty_connections_);
  }
}

void Worker::label_with_ndpi(Flow& flow, const DecodedPacket& p) {
  FlowAppState& app = *flow.app;
  if (!ndpi_ || app.confirmed || app.ndpi_decided || app.labelled || p.ip_packet.empty()) return;
  if (!app.ndpi) app.ndpi = std::make_unique<NdpiLabeler::FlowState>();
  const std::string_view label = ndpi_->process(*app.ndpi, p.ip_packet, p.ts_ns);
  if (label.empty()) return;
  // "Unknown" is a decision too: without this flag the flow would start over with
  // a fresh nDPI state and be scanned again, eight packets at a time, for its whole life.
  app.ndpi_decided = true;
  set_application(flow, label == "Unknown" ? std::string_view() : label);
}

void Worker::feed_dissectors(Flow& flow, Direction dir, const DecodedPacket& p) {
  const bool tcp = flow.key.proto == static_cast<uint8_t>(IpProto::Tcp);
  const bool udp = flow.key.proto == static_cast<uint8_t>(IpProto::Udp);
  if (!tcp && !udp) return;
  if (!flow.app) {
    if (p.payload.empty()) return;
    flow.app = FlowAppStatePtr(app_pool_.acquire(), FlowAppRecycler{&app_pool_});
  }
  FlowAppState& app = *flow.app;
  current_flow_ = &flow;
  flow_memory::Scope heap_of_flows(&flow_heap_);
  if (!app.done) {
    auto choose = [](void* self, Flow& f, Direction d, Bytes payload) {
      static_cast<Worker*>(self)->choose_dissector(f, d, payload);
    };
    if (tcp) {
      if (!app.tcp) app.tcp.emplace(config_.tcp, counters_.tcp);
      SessionFeeder feeder(flow, context_of(flow, p.ts_ns), this, choose);
      app.tcp->segment(dir, p, feeder);
    } else {
      if (!app.session) choose_dissector(flow, dir, p.payload);
      if (app.session) app.session->data(context_of(flow, p.ts_ns), dir, p.payload);
    }
    if (app.session && app.session->rejected()) {
      app.session.reset();
      app.done = true;
    }
    if (app.done && app.tcp) app.tcp.reset();  // nothing will read this flow's stream: stop reassembling it
  }
  // nDPI labels only what our dissectors do not take: a flow with a session is
  // theirs, so it runs after they had their look at this packet.
  if (!app.session && !app.confirmed && !app.ndpi_decided && !app.labelled &&
      (app.ndpi || !p.payload.empty()))
    label_with_ndpi(flow, p);
  current_flow_ = nullptr;
}

void Worker::on_flow_end(void* self, Flow& flow) {
  auto* worker = static_cast<Worker*>(self);
  if (worker->detector_) {
    // Unanswered and refused flows are the probes scan detection counts.
    detect::EndedFlow ended;
    ended.first_ts_ns = flow.first_ts_ns;
    ended.last_ts_ns = flow.last_ts_ns;
    ended.transport = flow.key.proto;
    ended.client = flow.client_ip();
    ended.server = flow.server_ip();
    ended.client_port = flow.client_port();
    ended.server_port = flow.server_port();
    ended.client_packets = flow.packets[static_cast<size_t>(Direction::FromClient)];
    ended.server_packets = flow.packets[static_cast<size_t>(Direction::FromServer)];
    ended.payload = flow.payload_seen;
    ended.closed = flow.closing;
    ended.evidence_id = flow.evidence_id;
    ended.probe_frames = flow.probe_frames_kept;
    worker->detector_->on_flow_end(ended);
  }
  if (!flow.app) {
    worker->fold_flow(flow);
    return;
  }
  flow_memory::Scope heap_of_flows(&worker->flow_heap_);
  FlowAppState& app = *flow.app;
  FlowContext ctx = worker->context_of(flow, flow.last_ts_ns);
  worker->current_flow_ = &flow;
  if (app.tcp) {
    auto choose = [](void* w, Flow& f, Direction d, Bytes payload) {
      static_cast<Worker*>(w)->choose_dissector(f, d, payload);
    };
    SessionFeeder feeder(flow, ctx, worker, choose);
    app.tcp->finish(feeder);
  } else if (app.session) {
    app.session->end(ctx, Direction::FromClient);
    app.session->end(ctx, Direction::FromServer);
  }
  if (app.ndpi && worker->ndpi_) {
    const std::string_view guess = worker->ndpi_->give_up(*app.ndpi);
    worker->set_application(flow, guess == "Unknown" ? std::string_view() : guess);
  }
  worker->fold_flow(flow);  // after the session's last events
  flow.app.reset();  // inside the scope: the session's and nDPI's blocks leave the account
  worker->current_flow_ = nullptr;
}

void Worker::sample_flow_memory() {
  const FlowTableStats& table = flows_.stats();
  FlowMemoryStats& kept = counters_.flow_memory;
  if (table.active == 0 || table.active < kept.flows) return;
  kept.flows = table.active;
  kept.table_bytes = flows_.memory_bytes();
  kept.app_state_bytes = app_pool_.capacity_bytes();
  kept.heap_bytes = static_cast<uint64_t>(std::max<int64_t>(flow_heap_.live_bytes, 0));
}

void Worker::expire_idle_flows() {
  sample_flow_memory();
  flows_.expire(now_ns_, 4096);
}

void Worker::drain() {
  sample_flow_memory();
  flows_.drain();
  if (detector_) detector_->end_of_input();
}

namespace {

// The endpoint a fact is about: its IP for IP protocols, its MAC for L2 protocols and for
// datagrams read without a flow (a DHCP client at 0.0.0.0): contexts whose transport is 0.
void endpoint_of(const FlowContext& ctx, ots::Side side, std::optional<IpAddr>& ip, std::optional<MacAddr>& mac) {
  if (ctx.transport != 0) ip = side == ots::Side::Client ? ctx.client_ip : ctx.server_ip;
  else mac = side == ots::Side::Client ? ctx.client_mac : ctx.server_mac;
}

EndpointKey endpoint_key(const std::optional<IpAddr>& ip, const std::optional<MacAddr>& mac) {
  EndpointKey key;
  if (ip) key = EndpointKey{*ip, MacAddr{}, 1};
  else if (mac) key = EndpointKey{IpAddr{}, *mac, 2};
  return key;
}

// Names are static storage, so equal names are nearly always the same bytes: no compare then.
bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.data() == b.data() || a == b);
}

// ++map[name] without building a string when the name is already there (the common case).
void count_name(std::map<std::string, uint64_t, std::less<>>& counts, std::string_view name) {
  auto it = counts.find(name);
  if (it == counts.end()) it = counts.emplace(std::string(name), 0).first;
  ++it->second;
}

}  // namespace

void Worker::protocol_confirmed(const FlowContext& ctx, std::string_view protocol) {
  const flow_memory::Scope not_flow_memory(nullptr);  // inventory rows, not flow state
  count_name(counters_.protocol_flows, protocol);
  if (current_flow_ && current_flow_->app) {
    current_flow_->app->confirmed = true;
    set_application(*current_flow_, protocol);
  }
  for (ots::Side side : {ots::Side::Client, ots::Side::Server}) {
    // An L2 frame tells what its sender speaks, not its destination.
    if (ctx.transport == 0 && side == ots::Side::Server) continue;
    std::optional<IpAddr> ip;
    std::optional<MacAddr> mac;
    endpoint_of(ctx, side, ip, mac);
    if ((ip && !ip->is_unicast()) || (mac && !mac->is_unicast())) continue;
    const bool server = side == ots::Side::Server;
    auto [it, inserted] = protocols_.try_emplace(ProtocolKey{endpoint_key(ip, mac), protocol, server});
    ProtocolObservation& o = it->second;
    if (inserted) o = ProtocolObservation{ip, mac, std::string(protocol), server};
    stamp(o.first_seen_ns, o.last_seen_ns, ctx.ts_ns);
    o.flows++;
  }
}

void Worker::identity(const FlowContext& ctx, std::string_view protocol, ots::Side side, IdentityField field,
                      std::string_view value, std::string_view event) {
  const flow_memory::Scope not_flow_memory(nullptr);  // inventory rows, not flow state
  if (value.empty()) return;
  std::optional<IpAddr> ip;
  std::optional<MacAddr> mac;
  endpoint_of(ctx, side, ip, mac);
  const char* field_name = identity_field_name(field);
  const IdentityKeyView key{endpoint_key(ip, mac), protocol, field, value};
  auto it = identities_.find(key);
  if (it == identities_.end()) {
    it = identities_
             .emplace(IdentityKey{key.endpoint, protocol, field, std::string(value)},
                      IdentityObservation{ip, mac, std::string(protocol), field_name, std::string(value)})
             .first;
  }
  IdentityObservation& o = it->second;
  if (is_later_event(ctx.ts_ns, event, o.last_seen_ns, o.event)) o.event = std::string(event);
  stamp(o.first_seen_ns, o.last_seen_ns, ctx.ts_ns);
  o.count++;
}

void Worker::operation(const FlowContext& ctx, std::string_view protocol, ots::Side from, const Operation& op) {
  const flow_memory::Scope not_flow_memory(nullptr);  // inventory rows, not flow state
  // Operations a session reports about its own flow (nearly all) can use the flow's shortcuts;
  // a plain answer (no error) needs none: detection passes over it, the inventory counts requests.
  const bool plain_answer = from == ots::Side::Server && !op.is_request && !op.is_error;
  Flow* flow = current_flow_;
  const bool own_flow = !plain_answer && flow && flow->app && ctx.transport != 0 &&
                        ctx.client_ip == flow->client_ip() && ctx.server_ip == flow->server_ip();
  // Detection sees every operation, L2 ones (Profinet DCP Set IP, factory reset) included.
  if (detector_) detector_->on_operation(ctx, protocol, from, op, own_flow ? &flow->app->detection : nullptr);
  if (ctx.transport == 0) return;  // L2 protocols have no client/server pair
  if (from == ots::Side::Server && !op.is_error) return;  // a normal response repeats its request
  auto count_in_row = [&] {
    CommandObservation& row = command_row(ctx.client_ip, ctx.server_ip, protocol, op.code, op.name);
    row.is_write = row.is_write || op.is_write;
    stamp(row.first_seen_ns, row.last_seen_ns, ctx.ts_ns);
    (from == ots::Side::Server ? row.errors : row.requests)++;
  };
  if (!own_flow) return count_in_row();
  FlowAppState::PendingCommand& pending = flow->app->pending_command;
  if (!pending.empty() && (pending.code != op.code || !same_text(pending.name(), op.name) ||
                           !same_text(pending.protocol(), protocol)))
    fold_command(*flow);
  if (pending.empty()) {
    if (!pending.set_names(protocol, op.name)) return count_in_row();
    pending.code = op.code;
  }
  pending.is_write = pending.is_write || op.is_write;
  stamp(pending.first_seen_ns, pending.last_seen_ns, ctx.ts_ns);
  (from == ots::Side::Server ? pending.errors : pending.requests)++;
  queue_fold(*flow);
}

CommandObservation& Worker::command_row(const IpAddr& client, const IpAddr& server, std::string_view protocol,
                                        uint32_t code, std::string_view name) {
  auto [it, inserted] = commands_.try_emplace(CommandKey{client, server, protocol, code, name});
  CommandObservation& row = it->second;
  if (inserted) {
    row.client = client;
    row.server = server;
    row.protocol = std::string(protocol);
    row.code = code;
    row.name = std::string(name);
  }
  return row;
}

void Worker::fold_command(Flow& flow) {
  FlowAppState::PendingCommand& pending = flow.app->pending_command;
  if (pending.empty()) return;
  const flow_memory::Scope not_flow_memory(nullptr);  // inventory rows, not flow state
  CommandObservation& row = command_row(flow.client_ip(), flow.server_ip(), pending.protocol(), pending.code,
                                        pending.name());
  row.is_write = row.is_write || pending.is_write;
  stamp(row.first_seen_ns, row.last_seen_ns, pending.first_seen_ns);
  stamp(row.first_seen_ns, row.last_seen_ns, pending.last_seen_ns);
  row.requests += pending.requests;
  row.errors += pending.errors;
  pending = FlowAppState::PendingCommand{};
}

void Worker::anomaly(const FlowContext& ctx, std::string_view protocol, std::string_view name) {
  const flow_memory::Scope not_flow_memory(nullptr);  // inventory rows, not flow state
  count_name(counters_.anomalies, name);
  if (detector_) detector_->on_anomaly(ctx, protocol, name);
}

namespace {

std::string_view transport_label(uint8_t proto) {
  switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmpv6";
    default: return "ip";
  }
}

// The TI hook of the worker detector over the indicator set in force.
class IndicatorSetMatcher final : public detect::IndicatorMatcher {
 public:
  IndicatorSetMatcher(const detect::ti::IndicatorSet& set, int64_t now_ns) : set_(set), now_ns_(now_ns) {}
  const detect::AlertDefinition* match(Observable kind, std::string_view value) const override {
    auto m = set_.match_observable(kind, value, now_ns_);
    return m.alert() ? &set_.definitions()[m.definition_index] : nullptr;
  }

 private:
  const detect::ti::IndicatorSet& set_;
  int64_t now_ns_;
};

}  // namespace

void Worker::observable(const FlowContext& ctx, std::string_view protocol, ots::Side side, Observable kind,
                        std::string_view value) {
  if (!detector_ || !detection_->indicators) return;
  const flow_memory::Scope not_flow_memory(nullptr);
  detector_->on_observable(ctx, protocol, side, kind, value, IndicatorSetMatcher(*detection_->indicators, ctx.ts_ns));
}

void Worker::refresh_detection() {
  const flow_memory::Scope not_flow_memory(nullptr);
  detection_ = config_.detection->bundle();
  if (!detector_) {
    detector_ = std::make_unique<detect::WorkerDetector>(detection_->snapshot);
    rule_evaluator_ = std::make_unique<detect::rules::RuleEvaluator>();
  } else {
    detector_->set_snapshot(detection_->snapshot);
  }
}

void Worker::detect_packet(const PacketView& packet, const DecodedPacket& p, bool has_flow) {
  // Evidence frames are Ethernet (the alert pcaps say so); other link types carry none.
  uint64_t evidence_flow = 0;
  if (packet.link == LinkType::Ethernet && !has_flow) {
    evidence_flow = p.ip_version != 0
                        ? detect::WorkerDetector::flow_id(p.src_ip, p.src_port, p.dst_ip, p.dst_port, p.ip_proto)
                        : detect::WorkerDetector::l2_flow_id(p.src_mac, p.dst_mac);
    detector_->on_packet(p.ts_ns, packet.data, evidence_flow);
  }
  if (p.has_arp) {
    detector_->on_arp(p.ts_ns, p.arp.sender_mac, p.arp.sender_ip, p.arp.target_mac, p.arp.target_ip,
                      p.arp.operation == 2, evidence_flow);
  }
}

void Worker::detect_indicator(const FlowContext& ctx, std::string_view protocol, const detect::ti::IndicatorMatch& m,
                              std::string what) {
  const detect::AlertDefinition& d = detection_->indicators->definitions()[m.definition_index];
  detector_->raise_definition(ctx, protocol, d, what + " matches " + d.id + " (" + m.indicator->value + ")",
                              "indicator=" + m.indicator->value);
}

void Worker::detect_flow_start(const Flow& flow, const DecodedPacket& p) {
  const flow_memory::Scope not_flow_memory(nullptr);
  const FlowContext ctx = context_of(flow, p.ts_ns);
  const bool echo_request = (flow.key.proto == static_cast<uint8_t>(IpProto::Icmp) && p.icmp_type == 8) ||
                            (flow.key.proto == static_cast<uint8_t>(IpProto::Icmpv6) && p.icmp_type == 128);
  detector_->on_flow_start(p.ts_ns, flow.key.proto, ctx.client_ip, ctx.client_port, ctx.server_ip, ctx.server_port,
                           p.has_ethernet ? p.dst_mac : MacAddr{}, echo_request);
  if (!detection_->indicators) return;
  const auto& set = *detection_->indicators;
  auto client = set.match_ip(ctx.client_ip, p.ts_ns, detect::EndpointRole::Source, ctx.client_port);
  if (client.alert()) detect_indicator(ctx, transport_label(flow.key.proto), client, "client " + ctx.client_ip.str());
  auto server = set.match_ip(ctx.server_ip, p.ts_ns, detect::EndpointRole::Destination, ctx.server_port);
  if (server.alert()) detect_indicator(ctx, transport_label(flow.key.proto), server, "server " + ctx.server_ip.str());
}

void Worker::detect_rules(Flow& flow, Direction dir, const DecodedPacket& p) {
  const detect::rules::RuleSet& rules = *detection_->rules;
  if (detect::rules::rule_count(rules) == 0) return;
  detect::rules::RuleInput in;
  in.ts_ns = p.ts_ns;
  in.transport = flow.key.proto;
  in.src_ip = p.src_ip;
  in.dst_ip = p.dst_ip;
  in.src_port = p.src_port;
  in.dst_port = p.dst_port;
  in.to_server = dir == Direction::FromClient;
  in.established = flow.packets[0] > 0 && flow.packets[1] > 0;
  in.payload = p.payload;
  in.app_protocol = flow.app->confirmed && flow.app->dissector ? flow.app->dissector->name : std::string_view();
  rule_matches_.clear();
  rule_evaluator_->evaluate(rules, in, flow.app->rules, rule_matches_);
  if (rule_matches_.empty()) return;
  const flow_memory::Scope not_flow_memory(nullptr);
  const FlowContext ctx = context_of(flow, p.ts_ns);
  for (const auto& m : rule_matches_) {
    if (m.action == detect::rules::Action::Pass) continue;
    const detect::AlertDefinition& d = detection_->indicators->definitions()[m.tag];
    detector_->raise_definition(ctx, in.app_protocol.empty() ? transport_label(flow.key.proto) : in.app_protocol, d,
                                "rule " + std::to_string(m.gid) + ":" + std::to_string(m.sid) + ":" +
                                    std::to_string(m.rev) + " " + std::string(m.msg),
                                "sid=" + std::to_string(m.sid));
  }
}

void Worker::take_delta(WorkerDelta& out) {
  out.worker = index_;
  Observations& o = out.observations;
  o = Observations{};
  for (Flow* flow : fold_list_)
    if (flow->in_fold_list) fold_flow(*flow);
  fold_list_.clear();
  // Sized once: a flush after a busy second carries tens of thousands of rows, and growing
  // by doubling would touch (and the kernel zero) twice the memory and copy every row again.
  o.macs.reserve(dirty_macs_.size());
  o.ips.reserve(dirty_ips_.size());
  o.bindings.reserve(dirty_bindings_.size());
  o.connections.reserve(dirty_connections_.size());
  o.identities.reserve(identities_.size());
  o.protocols.reserve(protocols_.size());
  o.commands.reserve(commands_.size());
  o.arp_requests.reserve(arp_requests_.size());
  for (TrafficAggregate* a : dirty_macs_) {
    o.macs.push_back(MacObservation{a->mac, a->delta, a->vlans});
    a->delta = TrafficCounters{};
    a->dirty = false;
  }
  for (TrafficAggregate* a : dirty_ips_) {
    o.ips.push_back(IpObservation{a->ip, a->delta, a->vlans});
    a->delta = TrafficCounters{};
    a->dirty = false;
  }
  for (BindingAggregate* b : dirty_bindings_) {
    o.bindings.push_back(MacIpBinding{b->key.mac, b->key.ip, b->sources, b->first_seen_ns, b->last_seen_ns,
                                        b->packets});
    b->first_seen_ns = b->last_seen_ns = 0;
    b->packets = 0;
    b->dirty = false;
  }
  for (ConnectionAggregate* c : dirty_connections_) {
    o.connections.push_back(c->delta);
    o.connections.back().application = std::string(c->application);
    const ConnectionKey key = c->delta.key;
    c->delta = ConnectionObservation{};
    c->delta.key = key;
    c->dirty = false;
  }
  for (auto& [key, obs] : identities_) o.identities.push_back(std::move(obs));
  for (auto& [key, obs] : protocols_) o.protocols.push_back(std::move(obs));
  for (auto& [key, obs] : commands_) o.commands.push_back(std::move(obs));
  for (auto& [key, obs] : arp_requests_) o.arp_requests.push_back(obs);
  arp_requests_.clear();
  identities_.clear();
  protocols_.clear();
  commands_.clear();
  dirty_macs_.clear();
  dirty_ips_.clear();
  dirty_bindings_.clear();
  dirty_connections_.clear();
  counters_.decoder = decoder_.stats();
  counters_.flows = flows_.stats();
  out.counters = counters_;
  out.newest_ts_ns = now_ns_;
  out.alerts.clear();
  out.activity = detect::ActivityBatch{};
  if (detector_) {
    detector_->expire_arp_requests(now_ns_);
    detector_->drain_alerts(out.alerts);
    detector_->drain_activity(out.activity);
  }
}

}  // namespace ots
