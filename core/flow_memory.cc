#include "core/flow_memory.h"

#include <malloc.h>
#include <ndpi/ndpi_api.h>

#include <cstdlib>
#include <mutex>
#include <new>

namespace ots::flow_memory {

namespace {

void* ndpi_malloc_counted(size_t size) {
  void* block = std::malloc(size);
  note_allocated(block);
  return block;
}

void ndpi_free_counted(void* block) {
  note_freed(block);
  std::free(block);
}
}  // namespace

void note_allocated(void* block) {
  if (block && current_account) current_account->live_bytes += static_cast<int64_t>(malloc_usable_size(block));
}

void note_freed(void* block) {
  if (block && current_account) current_account->live_bytes -= static_cast<int64_t>(malloc_usable_size(block));
}

void install_ndpi_hooks() {
  static std::once_flag once;
  std::call_once(once, [] {
    set_ndpi_malloc(ndpi_malloc_counted);
    set_ndpi_free(ndpi_free_counted);
    set_ndpi_flow_malloc(ndpi_malloc_counted);
  });
}

}  // namespace ots::flow_memory

// The replaceable global allocation functions: malloc/free plus the accounting above. Every
// non-aligned form is defined here (not only the two libstdc++ forwards to), so a sanitizer
// runtime that interposes the others cannot pair its allocation with our free.
void* operator new(size_t size) {
  void* block = std::malloc(size ? size : 1);
  if (!block) throw std::bad_alloc();
  ots::flow_memory::note_allocated(block);
  return block;
}

void operator delete(void* block) noexcept {
  ots::flow_memory::note_freed(block);
  std::free(block);
}

void operator delete(void* block, size_t) noexcept { operator delete(block); }
void* operator new[](size_t size) { return operator new(size); }
void operator delete[](void* block) noexcept { operator delete(block); }
void operator delete[](void* block, size_t) noexcept { operator delete(block); }

void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return operator new(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return operator new(size, std::nothrow); }
void operator delete(void* block, const std::nothrow_t&) noexcept { operator delete(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { operator delete(block); }
