// Builders of EtherNet/IP / CIP byte strings for the tests (little-endian, padded EPATHs).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace ots::enip_test {

using Buffer = std::vector<uint8_t>;

inline void put16(Buffer& b, uint32_t v) {
  b.push_back(uint8_t(v));
  b.push_back(uint8_t(v >> 8));
}
inline void put32(Buffer& b, uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}
inline Buffer cat(std::initializer_list<Buffer> parts) {
  Buffer out;
  for (const Buffer& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline Buffer le16(uint32_t v) {
  Buffer b;
  put16(b, v);
  return b;
}
inline Buffer le32(uint32_t v) {
  Buffer b;
  put32(b, v);
  return b;
}

inline Buffer encap(uint16_t command, const Buffer& body, uint32_t session = 0x12020100, uint32_t status = 0,
                    uint64_t context = 0, uint32_t options = 0) {
  Buffer b;
  put16(b, command);
  put16(b, uint32_t(body.size()));
  put32(b, session);
  put32(b, status);
  put32(b, uint32_t(context));
  put32(b, uint32_t(context >> 32));
  put32(b, options);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

inline Buffer cpf(std::initializer_list<std::pair<uint16_t, Buffer>> items) {
  Buffer b;
  put16(b, uint32_t(items.size()));
  for (const auto& [type, data] : items) {
    put16(b, type);
    put16(b, uint32_t(data.size()));
    b.insert(b.end(), data.begin(), data.end());
  }
  return b;
}

// SendRRData carrying one unconnected CIP message.
inline Buffer rr_data(const Buffer& cip, uint64_t context = 0, uint32_t status = 0) {
  Buffer body = cat({le32(0), le16(0x000A), cpf({{0x0000, {}}, {0x00B2, cip}})});
  return encap(0x006F, body, 0x12020100, status, context);
}

// SendUnitData carrying one connected CIP message.
inline Buffer unit_data(uint32_t connection_id, uint16_t sequence, const Buffer& cip) {
  Buffer body = cat({le32(0), le16(0), cpf({{0x00A1, le32(connection_id)}, {0x00B1, cat({le16(sequence), cip})}})});
  return encap(0x0070, body);
}

// 8-bit class / instance (/ attribute) logical path.
inline Buffer path(uint8_t class_id, uint8_t instance) { return {0x20, class_id, 0x24, instance}; }
inline Buffer path(uint8_t class_id, uint8_t instance, uint8_t attribute) {
  return {0x20, class_id, 0x24, instance, 0x30, attribute};
}
inline Buffer symbol_path(std::string_view name) {
  Buffer b{0x91, uint8_t(name.size())};
  b.insert(b.end(), name.begin(), name.end());
  if (name.size() % 2) b.push_back(0);
  return b;
}

inline Buffer cip_request(uint8_t service, const Buffer& request_path, const Buffer& data = {}) {
  Buffer b{service, uint8_t(request_path.size() / 2)};
  b.insert(b.end(), request_path.begin(), request_path.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

inline Buffer cip_response(uint8_t service, uint8_t status = 0, const Buffer& data = {},
                           const Buffer& extended = {}) {
  Buffer b{uint8_t(service | 0x80), 0, status, uint8_t(extended.size() / 2)};
  b.insert(b.end(), extended.begin(), extended.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// Identity object attributes 1–7 (+ state) as in Get_Attributes_All / ListIdentity.
inline Buffer identity_attributes(uint16_t vendor, uint16_t type, uint16_t product, uint8_t major, uint8_t minor,
                                  uint32_t serial, std::string_view name, bool with_state = true) {
  Buffer b = cat({le16(vendor), le16(type), le16(product), {major, minor}, le16(0x0030), le32(serial)});
  b.push_back(uint8_t(name.size()));
  b.insert(b.end(), name.begin(), name.end());
  if (with_state) b.push_back(3);
  return b;
}

inline Buffer list_identity_reply(const Buffer& attributes) {
  Buffer item = cat({le16(1), {0x00, 0x02, 0xAF, 0x12, 10, 1, 1, 164, 0, 0, 0, 0, 0, 0, 0, 0}, attributes});
  return encap(0x0063, cpf({{0x000C, item}}), 0);
}

// Multiple_Service_Packet data: count, offsets, entries.
inline Buffer multiple_services(std::initializer_list<Buffer> entries) {
  Buffer b;
  put16(b, uint32_t(entries.size()));
  uint32_t offset = 2 + 2 * uint32_t(entries.size());
  for (const Buffer& e : entries) {
    put16(b, offset);
    offset += uint32_t(e.size());
  }
  for (const Buffer& e : entries) b.insert(b.end(), e.begin(), e.end());
  return b;
}

// Forward Open (small) request data.
inline Buffer forward_open_data(uint32_t o_to_t, uint32_t t_to_o, uint16_t serial, uint16_t vendor,
                                uint32_t originator_serial, uint32_t rpi_us) {
  return cat({{0x0A, 0x0E}, le32(o_to_t), le32(t_to_o), le16(serial), le16(vendor), le32(originator_serial),
              {0x03, 0, 0, 0}, le32(rpi_us), le16(0x43F4), le32(rpi_us), le16(0x43F4), {0xA3, 0x03},
              {0x01, 0x00, 0x20, 0x02, 0x24, 0x01}});
}

inline Buffer forward_open_reply_data(uint32_t o_to_t, uint32_t t_to_o, uint16_t serial, uint16_t vendor,
                                      uint32_t originator_serial, uint32_t rpi_us) {
  return cat({le32(o_to_t), le32(t_to_o), le16(serial), le16(vendor), le32(originator_serial), le32(rpi_us),
              le32(rpi_us), {0, 0}});
}

// Cyclic I/O datagram: sequenced address item + connected data item.
inline Buffer io_datagram(uint32_t connection_id, uint32_t sequence, const Buffer& data) {
  return cpf({{0x8002, cat({le32(connection_id), le32(sequence)})}, {0x00B1, data}});
}

// Execute PCCC request / reply data with a 7-byte requester id.
inline Buffer pccc_request(uint8_t command, uint8_t function, const Buffer& rest = {}) {
  return cat({{7}, le16(1), le32(0x11223344), {command, 0}, le16(0x1234), {function}, rest});
}
inline Buffer pccc_reply(uint8_t command, uint8_t status) {
  return cat({{7}, le16(1), le32(0x11223344), {uint8_t(command | 0x40), status}, le16(0x1234)});
}

}  // namespace ots::enip_test
