// One packet-source interface over pcap files, libpcap live capture and DPDK.
// A source hands out bursts of packet views; the bytes stay valid until the
// caller releases that queue. A pcap file is a source with one queue.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/packet.h"

namespace ots {

struct SourceStats {
  uint64_t packets = 0;               // handed out
  uint64_t bytes = 0;                 // wire bytes handed out
  uint64_t dropped_by_sensor = 0;     // lost inside the source (ring or mempool full)
  uint64_t dropped_by_interface = 0;  // reported by the NIC / kernel
};

enum class BurstStatus : uint8_t {
  Packets,  // count > 0
  Idle,     // nothing right now (live sources); poll again
  End,      // no more packets will come
  Error,    // stopped on an error; error() says why. Packets before it were delivered.
};

struct Burst {
  size_t count = 0;
  BurstStatus status = BurstStatus::Packets;
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;

  // Human-readable origin: file path, interface name, "dpdk:port0".
  virtual std::string describe() const = 0;
  // Independent receive queues (DPDK RSS queues); each is polled by one thread.
  virtual size_t queue_count() const { return 1; }
  // Fills out[0..n) with packets from `queue`. They stay valid until release(queue).
  virtual Burst receive_burst(size_t queue, std::span<PacketView> out) = 0;
  virtual void release(size_t queue) = 0;
  // Asks a live source to end its stream (callable from any thread or a signal handler path).
  virtual void request_stop() {}
  virtual SourceStats stats() const = 0;
  // After BurstStatus::Error: one line naming the file/interface and, for files, the byte offset.
  virtual std::string error() const { return {}; }
};

}  // namespace ots
