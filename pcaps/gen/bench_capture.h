// The benchmark capture: a large, deterministic OT network – masters (HMIs,
// SCADA servers) polling many field devices over Modbus, S7, EtherNet/IP, DNP3
// and IEC 60870-5-104 with TCP handshakes and closes, plus UDP cyclic I/O and ARP.
#pragma once

#include <cstdint>
#include <string>

namespace ots::pcapgen {

struct BenchOptions {
  uint64_t packets = 1'000'000;
  uint32_t devices = 2'000;
  uint32_t flows = 20'000;
};

struct BenchSummary {
  uint64_t packets = 0;
  uint64_t wire_bytes = 0;
  uint64_t flows = 0;  // flow instances (5-tuples) started
  uint32_t devices = 0;
};

// Writes exactly options.packets packets (pcap, microseconds, Ethernet) to `path`.
BenchSummary write_bench_capture(const BenchOptions& options, const std::string& path);

}  // namespace ots::pcapgen
