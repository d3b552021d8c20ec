#include "detect/ti/indicator_set.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <numeric>

namespace ots::detect::ti {

namespace {

// Key spaces in the one hash table: an address prefix (16 masked bytes + the prefix length)
// shares nothing with a domain or a digest, so each type hashes with its own seed.
constexpr uint8_t kAddressTag = 0xff;

uint8_t tag_of(IndicatorType type) {
  return type == IndicatorType::Ip || type == IndicatorType::Cidr ? kAddressTag : static_cast<uint8_t>(type);
}

uint64_t hash_key(uint8_t tag, const void* key, size_t length) {
  return hash_bytes(static_cast<const uint8_t*>(key), length, 0x9E3779B97F4A7C15ull ^ (uint64_t{tag} * 0xC2B2AE3D27D4EB4Full));
}

// 16 address bytes with the bits past `length` cleared, then the length: the key of a prefix.
struct PrefixKey {
  uint8_t bytes[17];
};

PrefixKey prefix_key(const IpAddr& address, unsigned length) {
  PrefixKey key;
  std::memcpy(key.bytes, address.bytes.data(), 16);
  for (unsigned byte = length / 8; byte < 16; ++byte) {
    const unsigned keep = byte == length / 8 ? length % 8 : 0;
    key.bytes[byte] &= static_cast<uint8_t>(0xff00u >> keep);
  }
  key.bytes[16] = static_cast<uint8_t>(length);
  return key;
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Per-thread scratch for values that must be lower-cased or normalised before lookup; it grows
// once, so the steady state does not allocate.
std::string& scratch() {
  thread_local std::string buffer;
  return buffer;
}

bool valid_at(int64_t from, int64_t until, int64_t now) { return (from == 0 || now >= from) && (until == 0 || now < until); }

}  // namespace

IndicatorType indicator_type_for(Observable kind) {
  switch (kind) {
    case Observable::Domain: return IndicatorType::Domain;
    case Observable::Url: return IndicatorType::Url;
    case Observable::Ja3: return IndicatorType::Ja3;
    case Observable::Ja3s: return IndicatorType::Ja3s;
    case Observable::Ja4: return IndicatorType::Ja4;
    case Observable::CertSha1: return IndicatorType::CertSha1;
    case Observable::CertSha256: return IndicatorType::CertSha256;
    case Observable::FileMd5: return IndicatorType::Md5;
    case Observable::FileSha1: return IndicatorType::Sha1;
    case Observable::FileSha256: return IndicatorType::Sha256;
    case Observable::kCount: break;
  }
  return IndicatorType::Domain;  // not reached: kCount is not an observable
}

struct IndicatorSet::Scan {
  const Entry* alert = nullptr;
  const Entry* allow = nullptr;
};

std::shared_ptr<const IndicatorSet> IndicatorSet::empty() { return build({}); }

std::shared_ptr<const IndicatorSet> IndicatorSet::build(std::vector<AlertDefinition> definitions,
                                                        std::vector<RejectedEntry>* rejected) {
  std::shared_ptr<IndicatorSet> set(new IndicatorSet());
  set->definitions_ = std::move(definitions);

  // One record per usable indicator: its key in a staging arena and its entry.
  struct Record {
    uint64_t hash;
    uint32_t key_offset;
    uint16_t key_length;
    uint8_t tag;
    Entry entry;
  };
  std::vector<Record> records;
  std::string staging;
  bool v4_present[33] = {}, v6_present[129] = {};
  // Bitmaps for lengths 0..24, then index 25: the one every longer length shares.
  std::vector<std::vector<uint64_t>> v4_filters(26);
  auto filter_index = [](unsigned length) { return length > 24 ? 25u : length; };
  std::string reason;
  for (uint32_t d = 0; d < set->definitions_.size(); ++d) {
    const AlertDefinition& definition = set->definitions_[d];
    for (uint32_t i = 0; i < definition.indicators.size(); ++i) {
      const Indicator& indicator = definition.indicators[i];
      auto canonical = canonical_indicator_value(indicator.type, indicator.value, &reason);
      if (!canonical) {
        if (rejected) add_rejected(*rejected, "alert definition " + definition.id, indicator.value, reason);
        continue;
      }
      Record record{};
      record.tag = tag_of(indicator.type);
      record.key_offset = static_cast<uint32_t>(staging.size());
      if (record.tag == kAddressTag) {
        std::string_view text = *canonical;
        size_t slash = text.find('/');
        auto address = IpAddr::parse(text.substr(0, slash));
        unsigned length = 128;
        if (slash != std::string_view::npos) length = static_cast<unsigned>(std::stoi(std::string(text.substr(slash + 1))));
        const bool v4 = address->is_v4();
        if (v4) {
          const unsigned v4_length = slash == std::string_view::npos ? 32 : length;
          v4_present[v4_length] = true;
          const unsigned bits = std::min(v4_length, 24u);
          std::vector<uint64_t>& filter = v4_filters[filter_index(v4_length)];
          if (filter.empty()) filter.assign(std::max<size_t>(1, (size_t{1} << bits) / 64), 0);
          const uint32_t top = bits == 0 ? 0 : address->v4_host_order() >> (32 - bits);
          filter[top / 64] |= uint64_t{1} << (top % 64);
          length = v4_length + 96;
        } else {
          v6_present[length] = true;
        }
        PrefixKey key = prefix_key(*address, length);
        staging.append(reinterpret_cast<const char*>(key.bytes), sizeof key.bytes);
        record.key_length = sizeof key.bytes;
      } else {
        staging += *canonical;
        record.key_length = static_cast<uint16_t>(canonical->size());
      }
      record.hash = hash_key(record.tag, staging.data() + record.key_offset, record.key_length);
      record.entry = Entry{indicator.valid_from_ns, indicator.valid_until_ns, d, i, indicator.port, indicator.action,
                           indicator.role};
      records.push_back(record);
    }
  }
  for (unsigned length = 129; length-- > 0;)
    if (v6_present[length]) set->v6_lengths_.push_back(static_cast<uint8_t>(length));
  std::vector<int> bitmap_of(26, -1);
  for (unsigned length = 33; length-- > 0;) {
    if (!v4_present[length]) continue;
    const unsigned index = filter_index(length);
    if (bitmap_of[index] < 0) {
      bitmap_of[index] = static_cast<int>(set->v4_bitmaps_.size());
      set->v4_bitmaps_.push_back(std::move(v4_filters[index]));
    }
    set->v4_levels_.push_back({static_cast<uint8_t>(length), static_cast<uint8_t>(std::min(length, 24u)),
                               static_cast<uint8_t>(bitmap_of[index])});
  }

  // Equal keys become neighbours, so each distinct key owns a contiguous run of entries, in
  // definition order (the first definition wins a tie).
  auto key_of = [&](const Record& r) { return std::string_view(staging.data() + r.key_offset, r.key_length); };
  std::sort(records.begin(), records.end(), [&](const Record& a, const Record& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (a.tag != b.tag) return a.tag < b.tag;
    if (int c = key_of(a).compare(key_of(b)); c != 0) return c < 0;
    if (a.entry.definition_index != b.entry.definition_index) return a.entry.definition_index < b.entry.definition_index;
    return a.entry.indicator_index < b.entry.indicator_index;
  });
  size_t distinct = 0;
  for (size_t i = 0; i < records.size(); ++i)
    if (i == 0 || records[i].hash != records[i - 1].hash || records[i].tag != records[i - 1].tag ||
        key_of(records[i]) != key_of(records[i - 1]))
      ++distinct;

  // Bloom filter: 8 words (one cache line) per block, about 16 bits per distinct key.
  const size_t blocks = std::bit_ceil(std::max<size_t>(1, distinct * 16 / 512 + 1));
  set->bloom_.assign(blocks * 8, 0);
  set->bloom_block_mask_ = blocks - 1;
  // Load factor at most 3/4 keeps linear probes short.
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, distinct + distinct / 3 + 1));
  set->slots_.assign(capacity, Slot{});
  set->mask_ = capacity - 1;
  set->entries_.reserve(records.size());
  for (size_t i = 0; i < records.size();) {
    size_t j = i + 1;
    while (j < records.size() && records[j].hash == records[i].hash && records[j].tag == records[i].tag &&
           key_of(records[j]) == key_of(records[i]))
      ++j;
    Slot slot{};
    slot.fingerprint = static_cast<uint32_t>(records[i].hash >> 32);
    slot.key_offset = static_cast<uint32_t>(set->keys_.size());
    slot.key_length = records[i].key_length;
    set->keys_.push_back(static_cast<char>(records[i].tag));
    set->keys_ += key_of(records[i]);
    slot.first_entry = static_cast<uint32_t>(set->entries_.size());
    slot.entry_count = static_cast<uint32_t>(j - i);
    for (size_t k = i; k < j; ++k) set->entries_.push_back(records[k].entry);
    {
      const uint64_t hash = records[i].hash;
      uint64_t* block = &set->bloom_[((hash >> 32) & set->bloom_block_mask_) * 8];
      for (int k = 0; k < 4; ++k) {
        const unsigned bit = (hash >> (k * 9 + 1)) & 511;  // 4 × 9 bits, distinct from the block bits above
        block[bit / 64] |= uint64_t{1} << (bit % 64);
      }
    }
    size_t index = records[i].hash & set->mask_;
    while (set->slots_[index].entry_count != 0) index = (index + 1) & set->mask_;
    set->slots_[index] = slot;
    i = j;
  }
  return set;
}

size_t IndicatorSet::memory_bytes() const {
  size_t bytes = sizeof(*this) + slots_.capacity() * sizeof(Slot) + entries_.capacity() * sizeof(Entry) +
                 keys_.capacity() + definitions_.capacity() * sizeof(AlertDefinition);
  for (const std::vector<uint64_t>& bitmap : v4_bitmaps_) bytes += bitmap.capacity() * sizeof(uint64_t);
  bytes += bloom_.capacity() * sizeof(uint64_t);
  for (const AlertDefinition& d : definitions_) {
    bytes += d.indicators.capacity() * sizeof(Indicator);
    for (const Indicator& i : d.indicators) {
      // Short strings live inside the object (SSO); longer ones own a heap block.
      if (i.value.capacity() > 15) bytes += i.value.capacity() + 1;
      if (i.source.capacity() > 15) bytes += i.source.capacity() + 1;
    }
  }
  return bytes;
}

bool IndicatorSet::bloom_may_contain(uint64_t hash) const {
  const uint64_t* block = &bloom_[((hash >> 32) & bloom_block_mask_) * 8];
  for (int k = 0; k < 4; ++k) {
    const unsigned bit = (hash >> (k * 9 + 1)) & 511;
    if ((block[bit / 64] >> (bit % 64) & 1) == 0) return false;
  }
  return true;
}

const IndicatorSet::Slot* IndicatorSet::find(uint8_t tag, const void* key, size_t length) const {
  const uint64_t hash = hash_key(tag, key, length);
  if (!bloom_may_contain(hash)) return nullptr;
  const uint32_t fingerprint = static_cast<uint32_t>(hash >> 32);
  for (size_t index = hash & mask_;; index = (index + 1) & mask_) {
    const Slot& slot = slots_[index];
    if (slot.entry_count == 0) return nullptr;
    if (slot.fingerprint == fingerprint && slot.key_length == length &&
        static_cast<uint8_t>(keys_[slot.key_offset]) == tag &&
        std::memcmp(keys_.data() + slot.key_offset + 1, key, length) == 0)
      return &slot;
  }
}

bool IndicatorSet::scan(const Slot* slot, int64_t now_ns, EndpointRole role, uint16_t port, Scan& result) const {
  for (uint32_t k = 0; k < slot->entry_count; ++k) {
    const Entry& entry = entries_[slot->first_entry + k];
    if (!valid_at(entry.valid_from_ns, entry.valid_until_ns, now_ns)) continue;
    if (entry.role != EndpointRole::Any && entry.role != role) continue;
    if (entry.port != 0 && entry.port != port) continue;
    if (entry.action == IndicatorAction::Allow) {
      result.allow = &entry;
      return true;
    }
    if (!result.alert) result.alert = &entry;
  }
  return false;
}

IndicatorMatch IndicatorSet::result_of(const Scan& scan) const {
  const Entry* entry = scan.allow ? scan.allow : scan.alert;
  if (!entry) return {};
  return {scan.allow ? IndicatorMatch::Verdict::Allowed : IndicatorMatch::Verdict::Alert,
          &definitions_[entry->definition_index].indicators[entry->indicator_index], entry->definition_index};
}

IndicatorMatch IndicatorSet::match_ip(const IpAddr& address, int64_t now_ns, EndpointRole role, uint16_t port) const {
  Scan result;
  if (address.is_v4()) {
    const uint32_t host = address.v4_host_order();
    for (const V4Level& level : v4_levels_) {
      const uint32_t top = level.filter_bits == 0 ? 0 : host >> (32 - level.filter_bits);
      if ((v4_bitmaps_[level.bitmap][top / 64] >> (top % 64) & 1) == 0) continue;
      PrefixKey key = prefix_key(address, level.length + 96u);
      if (const Slot* slot = find(kAddressTag, key.bytes, sizeof key.bytes); slot && scan(slot, now_ns, role, port, result))
        break;
    }
    return result_of(result);
  }
  for (uint8_t length : v6_lengths_) {
    PrefixKey key = prefix_key(address, length);
    if (const Slot* slot = find(kAddressTag, key.bytes, sizeof key.bytes); slot && scan(slot, now_ns, role, port, result))
      break;
  }
  return result_of(result);
}

IndicatorMatch IndicatorSet::match_domain(std::string_view name, int64_t now_ns) const {
  if (has_upper(name) || (!name.empty() && name.back() == '.')) {
    std::string& lowered = scratch();
    lowered.assign(name);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lowered.empty() && lowered.back() == '.') lowered.pop_back();
    name = lowered;
  }
  const uint8_t tag = tag_of(IndicatorType::Domain);
  Scan result;
  // Most specific first: the whole name, then each parent after a dot.
  for (size_t start = 0; start < name.size();) {
    std::string_view suffix = name.substr(start);
    if (const Slot* slot = find(tag, suffix.data(), suffix.size()); slot && scan(slot, now_ns, EndpointRole::Any, 0, result))
      break;
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return result_of(result);
}

IndicatorMatch IndicatorSet::match_exact(uint8_t tag, std::string_view value, int64_t now_ns) const {
  Scan result;
  if (const Slot* slot = find(tag, value.data(), value.size())) scan(slot, now_ns, EndpointRole::Any, 0, result);
  return result_of(result);
}

IndicatorMatch IndicatorSet::match_lower(uint8_t tag, std::string_view value, int64_t now_ns) const {
  if (has_upper(value)) {
    std::string& lowered = scratch();
    lowered.assign(value);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return match_exact(tag, lowered, now_ns);
  }
  return match_exact(tag, value, now_ns);
}

IndicatorMatch IndicatorSet::match_url(std::string_view url, int64_t now_ns) const {
  std::string& normalised = scratch();
  if (!normalize_url_into(url, normalised)) return {};
  return match_exact(tag_of(IndicatorType::Url), normalised, now_ns);
}

IndicatorMatch IndicatorSet::match_value(IndicatorType type, std::string_view value, int64_t now_ns) const {
  switch (type) {
    case IndicatorType::Ip:
    case IndicatorType::Cidr: {
      std::string_view text = value;
      if (size_t slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
      auto address = IpAddr::parse(text);
      return address ? match_ip(*address, now_ns) : IndicatorMatch{};
    }
    case IndicatorType::Domain: return match_domain(value, now_ns);
    case IndicatorType::Url: return match_url(value, now_ns);
    case IndicatorType::Ja4: return match_exact(tag_of(type), value, now_ns);
    case IndicatorType::Md5:
    case IndicatorType::Sha1:
    case IndicatorType::Sha256:
    case IndicatorType::Ja3:
    case IndicatorType::Ja3s:
    case IndicatorType::CertSha1:
    case IndicatorType::CertSha256: return match_lower(tag_of(type), value, now_ns);
  }
  return {};
}

}  // namespace ots::detect::ti
