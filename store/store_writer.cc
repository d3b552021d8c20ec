#include "store/store_writer.h"

#include <future>
#include <vector>

namespace ots {

StoreWriter::StoreWriter(const std::string& path)
    : db_(Database::open(path, Database::Mode::ReadWrite)), thread_([this] { run(); }) {}

StoreWriter::~StoreWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_one();
  thread_.join();
}

uint64_t StoreWriter::enqueue(Job job) {
  uint64_t sequence;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
    sequence = ++enqueued_;
  }
  work_ready_.notify_one();
  return sequence;
}

void StoreWriter::wait_for(uint64_t sequence) {
  std::unique_lock lock(mutex_);
  work_done_.wait(lock, [&] { return completed_ >= sequence; });
}

void StoreWriter::submit(StoreBatch batch) {
  if (batch.empty()) return;
  enqueue(std::move(batch));
}

void StoreWriter::flush() {
  uint64_t sequence;
  {
    std::lock_guard lock(mutex_);
    sequence = enqueued_;
  }
  wait_for(sequence);
}

int64_t StoreWriter::begin_run(const RunRecord& run) {
  auto result = std::make_shared<std::promise<int64_t>>();
  auto future = result->get_future();
  enqueue(Call([result, run](Database& db) {
    try {
      result->set_value(db.begin_run(run));
    } catch (...) {
      result->set_exception(std::current_exception());
    }
  }));
  return future.get();
}

StoredObservations StoreWriter::load_observations() {
  auto result = std::make_shared<std::promise<StoredObservations>>();
  auto future = result->get_future();
  enqueue(Call([result](Database& db) {
    try {
      result->set_value(db.load_observations());
    } catch (...) {
      result->set_exception(std::current_exception());
    }
  }));
  return future.get();
}

std::optional<std::string> StoreWriter::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

uint64_t StoreWriter::batches_committed() const {
  std::lock_guard lock(mutex_);
  return batches_committed_;
}

uint64_t StoreWriter::batches_failed() const {
  std::lock_guard lock(mutex_);
  return batches_failed_;
}

void StoreWriter::run() {
  std::vector<StoreBatch> group;
  for (;;) {
    std::deque<Job> jobs;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      jobs.swap(queue_);
    }
    // Consecutive batches go into one transaction; a call ends the group so it sees
    // every batch queued before it.
    auto commit_group = [&] {
      if (group.empty()) return;
      std::optional<std::string> error;
      try {
        db_->apply_all(group);
      } catch (const std::exception& e) {
        error = e.what();
      }
      std::lock_guard lock(mutex_);
      if (error) {
        last_error_ = std::move(error);
        batches_failed_ += group.size();
      } else {
        batches_committed_ += group.size();
      }
      completed_ += group.size();
      group.clear();
    };
    for (Job& job : jobs) {
      if (auto* batch = std::get_if<StoreBatch>(&job)) {
        group.push_back(std::move(*batch));
        continue;
      }
      commit_group();
      std::get<Call>(job)(*db_);
      std::lock_guard lock(mutex_);
      ++completed_;
    }
    commit_group();
    work_done_.notify_all();
  }
}

}  // namespace ots
