// Reads a pcap file through DPDK's net_pcap virtual device and prints what came
// out, so dpdk_source_test (a separate process: the EAL initialises once per
// process) can compare it with the file reader. Stops after 2 s without packets.
// Usage: dpdk_source_probe FILE [PORT]; PORT (default 0) lets the test ask for a port that does not exist.
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "capture/dpdk_source.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s FILE.pcap [PORT]\n", argv[0]);
    return 2;
  }
  try {
    ots::DpdkOptions options;
    options.eal_args =
        std::string("-l 0 --no-huge --no-pci --no-shconf --no-telemetry --log-level=*:error ") +
        "--vdev 'net_pcap0,rx_pcap=" + argv[1] + "'";
    options.mbufs = 2047;
    if (argc == 3) options.port = static_cast<uint16_t>(std::stoi(argv[2]));
    auto source = ots::open_dpdk(options);
    std::array<ots::PacketView, 32> packets;
    uint64_t count = 0, bytes = 0;
    int64_t first_ns = 0, last_ns = 0;
    auto last_packet = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - last_packet < std::chrono::seconds(2)) {
      ots::Burst burst = source->receive_burst(0, packets);
      for (size_t i = 0; i < burst.count; ++i) {
        if (count++ == 0) first_ns = packets[i].ts_ns;
        last_ns = packets[i].ts_ns;
        bytes += packets[i].data.size();
      }
      source->release(0);
      if (burst.count > 0) last_packet = std::chrono::steady_clock::now();
    }
    ots::SourceStats stats = source->stats();
    std::printf("packets=%llu bytes=%llu first_ns=%lld last_ns=%lld stats_packets=%llu\n",
                static_cast<unsigned long long>(count), static_cast<unsigned long long>(bytes),
                static_cast<long long>(first_ns), static_cast<long long>(last_ns),
                static_cast<unsigned long long>(stats.packets));
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
}
