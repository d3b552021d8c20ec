// Reads pcap and pcapng capture files with our own parser (no libpcap), so a
// corrupt record is reported with its exact byte offset and the parser can be
// fuzzed. The file is memory-mapped and packets are zero-copy views into it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_error.h"
#include "capture/packet_source.h"

namespace ots {

// Records longer than this are treated as corruption (libpcap's own upper bound).
inline constexpr uint32_t kMaxCaptureLength = 262144;

// Throws CaptureError (one line naming the file) if it cannot be read or its
// header is neither pcap nor pcapng. Corrupt records later on end the stream with
// BurstStatus::Error after every good packet before them.
std::unique_ptr<PacketSource> open_capture_file(const std::string& path);

// The same reader over bytes in memory (tests, fuzzing); `name` stands in for the path.
std::unique_ptr<PacketSource> open_capture_memory(std::string name, std::vector<uint8_t> bytes);

}  // namespace ots
