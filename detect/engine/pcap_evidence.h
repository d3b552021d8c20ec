// Evidence frames as a pcap file (nanosecond-resolution pcap, Ethernet link type), the form
// `GET /api/v2/alerts/pcap/{id}` and `otsensor alerts --pcap` hand out.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ots::detect {

struct EvidenceFrame {
  int64_t ts_ns = 0;
  std::span<const uint8_t> bytes;
};

constexpr uint32_t kPcapNanosecondMagic = 0xa1b23c4d;
constexpr uint32_t kLinkTypeEthernet = 1;

std::vector<uint8_t> make_pcap(std::span<const EvidenceFrame> frames, uint32_t link_type = kLinkTypeEthernet);

}  // namespace ots::detect
