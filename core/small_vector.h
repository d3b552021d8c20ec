// A vector whose first kInline elements live inside the object; more move to the heap
// (capacity doubling). For per-flow tables that usually hold one or two entries but must
// accept up to a protocol limit (pending requests, connections): a session costs a few
// entries, not its worst case. The caller enforces its own maximum.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace ots {

template <typename T, size_t kInline>
class SmallVector {
 public:
  SmallVector() = default;
  SmallVector(const SmallVector&) = delete;
  SmallVector& operator=(const SmallVector&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  T* data() { return heap_ ? heap_.get() : inline_.data(); }
  const T* data() const { return heap_ ? heap_.get() : inline_.data(); }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }

  // Appends a default-constructed element (grown storage holds value-initialised ones).
  T& emplace_back() {
    if (size_ == capacity_) grow();
    T& slot = data()[size_++];
    slot = T{};
    return slot;
  }
  T& push_back(T value) {
    T& slot = emplace_back();
    slot = std::move(value);
    return slot;
  }
  void pop_back() { data()[--size_] = T{}; }
  // Keeps the first `n` elements (n <= size()); the others are reset.
  void truncate(size_t n) {
    reset(begin() + n, end());
    size_ = static_cast<uint32_t>(n);
  }
  // Removes every element and gives heap storage back.
  void clear() {
    heap_.reset();
    reset(inline_.begin(), inline_.end());
    size_ = 0;
    capacity_ = kInline;
  }

 private:
  static void reset(T* first, T* last) {
    for (; first != last; ++first) *first = T{};
  }
  void grow() {
    size_t capacity = std::max<size_t>(2 * capacity_, 2);
    auto bigger = std::make_unique<T[]>(capacity);
    std::move(begin(), end(), bigger.get());
    if (!heap_) reset(inline_.begin(), inline_.end());  // drop what the moved-from entries hold
    heap_ = std::move(bigger);
    capacity_ = static_cast<uint32_t>(capacity);
  }

  std::array<T, kInline> inline_{};
  std::unique_ptr<T[]> heap_;
  uint32_t size_ = 0;
  uint32_t capacity_ = kInline;
};

}  // namespace ots
