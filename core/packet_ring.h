// Single-producer single-consumer ring of variable-length packet records, used
// to hand packets from the dispatcher to a worker. The producer copies each
// packet in; the consumer reads it in place and then pops it.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/packet.h"

namespace ots {

class PacketRing {
 public:
  explicit PacketRing(size_t capacity_bytes) : buffer_(capacity_bytes & ~size_t{7}) {}

  // Producer. False when the ring is full (or the packet can never fit).
  bool try_push(const PacketView& p) {
    const size_t cap = buffer_.size();
    const size_t need = record_size(p.data.size());
    if (need > cap / 2) return false;
    const uint64_t write = write_.load(std::memory_order_relaxed);
    const size_t pos = write % cap;
    const size_t tail_room = cap - pos;
    const size_t padding = tail_room < need ? tail_room : 0;
    if (cap - (write - cached_read_) < padding + need) {
      cached_read_ = read_.load(std::memory_order_acquire);
      if (cap - (write - cached_read_) < padding + need) return false;
    }
    size_t at = pos;
    if (padding) {
      if (padding >= sizeof(Header)) write_header(at, Header{0, 0, kWrapMarker, 0, 0});
      at = 0;
    }
    write_header(at, Header{p.ts_ns, p.wire_len, static_cast<uint32_t>(p.data.size()),
                            static_cast<uint16_t>(p.link), p.interface});
    std::memcpy(buffer_.data() + at + sizeof(Header), p.data.data(), p.data.size());
    write_.store(write + padding + need, std::memory_order_release);
    return true;
  }

  // Consumer: the oldest packet, valid until pop().
  bool front(PacketView& out) {
    const size_t cap = buffer_.size();
    for (;;) {
      const uint64_t read = read_.load(std::memory_order_relaxed);
      if (read == cached_write_) {
        cached_write_ = write_.load(std::memory_order_acquire);
        if (read == cached_write_) return false;
      }
      const size_t pos = read % cap;
      const size_t tail_room = cap - pos;
      Header h{};
      if (tail_room >= sizeof(Header)) std::memcpy(&h, buffer_.data() + pos, sizeof h);
      if (tail_room < sizeof(Header) || h.caplen == kWrapMarker) {
        read_.store(read + tail_room, std::memory_order_release);
        continue;
      }
      out.ts_ns = h.ts_ns;
      out.wire_len = h.wire_len;
      out.link = static_cast<LinkType>(h.link);
      out.interface = h.interface;
      out.data = Bytes(buffer_.data() + pos + sizeof(Header), h.caplen);
      front_size_ = record_size(h.caplen);
      return true;
    }
  }
  void pop() { read_.store(read_.load(std::memory_order_relaxed) + front_size_, std::memory_order_release); }

 private:
  struct Header {
    int64_t ts_ns;
    uint32_t wire_len;
    uint32_t caplen;
    uint16_t link;
    uint16_t interface;
  };
  static constexpr uint32_t kWrapMarker = 0xffffffffu;
  static size_t record_size(size_t caplen) { return (sizeof(Header) + caplen + 7) & ~size_t{7}; }
  void write_header(size_t at, const Header& h) { std::memcpy(buffer_.data() + at, &h, sizeof h); }

  std::vector<uint8_t> buffer_;
  alignas(64) std::atomic<uint64_t> write_{0};
  uint64_t cached_read_ = 0;  // producer's copy
  alignas(64) std::atomic<uint64_t> read_{0};
  uint64_t cached_write_ = 0;  // consumer's copy
  size_t front_size_ = 0;
};

}  // namespace ots
