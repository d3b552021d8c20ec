// Fuzzes the pcap/pcapng reader: open the bytes as a capture and read every burst.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "capture/pcap_file_source.h"

static volatile uint64_t sink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<ots::PacketSource> source;
  try {
    source = ots::open_capture_memory("fuzz.pcap", std::vector<uint8_t>(data, data + size));
  } catch (const ots::CaptureError&) {
    return 0;
  }
  std::array<ots::PacketView, 7> views;
  uint64_t checksum = 0;
  for (;;) {
    ots::Burst burst = source->receive_burst(0, views);
    if (burst.count == 0) {
      // A stream ends one way or the other, and only an error explains itself.
      if (burst.status != ots::BurstStatus::End && burst.status != ots::BurstStatus::Error) std::abort();
      if ((burst.status == ots::BurstStatus::Error) == source->error().empty()) std::abort();
      break;
    }
    for (size_t i = 0; i < burst.count; ++i) {
      const ots::PacketView& packet = views[i];
      if (packet.data.size() > ots::kMaxCaptureLength || packet.wire_len < packet.data.size()) std::abort();
      for (uint8_t byte : packet.data) checksum += byte;  // ASan checks every byte of the view is readable
    }
    source->release(0);
  }
  sink = checksum;
  return 0;
}
