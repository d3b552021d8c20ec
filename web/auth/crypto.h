// The console's credential primitives over OpenSSL: scrypt password hashes, random
// tokens, SHA-256 digests and constant-time comparison.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ots::console {

// scrypt parameters: N = 2^log2_n, r, p. The defaults cost ~32 MiB and ~0.1 s per hash,
// which is what makes an offline guess of a stolen hash expensive.
struct ScryptParams {
  int log2_n = 15;
  int r = 8;
  int p = 1;
};

// "scrypt$<log2 N>$<r>$<p>$<salt hex>$<key hex>" with a fresh 16-byte salt.
std::string hash_password(std::string_view password, ScryptParams params = {});
// Recomputes with the stored parameters; false for a wrong password or a malformed record.
bool verify_password(std::string_view password, std::string_view stored);

std::string random_token_hex(size_t bytes);  // cryptographically random, lower-case hex
std::string sha256_hex(std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace ots::console
