#include "web/auth/login_throttle.h"

namespace ots::console {

void LoginThrottle::prune(Entry& entry, int64_t now_ns) const {
  while (!entry.failures.empty() && entry.failures.front() <= now_ns - window_ns_) entry.failures.pop_front();
}

int64_t LoginThrottle::retry_after_seconds(const std::string& key, int64_t now_ns) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  prune(it->second, now_ns);
  if (it->second.failures.size() < max_failures_) return 0;
  const int64_t free_at = it->second.failures.front() + window_ns_;
  return (free_at - now_ns + 999'999'999) / 1'000'000'000;
}

void LoginThrottle::record_failure(const std::string& key, int64_t now_ns) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      entries_.erase(by_age_.back());
      by_age_.pop_back();
    }
    by_age_.push_front(key);
    it = entries_.emplace(key, Entry{{}, by_age_.begin()}).first;
  } else {
    by_age_.splice(by_age_.begin(), by_age_, it->second.age);
  }
  prune(it->second, now_ns);
  it->second.failures.push_back(now_ns);
  if (it->second.failures.size() > max_failures_) it->second.failures.pop_front();
}

void LoginThrottle::record_success(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  by_age_.erase(it->second.age);
  entries_.erase(it);
}

}  // namespace ots::console
