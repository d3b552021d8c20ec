#include "web/auth/self_signed.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace ots::console {

namespace {

constexpr long kValiditySeconds = 825L * 24 * 3600;  // the longest browsers accept

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using FilePtr = std::unique_ptr<FILE, int (*)(FILE*)>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("TLS certificate: " + what); }

bool is_ip_literal(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

FilePtr open_private(const std::string& path, mode_t mode) {
  // O_EXCL-style: create with the right mode from the start, never widen later.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) fail("cannot write " + path);
  FILE* f = fdopen(fd, "w");
  if (!f) fail("cannot write " + path);
  return FilePtr(f, fclose);
}

void generate(const std::string& cert_path, const std::string& key_path, const std::vector<std::string>& names) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an EC key");
  X509Ptr cert(X509_new());
  if (!cert) fail("out of memory");
  X509_set_version(cert.get(), 2);
  // A random 16-byte serial, positive.
  unsigned char serial[16];
  FILE* urandom = std::fopen("/dev/urandom", "rb");
  if (!urandom || std::fread(serial, 1, sizeof serial, urandom) != sizeof serial) fail("no randomness");
  std::fclose(urandom);
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("otsensor"), -1, -1, 0);
  const std::string cn = names.empty() ? "otsensor" : names.front();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  std::string san;
  for (const auto& n : names) san += (san.empty() ? "" : ",") + std::string(is_ip_literal(n) ? "IP:" : "DNS:") + n;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::pair<int, std::string> extensions[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_alt_name, san},
  };
  for (const auto& [nid, value] : extensions) {
    if (value.empty()) continue;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) fail("bad certificate extension " + value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("cannot sign the certificate");

  FilePtr key_file = open_private(key_path, 0600);
  if (!PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)) fail("cannot write key");
  FilePtr cert_file = open_private(cert_path, 0644);
  if (!PEM_write_X509(cert_file.get(), cert.get())) fail("cannot write certificate");
}

}  // namespace

std::string certificate_fingerprint(const std::string& certificate_pem_path) {
  FilePtr file(std::fopen(certificate_pem_path.c_str(), "r"), fclose);
  if (!file) fail("cannot read " + certificate_pem_path);
  X509Ptr cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  if (!cert) fail(certificate_pem_path + " holds no PEM certificate");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  X509_digest(cert.get(), EVP_sha256(), digest, &size);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    if (i) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

TlsFiles ensure_self_signed(const std::string& directory, const std::vector<std::string>& subject_alt_names) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) fail("cannot create " + directory + ": " + error.message());
  ::chmod(directory.c_str(), 0700);
  TlsFiles files{directory + "/cert.pem", directory + "/key.pem", false, ""};
  if (!std::filesystem::exists(files.certificate_pem) || !std::filesystem::exists(files.private_key_pem)) {
    generate(files.certificate_pem, files.private_key_pem, subject_alt_names);
    files.generated = true;
  }
  files.sha256_fingerprint = certificate_fingerprint(files.certificate_pem);
  return files;
}

}  // namespace ots::console
