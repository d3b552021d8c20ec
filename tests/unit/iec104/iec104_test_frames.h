// Builders of IEC 60870-5-104 APDUs for the unit tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace ots::iec104_test {

using ByteVector = std::vector<uint8_t>;

inline ByteVector concat(std::initializer_list<ByteVector> parts) {
  ByteVector out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// ASDU header (type id, VSQ, COT with P/N and test bits, originator, CASDU) + objects.
inline ByteVector asdu(uint8_t type_id, uint8_t vsq, uint8_t cot, uint16_t common_address,
                       const ByteVector& objects, uint8_t originator = 0) {
  ByteVector out{type_id,
                 vsq,
                 cot,
                 originator,
                 static_cast<uint8_t>(common_address),
                 static_cast<uint8_t>(common_address >> 8)};
  out.insert(out.end(), objects.begin(), objects.end());
  return out;
}

inline ByteVector i_frame(uint16_t send_seq, uint16_t recv_seq, const ByteVector& asdu_bytes) {
  auto ns = static_cast<uint16_t>(send_seq << 1);
  auto nr = static_cast<uint16_t>(recv_seq << 1);
  ByteVector out{0x68,
                 static_cast<uint8_t>(4 + asdu_bytes.size()),
                 static_cast<uint8_t>(ns),
                 static_cast<uint8_t>(ns >> 8),
                 static_cast<uint8_t>(nr),
                 static_cast<uint8_t>(nr >> 8)};
  out.insert(out.end(), asdu_bytes.begin(), asdu_bytes.end());
  return out;
}

inline ByteVector u_frame(uint8_t control) { return {0x68, 0x04, control, 0x00, 0x00, 0x00}; }

inline ByteVector s_frame(uint16_t recv_seq) {
  auto nr = static_cast<uint16_t>(recv_seq << 1);
  return {0x68, 0x04, 0x01, 0x00, static_cast<uint8_t>(nr), static_cast<uint8_t>(nr >> 8)};
}

// A 3-byte little-endian information object address followed by an element.
inline ByteVector object(uint32_t ioa, const ByteVector& element) {
  ByteVector out{static_cast<uint8_t>(ioa), static_cast<uint8_t>(ioa >> 8), static_cast<uint8_t>(ioa >> 16)};
  out.insert(out.end(), element.begin(), element.end());
  return out;
}

constexpr uint8_t kStartDtAct = 0x07, kStartDtCon = 0x0B, kStopDtAct = 0x13, kStopDtCon = 0x23,
                  kTestFrAct = 0x43, kTestFrCon = 0x83;

}  // namespace ots::iec104_test
