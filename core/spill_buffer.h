// The start of a message whose rest is still in flight (a PDU split across TCP segments).
// Most messages arrive whole and are parsed in place from the segment; this holds heap
// memory only while a split message waits for its rest, and gives it back once consumed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "core/bytes.h"

namespace ots {

class SpillBuffer {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Bytes view() const { return {data_.get(), size_}; }

  void append(Bytes bytes) {
    if (bytes.empty()) return;
    if (size_ + bytes.size() > capacity_) {
      size_t capacity = std::max<size_t>({size_ + bytes.size(), 2 * size_t{capacity_}, kMinCapacity});
      auto bigger = std::make_unique<uint8_t[]>(capacity);
      if (size_) std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
      capacity_ = static_cast<uint32_t>(capacity);
    }
    std::memcpy(data_.get() + size_, bytes.data(), bytes.size());
    size_ += static_cast<uint32_t>(bytes.size());
  }
  // Drops the first `n` bytes (n <= size()).
  void consume(size_t n) {
    if (n >= size_) {
      clear();
      return;
    }
    std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= static_cast<uint32_t>(n);
  }
  void clear() {
    data_.reset();
    size_ = capacity_ = 0;
  }

 private:
  static constexpr size_t kMinCapacity = 64;
  std::unique_ptr<uint8_t[]> data_;
  uint32_t size_ = 0, capacity_ = 0;
};

}  // namespace ots
