// An immutable, shared snapshot of every indicator in force, built once from the active alert
// definitions and matched per event at a cost that does not depend on how many indicators it
// holds: one open-addressing hash table keyed by (type, canonical value); addresses are looked
// up once per prefix length present (exact addresses are /32 or /128), domains once per parent
// suffix. Workers hold a std::shared_ptr<const IndicatorSet> and swap it at a burst boundary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.h"
#include "detect/alert_model.h"
#include "detect/ti/ti_model.h"
#include "dissectors/dissector.h"

namespace ots::detect::ti {

// The indicator type that a dissector's observable is matched against.
IndicatorType indicator_type_for(Observable kind);

struct IndicatorMatch {
  enum class Verdict : uint8_t {
    None,     // no indicator in force covers the value
    Alert,    // `indicator` (the most specific one) raises `definitions()[definition_index]`
    Allowed,  // an `allow` indicator covers the value: no alert, whatever else matches
  };
  Verdict verdict = Verdict::None;
  const Indicator* indicator = nullptr;
  uint32_t definition_index = 0;

  bool alert() const { return verdict == Verdict::Alert; }
};

class IndicatorSet {
 public:
  // Indicators whose value is not valid for their type are left out and listed in `rejected`.
  static std::shared_ptr<const IndicatorSet> build(std::vector<AlertDefinition> definitions,
                                                   std::vector<RejectedEntry>* rejected = nullptr);
  static std::shared_ptr<const IndicatorSet> empty();

  const std::vector<AlertDefinition>& definitions() const { return definitions_; }
  size_t indicator_count() const { return entries_.size(); }
  // Bytes held by the lookup structures and the definitions (an estimate of heap use).
  size_t memory_bytes() const;

  // Validity windows are checked against `now_ns` (packet time). For addresses, the most specific
  // prefix wins; `role`/`port` say where the address was seen in the flow (Any: outside a flow) and
  // filter indicators that name a role or port.
  IndicatorMatch match_ip(const IpAddr& address, int64_t now_ns, EndpointRole role = EndpointRole::Any,
                          uint16_t port = 0) const;
  // The name and each parent domain ("a.b.example.com", "b.example.com", "example.com", "com").
  IndicatorMatch match_domain(std::string_view name, int64_t now_ns) const;
  IndicatorMatch match_url(std::string_view url, int64_t now_ns) const;
  // Any type given as text (Ip and Cidr values are parsed; hashes compared case-insensitively).
  IndicatorMatch match_value(IndicatorType type, std::string_view value, int64_t now_ns) const;
  IndicatorMatch match_observable(Observable kind, std::string_view value, int64_t now_ns) const {
    return match_value(indicator_type_for(kind), value, now_ns);
  }

  IndicatorSet(const IndicatorSet&) = delete;
  IndicatorSet& operator=(const IndicatorSet&) = delete;

 private:
  IndicatorSet() = default;

  struct Entry {
    int64_t valid_from_ns;
    int64_t valid_until_ns;
    uint32_t definition_index;
    uint32_t indicator_index;
    uint16_t port;
    IndicatorAction action;
    EndpointRole role;
  };
  struct Slot {
    uint32_t fingerprint;  // high half of the key's hash
    uint32_t key_offset;   // into keys_
    uint32_t first_entry;  // into entries_
    uint32_t entry_count;  // 0: empty slot
    uint16_t key_length;
  };
  // Scans the entries of one key; records an alert (first one only) and reports an allow.
  struct Scan;

  const Slot* find(uint8_t tag, const void* key, size_t length) const;
  bool scan(const Slot* slot, int64_t now_ns, EndpointRole role, uint16_t port, Scan& scan) const;
  IndicatorMatch result_of(const Scan& scan) const;
  IndicatorMatch match_exact(uint8_t tag, std::string_view value, int64_t now_ns) const;
  IndicatorMatch match_lower(uint8_t tag, std::string_view value, int64_t now_ns) const;

  std::vector<AlertDefinition> definitions_;
  // A blocked Bloom filter over every key (one 64-byte block per key, 4 bits set, ~16 bits per
  // key): a miss is usually decided in one cache-resident block instead of a probe of the
  // much larger slot array.
  std::vector<uint64_t> bloom_;
  uint64_t bloom_block_mask_ = 0;
  bool bloom_may_contain(uint64_t hash) const;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  std::string keys_;
  uint64_t mask_ = 0;
  // IPv4 prefix lengths present, longest first, each with a bitmap over the address's top
  // min(length, 24) bits (lengths above 24 share the /24 one): a clear bit proves that no
  // indicator of that length covers the address, so most misses cost no hash probe. At most
  // 4 MiB (lengths up to 24) + 2 MiB (the shared /24).
  struct V4Level {
    uint8_t length;      // 0..32
    uint8_t filter_bits; // min(length, 24)
    uint8_t bitmap;      // index into v4_bitmaps_
  };
  std::vector<V4Level> v4_levels_;
  std::vector<std::vector<uint64_t>> v4_bitmaps_;
  std::vector<uint8_t> v6_lengths_;  // IPv6 prefix lengths present, longest first
};

}  // namespace ots::detect::ti
