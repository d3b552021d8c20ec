// Live capture through libpcap. Receive-only: the sensor never transmits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "capture/capture_error.h"
#include "capture/packet_source.h"

namespace ots {

struct LiveCaptureOptions {
  std::string interface;
  std::string bpf;  // empty: every packet
  uint32_t snaplen = 262144;
  uint32_t buffer_mb = 64;  // kernel ring; too small and bursts are dropped while we are busy
  bool promiscuous = true;
};

// Throws CaptureError naming the interface if it cannot be opened, the caller
// lacks permission, the BPF does not compile or the link type is not supported.
// receive_burst() returns Idle after ~100 ms without packets and End after request_stop().
std::unique_ptr<PacketSource> open_live_capture(const LiveCaptureOptions& options);

}  // namespace ots
