// Streaming MD5 / SHA-1 / SHA-256 of a message body (OpenSSL EVP): bytes are hashed as they
// pass, never buffered. The three digest contexts are allocated on the first body and reused.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <memory>

#include "core/bytes.h"

namespace ots::http {

class BodyDigest {
 public:
  // Hex digests of the finished body, NUL-terminated.
  struct Result {
    std::array<char, 33> md5{};
    std::array<char, 41> sha1{};
    std::array<char, 65> sha256{};
  };

  // Starts a new body; false when OpenSSL cannot (the body is then not hashed).
  bool start();
  void update(Bytes bytes);
  // False when no body was started or a digest failed.
  bool finish(Result& out);
  bool active() const { return active_; }
  void cancel() { active_ = false; }

 private:
  struct ContextFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  using Context = std::unique_ptr<EVP_MD_CTX, ContextFree>;
  std::array<Context, 3> contexts_;  // MD5, SHA-1, SHA-256
  bool active_ = false;
};

}  // namespace ots::http
