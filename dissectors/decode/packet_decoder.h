// L2–L4 decoding with IPv4/IPv6 fragment reassembly. One decoder per worker:
// it owns the reassembly state, so it is not shared between threads.
#pragma once

#include <cstdint>
#include <memory>

#include "core/packet.h"
#include "dissectors/decode/decoded_packet.h"

namespace ots {

struct DecoderConfig {
  size_t max_fragment_bytes = 8 * 1024 * 1024;  // all pending fragments of a worker
  int64_t fragment_timeout_ns = 30'000'000'000;  // packet time
  // Decode the common frame (Ethernet, VLANs, IPv4/IPv6 without options or fragments, TCP/UDP/ICMP)
  // in one straight pass instead of the general header walk. The results are identical (the
  // differential tests hold both to that), so only those tests turn it off.
  bool fast_path = true;
};

// Per-layer counters count every header decoded, outer and inner ones alike; other_l3 counts
// frames decoded without anomaly that carry neither IP nor ARP; tunneled counts frames.
struct DecoderStats {
  uint64_t frames = 0;
  uint64_t ipv4 = 0, ipv6 = 0, arp = 0, tcp = 0, udp = 0, icmp = 0, other_l3 = 0;
  uint64_t tunneled = 0;
  uint64_t fragments = 0, reassembled = 0, fragments_dropped = 0;
  uint64_t anomalies[static_cast<size_t>(DecodeAnomaly::kCount)] = {};
};

enum class DecodeResult : uint8_t {
  Decoded,    // out is filled (maybe with an anomaly that stopped decoding at some layer)
  Held,       // an IP fragment was stored for reassembly; nothing to process yet
};

class PacketDecoder {
 public:
  explicit PacketDecoder(DecoderConfig config = {});
  ~PacketDecoder();
  PacketDecoder(const PacketDecoder&) = delete;
  PacketDecoder& operator=(const PacketDecoder&) = delete;

  // Views in `out` point into packet.data or into the decoder's reassembly buffer and are
  // valid until the next call. After Held, `out` holds nothing to process.
  DecodeResult decode(const PacketView& packet, DecodedPacket& out);
  const DecoderStats& stats() const { return stats_; }
  // Frames the fast path decoded (counted in stats() like all others); the rest took the walk.
  uint64_t fast_path_frames() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DecoderStats stats_;
};

// A hash of the innermost IP address pair (or the MAC pair for non-IP frames)
// that is equal for both directions. Stateless and cheap: the dispatcher uses it
// to send both directions of every flow – and all fragments of a datagram – to
// the same worker. It walks the headers exactly as decode() does (GRE, ERSPAN,
// VXLAN); a fragment stops the walk, so a fragmented tunnel packet hashes on the
// pair of the fragmented (outer) datagram – the only one every fragment shows.
uint64_t symmetric_dispatch_hash(const PacketView& packet);

}  // namespace ots
