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
void put24_le(Frame& f, uint32_t v) {
  put_le16(f, static_cast<uint16_t>(v));
  f.push_back(static_cast<uint8_t>(v >> 16));
}

// TPKT + COTP DT (last data unit) around an S7 PDU.
Frame tpkt_dt(const Frame& s7) {
  Frame f{0x03, 0x00};
  put16(f, static_cast<uint16_t>(7 + s7.size()));
  f.insert(f.end(), {0x02, 0xf0, 0x80});
  append(f, s7);
  return f;
}

// Encapsulation header + CPF (null address item, unconnected data item) around a CIP message.
Frame send_rr_data(uint32_t session, uint64_t context, const Frame& cip) {
  Frame f;
  put_le16(f, 0x006f);
  put_le16(f, static_cast<uint16_t>(16 + cip.size()));
  put_le32(f, session);
  put_le32(f, 0);  // status
  put_le32(f, static_cast<uint32_t>(context));
  put_le32(f, static_cast<uint32_t>(context >> 32));
  put_le32(f, 0);  // options
  put_le32(f, 0);  // interface handle (CIP)
  put_le16(f, 0);  // timeout
  put_le16(f, 2);
  put_le16(f, 0x0000);
  put_le16(f, 0);
  put_le16(f, 0x00b2);
  put_le16(f, static_cast<uint16_t>(cip.size()));
  append(f, cip);
  return f;
}

// DNP3 link CRC: CRC-16/DNP (reflected polynomial 0xA6BC, complemented), sent low byte first.
void put_dnp3_crc(Frame& f, size_t from) {
  uint16_t crc = 0;
  for (size_t i = from; i < f.size(); ++i) {
    crc ^= f[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? static_cast<uint16_t>((crc >> 1) ^ 0xA6BC) : crc >> 1;
  }
  put_le16(f, static_cast<uint16_t>(~crc));
}

// Link header (unconfirmed user data; `control` carries DIR and PRM) and user data in CRC'd blocks.
Frame dnp3_frame(uint8_t control, uint16_t destination, uint16_t source, const Frame& user_data) {
  Frame f{0x05, 0x64, static_cast<uint8_t>(5 + user_data.size()), control};
  put_le16(f, destination);
  put_le16(f, source);
  put_dnp3_crc(f, 0);
  for (size_t at = 0; at < user_data.size(); at += 16) {
    size_t block_start = f.size();
    size_t end = std::min(at + 16, user_data.size());
    f.insert(f.end(), user_data.begin() + static_cast<std::ptrdiff_t>(at),
             user_data.begin() + static_cast<std::ptrdiff_t>(end));
    put_dnp3_crc(f, block_start);
  }
  return f;
}

Frame iec104_i_frame(uint16_t send_seq, uint16_t receive_seq, const Frame& asdu) {
  Frame f{0x68, static_cast<uint8_t>(4 + asdu.size())};
  put_le16(f, static_cast<uint16_t>(send_seq << 1));
  put_le16(f, static_cast<uint16_t>(receive_seq << 1));
  append(f, asdu);
  return f;
}
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

Frame s7_read_var_request(uint16_t pdu_ref, uint16_t db, uint32_t byte_address, uint16_t bytes) {
  Frame s7{0x32, 0x01, 0x00, 0x00};  // protocol id, job, reserved
  put16(s7, pdu_ref);
  put16(s7, 14);  // parameter length: function, item count, one 12-byte item
  put16(s7, 0);   // data length
  s7.insert(s7.end(), {0x04, 0x01, 0x12, 0x0a, 0x10, 0x02});  // Read Var, 1 item, S7ANY, transport BYTE
  put16(s7, bytes);
  put16(s7, db);
  s7.push_back(0x84);  // area: data blocks
  uint32_t bit_address = byte_address * 8;
  s7.insert(s7.end(), {static_cast<uint8_t>(bit_address >> 16), static_cast<uint8_t>(bit_address >> 8),
                       static_cast<uint8_t>(bit_address)});
  return tpkt_dt(s7);
}

Frame s7_read_var_response(uint16_t pdu_ref, uint16_t bytes, uint32_t seed) {
  Frame s7{0x32, 0x03, 0x00, 0x00};  // protocol id, ack-data, reserved
  put16(s7, pdu_ref);
  put16(s7, 2);  // parameter length
  put16(s7, static_cast<uint16_t>(4 + bytes));
  s7.insert(s7.end(), {0x00, 0x00, 0x04, 0x01});  // no error; Read Var, 1 item
  s7.insert(s7.end(), {0xff, 0x04});              // success, length in bits
  put16(s7, static_cast<uint16_t>(bytes * 8));
  append(s7, pattern_bytes(bytes, seed));
  return tpkt_dt(s7);
}

Frame enip_read_tag_request(uint32_t session, uint64_t context, uint16_t tag, uint16_t elements) {
  char name[8];
  name[0] = 'T', name[1] = 'a', name[2] = 'g', name[3] = '_';
  for (int i = 6; i >= 4; --i, tag /= 10) name[i] = static_cast<char>('0' + tag % 10);
  name[7] = 0;  // pad byte of the 7-character symbolic segment
  Frame cip{0x4c, 5, 0x91, 7};  // Read Tag, path of 5 words: ANSI extended symbolic segment
  cip.insert(cip.end(), name, name + 8);
  put_le16(cip, elements);
  return send_rr_data(session, context, cip);
}

Frame enip_read_tag_response(uint32_t session, uint64_t context, uint16_t elements, uint32_t seed) {
  Frame cip{0xcc, 0x00, 0x00, 0x00, 0xc4, 0x00};  // Read Tag reply, success, DINT
  append(cip, pattern_bytes(size_t{elements} * 4, seed));
  return send_rr_data(session, context, cip);
}

Frame enip_io_packet(uint32_t connection_id, uint32_t sequence, size_t size, uint32_t seed) {
  Frame f;
  put_le16(f, 2);       // item count
  put_le16(f, 0x8002);  // sequenced address item
  put_le16(f, 8);
  put_le32(f, connection_id);
  put_le32(f, sequence);
  put_le16(f, 0x00b1);  // connected data item
  put_le16(f, static_cast<uint16_t>(2 + size));
  put_le16(f, static_cast<uint16_t>(sequence));  // class 1 sequence count
  append(f, pattern_bytes(size, seed));
  return f;
}

Frame dnp3_class0_poll(uint16_t outstation, uint16_t master, uint8_t sequence) {
  // Transport FIR|FIN, application FIR|FIN, READ, group 60 variation 1, all objects.
  Frame user_data{static_cast<uint8_t>(0xc0 | (sequence & 0x3f)), static_cast<uint8_t>(0xc0 | (sequence & 0x0f)),
                  0x01, 60, 1, 0x06};
  return dnp3_frame(0xc4, outstation, master, user_data);  // DIR (from master), PRM
}

Frame dnp3_analog_response(uint16_t master, uint16_t outstation, uint8_t sequence, uint8_t points, uint32_t seed) {
  points = std::clamp<uint8_t>(points, 1, 80);
  Frame user_data{static_cast<uint8_t>(0xc0 | (sequence & 0x3f)), static_cast<uint8_t>(0xc0 | (sequence & 0x0f)),
                  0x81, 0x00, 0x00,  // RESPONSE, no IIN bits
                  30, 2, 0x00, 0x00, static_cast<uint8_t>(points - 1)};  // g30v2, 8-bit start/stop
  Frame values = pattern_bytes(size_t{points} * 3, seed);
  for (size_t i = 0; i < values.size(); i += 3) values[i] = 0x01;  // flags: ONLINE
  append(user_data, values);
  return dnp3_frame(0x44, master, outstation, user_data);  // PRM, from the outstation
}

Frame iec104_interrogation(uint16_t send_seq, uint16_t receive_seq, uint16_t common_address) {
  Frame asdu{100, 0x01, 6, 0x00};  // C_IC_NA_1, one object, activation, originator 0
  put_le16(asdu, common_address);
  put24_le(asdu, 0);
  asdu.push_back(20);  // QOI: station interrogation
  return iec104_i_frame(send_seq, receive_seq, asdu);
}

Frame iec104_measurements(uint16_t send_seq, uint16_t receive_seq, uint16_t common_address, uint8_t count,
                          uint32_t seed) {
  count = std::clamp<uint8_t>(count, 1, 30);
  Frame asdu{13, count, 20, 0x00};  // M_ME_NC_1, `count` objects, interrogated by station
  put_le16(asdu, common_address);
  Frame values = pattern_bytes(size_t{count} * 5, seed);
  for (uint8_t i = 0; i < count; ++i) {
    put24_le(asdu, 1000u + i);
    asdu.insert(asdu.end(), values.begin() + i * 5, values.begin() + i * 5 + 4);  // IEEE float
    asdu.push_back(0x00);                                                       // QDS: good
  }
  return iec104_i_frame(send_seq, receive_seq, asdu);
}

}  // namespace ots::pcapgen
