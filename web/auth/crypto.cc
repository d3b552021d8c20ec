#include "web/auth/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace ots::console {

namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;
constexpr uint64_t kMaxScryptMemory = 256ull << 20;

std::string to_hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0F];
  }
  return out;
}

bool from_hex(std::string_view hex, std::vector<uint8_t>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    uint8_t byte = 0;
    auto [end, error] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (error != std::errc() || end != hex.data() + i + 2) return false;
    out.push_back(byte);
  }
  return true;
}

bool scrypt(std::string_view password, const std::vector<uint8_t>& salt, const ScryptParams& params,
            uint8_t* key, size_t key_size) {
  if (params.log2_n < 1 || params.log2_n > 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16)
    return false;
  return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), uint64_t{1} << params.log2_n,
                        static_cast<uint64_t>(params.r), static_cast<uint64_t>(params.p), kMaxScryptMemory, key,
                        key_size) == 1;
}

// Splits "a$b$c" into exactly `n` parts.
bool split(std::string_view text, char separator, std::vector<std::string_view>& parts, size_t n) {
  parts.clear();
  size_t start = 0;
  while (parts.size() + 1 < n) {
    size_t at = text.find(separator, start);
    if (at == std::string_view::npos) return false;
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts.back().find(separator) == std::string_view::npos;
}

template <typename T>
bool parse_int(std::string_view text, T& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string random_token_hex(size_t bytes) {
  std::vector<uint8_t> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  return to_hex(buffer.data(), buffer.size());
}

std::string hash_password(std::string_view password, ScryptParams params) {
  std::vector<uint8_t> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  uint8_t key[kKeyBytes];
  if (!scrypt(password, salt, params, key, sizeof key)) throw std::runtime_error("scrypt failed");
  return "scrypt$" + std::to_string(params.log2_n) + "$" + std::to_string(params.r) + "$" +
         std::to_string(params.p) + "$" + to_hex(salt.data(), salt.size()) + "$" + to_hex(key, sizeof key);
}

bool verify_password(std::string_view password, std::string_view stored) {
  std::vector<std::string_view> parts;
  if (!split(stored, '$', parts, 6) || parts[0] != "scrypt") return false;
  ScryptParams params;
  std::vector<uint8_t> salt, expected;
  if (!parse_int(parts[1], params.log2_n) || !parse_int(parts[2], params.r) || !parse_int(parts[3], params.p) ||
      !from_hex(parts[4], salt) || !from_hex(parts[5], expected) || expected.empty() || expected.size() > 64)
    return false;
  std::vector<uint8_t> key(expected.size());
  if (!scrypt(password, salt, params, key.data(), key.size())) return false;
  return CRYPTO_memcmp(key.data(), expected.data(), key.size()) == 0;
}

std::string sha256_hex(std::string_view data) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return to_hex(digest, size);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ots::console
