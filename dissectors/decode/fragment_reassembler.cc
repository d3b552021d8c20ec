#include "dissectors/decode/fragment_reassembler.h"

#include <algorithm>
#include <cstring>

namespace ots::decode_detail {

FragmentReassembler::Result FragmentReassembler::add(const FragmentKey& key, const Fragment& fragment,
                                                     const FirstFragmentInfo& info) {
  Result result;
  auto found = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.key == key; });
  size_t index = static_cast<size_t>(found - pending_.begin());
  const uint64_t end = uint64_t{fragment.offset} + fragment.data.size();

  if (end > fragment.max_datagram_payload) {
    if (found != pending_.end()) drop(index);
    ++stats_.fragments_dropped;
    result.outcome = Outcome::Rejected;
    result.anomaly = DecodeAnomaly::Ipv4FragmentTooLarge;
    return result;
  }
  if (found == pending_.end()) {
    Pending fresh;
    fresh.key = key;
    fresh.first_ts_ns = fragment.ts_ns;
    pending_.push_back(std::move(fresh));
    update_oldest();
  }

  // A fragment that moves the datagram's end contradicts what was received first: keep the first.
  {
    Pending& p = pending_[index];
    uint32_t received_end = p.ranges.empty() ? 0 : p.ranges.back().second;
    bool conflicting = fragment.more ? p.total_known && end > p.total
                                     : (p.total_known ? end != p.total : end < received_end);
    if (conflicting) {
      ++stats_.fragments_dropped;
      result.outcome = Outcome::Rejected;
      result.anomaly = DecodeAnomaly::Ipv4FragmentOverlap;
      return result;
    }
    p.wire_len += fragment.wire_len;
    if (++p.fragments > kMaxFragmentsPerDatagram) {
      drop(index);
      result.outcome = Outcome::Rejected;
      return result;
    }
  }

  // Make room within the byte budget by evicting the oldest other datagrams.
  size_t growth =
      (std::max<size_t>(pending_[index].data.size(), end) - pending_[index].data.size()) + kFragmentOverhead;
  while (pending_bytes_ + growth > config_.max_fragment_bytes && pending_.size() > 1) {
    size_t victim = index == 0 ? 1 : 0;
    drop(victim);
    if (victim < index) --index;
  }
  if (pending_bytes_ + growth > config_.max_fragment_bytes) {
    drop(index);
    result.outcome = Outcome::Rejected;
    return result;
  }

  Pending& p = pending_[index];
  p.charged += growth;
  pending_bytes_ += growth;
  if (!fragment.more) {
    p.total = static_cast<uint32_t>(end);
    p.total_known = true;
  }
  if (store(p, fragment.offset, fragment.data)) result.anomaly = DecodeAnomaly::Ipv4FragmentOverlap;
  if (fragment.offset == 0 && !p.have_first) {
    p.have_first = true;
    p.first = info;
  }

  bool complete =
      p.total_known && p.ranges.size() == 1 && p.ranges[0].first == 0 && p.ranges[0].second == p.total;
  if (!complete) {
    result.outcome = Outcome::Held;
    return result;
  }
  output_.swap(p.data);
  result.outcome = Outcome::Complete;
  result.datagram = Bytes(output_).first(p.total);
  result.first = p.first;
  result.wire_len = p.wire_len;
  result.fragments = p.fragments;
  ++stats_.reassembled;
  pending_bytes_ -= p.charged;
  pending_.erase(pending_.begin() + static_cast<ptrdiff_t>(index));
  update_oldest();
  return result;
}

// Copies the bytes not received yet ("first data wins") and records the range.
// Returns true when already received bytes are contradicted by different ones:
// an identical resend is harmless, differing overlaps are how fragment evasion works.
bool FragmentReassembler::store(Pending& p, uint32_t begin, Bytes data) {
  if (data.empty()) return false;
  const uint32_t end = begin + static_cast<uint32_t>(data.size());
  if (p.data.size() < end) p.data.resize(end);
  bool differs = false;
  uint32_t pos = begin;
  auto copy = [&](uint32_t from, uint32_t to) {
    std::memcpy(p.data.data() + from, data.data() + (from - begin), to - from);
  };
  for (auto [range_begin, range_end] : p.ranges) {
    if (range_end <= pos) continue;
    if (range_begin >= end) break;
    if (range_begin > pos) copy(pos, range_begin);
    uint32_t covered_begin = std::max(range_begin, pos), covered_end = std::min(range_end, end);
    if (std::memcmp(p.data.data() + covered_begin, data.data() + (covered_begin - begin),
                    covered_end - covered_begin))
      differs = true;
    pos = covered_end;
  }
  if (pos < end) copy(pos, end);

  auto at = std::lower_bound(p.ranges.begin(), p.ranges.end(), std::pair{begin, end});
  p.ranges.insert(at, {begin, end});
  size_t merged = 0;
  for (size_t i = 1; i < p.ranges.size(); ++i) {
    if (p.ranges[i].first <= p.ranges[merged].second)
      p.ranges[merged].second = std::max(p.ranges[merged].second, p.ranges[i].second);
    else
      p.ranges[++merged] = p.ranges[i];
  }
  p.ranges.resize(merged + 1);
  return differs;
}

void FragmentReassembler::drop(size_t index) {
  stats_.fragments_dropped += pending_[index].fragments;
  pending_bytes_ -= pending_[index].charged;
  pending_.erase(pending_.begin() + static_cast<ptrdiff_t>(index));
  update_oldest();
}

void FragmentReassembler::expire_slow(int64_t now_ns) {
  for (size_t i = pending_.size(); i-- > 0;)
    if (is_expired(pending_[i].first_ts_ns, now_ns)) drop(i);
}

void FragmentReassembler::update_oldest() {
  if (pending_.empty()) return;
  oldest_first_ts_ = pending_.front().first_ts_ns;
  for (const Pending& p : pending_) oldest_first_ts_ = std::min(oldest_first_ts_, p.first_ts_ns);
}

}  // namespace ots::decode_detail
