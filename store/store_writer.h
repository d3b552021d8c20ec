// The one thread that owns the read-write SQLite connection (STYLE lesson 17).
// Producers hand it batches; it applies them in order, grouping whatever queued up
// while it was busy into one transaction.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "store/database.h"

namespace ots {

class StoreWriter {
 public:
  // Opens (creates, migrates) the database in the caller's thread, so a bad path throws
  // StoreError here, then starts the writer thread.
  explicit StoreWriter(const std::string& path);
  // Applies everything still queued, then stops the thread.
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Queues a batch; returns at once. Batches are committed in submission order.
  void submit(StoreBatch batch);
  // Blocks until every batch submitted before the call is committed (or has failed).
  void flush();
  // Run on the writer thread, in order with the batches; StoreError propagates to the caller.
  int64_t begin_run(const RunRecord& run);
  StoredObservations load_observations();

  // The most recent failure to apply batches ("database 'x': database or disk is full"),
  // if any. A failed group of batches is lost; the thread keeps serving later ones.
  std::optional<std::string> last_error() const;
  uint64_t batches_committed() const;
  uint64_t batches_failed() const;

 private:
  using Call = std::function<void(Database&)>;
  using Job = std::variant<StoreBatch, Call>;

  void run();
  // Queues a job and returns its sequence number.
  uint64_t enqueue(Job job);
  void wait_for(uint64_t sequence);

  std::unique_ptr<Database> db_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::deque<Job> queue_;
  uint64_t enqueued_ = 0;   // sequence number of the last queued job
  uint64_t completed_ = 0;  // sequence number of the last finished job
  bool stopping_ = false;
  std::optional<std::string> last_error_;
  uint64_t batches_committed_ = 0, batches_failed_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace ots
