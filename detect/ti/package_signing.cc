#include "detect/ti/package_signing.h"

#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace ots::detect::ti {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

Bio memory_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

std::vector<uint8_t> raw_public_key(EVP_PKEY* key) {
  std::vector<uint8_t> raw(32);
  size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != 32)
    throw TiError("cannot read the Ed25519 public key: " + openssl_error());
  return raw;
}

std::string key_id_of(std::span<const uint8_t> raw) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(raw.data(), raw.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 8; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 15];
  }
  return id;
}

std::string public_pem(EVP_PKEY* key) {
  Bio out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(out.get(), key) != 1) throw TiError("cannot write the public key: " + openssl_error());
  return bio_text(out.get());
}

Pkey read_private_key(std::string_view pem) {
  Bio in = memory_bio(pem);
  Pkey key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  if (!key) throw TiError("not a PEM private key: " + openssl_error());
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) throw TiError("the private key is not an Ed25519 key");
  return key;
}

}  // namespace

bool looks_like_package(std::string_view head) { return head.starts_with(kPackageMagic); }

SigningKey generate_signing_key() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw TiError("cannot generate an Ed25519 key: " + openssl_error());
  Bio out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw TiError("cannot write the private key: " + openssl_error());
  return {bio_text(out.get()), public_pem(key.get()), key_id_of(raw_public_key(key.get()))};
}

SigningKey signing_key_from_private_pem(std::string_view private_pem) {
  Pkey key = read_private_key(private_pem);
  return {std::string(private_pem), public_pem(key.get()), key_id_of(raw_public_key(key.get()))};
}

std::string sign_package(std::string_view payload, std::string_view private_key_pem) {
  Pkey key = read_private_key(private_key_pem);
  MdCtx ctx(EVP_MD_CTX_new());
  std::vector<uint8_t> signature(64);
  size_t length = signature.size();
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &length, reinterpret_cast<const uint8_t*>(payload.data()),
                     payload.size()) != 1)
    throw TiError("signing failed: " + openssl_error());
  signature.resize(length);
  std::string file(kPackageMagic);
  file += " " + std::to_string(kPackageFormatVersion) + "\n";
  file += "key-id: " + key_id_of(raw_public_key(key.get())) + "\n";
  file += "signature: " + base64_encode(signature) + "\n\n";
  file += payload;
  return file;
}

std::string TrustedKeys::add_pem(std::string_view pem) {
  Bio in = memory_bio(pem);
  Pkey key(PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr));
  if (!key) throw TiError("not a PEM public key: " + openssl_error());
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) throw TiError("the public key is not an Ed25519 key");
  std::vector<uint8_t> raw = raw_public_key(key.get());
  std::string id = key_id_of(raw);
  keys_[id] = std::move(raw);
  return id;
}

size_t TrustedKeys::add_directory(const std::filesystem::path& directory, std::vector<std::string>& problems) {
  size_t added = 0;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(directory, ec)) {
    if (item.path().extension() != ".pem") continue;
    std::ifstream in(item.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    try {
      add_pem(text.str());
      ++added;
    } catch (const TiError& e) {
      problems.push_back(item.path().string() + ": " + e.what());
    }
  }
  if (ec) problems.push_back(directory.string() + ": " + ec.message());
  return added;
}

bool TrustedKeys::verify(std::string_view key_id, std::string_view payload, std::span<const uint8_t> signature) const {
  auto it = keys_.find(std::string(key_id));
  if (it == keys_.end()) return false;
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, it->second.data(), it->second.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  const bool ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                   reinterpret_cast<const uint8_t*>(payload.data()), payload.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string_view verified_payload(std::string_view file, const TrustedKeys& keys, std::string* key_id_out) {
  if (!looks_like_package(file)) throw TiError("not an otsensor TI package (no " + std::string(kPackageMagic) + " header)");
  // The header ends at the first blank line; everything after it is the signed payload.
  constexpr size_t kMaxHeader = 4096;
  size_t header_end = file.find("\n\n");
  if (header_end == std::string_view::npos || header_end > kMaxHeader)
    throw TiError("malformed package: the header must end with a blank line within 4096 bytes");
  std::string_view header = file.substr(0, header_end);
  std::string_view payload = file.substr(header_end + 2);

  size_t line_end = header.find('\n');
  std::string_view first = header.substr(0, line_end);
  std::string_view version = first.substr(kPackageMagic.size());
  if (version.size() < 2 || version[0] != ' ') throw TiError("malformed package: no format version after the magic");
  if (version.substr(1) != std::to_string(kPackageFormatVersion))
    throw TiError("unsupported package format version " + std::string(version.substr(1)) + " (this sensor reads " +
                  std::to_string(kPackageFormatVersion) + ")");
  std::string key_id, signature_text;
  while (line_end != std::string_view::npos) {
    header.remove_prefix(line_end + 1);
    line_end = header.find('\n');
    std::string_view line = header.substr(0, line_end);
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) throw TiError("malformed package header line: " + std::string(line.substr(0, 80)));
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 2);
    if (name == "key-id") {
      key_id = value;
    } else if (name == "signature") {
      signature_text = value;
    } else {
      throw TiError("malformed package: unknown header \"" + std::string(name.substr(0, 40)) + "\"");
    }
  }
  if (signature_text.empty()) throw TiError("unsigned package: no signature header");
  if (key_id.empty()) throw TiError("malformed package: no key-id header");
  auto signature = base64_decode(signature_text);
  if (!signature || signature->size() != 64) throw TiError("malformed package: the signature is not 64 bytes of base64");
  if (!keys.contains(key_id)) throw TiError("package signed by an unknown key " + key_id + " (not in the trusted keys)");
  if (!keys.verify(key_id, payload, *signature))
    throw TiError("bad signature: the payload was modified or not signed by key " + key_id);
  if (key_id_out) *key_id_out = key_id;
  return payload;
}

TiPackage read_signed_package(std::string_view file, const TrustedKeys& keys) {
  std::string key_id;
  TiPackage package = package_from_json(verified_payload(file, keys, &key_id));
  if (package.kind != PackageKind::Package) throw TiError("a signed package must have kind \"package\"");
  package.key_id = key_id;
  return package;
}

std::string base64_encode(std::span<const uint8_t> bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = uint32_t{bytes[i]} << 16;
    if (i + 1 < bytes.size()) chunk |= uint32_t{bytes[i + 1]} << 8;
    if (i + 2 < bytes.size()) chunk |= bytes[i + 2];
    out += kAlphabet[chunk >> 18 & 63];
    out += kAlphabet[chunk >> 12 & 63];
    out += i + 1 < bytes.size() ? kAlphabet[chunk >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++padding;
        continue;
      }
      if (padding) return std::nullopt;  // data after padding
      v[k] = value(c);
      if (v[k] < 0) return std::nullopt;
    }
    uint32_t chunk = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | uint32_t(v[3]);
    out.push_back(static_cast<uint8_t>(chunk >> 16));
    if (padding < 2) out.push_back(static_cast<uint8_t>(chunk >> 8));
    if (padding < 1) out.push_back(static_cast<uint8_t>(chunk));
  }
  return out;
}

}  // namespace ots::detect::ti
