// Sets of integers as sorted, disjoint, inclusive intervals: the compiled form of rule
// address lists (IPv6 / v4-mapped addresses as 128-bit numbers) and port lists, so that
// negation and nested lists are resolved once at load time.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

namespace ots::detect::rules {

using u128 = unsigned __int128;

template <typename T>
struct IntervalSet {
  std::vector<std::pair<T, T>> ranges;  // inclusive, sorted, disjoint, not adjacent

  static IntervalSet single(T lo, T hi) { return IntervalSet{{{lo, hi}}}; }

  bool empty() const { return ranges.empty(); }
  bool is_all(T max) const { return ranges.size() == 1 && ranges[0].first == 0 && ranges[0].second == max; }

  bool contains(T value) const {
    // Rule lists are short: a linear scan beats a binary search up to a few dozen entries.
    for (const auto& [lo, hi] : ranges) {
      if (value < lo) return false;
      if (value <= hi) return true;
    }
    return false;
  }

  // Number of values, saturating at `cap` (used to decide whether a port list is "small").
  T count(T cap) const {
    T total = 0;
    for (const auto& [lo, hi] : ranges) {
      T size = hi - lo;
      if (size >= cap || total + size + 1 > cap) return cap;
      total += size + 1;
    }
    return total;
  }

  void add(T lo, T hi) {
    ranges.emplace_back(lo, hi);
    normalize();
  }

  void unite(const IntervalSet& other) {
    ranges.insert(ranges.end(), other.ranges.begin(), other.ranges.end());
    normalize();
  }

  IntervalSet complement(T max) const {
    IntervalSet out;
    T next = 0;
    bool open = true;  // whether [next, …] is still to be emitted
    for (const auto& [lo, hi] : ranges) {
      if (lo > next) out.ranges.emplace_back(next, lo - 1);
      if (hi == max) {
        open = false;
        break;
      }
      next = hi + 1;
    }
    if (open) out.ranges.emplace_back(next, max);
    return out;
  }

  IntervalSet minus(const IntervalSet& other, T max) const {
    IntervalSet keep = other.complement(max);
    IntervalSet out;
    size_t i = 0, j = 0;
    while (i < ranges.size() && j < keep.ranges.size()) {
      T lo = std::max(ranges[i].first, keep.ranges[j].first);
      T hi = std::min(ranges[i].second, keep.ranges[j].second);
      if (lo <= hi) out.ranges.emplace_back(lo, hi);
      if (ranges[i].second < keep.ranges[j].second) {
        ++i;
      } else {
        ++j;
      }
    }
    return out;
  }

 private:
  void normalize() {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<T, T>> merged;
    for (const auto& r : ranges) {
      if (!merged.empty() && (r.first <= merged.back().second ||
                              (merged.back().second != static_cast<T>(~T{0}) && r.first == merged.back().second + 1))) {
        merged.back().second = std::max(merged.back().second, r.second);
      } else {
        merged.push_back(r);
      }
    }
    ranges = std::move(merged);
  }
};

}  // namespace ots::detect::rules
