// Pcap replay from the console: an uploaded capture (already streamed to disk) is replayed
// by a child `otsensor replay --db <the console's DB>` process, one at a time, with progress
// read from the child's position in the file (/proc/<pid>/fdinfo). Results land in the
// inventory like any other replay.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "web/console_routes.h"

namespace ots {

class ReplayJobs {
 public:
  ReplayJobs(std::string db_path, std::string otsensor_binary);
  ~ReplayJobs();
  void install(ConsoleRoutes& routes);
  void stop();  // ends the running child (SIGTERM: it flushes) and the worker thread

  struct Job {
    int64_t id = 0;
    std::string name;  // as uploaded
    std::string file;
    uint64_t size = 0;
    std::string state = "queued";  // queued, running, completed, failed
    double progress = 0;           // 0..1
    std::string message;           // the child's last stderr line on failure
    std::string user;
    int64_t queued_at_ns = 0, started_at_ns = 0, ended_at_ns = 0;
  };
  std::vector<Job> jobs();

 private:
  void run();
  nlohmann::json to_json(const Job& job);
  void refresh_progress(Job& job, int pid);

  std::string db_path_, binary_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<int64_t> queue_;
  std::vector<Job> jobs_;
  int64_t next_id_ = 1;
  int running_pid_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace ots
