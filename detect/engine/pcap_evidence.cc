#include "detect/engine/pcap_evidence.h"

#include <algorithm>

namespace ots::detect {

namespace {
// pcap is written in the host's byte order; readers detect it from the magic. Little-endian is
// written explicitly so the bytes are the same on every host.
void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
}  // namespace

std::vector<uint8_t> make_pcap(std::span<const EvidenceFrame> frames, uint32_t link_type) {
  constexpr uint32_t kSnapLength = 262144;
  std::vector<uint8_t> out;
  size_t total = 24;
  for (const EvidenceFrame& f : frames) total += 16 + std::min<size_t>(f.bytes.size(), kSnapLength);
  out.reserve(total);
  put32(out, kPcapNanosecondMagic);
  put16(out, 2);  // version 2.4
  put16(out, 4);
  put32(out, 0);  // thiszone
  put32(out, 0);  // sigfigs
  put32(out, kSnapLength);
  put32(out, link_type);
  for (const EvidenceFrame& f : frames) {
    const int64_t ts = std::max<int64_t>(f.ts_ns, 0);
    const auto length = static_cast<uint32_t>(std::min<size_t>(f.bytes.size(), kSnapLength));
    put32(out, static_cast<uint32_t>(ts / 1'000'000'000));
    put32(out, static_cast<uint32_t>(ts % 1'000'000'000));
    put32(out, length);
    put32(out, length);
    out.insert(out.end(), f.bytes.begin(), f.bytes.begin() + length);
  }
  return out;
}

}  // namespace ots::detect
