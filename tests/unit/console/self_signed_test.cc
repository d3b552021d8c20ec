#include "web/auth/self_signed.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace ots::console {
namespace {

TEST(SelfSigned, GeneratedOnceWithPrivateKeyModeAndStableFingerprint) {
  auto dir = std::filesystem::temp_directory_path() / ("ots_tls_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  TlsFiles first = ensure_self_signed((dir / "tls").string(), {"localhost", "127.0.0.1", "::1"});
  EXPECT_TRUE(first.generated);
  struct stat st {};
  ASSERT_EQ(::stat(first.private_key_pem.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(first.sha256_fingerprint.size(), 32u * 3 - 1);

  TlsFiles second = ensure_self_signed((dir / "tls").string(), {"localhost"});
  EXPECT_FALSE(second.generated) << "an existing pair is kept";
  EXPECT_EQ(second.sha256_fingerprint, first.sha256_fingerprint);

  // openssl agrees it is a valid certificate for 127.0.0.1 with our key.
  std::string check = "openssl x509 -in " + first.certificate_pem + " -noout -checkip 127.0.0.1 | grep -q 'does match'";
  if (std::system("command -v openssl >/dev/null") == 0) {
    EXPECT_EQ(std::system(check.c_str()), 0);
    std::string pair = "test \"$(openssl x509 -in " + first.certificate_pem + " -noout -pubkey)\" = \"$(openssl pkey -in " +
                       first.private_key_pem + " -pubout)\"";
    EXPECT_EQ(std::system(pair.c_str()), 0);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ots::console
