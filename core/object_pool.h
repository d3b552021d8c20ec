// A free-list pool of T for per-flow state that is created and destroyed at flow
// rate: objects are carved from chunks that are never returned until the pool
// dies, so a busy worker stops calling malloc once it reaches its working set, and
// the pool can say exactly how many bytes it holds. Single-threaded (one worker).
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace ots {

template <typename T, size_t kChunkObjects = 64>
class ObjectPool {
 public:
  ObjectPool() = default;
  ~ObjectPool() = default;  // every object must have been released (their owners go first)
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;

  template <typename... Args>
  T* acquire(Args&&... args) {
    if (!free_) grow();
    Cell* cell = free_;
    free_ = cell->next;
    ++in_use_;
    return ::new (static_cast<void*>(cell->storage)) T(std::forward<Args>(args)...);
  }
  void release(T* object) {
    object->~T();
    Cell* cell = reinterpret_cast<Cell*>(object);  // storage is the cell's first member
    cell->next = free_;
    free_ = cell;
    --in_use_;
  }

  size_t in_use() const { return in_use_; }
  // Bytes held by the pool's chunks (used or free).
  size_t capacity_bytes() const { return chunks_.size() * kChunkObjects * sizeof(Cell); }

 private:
  union Cell {
    alignas(T) unsigned char storage[sizeof(T)];
    Cell* next;
  };
  void grow() {
    chunks_.push_back(std::make_unique<Cell[]>(kChunkObjects));
    Cell* chunk = chunks_.back().get();
    for (size_t i = kChunkObjects; i-- > 0;) {
      chunk[i].next = free_;
      free_ = &chunk[i];
    }
  }

  std::vector<std::unique_ptr<Cell[]>> chunks_;
  Cell* free_ = nullptr;
  size_t in_use_ = 0;
};

}  // namespace ots
