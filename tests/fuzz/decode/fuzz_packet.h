// The decoder fuzz targets' input: one control byte, then the frame. The control byte picks
// the link type (low 4 bits, an index into the target's table), whether the frame was cut by
// a snaplen (bit 4) and how far packet time advances (bits 5–7), so one long-lived decoder
// sees fragments arrive, complete, collide and time out.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/packet.h"

namespace ots::fuzz {

// `now_ns`: the target's packet clock, advanced by the control byte. `size` must be at least 1.
template <size_t N>
PacketView packet_from_input(const uint8_t* data, size_t size, const std::array<LinkType, N>& link_types,
                             int64_t& now_ns) {
  const uint8_t control = data[0];
  now_ns += int64_t{control >> 5} * 5'000'000'000;
  PacketView packet;
  packet.ts_ns = now_ns;
  packet.data = Bytes(data + 1, size - 1);
  packet.link = link_types[(control & 0x0f) % N];
  packet.wire_len = static_cast<uint32_t>(packet.data.size()) + ((control & 0x10) ? 100 : 0);
  return packet;
}

}  // namespace ots::fuzz
