// Heap bytes owned by flows, measured rather than estimated: while a worker works
// on a flow's application state (dissector sessions, TCP out-of-order buffers,
// nDPI's per-flow data) it opens a Scope, and every operator new/delete and nDPI
// allocation on that thread inside the scope is added to or taken from the
// worker's account (glibc's usable size of each block, so allocator rounding counts).
// Worker callbacks that allocate for the inventory (events) suspend the scope.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ots::flow_memory {

struct Account {
  int64_t live_bytes = 0;  // allocated inside a scope and not yet freed
};

// The account of this thread's open scope (nullptr: none). Inline, as scopes open and close
// around every event a dissector reports.
inline thread_local Account* current_account = nullptr;

class Scope {
 public:
  explicit Scope(Account* account) : previous_(current_account) { current_account = account; }  // nullptr suspends attribution
  ~Scope() { current_account = previous_; }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Account* previous_;
};

// For blocks obtained from malloc directly (nDPI): add or remove them from the current account.
void note_allocated(void* block);
void note_freed(void* block);
// Routes nDPI's allocator through the accounting; idempotent.
void install_ndpi_hooks();

}  // namespace ots::flow_memory
