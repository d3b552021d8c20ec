// Owned storage for packet copies that must outlive a driver's buffer until the
// caller releases the burst (libpcap reuses its buffer after the callback; DPDK
// segment chains are linearised here). Stored bytes never move, so views handed
// out earlier stay valid; reset() keeps the chunks, so the steady state allocates
// nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/bytes.h"

namespace ots {

class PacketArena {
 public:
  explicit PacketArena(size_t chunk_size) : chunk_size_(chunk_size) {}

  // Reserves n bytes; the caller fills them before handing out the view.
  uint8_t* allocate(size_t n) {
    if (current_ < chunks_.size() && chunks_[current_].size - used_ >= n) return bump(n);
    if (current_ < chunks_.size() && used_ > 0) ++current_;
    used_ = 0;
    if (current_ == chunks_.size()) chunks_.push_back(Chunk::make(std::max(chunk_size_, n)));
    if (chunks_[current_].size < n) chunks_[current_] = Chunk::make(n);
    return bump(n);
  }

  Bytes store(Bytes packet) {
    uint8_t* copy = allocate(packet.size());
    if (!packet.empty()) std::memcpy(copy, packet.data(), packet.size());
    return {copy, packet.size()};
  }

  void reset() {
    current_ = 0;
    used_ = 0;
  }

 private:
  struct Chunk {
    std::unique_ptr<uint8_t[]> bytes;
    size_t size = 0;
    static Chunk make(size_t size) { return {std::make_unique_for_overwrite<uint8_t[]>(size), size}; }
  };

  uint8_t* bump(size_t n) {
    uint8_t* out = chunks_[current_].bytes.get() + used_;
    used_ += n;
    return out;
  }

  size_t chunk_size_;
  std::vector<Chunk> chunks_;
  size_t current_ = 0;
  size_t used_ = 0;
};

}  // namespace ots
