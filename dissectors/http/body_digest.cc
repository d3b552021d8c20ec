#include "dissectors/http/body_digest.h"

namespace ots::http {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

template <size_t N>
bool finish_hex(EVP_MD_CTX* ctx, std::array<char, N>& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &length) != 1 || length * 2 + 1 != N) return false;
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHexDigits[digest[i] >> 4];
    out[2 * i + 1] = kHexDigits[digest[i] & 0xf];
  }
  out[N - 1] = '\0';
  return true;
}

}  // namespace

bool BodyDigest::start() {
  const EVP_MD* algorithms[] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
  active_ = false;
  for (size_t i = 0; i < contexts_.size(); ++i) {
    if (!contexts_[i]) contexts_[i].reset(EVP_MD_CTX_new());
    if (!contexts_[i] || EVP_DigestInit_ex(contexts_[i].get(), algorithms[i], nullptr) != 1) return false;
  }
  active_ = true;
  return true;
}

void BodyDigest::update(Bytes bytes) {
  if (!active_ || bytes.empty()) return;
  for (auto& ctx : contexts_) {
    if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1) active_ = false;
  }
}

bool BodyDigest::finish(Result& out) {
  if (!active_) return false;
  active_ = false;
  return finish_hex(contexts_[0].get(), out.md5) && finish_hex(contexts_[1].get(), out.sha1) &&
         finish_hex(contexts_[2].get(), out.sha256);
}

}  // namespace ots::http
