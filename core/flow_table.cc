#include "core/flow_table.h"

#include <algorithm>
#include <cstring>

namespace ots {

size_t FlowKeyHash::operator()(const FlowKey& k) const noexcept {
  uint8_t buf[16 + 16 + 2 + 2 + 1 + 2];
  std::memcpy(buf, k.ip_lo.bytes.data(), 16);
  std::memcpy(buf + 16, k.ip_hi.bytes.data(), 16);
  std::memcpy(buf + 32, &k.port_lo, 2);
  std::memcpy(buf + 34, &k.port_hi, 2);
  buf[36] = k.proto;
  std::memcpy(buf + 37, &k.vlan, 2);
  return hash_bytes(buf, sizeof buf);
}

bool is_server_port(uint16_t port) {
  switch (port) {
    case 502: case 102: case 2222: case 44818: case 47808: case 20000: case 2404: case 4840: case 1883:
    case 8883: case 9600: case 34962: case 34963: case 34964: case 5001: case 5007: case 5560: case 5562:
    case 1502: case 11740: case 1217: case 48898: case 18245: case 18246: case 1911: case 789: case 2455:
      return true;
    default:
      return port < 1024;
  }
}

namespace {

// Decides which endpoint of a new flow is the client from its first packet.
bool sender_is_client(const DecodedPacket& p) {
  if (p.ip_proto == static_cast<uint8_t>(IpProto::Tcp)) {
    const bool syn = p.tcp_flags & tcp_flag::Syn;
    const bool ack = p.tcp_flags & tcp_flag::Ack;
    if (syn && !ack) return true;
    if (syn && ack) return false;
  }
  if (p.ip_proto == static_cast<uint8_t>(IpProto::Tcp) || p.ip_proto == static_cast<uint8_t>(IpProto::Udp)) {
    if (is_server_port(p.src_port) && !is_server_port(p.dst_port)) return false;
    if (is_server_port(p.src_port) && is_server_port(p.dst_port) && p.src_port < p.dst_port) return false;
  }
  return true;
}

}  // namespace

FlowTable::FlowTable(FlowTableConfig config, EndCallback on_end, void* context)
    : config_(config), on_end_(on_end), context_(context), slots_(1) {
  slots_[0].lru_prev = slots_[0].lru_next = 0;
  index_.reserve(std::min<size_t>(config_.max_flows, 65536));
}

FlowTable::~FlowTable() = default;

size_t FlowTable::bytes_per_flow() {
  // slot + hash node (key, value, next pointer, cached hash) + bucket pointer
  return sizeof(Flow) + sizeof(FlowKey) + sizeof(uint32_t) + 2 * sizeof(void*) + sizeof(size_t) + sizeof(void*);
}

int64_t FlowTable::timeout_of(const Flow& flow) const {
  if (flow.key.proto == static_cast<uint8_t>(IpProto::Tcp))
    return flow.closing ? config_.timeouts.tcp_closed_ns : config_.timeouts.tcp_ns;
  if (flow.key.proto == static_cast<uint8_t>(IpProto::Udp)) return config_.timeouts.udp_ns;
  return config_.timeouts.other_ns;
}

void FlowTable::lru_unlink(uint32_t slot) {
  Flow& f = slots_[slot];
  slots_[f.lru_prev].lru_next = f.lru_next;
  slots_[f.lru_next].lru_prev = f.lru_prev;
}

void FlowTable::lru_push_back(uint32_t slot) {
  Flow& f = slots_[slot];
  const uint32_t tail = slots_[0].lru_prev;
  f.lru_prev = tail;
  f.lru_next = 0;
  slots_[tail].lru_next = slot;
  slots_[0].lru_prev = slot;
}

uint32_t FlowTable::allocate_slot() {
  if (!free_slots_.empty()) {
    uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if (stats_.active >= config_.max_flows) {
    end_flow(slots_[0].lru_next, /*evicted=*/true);  // least recently used
    uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  slots_.emplace_back();
  return static_cast<uint32_t>(slots_.size() - 1);
}

void FlowTable::end_flow(uint32_t slot, bool evicted) {
  Flow& f = slots_[slot];
  on_end_(context_, f);
  lru_unlink(slot);
  index_.erase(f.key);
  f = Flow{};
  free_slots_.push_back(slot);
  --stats_.active;
  if (evicted) ++stats_.evicted;
  else ++stats_.expired;
}

FlowTable::Lookup FlowTable::lookup(const DecodedPacket& p) {
  FlowKey key;
  const bool src_is_lo = std::tie(p.src_ip, p.src_port) <= std::tie(p.dst_ip, p.dst_port);
  key.ip_lo = src_is_lo ? p.src_ip : p.dst_ip;
  key.ip_hi = src_is_lo ? p.dst_ip : p.src_ip;
  key.port_lo = src_is_lo ? p.src_port : p.dst_port;
  key.port_hi = src_is_lo ? p.dst_port : p.src_port;
  key.proto = p.ip_proto;
  key.vlan = p.vlan_count ? p.vlans[p.vlan_count - 1] : 0;

  Lookup result;
  if (auto it = index_.find(key); it != index_.end()) {
    Flow& f = slots_[it->second];
    if (p.ts_ns - f.last_ts_ns <= timeout_of(f)) {
      lru_unlink(it->second);
      lru_push_back(it->second);
      result.flow = &f;
      result.direction = (src_is_lo == f.client_is_lo) ? Direction::FromClient : Direction::FromServer;
      return result;
    }
    // Timed out by this flow's own clock: end it so the packet opens a new flow.
    // Deciding here (not in the sweep) keeps results independent of how packets
    // are spread over workers.
    end_flow(it->second, /*evicted=*/false);
  }

  const uint32_t slot = allocate_slot();
  Flow& f = slots_[slot];
  f.key = key;
  f.in_use = true;
  f.client_is_lo = sender_is_client(p) ? src_is_lo : !src_is_lo;
  f.first_ts_ns = f.last_ts_ns = p.ts_ns;
  index_.emplace(key, slot);
  lru_push_back(slot);
  ++stats_.created;
  ++stats_.active;
  stats_.peak = std::max(stats_.peak, stats_.active);
  result.flow = &f;
  result.direction = (src_is_lo == f.client_is_lo) ? Direction::FromClient : Direction::FromServer;
  result.created = true;
  return result;
}

void FlowTable::expire(int64_t now_ns, size_t budget) {
  // The LRU list is ordered by last packet time, so the idle flows are at its head.
  // Flows with a longer timeout at the head can hold back shorter ones briefly; that
  // only delays freeing memory, since lookup() decides expiry by each flow's own clock.
  while (budget-- > 0) {
    const uint32_t head = slots_[0].lru_next;
    if (head == 0) return;
    const Flow& f = slots_[head];
    if (now_ns - f.last_ts_ns <= timeout_of(f)) return;
    end_flow(head, /*evicted=*/false);
  }
}

void FlowTable::drain() {
  while (slots_[0].lru_next != 0) end_flow(slots_[0].lru_next, /*evicted=*/false);
}

}  // namespace ots
