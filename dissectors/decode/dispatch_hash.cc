// symmetric_dispatch_hash: the decoder's header walk with a visitor that only
// remembers the innermost address pair.
#include <algorithm>
#include <array>
#include <cstring>

#include "dissectors/decode/frame_walker.h"
#include "dissectors/decode/packet_decoder.h"

namespace ots {

using namespace decode_detail;

namespace {

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

// Order-independent: the pair is sorted before hashing.
template <size_t N>
uint64_t hash_pair(const std::array<uint8_t, N>& a, const std::array<uint8_t, N>& b) {
  const bool a_first = std::memcmp(a.data(), b.data(), N) < 0;
  const std::array<uint8_t, N>& low = a_first ? a : b;
  const std::array<uint8_t, N>& high = a_first ? b : a;
  uint64_t h = 0x9E3779B97F4A7C15ull * N;
  for (const auto* side : {&low, &high}) {
    for (size_t i = 0; i < N; i += 8) {
      uint64_t word = 0;
      std::memcpy(&word, side->data() + i, std::min<size_t>(8, N - i));
      h = mix(h ^ word);
    }
  }
  return h;
}

class AddressPairVisitor {
 public:
  uint64_t hash() const {
    return have_ip_ ? hash_pair(src_ip_.bytes, dst_ip_.bytes) : hash_pair(src_mac_.bytes, dst_mac_.bytes);
  }

  void l2(const L2Header& l2) {
    src_mac_ = l2.src_mac;
    dst_mac_ = l2.dst_mac;
  }
  // A request and its reply name the same two IPs (swapped) but not the same MACs (the request
  // goes to broadcast): hashing the IPs puts both on one worker, which pairs them (ARP sweeps).
  // A gratuitous ARP (sender = target) keeps the MAC pair, so one MAC's storm of announcements
  // for many addresses stays on one worker.
  void arp(const ArpInfo& arp) {
    if (arp.sender_ip == arp.target_ip) return;
    have_ip_ = true;
    src_ip_ = arp.sender_ip;
    dst_ip_ = arp.target_ip;
  }
  // A fragment stops the walk: every fragment of a datagram hashes on this (outermost
  // fragmented) pair, since later fragments do not show what is inside.
  void ip(IpHeader& ip) {
    have_ip_ = true;
    src_ip_ = ip.src;
    dst_ip_ = ip.dst;
  }
  void transport(const TransportHeader&) {}
  void tunnel(uint8_t) {
    have_ip_ = false;
    src_mac_ = dst_mac_ = MacAddr{};
  }
  void anomaly(DecodeAnomaly) {}

 private:
  bool have_ip_ = false;
  IpAddr src_ip_, dst_ip_;
  MacAddr src_mac_, dst_mac_;
};

}  // namespace

uint64_t symmetric_dispatch_hash(const PacketView& packet) {
  AddressPairVisitor visitor;
  walk_frame(packet.link, packet.data, packet.data.size() < packet.wire_len, visitor);
  return visitor.hash();
}

}  // namespace ots
