// Per-flow TCP stream reassembly. Delivers each direction's bytes in order to a
// StreamConsumer through the three-call contract: data, gap, end. Out-of-order
// segments are buffered up to a per-direction cap; when the cap is hit or the
// flow ends with holes, the hole is reported as a gap and delivery continues.
#pragma once

#include <cstdint>
#include <memory>

#include "core/bytes.h"
#include "dissectors/decode/decoded_packet.h"

namespace ots {

// FromClient: bytes sent by the side that opened the flow.
enum class Direction : uint8_t { FromClient = 0, FromServer = 1 };

class StreamConsumer {
 public:
  virtual ~StreamConsumer() = default;
  virtual void on_data(Direction dir, Bytes data, int64_t ts_ns) = 0;
  virtual void on_gap(Direction dir, uint64_t length) = 0;
  virtual void on_end(Direction dir) = 0;
};

struct TcpReassemblyConfig {
  uint32_t max_buffered_per_direction = 256 * 1024;  // out-of-order bytes held per direction
  uint16_t max_segments_per_direction = 512;         // out-of-order segments held per direction
};

struct TcpReassemblyStats {
  uint64_t bytes_delivered = 0;
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
  uint64_t retransmitted_bytes = 0;  // duplicate data dropped
  uint64_t overflow_gaps = 0;        // gaps forced by the buffering caps
};

class TcpReassembler {
 public:
  explicit TcpReassembler(const TcpReassemblyConfig& config);
  ~TcpReassembler();
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  // Feed one decoded TCP segment travelling in `dir`. Handles SYN (initial
  // sequence), in-order and out-of-order data, retransmissions, sequence
  // wrap-around, FIN/RST (end of that direction once all data before it is delivered).
  void segment(Direction dir, const DecodedPacket& packet, StreamConsumer& out);
  // The flow is being discarded (timeout, eviction, end of input): deliver what
  // can be delivered, report remaining holes as gaps, and end both directions
  // that have not ended yet.
  void finish(StreamConsumer& out);

  const TcpReassemblyStats& stats() const { return stats_; }

 private:
  struct DirectionState;
  const TcpReassemblyConfig& config_;
  std::unique_ptr<DirectionState> dirs_[2];
  TcpReassemblyStats stats_;
};

}  // namespace ots
