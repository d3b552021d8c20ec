#include "dissectors/flow/tcp_reassembler.h"

#include <algorithm>
#include <vector>

namespace ots {

namespace {

// No TCP window exceeds 2^30 bytes, so data further ahead is not this stream's.
constexpr int64_t kMaxForwardJump = int64_t{1} << 30;

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }

}  // namespace

struct TcpReassembler::PendingSegments {
  struct Segment {
    uint64_t start = 0;
    std::vector<uint8_t> bytes;
    uint64_t end() const { return start + bytes.size(); }
  };
  // Sorted by start, never overlapping; the first starts beyond next_offset.
  std::vector<Segment> segments;
  uint64_t buffered_bytes = 0;

  // Index of the first segment ending after `offset` (ends are sorted too).
  size_t first_ending_after(uint64_t offset) const {
    auto it = std::partition_point(segments.begin(), segments.end(),
                                   [offset](const Segment& s) { return s.end() <= offset; });
    return static_cast<size_t>(it - segments.begin());
  }
};

TcpReassembler::TcpReassembler(const TcpReassemblyConfig& config, TcpReassemblyStats& stats)
    : config_(config), stats_(&stats) {}

TcpReassembler::~TcpReassembler() = default;

void TcpReassembler::segment(Direction dir, const DecodedPacket& packet, StreamConsumer& out) {
  last_ts_ns_ = packet.ts_ns;
  DirectionState& state = dirs_[index_of(dir)];
  const bool syn = packet.tcp_flags & tcp_flag::Syn;
  const bool fin = packet.tcp_flags & tcp_flag::Fin;
  const bool rst = packet.tcp_flags & tcp_flag::Rst;

  if (!state.ended && (syn || fin || !packet.payload.empty())) {
    // The SYN occupies one sequence number; its data (if any) follows it.
    const uint32_t data_seq = packet.tcp_seq + (syn ? 1u : 0u);
    if (!state.started) {
      state.started = true;
      state.base_seq = data_seq;
    }
    accept(dir, state, data_seq, packet.payload, fin, packet.ts_ns, out);
  }
  if (rst) {
    flush_and_end(Direction::FromClient, dirs_[0], out);
    flush_and_end(Direction::FromServer, dirs_[1], out);
  }
}

void TcpReassembler::finish(StreamConsumer& out) {
  flush_and_end(Direction::FromClient, dirs_[0], out);
  flush_and_end(Direction::FromServer, dirs_[1], out);
}

void TcpReassembler::accept(Direction dir, DirectionState& state, uint32_t seq, Bytes data, bool fin,
                            int64_t ts_ns, StreamConsumer& out) {
  // Serial-number arithmetic around the next expected byte turns the 32-bit
  // sequence number into a 64-bit stream offset that never wraps.
  const uint32_t next_seq = state.base_seq + static_cast<uint32_t>(state.next_offset);
  const int64_t delta = static_cast<int32_t>(seq - next_seq);
  if (delta > kMaxForwardJump) return;
  int64_t start = static_cast<int64_t>(state.next_offset) + delta;
  const int64_t next = static_cast<int64_t>(state.next_offset);

  if (fin && !state.fin_seen) {
    state.fin_seen = true;
    state.fin_offset = static_cast<uint64_t>(std::max(start + static_cast<int64_t>(data.size()), next));
    // Buffered bytes beyond the FIN were never part of the stream.
    if (PendingSegments* pending = state.pending.get()) {
      auto& segments = pending->segments;
      while (!segments.empty() && segments.back().end() > state.fin_offset) {
        auto& last = segments.back();
        const uint64_t keep = last.start < state.fin_offset ? state.fin_offset - last.start : 0;
        pending->buffered_bytes -= last.bytes.size() - keep;
        if (keep == 0) {
          segments.pop_back();
        } else {
          last.bytes.resize(keep);
        }
      }
      if (segments.empty()) state.pending.reset();
    }
  }
  if (state.fin_seen) {
    const int64_t room = std::max<int64_t>(static_cast<int64_t>(state.fin_offset) - start, 0);
    data = data.first(static_cast<size_t>(std::min<int64_t>(room, static_cast<int64_t>(data.size()))));
  }
  if (start < 0) {
    // Bytes before the start of the stream (mid-stream capture): unknown past, dropped.
    const size_t before = static_cast<size_t>(std::min<int64_t>(-start, static_cast<int64_t>(data.size())));
    data = data.subspan(before);
    start += static_cast<int64_t>(before);
  }
  if (!data.empty()) {
    if (start <= next) {
      deliver_in_order(dir, state, static_cast<uint64_t>(start), data, ts_ns, out);
    } else {
      buffer_out_of_order(dir, state, static_cast<uint64_t>(start), data, ts_ns, out);
    }
  }
  if (state.fin_seen && state.next_offset >= state.fin_offset) end_direction(dir, state, out);
}

void TcpReassembler::deliver_in_order(Direction dir, DirectionState& state, uint64_t start, Bytes data,
                                      int64_t ts_ns, StreamConsumer& out) {
  for (;;) {
    // Bytes before next_offset were delivered already: retransmission or overlap.
    const uint64_t seen = std::min<uint64_t>(state.next_offset - start, data.size());
    stats_->retransmitted_bytes += seen;
    data = data.subspan(seen);
    start += seen;
    if (data.empty()) return;
    // Buffered data arrived first and wins: deliver the new bytes only up to it.
    uint64_t take = data.size();
    if (state.pending) take = std::min(take, state.pending->segments.front().start - state.next_offset);
    emit(dir, state, data.first(take), ts_ns, out);
    data = data.subspan(take);
    start += take;
    drain_pending(dir, state, ts_ns, out);
  }
}

void TcpReassembler::buffer_out_of_order(Direction dir, DirectionState& state, uint64_t start, Bytes data,
                                         int64_t ts_ns, StreamConsumer& out) {
  const uint64_t end = start + data.size();
  // Over a cap: give up on the first hole (in front of buffered or new data) and
  // deliver what follows it. Each round removes a buffered segment or makes the
  // new data in order, so this ends.
  while (start > state.next_offset && !fits_in_buffer(state, start, end)) {
    uint64_t hole_end = start;
    if (state.pending) hole_end = std::min(hole_end, state.pending->segments.front().start);
    skip_gap(dir, state, hole_end - state.next_offset, true, out);
    drain_pending(dir, state, ts_ns, out);
  }
  if (start <= state.next_offset) {
    deliver_in_order(dir, state, start, data, ts_ns, out);
    return;
  }

  if (!state.pending) state.pending = std::make_unique<PendingSegments>();
  PendingSegments& pending = *state.pending;
  auto& segments = pending.segments;
  // Copy only the parts not buffered yet, each as its own segment, so earlier data wins.
  size_t i = pending.first_ending_after(start);
  uint64_t cursor = start;
  uint64_t copied = 0;
  while (cursor < end) {
    if (i < segments.size() && segments[i].start <= cursor) {
      cursor = std::max(cursor, segments[i].end());
      ++i;
      continue;
    }
    const uint64_t piece_end = i < segments.size() ? std::min(end, segments[i].start) : end;
    const auto first = data.begin() + static_cast<std::ptrdiff_t>(cursor - start);
    const auto last = data.begin() + static_cast<std::ptrdiff_t>(piece_end - start);
    segments.insert(segments.begin() + static_cast<std::ptrdiff_t>(i),
                    PendingSegments::Segment{cursor, std::vector<uint8_t>(first, last)});
    copied += piece_end - cursor;
    ++i;
    cursor = piece_end;
  }
  pending.buffered_bytes += copied;
  stats_->retransmitted_bytes += data.size() - copied;
}

bool TcpReassembler::fits_in_buffer(const DirectionState& state, uint64_t start, uint64_t end) const {
  uint64_t new_bytes = end - start;
  size_t new_segments = 1;
  uint64_t buffered = 0;
  size_t segment_count = 0;
  if (const PendingSegments* pending = state.pending.get()) {
    const auto& segments = pending->segments;
    buffered = pending->buffered_bytes;
    segment_count = segments.size();
    new_bytes = 0;
    new_segments = 0;
    uint64_t cursor = start;
    for (size_t i = pending->first_ending_after(start); i < segments.size() && segments[i].start < end; ++i) {
      if (segments[i].start > cursor) {
        new_bytes += segments[i].start - cursor;
        ++new_segments;
      }
      cursor = std::max(cursor, segments[i].end());
    }
    if (cursor < end) {
      new_bytes += end - cursor;
      ++new_segments;
    }
  }
  return buffered + new_bytes <= config_.max_buffered_per_direction &&
         segment_count + new_segments <= config_.max_segments_per_direction;
}

void TcpReassembler::drain_pending(Direction dir, DirectionState& state, int64_t ts_ns, StreamConsumer& out) {
  PendingSegments* pending = state.pending.get();
  if (!pending) return;
  auto& segments = pending->segments;
  size_t drained = 0;
  for (; drained < segments.size() && segments[drained].start <= state.next_offset; ++drained) {
    const auto& segment = segments[drained];
    if (segment.end() > state.next_offset) {
      emit(dir, state, Bytes(segment.bytes).subspan(state.next_offset - segment.start), ts_ns, out);
    }
    pending->buffered_bytes -= segment.bytes.size();
  }
  // Erased once after the callbacks, which still read the segments' bytes.
  segments.erase(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(drained));
  if (segments.empty()) state.pending.reset();
}

void TcpReassembler::emit(Direction dir, DirectionState& state, Bytes data, int64_t ts_ns, StreamConsumer& out) {
  state.next_offset += data.size();
  stats_->bytes_delivered += data.size();
  out.on_data(dir, data, ts_ns);
}

void TcpReassembler::skip_gap(Direction dir, DirectionState& state, uint64_t length, bool overflow,
                              StreamConsumer& out) {
  state.next_offset += length;
  ++stats_->gaps;
  stats_->gap_bytes += length;
  if (overflow) ++stats_->overflow_gaps;
  out.on_gap(dir, length);
}

void TcpReassembler::flush_and_end(Direction dir, DirectionState& state, StreamConsumer& out) {
  if (state.ended) return;
  while (state.pending) {
    skip_gap(dir, state, state.pending->segments.front().start - state.next_offset, false, out);
    drain_pending(dir, state, last_ts_ns_, out);
  }
  // The FIN tells how much was sent after the last byte we hold.
  if (state.fin_seen && state.fin_offset > state.next_offset) {
    skip_gap(dir, state, state.fin_offset - state.next_offset, false, out);
  }
  end_direction(dir, state, out);
}

void TcpReassembler::end_direction(Direction dir, DirectionState& state, StreamConsumer& out) {
  state.ended = true;
  state.pending.reset();
  out.on_end(dir);
}

}  // namespace ots
