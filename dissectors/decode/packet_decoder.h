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
};

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

class Ipv4Reassembler;  // private to the decoder

class PacketDecoder {
 public:
  explicit PacketDecoder(DecoderConfig config = {});
  ~PacketDecoder();
  PacketDecoder(const PacketDecoder&) = delete;
  PacketDecoder& operator=(const PacketDecoder&) = delete;

  DecodeResult decode(const PacketView& packet, DecodedPacket& out);
  const DecoderStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DecoderStats stats_;
};

// A hash of the innermost IP address pair (or the MAC pair for non-IP frames)
// that is equal for both directions. Stateless and cheap: the dispatcher uses it
// to send both directions of every flow – and all fragments of a datagram – to
// the same worker.
uint64_t symmetric_dispatch_hash(const PacketView& packet);

}  // namespace ots
