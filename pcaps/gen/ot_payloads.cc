#include "pcaps/gen/ot_payloads.h"

#include <algorithm>

#include "pcaps/gen/recorder.h"

namespace ots::pcapgen {

namespace {
void put16(Frame& f, uint16_t v) {
  f.push_back(static_cast<uint8_t>(v >> 8));
  f.push_back(static_cast<uint8_t>(v));
}
void put_le16(Frame& f, uint16_t v) {
  f.push_back(static_cast<uint8_t>(v));
  f.push_back(static_cast<uint8_t>(v >> 8));
}
void put_le32(Frame& f, uint32_t v) {
  put_le16(f, static_cast<uint16_t>(v));
  put_le16(f, static_cast<uint16_t>(v >> 16));
}
void append(Frame& f, const Frame& tail) { f.insert(f.end(), tail.begin(), tail.end()); }
}  // namespace

Frame modbus_read_request(uint16_t transaction, uint8_t unit, uint16_t address, uint16_t count) {
  Frame f;
  put16(f, transaction);
  put16(f, 0);  // protocol id
  put16(f, 6);  // unit id + PDU
  f.push_back(unit);
  f.push_back(3);
  put16(f, address);
  put16(f, count);
  return f;
}

Frame modbus_read_response(uint16_t transaction, uint8_t unit, uint16_t count, uint32_t seed) {
  count = std::min<uint16_t>(count, 125);
  Frame f;
  put16(f, transaction);
  put16(f, 0);
  put16(f, static_cast<uint16_t>(3 + 2 * count));
  f.push_back(unit);
  f.push_back(3);
  f.push_back(static_cast<uint8_t>(2 * count));
  append(f, pattern_bytes(2 * count, seed));
  return f;
}

Frame s7_message(size_t size, uint32_t seed) {
  Frame f{0x03, 0x00};
  put16(f, static_cast<uint16_t>(7 + size));
  f.insert(f.end(), {0x02, 0xf0, 0x80});  // COTP DT, last data unit
  Frame body = pattern_bytes(size, seed);
  if (!body.empty()) body[0] = 0x32;  // S7 protocol id
  append(f, body);
  return f;
}

Frame enip_message(uint32_t session, size_t size, uint32_t seed) {
  Frame f;
  put_le16(f, 0x006f);  // SendRRData
  put_le16(f, static_cast<uint16_t>(16 + size));
  put_le32(f, session);
  put_le32(f, 0);  // status
  for (int i = 0; i < 8; ++i) f.push_back(static_cast<uint8_t>(seed >> (i % 4 * 8)));  // sender context
  put_le32(f, 0);  // options
  put_le32(f, 0);  // interface handle (CIP)
  put_le16(f, 0);  // timeout
  put_le16(f, 2);  // common packet format: null address item + unconnected data item
  put_le16(f, 0x0000);
  put_le16(f, 0);
  put_le16(f, 0x00b2);
  put_le16(f, static_cast<uint16_t>(size));
  append(f, pattern_bytes(size, seed));
  return f;
}

Frame dnp3_message(uint16_t destination, uint16_t source, size_t size, uint32_t seed) {
  Frame f{0x05, 0x64, static_cast<uint8_t>(std::min<size_t>(5 + size, 255)), 0xc4};
  put_le16(f, destination);
  put_le16(f, source);
  put16(f, static_cast<uint16_t>(seed));  // header CRC position (not a real CRC)
  append(f, pattern_bytes(size, seed));
  return f;
}

Frame iec104_message(uint16_t send_seq, uint16_t receive_seq, size_t size, uint32_t seed) {
  Frame f{0x68, static_cast<uint8_t>(std::min<size_t>(4 + size, 253))};
  put_le16(f, static_cast<uint16_t>(send_seq << 1));  // I-format
  put_le16(f, static_cast<uint16_t>(receive_seq << 1));
  append(f, pattern_bytes(std::min<size_t>(size, 249), seed));
  return f;
}

}  // namespace ots::pcapgen
