// Builds TLS records and handshake messages for the TLS tests (and documents their layout).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/tshark.h"

namespace ots::tls_test {

using Buffer = std::vector<uint8_t>;

inline void put16(Buffer& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void put24(Buffer& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}
inline void append(Buffer& out, const Buffer& more) { out.insert(out.end(), more.begin(), more.end()); }
inline Buffer concat(std::initializer_list<Buffer> parts) {
  Buffer out;
  for (const auto& p : parts) append(out, p);
  return out;
}

inline Buffer record(uint8_t type, const Buffer& body, uint16_t version = 0x0303) {
  Buffer out{type};
  put16(out, version);
  put16(out, static_cast<uint16_t>(body.size()));
  append(out, body);
  return out;
}
inline Buffer handshake_message(uint8_t type, const Buffer& body) {
  Buffer out{type};
  put24(out, static_cast<uint32_t>(body.size()));
  append(out, body);
  return out;
}

struct Extension {
  uint16_t type;
  Buffer data;
};
inline Buffer u16_list(std::initializer_list<uint16_t> values, bool one_byte_length = false) {
  Buffer out;
  if (one_byte_length) {
    out.push_back(static_cast<uint8_t>(values.size() * 2));
  } else {
    put16(out, static_cast<uint16_t>(values.size() * 2));
  }
  for (uint16_t v : values) put16(out, v);
  return out;
}
inline Extension sni(std::string_view name) {
  Buffer data;
  put16(data, static_cast<uint16_t>(name.size() + 3));
  data.push_back(0);
  put16(data, static_cast<uint16_t>(name.size()));
  data.insert(data.end(), name.begin(), name.end());
  return {0x0000, data};
}
inline Extension alpn(std::initializer_list<std::string_view> protocols) {
  Buffer list;
  for (auto p : protocols) {
    list.push_back(static_cast<uint8_t>(p.size()));
    list.insert(list.end(), p.begin(), p.end());
  }
  Buffer data;
  put16(data, static_cast<uint16_t>(list.size()));
  append(data, list);
  return {0x0010, data};
}

inline Buffer client_hello_body(uint16_t version, const std::vector<uint16_t>& ciphers,
                                const std::vector<Extension>& extensions, bool with_extensions = true) {
  Buffer out;
  put16(out, version);
  out.insert(out.end(), 32, 0x11);  // random
  out.push_back(0);                 // session id
  put16(out, static_cast<uint16_t>(ciphers.size() * 2));
  for (uint16_t c : ciphers) put16(out, c);
  out.push_back(1);  // compression methods: null
  out.push_back(0);
  if (!with_extensions) return out;
  Buffer block;
  for (const auto& e : extensions) {
    put16(block, e.type);
    put16(block, static_cast<uint16_t>(e.data.size()));
    append(block, e.data);
  }
  put16(out, static_cast<uint16_t>(block.size()));
  append(out, block);
  return out;
}

inline Buffer server_hello_body(uint16_t version, uint16_t cipher, const std::vector<Extension>& extensions) {
  Buffer out;
  put16(out, version);
  out.insert(out.end(), 32, 0x22);
  out.push_back(0);
  put16(out, cipher);
  out.push_back(0);
  Buffer block;
  for (const auto& e : extensions) {
    put16(block, e.type);
    put16(block, static_cast<uint16_t>(e.data.size()));
    append(block, e.data);
  }
  put16(out, static_cast<uint16_t>(block.size()));
  append(out, block);
  return out;
}

inline Buffer certificate_body(const std::vector<Buffer>& certificates) {
  Buffer list;
  for (const auto& der : certificates) {
    put24(list, static_cast<uint32_t>(der.size()));
    append(list, der);
  }
  Buffer out;
  put24(out, static_cast<uint32_t>(list.size()));
  append(out, list);
  return out;
}

// The FoxIO JA4 example client (technical_details/JA4.md): 15 ciphers, 16 extensions, h2,
// plus GREASE values that every fingerprint must ignore.
inline Buffer chrome_client_hello_body(std::string_view server_name = "Example.COM") {
  std::vector<uint16_t> ciphers = {0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                   0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  std::vector<Extension> extensions = {
      {0x2a2a, {}},
      {0x001b, {0x02, 0x00, 0x02}},
      sni(server_name),
      {0x0033, {0x00, 0x06, 0x00, 0x1d, 0x00, 0x02, 0xab, 0xcd}},
      alpn({"h2", "http/1.1"}),
      {0x4469, {0x00, 0x03, 0x02, 0x68, 0x32}},
      {0x0017, {}},
      {0x002d, {0x01, 0x01}},
      {0x000d, u16_list({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601})},
      {0x0005, {0x01, 0x00, 0x00, 0x00, 0x00}},
      {0x0023, {}},
      {0x0012, {}},
      {0x002b, u16_list({0x3a3a, 0x0304, 0x0303}, true)},
      {0xff01, {0x00}},
      {0x000b, {0x01, 0x00}},
      {0x000a, u16_list({0x4a4a, 0x001d, 0x0017, 0x0018})},
      {0x0015, Buffer(7, 0)},
      {0x5a5a, {0x00}},
  };
  return client_hello_body(0x0303, ciphers, extensions);
}
constexpr std::string_view kChromeJa3 =
    "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
    "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0";
constexpr std::string_view kChromeJa3Md5 = "c000e2caf3a25423f9de6c8a4b12a975";  // md5sum of kChromeJa3
constexpr std::string_view kChromeJa4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";  // JA4.md's example value

// A self-signed P-256 certificate: O=Acme Automation, CN=plc01.example.com, notAfter
// 2036-11-24 23:55:12 UTC (made with `openssl req -x509`; digests from `openssl x509 -fingerprint`).
inline Buffer test_certificate() {
  return test_support::from_hex(
      "308201c230820167a00302010202140cdf6a5824c02b957eec46bd1b792b9f29862a9c300a06082a8648ce3d040302303631183016"
      "060355040a0c0f41636d65204175746f6d6174696f6e311a301806035504030c11706c6330312e6578616d706c652e636f6d301e17"
      "0d3236313132373233353531325a170d3336313132343233353531325a303631183016060355040a0c0f41636d65204175746f6d61"
      "74696f6e311a301806035504030c11706c6330312e6578616d706c652e636f6d3059301306072a8648ce3d020106082a8648ce3d03"
      "010703420004d941dd4cfffac4457383f37b29c6ccd864415a428518f6f0209b5461a9344802754c49f36827a967dd6a7e44c9f773"
      "8c50ae6158ea980a61597f0d54e1fee92da3533051301d0603551d0e04160414a6a500686321fc9e46f41c599e7f6c5fb3c930aa30"
      "1f0603551d23041830168014a6a500686321fc9e46f41c599e7f6c5fb3c930aa300f0603551d130101ff040530030101ff300a0608"
      "2a8648ce3d04030203490030460221008b3b41630ddb8203bb57e92a68cf7fc1e1eea1804953666c614f4e38ee2c36be022100a06e"
      "57385949bb4d245af07402413161a6a3cfc73d18b90a458da56b81ab031b");
}
constexpr std::string_view kTestCertificateSha1 = "13b9a9dc8a99ce2007ddbaddeac335675d5e713a";
constexpr std::string_view kTestCertificateSha256 = "2c51ddd3f254ed2c0d60e3e21818aebe3d3e844eb19fceeda4517a04c0d00d75";

}  // namespace ots::tls_test
