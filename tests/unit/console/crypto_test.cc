#include "web/auth/crypto.h"

#include <gtest/gtest.h>

namespace ots::console {
namespace {

// Cheap parameters keep the suite fast; the format and checks are the same.
constexpr ScryptParams kFast{10, 8, 1};

TEST(Crypto, PasswordHashVerifiesOnlyTheRightPassword) {
  std::string stored = hash_password("correct horse battery", kFast);
  EXPECT_TRUE(stored.starts_with("scrypt$10$8$1$"));
  EXPECT_TRUE(verify_password("correct horse battery", stored));
  EXPECT_FALSE(verify_password("correct horse batterz", stored));
  EXPECT_FALSE(verify_password("", stored));
  EXPECT_NE(stored, hash_password("correct horse battery", kFast)) << "every hash has its own salt";
}

TEST(Crypto, MalformedStoredHashesNeverVerify) {
  for (const char* bad : {"", "scrypt", "scrypt$10$8$1$zz$00", "bcrypt$10$8$1$00$00", "scrypt$99$8$1$00$00",
                          "scrypt$10$8$1$00$", "scrypt$10$8$1$00$00$00", "scrypt$-1$8$1$00$00"}) {
    EXPECT_FALSE(verify_password("x", bad)) << bad;
  }
}

TEST(Crypto, DefaultParametersAreMemoryHard) {
  ScryptParams defaults;
  EXPECT_GE(defaults.log2_n, 14);  // >= 16 MiB with r = 8
  EXPECT_EQ(defaults.r, 8);
}

TEST(Crypto, TokensDigestsAndComparison) {
  std::string a = random_token_hex(32), b = random_token_hex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(constant_time_equal("same", "same"));
  EXPECT_FALSE(constant_time_equal("same", "sane"));
  EXPECT_FALSE(constant_time_equal("same", "same!"));
}

}  // namespace
}  // namespace ots::console
