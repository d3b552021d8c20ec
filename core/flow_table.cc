#include "core/flow_table.h"

#include <algorithm>
#include <cstring>

namespace ots {

size_t FlowKeyHash::operator()(const FlowKey& k) const noexcept {
  return hash_bytes(reinterpret_cast<const uint8_t*>(&k), sizeof k);  // no padding: see FlowKey::zero
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
    // DHCP's and DHCPv6's client ports are below 1024 too (and 546 < 547): name them first.
    const auto client_only = [](uint16_t port) { return port == 68 || port == 546; };
    if (client_only(p.src_port) != client_only(p.dst_port)) return client_only(p.src_port);
    if (is_server_port(p.src_port) && !is_server_port(p.dst_port)) return false;
    if (is_server_port(p.src_port) && is_server_port(p.dst_port) && p.src_port < p.dst_port) return false;
  }
  return true;
}

// The key as five words: equal keys have equal words (FlowKey has no padding).
bool same_key(const FlowKey& a, const FlowKey& b) {
  uint64_t x[5], y[5];
  std::memcpy(x, &a, sizeof x);
  std::memcpy(y, &b, sizeof y);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}

// (a, a_port) < (b, b_port) in the byte order IpAddr::operator<=> uses, with two
// big-endian word compares instead of a memcmp.
bool endpoint_less_or_equal(const IpAddr& a, uint16_t a_port, const IpAddr& b, uint16_t b_port) {
  uint64_t a_hi, a_lo, b_hi, b_lo;
  std::memcpy(&a_hi, a.bytes.data(), 8);
  std::memcpy(&a_lo, a.bytes.data() + 8, 8);
  std::memcpy(&b_hi, b.bytes.data(), 8);
  std::memcpy(&b_lo, b.bytes.data() + 8, 8);
  a_hi = __builtin_bswap64(a_hi);
  b_hi = __builtin_bswap64(b_hi);
  if (a_hi != b_hi) return a_hi < b_hi;
  a_lo = __builtin_bswap64(a_lo);
  b_lo = __builtin_bswap64(b_lo);
  if (a_lo != b_lo) return a_lo < b_lo;
  return a_port <= b_port;
}

uint32_t tag_of(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }

}  // namespace

FlowTable::FlowTable(FlowTableConfig config, EndCallback on_end, void* context)
    : config_(config), on_end_(on_end), context_(context) {
  chunks_.push_back(std::make_unique<Flow[]>(kChunkFlows));
  for (uint32_t list = 0; list < kTimeoutClasses; ++list) slot(list).lru_prev = slot(list).lru_next = list;
  index_.resize(64);
  index_mask_ = index_.size() - 1;
}

FlowTable::~FlowTable() = default;

size_t FlowTable::memory_bytes() const {
  return chunks_.size() * kChunkFlows * sizeof(Flow) + chunks_.capacity() * sizeof(chunks_[0]) +
         index_.capacity() * sizeof(IndexEntry) + free_slots_.capacity() * sizeof(uint32_t);
}

size_t FlowTable::bytes_per_flow() {
  // The index doubles when 3/4 full, so right after growing it holds 8/3 entries per flow.
  return sizeof(Flow) + (8 * sizeof(IndexEntry) + 2) / 3;
}

FlowTable::TimeoutClass FlowTable::timeout_class(const Flow& flow) {
  if (flow.key.proto == static_cast<uint8_t>(IpProto::Tcp)) {
    if (flow.closing) return kTcpClosed;
    const bool answered = flow.packets[static_cast<size_t>(Direction::FromServer)] != 0;
    return answered || flow.payload_seen ? kTcpLong : kTcpUnanswered;
  }
  return flow.key.proto == static_cast<uint8_t>(IpProto::Udp) ? kUdp : kOther;
}

int64_t FlowTable::timeout_of(const Flow& flow) const {
  switch (timeout_class(flow)) {
    case kTcpLong: return config_.timeouts.tcp_ns;
    case kTcpClosed: return config_.timeouts.tcp_closed_ns;
    case kTcpUnanswered: return config_.timeouts.tcp_unanswered_ns;
    case kUdp: return config_.timeouts.udp_ns;
    default: return config_.timeouts.other_ns;
  }
}

void FlowTable::account_packet(Flow& flow, Direction direction, const DecodedPacket& p) {
  // Only a TCP flow changes timeout (answered, closed, payload); others skip the check.
  const bool tcp = flow.key.proto == static_cast<uint8_t>(IpProto::Tcp);
  const TimeoutClass before = tcp ? timeout_class(flow) : kOther;
  const size_t d = static_cast<size_t>(direction);
  flow.packets[d] += p.frames;
  flow.bytes[d] += p.wire_len;
  flow.last_ts_ns = p.ts_ns;
  if (p.tcp_flags & (tcp_flag::Fin | tcp_flag::Rst)) flow.closing = true;
  if (!p.payload.empty()) flow.payload_seen = true;
  if (tcp && timeout_class(flow) != before) {
    const uint32_t index = slot(flow.lru_prev).lru_next;  // the flow's own slot: its list neighbour names it
    lru_unlink(index);
    flow.lru_ts_ns = p.ts_ns;
    lru_push_back(index);
  }
}

void FlowTable::lru_unlink(uint32_t index) {
  Flow& f = slot(index);
  slot(f.lru_prev).lru_next = f.lru_next;
  slot(f.lru_next).lru_prev = f.lru_prev;
}

void FlowTable::lru_push_back(uint32_t index) {
  Flow& f = slot(index);
  const uint32_t list = timeout_class(f);
  Flow& head = slot(list);
  const uint32_t tail = head.lru_prev;
  f.lru_prev = tail;
  f.lru_next = list;
  slot(tail).lru_next = index;
  head.lru_prev = index;
}

size_t FlowTable::find(const FlowKey& key, uint64_t hash) const {
  const uint32_t tag = tag_of(hash);
  for (size_t pos = hash & index_mask_;; pos = (pos + 1) & index_mask_) {
    const IndexEntry& e = index_[pos];
    if (e.slot == 0) return index_.size();
    if (e.tag == tag) {
      const Flow& f = chunks_[e.slot / kChunkFlows][e.slot % kChunkFlows];
      if (same_key(f.key, key)) return pos;
    }
  }
}

void FlowTable::index_insert(uint64_t hash, uint32_t index) {
  if ((stats_.active + 1) * 4 > index_.size() * 3) index_grow();
  size_t pos = hash & index_mask_;
  while (index_[pos].slot != 0) pos = (pos + 1) & index_mask_;
  index_[pos] = IndexEntry{tag_of(hash), index};
}

void FlowTable::index_grow() {
  std::vector<IndexEntry> old(index_.size() * 2);
  old.swap(index_);
  index_mask_ = index_.size() - 1;
  for (const IndexEntry& e : old) {
    if (e.slot == 0) continue;
    size_t pos = FlowKeyHash{}(slot(e.slot).key) & index_mask_;
    while (index_[pos].slot != 0) pos = (pos + 1) & index_mask_;
    index_[pos] = e;
  }
}

void FlowTable::index_erase(size_t position) {
  // Backward-shift deletion: pull later entries of the probe run into the hole, so
  // lookups never need tombstones.
  size_t hole = position;
  for (size_t pos = (hole + 1) & index_mask_;; pos = (pos + 1) & index_mask_) {
    const IndexEntry e = index_[pos];
    if (e.slot == 0) break;
    const size_t home = FlowKeyHash{}(slot(e.slot).key) & index_mask_;
    // Movable when its home is not within (hole, pos] (cyclically).
    if (((pos - home) & index_mask_) >= ((pos - hole) & index_mask_)) {
      index_[hole] = e;
      hole = pos;
    }
  }
  index_[hole] = IndexEntry{};
}

uint32_t FlowTable::allocate_slot() {
  if (!free_slots_.empty()) {
    uint32_t index = free_slots_.back();
    free_slots_.pop_back();
    return index;
  }
  if (stats_.active >= config_.max_flows) {
    end_flow(least_recently_used(), /*evicted=*/true);
    uint32_t index = free_slots_.back();
    free_slots_.pop_back();
    return index;
  }
  if (slots_used_ == chunks_.size() * kChunkFlows) chunks_.push_back(std::make_unique<Flow[]>(kChunkFlows));
  return slots_used_++;
}

void FlowTable::end_flow(uint32_t index, bool evicted) {
  Flow& f = slot(index);
  on_end_(context_, f);
  lru_unlink(index);
  index_erase(find(f.key, FlowKeyHash{}(f.key)));
  f = Flow{};
  free_slots_.push_back(index);
  --stats_.active;
  if (evicted) ++stats_.evicted;
  else ++stats_.expired;
}

FlowTable::Lookup FlowTable::lookup(const DecodedPacket& p) {
  FlowKey key;
  const bool src_is_lo = endpoint_less_or_equal(p.src_ip, p.src_port, p.dst_ip, p.dst_port);
  key.ip_lo = src_is_lo ? p.src_ip : p.dst_ip;
  key.ip_hi = src_is_lo ? p.dst_ip : p.src_ip;
  key.port_lo = src_is_lo ? p.src_port : p.dst_port;
  key.port_hi = src_is_lo ? p.dst_port : p.src_port;
  key.proto = p.ip_proto;
  key.vlan = p.vlan_count ? p.vlans[p.vlan_count - 1] : 0;
  const uint64_t hash = FlowKeyHash{}(key);

  Lookup result;
  if (const size_t pos = find(key, hash); pos != index_.size()) {
    const uint32_t index = index_[pos].slot;
    Flow& f = slot(index);
    if (p.ts_ns - f.last_ts_ns <= timeout_of(f)) {
      if (p.ts_ns - f.lru_ts_ns >= kLruStepNs) {
        lru_unlink(index);
        lru_push_back(index);
        f.lru_ts_ns = p.ts_ns;
      }
      result.flow = &f;
      result.direction = (src_is_lo == f.client_is_lo) ? Direction::FromClient : Direction::FromServer;
      return result;
    }
    // Timed out by this flow's own clock: end it so the packet opens a new flow.
    // Deciding here (not in the sweep) keeps results independent of how packets
    // are spread over workers.
    end_flow(index, /*evicted=*/false);
  }

  const uint32_t index = allocate_slot();
  Flow& f = slot(index);
  f.key = key;
  f.in_use = true;
  f.client_is_lo = sender_is_client(p) ? src_is_lo : !src_is_lo;
  f.first_ts_ns = f.last_ts_ns = f.lru_ts_ns = p.ts_ns;
  index_insert(hash, index);
  lru_push_back(index);
  ++stats_.created;
  ++stats_.active;
  stats_.peak = std::max(stats_.peak, stats_.active);
  result.flow = &f;
  result.direction = (src_is_lo == f.client_is_lo) ? Direction::FromClient : Direction::FromServer;
  result.created = true;
  return result;
}

uint32_t FlowTable::least_recently_used() {
  uint32_t oldest = 0;
  for (uint32_t list = 0; list < kTimeoutClasses; ++list) {
    const uint32_t head = slot(list).lru_next;
    if (head != list && (oldest == 0 || slot(head).lru_ts_ns < slot(oldest).lru_ts_ns)) oldest = head;
  }
  return oldest;
}

void FlowTable::expire(int64_t now_ns, size_t budget) {
  // Each LRU list is ordered by lru_ts_ns and holds one timeout, so its idle flows are at
  // its head. A flow there that had packets since it was queued goes to the back instead.
  for (uint32_t list = 0; list < kTimeoutClasses && budget > 0; ++list) {
    while (budget > 0) {
      const uint32_t head = slot(list).lru_next;
      if (head == list) break;
      Flow& f = slot(head);
      const int64_t timeout = timeout_of(f);
      if (now_ns - f.lru_ts_ns <= timeout) break;
      --budget;
      if (now_ns - f.last_ts_ns <= timeout) {
        lru_unlink(head);
        f.lru_ts_ns = f.last_ts_ns;
        lru_push_back(head);
        continue;
      }
      end_flow(head, /*evicted=*/false);
    }
  }
}

void FlowTable::drain() {
  for (uint32_t list = 0; list < kTimeoutClasses; ++list)
    while (slot(list).lru_next != list) end_flow(slot(list).lru_next, /*evicted=*/false);
}

}  // namespace ots
