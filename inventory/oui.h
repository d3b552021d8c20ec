// Vendor names from the IEEE registration authority's public listings
// (Debian ieee-data: MA-L oui.csv, MA-M mam.csv, MA-S oui36.csv).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/net_types.h"

namespace ots {

class OuiRegistry {
 public:
  // Loads every CSV found in `directory`; a missing directory leaves the registry empty.
  static OuiRegistry load(const std::string& directory);
  // Adds one registry CSV ("Registry,Assignment,Organization Name,Organization Address").
  size_t load_csv(const std::string& path);
  void add(std::string_view assignment_hex, std::string organization);

  // Longest-prefix match (36, 28, then 24 bits); empty when unknown or locally administered.
  std::string_view vendor(const MacAddr& mac) const;
  size_t size() const { return by_prefix_[0].size() + by_prefix_[1].size() + by_prefix_[2].size(); }

 private:
  // [0] 24-bit, [1] 28-bit, [2] 36-bit prefixes.
  std::unordered_map<uint64_t, std::string> by_prefix_[3];
};

}  // namespace ots
