// Builds pcap and pcapng files byte by byte for the capture tests, in either
// byte order, so every header field the reader looks at is under test control.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace ots::test {

class ByteWriter {
 public:
  explicit ByteWriter(bool big_endian = false) : big_endian_(big_endian) {}

  ByteWriter& u8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  ByteWriter& u16(uint16_t v) { return put(v, 2); }
  ByteWriter& u32(uint32_t v) { return put(v, 4); }
  ByteWriter& u64(uint64_t v) { return put(v, 8); }
  ByteWriter& raw(const std::vector<uint8_t>& v) {
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  ByteWriter& pad4() {
    while (bytes_.size() % 4 != 0) bytes_.push_back(0);
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

 private:
  ByteWriter& put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      int shift = big_endian_ ? 8 * (n - 1 - i) : 8 * i;
      bytes_.push_back(static_cast<uint8_t>(v >> shift));
    }
    return *this;
  }

  bool big_endian_;
  std::vector<uint8_t> bytes_;
};

// A recognisable payload: n bytes counting up from `first`.
inline std::vector<uint8_t> payload(size_t n, uint8_t first = 0) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(first + i);
  return out;
}

inline void append(std::vector<uint8_t>& to, const std::vector<uint8_t>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

// ---- pcap ----

inline std::vector<uint8_t> pcap_header(bool big_endian, bool nano, uint32_t link,
                                        uint32_t snaplen = 262144) {
  ByteWriter w(big_endian);
  w.u32(nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(link);
  return w.bytes();
}

inline std::vector<uint8_t> pcap_record(bool big_endian, uint32_t seconds, uint32_t fraction,
                                        const std::vector<uint8_t>& data, uint32_t wire_len = 0,
                                        uint32_t caplen_override = UINT32_MAX) {
  ByteWriter w(big_endian);
  uint32_t caplen = caplen_override != UINT32_MAX ? caplen_override : static_cast<uint32_t>(data.size());
  w.u32(seconds).u32(fraction).u32(caplen).u32(wire_len != 0 ? wire_len : static_cast<uint32_t>(data.size()));
  w.raw(data);
  return w.bytes();
}

// ---- pcapng ----

inline std::vector<uint8_t> pcapng_block(bool big_endian, uint32_t type, const std::vector<uint8_t>& body) {
  ByteWriter w(big_endian);
  uint32_t length = static_cast<uint32_t>(12 + (body.size() + 3) / 4 * 4);
  w.u32(type).u32(length).raw(body).pad4().u32(length);
  return w.bytes();
}

inline std::vector<uint8_t> pcapng_section(bool big_endian) {
  ByteWriter body(big_endian);
  body.u32(0x1a2b3c4d).u16(1).u16(0).u64(UINT64_MAX);
  return pcapng_block(big_endian, 0x0a0d0d0a, body.bytes());
}

struct IdbOption {
  uint16_t code;
  std::vector<uint8_t> value;
};

inline std::vector<uint8_t> pcapng_interface(bool big_endian, uint16_t link, uint32_t snaplen,
                                             std::initializer_list<IdbOption> options = {}) {
  ByteWriter body(big_endian);
  body.u16(link).u16(0).u32(snaplen);
  for (const IdbOption& option : options) {
    body.u16(option.code).u16(static_cast<uint16_t>(option.value.size())).raw(option.value).pad4();
  }
  if (options.size() > 0) body.u16(0).u16(0);
  return pcapng_block(big_endian, 1, body.bytes());
}

inline IdbOption ts_resolution(uint8_t value) { return {9, {value}}; }

inline IdbOption ts_offset(bool big_endian, uint64_t seconds) {
  ByteWriter w(big_endian);
  w.u64(seconds);
  return {14, w.bytes()};
}

inline std::vector<uint8_t> pcapng_enhanced_packet(bool big_endian, uint32_t interface, uint64_t ticks,
                                                   const std::vector<uint8_t>& data, uint32_t wire_len = 0,
                                                   uint32_t caplen_override = UINT32_MAX) {
  ByteWriter body(big_endian);
  uint32_t caplen = caplen_override != UINT32_MAX ? caplen_override : static_cast<uint32_t>(data.size());
  body.u32(interface).u32(static_cast<uint32_t>(ticks >> 32)).u32(static_cast<uint32_t>(ticks)).u32(caplen);
  body.u32(wire_len != 0 ? wire_len : static_cast<uint32_t>(data.size())).raw(data);
  return pcapng_block(big_endian, 6, body.bytes());
}

inline std::vector<uint8_t> pcapng_obsolete_packet(bool big_endian, uint16_t interface, uint64_t ticks,
                                                   const std::vector<uint8_t>& data) {
  ByteWriter body(big_endian);
  body.u16(interface).u16(0).u32(static_cast<uint32_t>(ticks >> 32)).u32(static_cast<uint32_t>(ticks));
  body.u32(static_cast<uint32_t>(data.size())).u32(static_cast<uint32_t>(data.size())).raw(data);
  return pcapng_block(big_endian, 2, body.bytes());
}

inline std::vector<uint8_t> pcapng_simple_packet(bool big_endian, uint32_t wire_len,
                                                 const std::vector<uint8_t>& data) {
  ByteWriter body(big_endian);
  body.u32(wire_len).raw(data);
  return pcapng_block(big_endian, 3, body.bytes());
}

}  // namespace ots::test
