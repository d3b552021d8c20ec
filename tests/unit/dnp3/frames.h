// Builders of DNP3 test frames: link header and user-data blocks with their CRCs.
// The CRC itself is checked against frames from real captures in dnp3_parser_test.cc.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "dissectors/dnp3/dnp3_parser.h"

namespace ots::dnp3_test {

using Frame = std::vector<uint8_t>;

constexpr uint8_t kMaster = 3;
constexpr uint8_t kOutstation = 4;
// Link control octets: DIR | PRM | Unconfirmed User Data (master), PRM | same (outstation).
constexpr uint8_t kFromMaster = 0xC4;
constexpr uint8_t kFromOutstation = 0x44;

inline void append_crc(Frame& out, size_t from) {
  uint16_t crc = dnp3::crc16(Bytes(out.data() + from, out.size() - from));
  out.push_back(static_cast<uint8_t>(crc));
  out.push_back(static_cast<uint8_t>(crc >> 8));
}

// A link frame carrying `user_data` (transport octet first), split into CRC'd blocks.
inline Frame link_frame(uint8_t control, uint16_t destination, uint16_t source,
                        const std::vector<uint8_t>& user_data) {
  Frame out = {0x05,
               0x64,
               static_cast<uint8_t>(5 + user_data.size()),
               control,
               static_cast<uint8_t>(destination),
               static_cast<uint8_t>(destination >> 8),
               static_cast<uint8_t>(source),
               static_cast<uint8_t>(source >> 8)};
  append_crc(out, 0);
  for (size_t i = 0; i < user_data.size(); i += 16) {
    size_t from = out.size();
    for (size_t j = i; j < user_data.size() && j < i + 16; ++j) out.push_back(user_data[j]);
    append_crc(out, from);
  }
  return out;
}

// A single-segment application fragment (transport FIR | FIN, sequence `transport_seq`).
inline Frame app_frame(bool from_master, std::initializer_list<uint8_t> fragment, uint8_t transport_seq = 0) {
  std::vector<uint8_t> data = {static_cast<uint8_t>(0xC0 | (transport_seq & 0x3F))};
  data.insert(data.end(), fragment.begin(), fragment.end());
  return from_master ? link_frame(kFromMaster, kOutstation, kMaster, data)
                     : link_frame(kFromOutstation, kMaster, kOutstation, data);
}

inline Frame concat(std::initializer_list<Frame> frames) {
  Frame out;
  for (const Frame& f : frames) out.insert(out.end(), f.begin(), f.end());
  return out;
}

}  // namespace ots::dnp3_test
