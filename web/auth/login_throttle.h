// Login rate limiting: after `max_failures` failed logins within `window` for a key (a
// client address, and separately a user name), further attempts are refused until the
// oldest failure leaves the window. Bounded: the least recently failed keys are forgotten
// first when `max_keys` is reached.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ots::console {

class LoginThrottle {
 public:
  LoginThrottle(size_t max_failures, int64_t window_ns, size_t max_keys = 10'000)
      : max_failures_(max_failures), window_ns_(window_ns), max_keys_(max_keys) {}

  // 0 when an attempt is allowed now, else the seconds until it will be (for Retry-After).
  int64_t retry_after_seconds(const std::string& key, int64_t now_ns);
  void record_failure(const std::string& key, int64_t now_ns);
  void record_success(const std::string& key);

 private:
  struct Entry {
    std::deque<int64_t> failures;
    std::list<std::string>::iterator age;
  };
  void prune(Entry& entry, int64_t now_ns) const;

  size_t max_failures_;
  int64_t window_ns_;
  size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> by_age_;  // front = most recent failure
};

}  // namespace ots::console
