#include "detect/ti/package_signing.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ots::detect::ti {
namespace {

constexpr std::string_view kPayload = R"({"format":"otsensor-ti","id":"p","name":"P","version":"1",
"alertDefinitions":[{"id":"A","title":"t","severity":"Major","indicators":[{"type":"ip","value":"192.0.2.1"}]}]})";

std::string rejection(std::string_view file, const TrustedKeys& keys) {
  try {
    read_signed_package(file, keys);
    return "accepted";
  } catch (const TiError& e) {
    return e.what();
  }
}

TEST(PackageSigning, SignedPackageVerifiesWithItsTrustedKey) {
  SigningKey key = generate_signing_key();
  EXPECT_EQ(key.key_id.size(), 16u);
  EXPECT_EQ(signing_key_from_private_pem(key.private_pem).key_id, key.key_id);
  TrustedKeys keys;
  EXPECT_EQ(keys.add_pem(key.public_pem), key.key_id);
  const std::string file = sign_package(kPayload, key.private_pem);
  EXPECT_TRUE(file.starts_with("OTSENSOR-TI-PACKAGE 1\nkey-id: " + key.key_id + "\nsignature: "));
  TiPackage p = read_signed_package(file, keys);
  EXPECT_EQ(p.name, "P");
  EXPECT_EQ(p.key_id, key.key_id);
}

TEST(PackageSigning, UnsignedTamperedUnknownKeyAndMalformedAreRejected) {
  SigningKey key = generate_signing_key(), other = generate_signing_key();
  TrustedKeys keys;
  keys.add_pem(key.public_pem);
  const std::string file = sign_package(kPayload, key.private_pem);

  std::string tampered = file;
  tampered.replace(tampered.find("192.0.2.1"), 9, "192.0.2.2");
  EXPECT_NE(rejection(tampered, keys).find("bad signature"), std::string::npos);
  std::string appended = file + " ";
  EXPECT_NE(rejection(appended, keys).find("bad signature"), std::string::npos);

  EXPECT_NE(rejection(sign_package(kPayload, other.private_pem), keys).find("unknown key " + other.key_id),
            std::string::npos);
  EXPECT_NE(rejection(std::string(kPayload), keys).find("not an otsensor TI package"), std::string::npos);
  EXPECT_NE(rejection("OTSENSOR-TI-PACKAGE 1\nkey-id: " + key.key_id + "\n\n" + std::string(kPayload), keys).find("unsigned"),
            std::string::npos);
  EXPECT_NE(rejection("OTSENSOR-TI-PACKAGE 2\nkey-id: x\nsignature: y\n\n{}", keys).find("unsupported package format version 2"),
            std::string::npos);
  std::string bad_signature = file;
  bad_signature.replace(bad_signature.find("signature: ") + 11, 4, "!!!!");
  EXPECT_NE(rejection(bad_signature, keys).find("not 64 bytes of base64"), std::string::npos);
  EXPECT_NE(rejection("OTSENSOR-TI-PACKAGE 1\nkey-id: a\nextra: b\n\n{}", keys).find("unknown header"), std::string::npos);
  EXPECT_NE(rejection("OTSENSOR-TI-PACKAGE 1\nkey-id: a", keys).find("blank line"), std::string::npos);

  // A correctly signed payload that is not a valid package is still rejected.
  EXPECT_NE(rejection(sign_package("{\"format\":\"otsensor-ti\"}", key.private_pem), keys).find("\"id\""),
            std::string::npos);
}

TEST(PackageSigning, KeysMustBeEd25519) {
  TrustedKeys keys;
  EXPECT_THROW(keys.add_pem("not a key"), TiError);
  EXPECT_THROW(sign_package(kPayload, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), TiError);
  EXPECT_EQ(keys.size(), 0u);
}

class TrustedKeyDirectory : public testing::TempDirTest {};

TEST_F(TrustedKeyDirectory, LoadsPemFilesAndReportsBadOnes) {
  SigningKey key = generate_signing_key();
  write("keys/vendor.pem", key.public_pem);
  write("keys/broken.pem", "garbage");
  write("keys/readme.txt", "ignored");
  TrustedKeys keys;
  std::vector<std::string> problems;
  EXPECT_EQ(keys.add_directory(dir_ / "keys", problems), 1u);
  EXPECT_TRUE(keys.contains(key.key_id));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("broken.pem"), std::string::npos);
}

TEST(Base64, RoundTripAndStrictness) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    std::vector<uint8_t> bytes(text.begin(), text.end());
    auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(base64_encode(std::vector<uint8_t>{'f', 'o', 'o', 'b'}), "Zm9vYg==");
  EXPECT_FALSE(base64_decode("Zm9"));
  EXPECT_FALSE(base64_decode("Zm=v"));
  EXPECT_FALSE(base64_decode("Zm9v!A=="));
}

}  // namespace
}  // namespace ots::detect::ti
