// Signed otsensor TI package files: a short text header (magic, format version, key id, base64
// Ed25519 signature over the exact payload bytes), a blank line, then the JSON payload
// (detect/ti/README.md). Verification is against trusted Ed25519 public keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detect/ti/ti_model.h"

namespace ots::detect::ti {

inline constexpr std::string_view kPackageMagic = "OTSENSOR-TI-PACKAGE";
inline constexpr int kPackageFormatVersion = 1;

// True when the bytes start like a package file (used to recognise the format by content).
bool looks_like_package(std::string_view head);

struct SigningKey {
  std::string private_pem;
  std::string public_pem;
  std::string key_id;  // 16 hex digits: the start of SHA-256 over the raw 32-byte public key
};
SigningKey generate_signing_key();
// The public PEM and key id of a private key PEM; throws TiError when it is not Ed25519.
SigningKey signing_key_from_private_pem(std::string_view private_pem);

// The whole package file: header + payload, signed with `private_key_pem` (Ed25519).
std::string sign_package(std::string_view payload, std::string_view private_key_pem);

class TrustedKeys {
 public:
  // Adds an Ed25519 public key (PEM "PUBLIC KEY"); returns its key id. Throws TiError otherwise.
  std::string add_pem(std::string_view pem);
  // Adds every *.pem file of `directory`; a file that is not an Ed25519 public key is listed in
  // `problems` ("<file>: <reason>"). Returns how many keys were added.
  size_t add_directory(const std::filesystem::path& directory, std::vector<std::string>& problems);
  bool contains(std::string_view key_id) const { return keys_.count(std::string(key_id)) != 0; }
  bool verify(std::string_view key_id, std::string_view payload, std::span<const uint8_t> signature) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, std::vector<uint8_t>> keys_;  // key id → raw public key
};

// Parses and verifies a package file; the package is usable only when the signature over the
// payload verifies with a trusted key. Throws TiError naming the reason otherwise (unsigned,
// unknown key, bad signature, unsupported version, malformed header or payload).
TiPackage read_signed_package(std::string_view file, const TrustedKeys& keys);
// The payload of a package file whose signature verifies (the header checks above); used for
// signed payloads in other formats, such as the built-in behaviour pack.
std::string_view verified_payload(std::string_view file, const TrustedKeys& keys, std::string* key_id = nullptr);

std::string base64_encode(std::span<const uint8_t> bytes);
// Strict RFC 4648 (padding required); nullopt on any other character.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

}  // namespace ots::detect::ti
