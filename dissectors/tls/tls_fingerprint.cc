#include "dissectors/tls/tls_fingerprint.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

namespace ots::tls {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

template <size_t N>
std::array<char, N> digest_hex(const EVP_MD* md, Bytes data) {
  static_assert(N % 2 == 1);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::array<char, N> out{};
  if (EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr) != 1 || length * 2 + 1 != N) return out;
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHexDigits[digest[i] >> 4];
    out[2 * i + 1] = kHexDigits[digest[i] & 0xf];
  }
  return out;
}

Bytes as_bytes(std::string_view text) { return {reinterpret_cast<const uint8_t*>(text.data()), text.size()}; }

void append_decimal(std::string& out, uint32_t value) {
  char buffer[10];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_hex4(std::string& out, uint16_t value) {
  char buffer[4] = {kHexDigits[value >> 12], kHexDigits[(value >> 8) & 0xf], kHexDigits[(value >> 4) & 0xf],
                    kHexDigits[value & 0xf]};
  out.append(buffer, 4);
}

// Appends the non-GREASE 16-bit values of `list` as decimal joined by '-'.
void append_u16_list(std::string& out, Bytes list) {
  ByteReader r(list);
  bool first = true;
  while (r.has(2)) {
    uint16_t v = r.be16();
    if (is_grease(v)) continue;
    if (!first) out.push_back('-');
    append_decimal(out, v);
    first = false;
  }
}

void append_extension_types(std::string& out, Bytes extensions) {
  ExtensionWalker walker(extensions);
  uint16_t type = 0;
  Bytes data;
  bool first = true;
  while (walker.next(type, data)) {
    if (is_grease(type)) continue;
    if (!first) out.push_back('-');
    append_decimal(out, type);
    first = false;
  }
}

std::string_view ja4_version(uint16_t version) {
  switch (version) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    default: return "00";
  }
}

bool is_alphanumeric(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

void append_count(std::string& out, size_t count) {
  count = std::min<size_t>(count, 99);
  out.push_back(static_cast<char>('0' + count / 10));
  out.push_back(static_cast<char>('0' + count % 10));
}

// Sorted (or wire-order) hex list of values, comma-joined, appended to `text`.
void append_hex_list(std::string& text, const std::vector<uint16_t>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) text.push_back(',');
    append_hex4(text, values[i]);
  }
}

void append_truncated_sha256(std::string& out, std::string_view text) {
  out.append(sha256_hex(as_bytes(text)).data(), 12);
}

}  // namespace

Md5Hex md5_hex(Bytes data) { return digest_hex<33>(EVP_md5(), data); }
Sha1Hex sha1_hex(Bytes data) { return digest_hex<41>(EVP_sha1(), data); }
Sha256Hex sha256_hex(Bytes data) { return digest_hex<65>(EVP_sha256(), data); }

void ja3_string(const ClientHello& hello, std::string& out) {
  out.clear();
  append_decimal(out, hello.legacy_version);
  out.push_back(',');
  append_u16_list(out, hello.cipher_suites);
  out.push_back(',');
  append_extension_types(out, hello.extensions);
  out.push_back(',');
  append_u16_list(out, hello.supported_groups);
  out.push_back(',');
  for (size_t i = 0; i < hello.ec_point_formats.size(); ++i) {
    if (i) out.push_back('-');
    append_decimal(out, hello.ec_point_formats[i]);
  }
}

void ja3s_string(const ServerHello& hello, std::string& out) {
  out.clear();
  append_decimal(out, hello.legacy_version);
  out.push_back(',');
  append_decimal(out, hello.cipher_suite);
  out.push_back(',');
  append_extension_types(out, hello.extensions);
}

void ja4(const ClientHello& hello, Ja4Scratch& scratch, std::string& out) {
  out.clear();
  out.push_back('t');
  uint16_t version = hello.legacy_version;
  bool from_extension = false;
  for (ByteReader r(hello.supported_versions); r.has(2);) {
    uint16_t v = r.be16();
    if (is_grease(v)) continue;
    version = from_extension ? std::max(version, v) : v;
    from_extension = true;
  }
  out.append(ja4_version(version));
  out.push_back(hello.has_server_name ? 'd' : 'i');

  std::vector<uint16_t>& values = scratch.values;
  values.clear();
  for (ByteReader r(hello.cipher_suites); r.has(2);) {
    uint16_t v = r.be16();
    if (!is_grease(v)) values.push_back(v);
  }
  append_count(out, values.size());
  std::sort(values.begin(), values.end());
  std::string& text = scratch.text;
  text.clear();
  append_hex_list(text, values);

  // Extensions: all non-GREASE ones count; SNI and ALPN stay out of the hash.
  values.clear();
  size_t extension_count = 0;
  ExtensionWalker walker(hello.extensions);
  uint16_t type = 0;
  Bytes data;
  while (walker.next(type, data)) {
    if (is_grease(type)) continue;
    ++extension_count;
    if (type != extension::kServerName && type != extension::kAlpn) values.push_back(type);
  }
  append_count(out, extension_count);

  Bytes alpn = hello.first_alpn;
  if (alpn.empty()) {
    out.append("00");
  } else if (is_alphanumeric(alpn.front()) && is_alphanumeric(alpn.back())) {
    out.push_back(static_cast<char>(alpn.front()));
    out.push_back(static_cast<char>(alpn.back()));
  } else {
    out.push_back(kHexDigits[alpn.front() >> 4]);
    out.push_back(kHexDigits[alpn.back() & 0xf]);
  }

  out.push_back('_');
  if (text.empty()) {
    out.append("000000000000");
  } else {
    append_truncated_sha256(out, text);
  }

  out.push_back('_');
  if (values.empty()) {
    out.append("000000000000");
    return;
  }
  std::sort(values.begin(), values.end());
  text.clear();
  append_hex_list(text, values);
  values.clear();
  for (ByteReader r(hello.signature_algorithms); r.has(2);) {
    uint16_t v = r.be16();
    if (!is_grease(v)) values.push_back(v);
  }
  if (!values.empty()) {
    text.push_back('_');
    append_hex_list(text, values);
  }
  append_truncated_sha256(out, text);
}

}  // namespace ots::tls
