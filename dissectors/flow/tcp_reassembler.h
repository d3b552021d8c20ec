// Per-flow TCP stream reassembly. Delivers each direction's bytes in order to a
// StreamConsumer through the three-call contract: data, gap, end. Out-of-order
// segments are buffered up to a per-direction cap; when the cap is hit or the
// flow ends with holes, the hole is reported as a gap and delivery continues.
//
// Policies:
// - A direction starts at its first SYN (data from seq+1), or, when the SYN was
//   not seen, at the first segment carrying data or FIN (no gap for the unknown
//   past; earlier bytes that show up later are dropped).
// - In-order data is handed on as a view into the packet; only out-of-order data
//   is copied. Where buffered and new data overlap, the bytes that arrived first win.
// - A segment starting more than 1 GiB (more than any TCP window) beyond the next
//   expected byte does not belong to this stream and is ignored.
// - FIN ends its direction once every byte before it is delivered; bytes beyond
//   the first FIN are dropped.
// - RST is the end of the flow: its payload is taken like any segment, then both
//   directions are flushed as by finish() (buffered data delivered, holes as gaps).
// - After a direction ended, its segments are ignored.
// - Buffered data is delivered with the time stamp of the packet that made it
//   deliverable (finish(): the last packet seen).
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
  // Counts go to `stats`, which outlives the reassembler: one per worker rather than 40 bytes in
  // every flow.
  TcpReassembler(const TcpReassemblyConfig& config, TcpReassemblyStats& stats);
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

 private:
  struct PendingSegments;  // out-of-order bytes of one direction, allocated only when needed
  // Kept inline and small: a flow whose data arrives in order costs no allocation.
  struct DirectionState {
    uint64_t next_offset = 0;  // stream offset (from base_seq) of the next byte to deliver
    uint64_t fin_offset = 0;   // stream offset of the FIN; valid when fin_seen
    std::unique_ptr<PendingSegments> pending;
    uint32_t base_seq = 0;  // sequence number of stream offset 0
    bool started = false;
    bool fin_seen = false;
    bool ended = false;
  };

  void accept(Direction dir, DirectionState& state, uint32_t seq, Bytes data, bool fin, int64_t ts_ns,
              StreamConsumer& out);
  void deliver_in_order(Direction dir, DirectionState& state, uint64_t start, Bytes data, int64_t ts_ns,
                        StreamConsumer& out);
  void buffer_out_of_order(Direction dir, DirectionState& state, uint64_t start, Bytes data, int64_t ts_ns,
                           StreamConsumer& out);
  bool fits_in_buffer(const DirectionState& state, uint64_t start, uint64_t end) const;
  void drain_pending(Direction dir, DirectionState& state, int64_t ts_ns, StreamConsumer& out);
  void emit(Direction dir, DirectionState& state, Bytes data, int64_t ts_ns, StreamConsumer& out);
  void skip_gap(Direction dir, DirectionState& state, uint64_t length, bool overflow, StreamConsumer& out);
  void flush_and_end(Direction dir, DirectionState& state, StreamConsumer& out);
  void end_direction(Direction dir, DirectionState& state, StreamConsumer& out);

  TcpReassemblyConfig config_;  // a copy: 8 bytes, and no lifetime coupling with the caller
  DirectionState dirs_[2];
  TcpReassemblyStats* stats_;
  int64_t last_ts_ns_ = 0;  // time stamp for data delivered by finish()
};

}  // namespace ots
