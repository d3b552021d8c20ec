// A set of 64-bit keys with a fixed bound, for "already reported" checks on the per-packet path:
// open addressing over one flat array (no node per key, no allocation after the first insert).
// Keys are hashes already; 0 stands for an empty slot, so key 0 is stored as 1.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ots::detect {

class KeySet {
 public:
  // Inserts `key`; false when it was there already.
  bool insert(uint64_t key) {
    if (slots_.empty()) slots_.assign(kInitialSlots, 0);
    if ((size_ + 1) * 2 > slots_.size()) grow();
    if (key == 0) key = 1;
    const size_t mask = slots_.size() - 1;
    for (size_t pos = spread(key) & mask;; pos = (pos + 1) & mask) {
      if (slots_[pos] == key) return false;
      if (slots_[pos] == 0) {
        slots_[pos] = key;
        ++size_;
        return true;
      }
    }
  }
  size_t size() const { return size_; }
  // Forgets every key but keeps the array for the next round.
  void clear() {
    std::fill(slots_.begin(), slots_.end(), 0);
    size_ = 0;
  }

 private:
  static constexpr size_t kInitialSlots = 1024;
  // Keys are mixed hashes, but their low bits alone must not decide the slot.
  static uint64_t spread(uint64_t key) { return (key ^ (key >> 29)) * 0xbf58476d1ce4e5b9ull >> 7; }
  void grow() {
    std::vector<uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (uint64_t key : old) {
      if (key == 0) continue;
      size_t pos = spread(key) & mask;
      while (slots_[pos] != 0) pos = (pos + 1) & mask;
      slots_[pos] = key;
    }
  }

  std::vector<uint64_t> slots_;  // power-of-two size, at most half full
  size_t size_ = 0;
};

}  // namespace ots::detect
