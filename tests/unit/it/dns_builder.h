// Builds DNS-format messages for the dns and nbns tests.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ots::it_test {

struct DnsBuilder {
  std::vector<uint8_t> bytes;
  DnsBuilder(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar) {
    for (uint16_t v : {id, flags, qd, an, ns, ar}) be16(v);
  }
  DnsBuilder& be16(uint16_t v) {
    bytes.push_back(uint8_t(v >> 8));
    bytes.push_back(uint8_t(v));
    return *this;
  }
  DnsBuilder& be32(uint32_t v) { return be16(uint16_t(v >> 16)).be16(uint16_t(v)); }
  DnsBuilder& raw(std::vector<uint8_t> v) {
    bytes.insert(bytes.end(), v.begin(), v.end());
    return *this;
  }
  // Dotted name as labels, root terminated.
  DnsBuilder& name(std::string_view dotted) {
    while (!dotted.empty()) {
      size_t dot = dotted.find('.');
      std::string_view label = dotted.substr(0, dot);
      bytes.push_back(uint8_t(label.size()));
      bytes.insert(bytes.end(), label.begin(), label.end());
      dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
    }
    bytes.push_back(0);
    return *this;
  }
  DnsBuilder& pointer(uint16_t offset) { return be16(uint16_t(0xC000 | offset)); }
  DnsBuilder& question(std::string_view dotted, uint16_t type, uint16_t rclass = 1) {
    return name(dotted).be16(type).be16(rclass);
  }
  // Record header after the owner name; rdata follows.
  DnsBuilder& record(uint16_t type, uint16_t rclass, uint32_t ttl, std::vector<uint8_t> rdata) {
    be16(type).be16(rclass).be32(ttl).be16(uint16_t(rdata.size()));
    return raw(std::move(rdata));
  }
};

}  // namespace ots::it_test
