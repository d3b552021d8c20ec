// Fuzzes the L2–L4 decoder and the dispatch hash. Input: one control byte, then
// the frame. The control byte picks the link type (low 4 bits), whether the frame
// was cut by a snaplen (bit 4) and how far packet time advances (bits 5–7), so one
// long-lived decoder sees fragments arrive, complete, collide and time out.
#include <array>
#include <cstddef>
#include <cstdint>

#include "dissectors/decode/packet_decoder.h"

namespace {

constexpr std::array<ots::LinkType, 9> kLinkTypes = {
    ots::LinkType::Ethernet, ots::LinkType::LinuxSll, ots::LinkType::LinuxSll2,
    ots::LinkType::Raw,      ots::LinkType::Ipv4,     ots::LinkType::Ipv6,
    ots::LinkType::Null,     ots::LinkType::Loop,     static_cast<ots::LinkType>(147),  // unsupported
};

// Small budget and timeout so eviction and expiry happen within a fuzzing run.
ots::PacketDecoder& decoder() {
  static ots::PacketDecoder instance(
      {.max_fragment_bytes = 16 * 1024, .fragment_timeout_ns = 30'000'000'000});
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static int64_t now_ns = 0;
  uint8_t control = data[0];
  now_ns += int64_t{control >> 5} * 5'000'000'000;

  ots::PacketView packet;
  packet.ts_ns = now_ns;
  packet.data = ots::Bytes(data + 1, size - 1);
  packet.link = kLinkTypes[(control & 0x0f) % kLinkTypes.size()];
  packet.wire_len = static_cast<uint32_t>(packet.data.size()) + ((control & 0x10) ? 100 : 0);

  (void)ots::symmetric_dispatch_hash(packet);
  ots::DecodedPacket out;
  if (decoder().decode(packet, out) == ots::DecodeResult::Decoded) {
    // Touch every view so the sanitizers check they point at live memory.
    volatile uint8_t sink = 0;
    for (uint8_t b : out.payload) sink = sink + b;
    for (uint8_t b : out.l3_payload) sink = sink + b;
  }
  return 0;
}
