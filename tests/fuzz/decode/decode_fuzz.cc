// Fuzzes the L2–L4 decoder and the dispatch hash. Input: see fuzz_packet.h.
#include <array>
#include <cstddef>
#include <cstdint>

#include "dissectors/decode/packet_decoder.h"
#include "tests/fuzz/decode/fuzz_packet.h"

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
  const ots::PacketView packet = ots::fuzz::packet_from_input(data, size, kLinkTypes, now_ns);

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
