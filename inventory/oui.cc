#include "inventory/oui.h"

#include <filesystem>
#include <fstream>
#include <vector>

namespace ots {

namespace {

// Splits the first `max_fields` fields of one CSV line with RFC 4180 quoting.
std::vector<std::string> split_csv(std::string_view line, size_t max_fields) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (!quoted && line[i] == ',' && fields.size() == max_fields) break;
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

int prefix_table(size_t hex_digits) {
  switch (hex_digits) {
    case 6: return 0;
    case 7: return 1;
    case 9: return 2;
    default: return -1;
  }
}

}  // namespace

OuiRegistry OuiRegistry::load(const std::string& directory) {
  OuiRegistry registry;
  for (const char* name : {"oui.csv", "mam.csv", "oui36.csv"}) {
    const std::string path = directory + "/" + name;
    std::error_code unreadable;  // as missing: the registry only names vendors
    if (std::filesystem::exists(path, unreadable)) registry.load_csv(path);
  }
  return registry;
}

void OuiRegistry::add(std::string_view hex, std::string organization) {
  const int table = prefix_table(hex.size());
  if (table < 0) return;
  uint64_t value = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return;
    value = value << 4 | static_cast<uint64_t>(d);
  }
  by_prefix_[table].emplace(value, std::move(organization));
}

size_t OuiRegistry::load_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  size_t added = 0;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f = split_csv(line, 3);
    if (f.size() < 3) continue;
    add(f[1], f[2]);
    ++added;
  }
  return added;
}

std::string_view OuiRegistry::vendor(const MacAddr& mac) const {
  if (mac.bytes[0] & 0x02) return {};  // locally administered: no registry owner
  const uint64_t v = mac.as_u64();
  if (auto it = by_prefix_[2].find(v >> 12); it != by_prefix_[2].end()) return it->second;
  if (auto it = by_prefix_[1].find(v >> 20); it != by_prefix_[1].end()) return it->second;
  if (auto it = by_prefix_[0].find(v >> 24); it != by_prefix_[0].end()) return it->second;
  return {};
}

}  // namespace ots
