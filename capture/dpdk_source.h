// DPDK poll-mode capture: one receive queue per worker, symmetric RSS so both
// directions of a flow land on the same queue. Receive-only: no packet is ever
// transmitted. The EAL can be initialised once per process, so open_dpdk() can
// succeed at most once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_error.h"
#include "capture/packet_source.h"

namespace ots {

struct DpdkOptions {
  // EAL command line, e.g. "-l 0 --in-memory --no-huge --vdev net_pcap0,rx_pcap=x.pcap".
  std::string eal_args;
  uint16_t port = 0;
  uint16_t queues = 1;
  uint16_t burst_size = 32;  // upper bound for one rte_eth_rx_burst
  uint32_t mbufs = 8191;     // mempool size shared by all queues
};

// Splits on whitespace; '...' and "..." group words (no escapes). Throws CaptureError on an unclosed quote.
std::vector<std::string> split_eal_args(const std::string& args);

// Throws CaptureError with one line: EAL failure, unknown port (listing the available ones),
// unsupported queue count, or a configuration the PMD refuses.
// receive_burst() never returns End: a port has no end, Idle means the queue was empty.
std::unique_ptr<PacketSource> open_dpdk(const DpdkOptions& options);

}  // namespace ots
