// Application labels from nDPI for flows that none of our dissectors confirmed
// (nDPI is good at IT protocols; for OT our dissectors decide — nDPI 4.2 calls
// ENIP I/O "SkypeCall" and misses BACnet). One detection module per worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/bytes.h"

struct ndpi_detection_module_struct;
struct ndpi_flow_struct;

namespace ots {

class NdpiLabeler {
 public:
  // Packets of a flow given to nDPI before it must decide (or guess): nDPI settles
  // what it knows within a few packets, and each further one costs a full protocol scan.
  static constexpr uint8_t kMaxPackets = 8;

  struct FlowState {
    FlowState();
    ~FlowState();
    FlowState(const FlowState&) = delete;
    FlowState& operator=(const FlowState&) = delete;
    ndpi_flow_struct* flow;
    uint8_t packets = 0;
  };

  NdpiLabeler();
  ~NdpiLabeler();
  NdpiLabeler(const NdpiLabeler&) = delete;
  NdpiLabeler& operator=(const NdpiLabeler&) = delete;

  // Feeds one packet (starting at its IP header). Returns the label once nDPI has
  // decided (static storage), or an empty view while it still needs packets.
  std::string_view process(FlowState& state, Bytes ip_packet, int64_t ts_ns);
  // The flow ends before nDPI decided: its best guess ("Unknown" if none).
  std::string_view give_up(FlowState& state);

 private:
  std::string_view name_of(uint16_t master, uint16_t app) const;
  ndpi_detection_module_struct* module_;
};

}  // namespace ots
