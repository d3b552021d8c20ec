// Differential fuzzing of the decoder's fast path: every input is decoded by a decoder with
// the fast path and by one without it (the general header walk); any difference in result,
// decoded fields, byte views or statistics aborts. Input: see fuzz_packet.h (the link-type
// table is mostly Ethernet, so the fast path is reached often). The two decoders live
// across inputs, so fragments held, completed and expired between common frames are compared too.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dissectors/decode/packet_decoder.h"
#include "tests/fuzz/decode/fuzz_packet.h"
#include "tests/unit/decode/decode_diff.h"

namespace {

constexpr std::array<ots::LinkType, 16> kLinkTypes = {
    ots::LinkType::Ethernet, ots::LinkType::Ethernet, ots::LinkType::Ethernet, ots::LinkType::Ethernet,
    ots::LinkType::Ethernet, ots::LinkType::Ethernet, ots::LinkType::Ethernet, ots::LinkType::Ethernet,
    ots::LinkType::LinuxSll, ots::LinkType::LinuxSll2, ots::LinkType::Raw, ots::LinkType::Ipv4,
    ots::LinkType::Ipv6,     ots::LinkType::Null,      ots::LinkType::Loop,
    static_cast<ots::LinkType>(147),  // unsupported
};

ots::test::DifferentialDecoder& decoders() {
  static ots::test::DifferentialDecoder instance(
      {.max_fragment_bytes = 16 * 1024, .fragment_timeout_ns = 30'000'000'000});
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static int64_t now_ns = 0;
  const ots::PacketView packet = ots::fuzz::packet_from_input(data, size, kLinkTypes, now_ns);

  std::string difference = decoders().decode(packet);
  if (!difference.empty()) {
    std::fprintf(stderr, "fast path and walk differ: %s\n", difference.c_str());
    std::abort();
  }
  return 0;
}
