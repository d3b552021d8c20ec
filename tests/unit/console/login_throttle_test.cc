#include "web/auth/login_throttle.h"

#include <gtest/gtest.h>

namespace ots::console {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(LoginThrottle, RefusesAfterTooManyFailuresUntilTheWindowMoves) {
  LoginThrottle throttle(3, 60 * kSecond);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.retry_after_seconds("10.0.0.1", i * kSecond), 0);
    throttle.record_failure("10.0.0.1", i * kSecond);
  }
  EXPECT_EQ(throttle.retry_after_seconds("10.0.0.1", 3 * kSecond), 57);
  EXPECT_EQ(throttle.retry_after_seconds("10.0.0.2", 3 * kSecond), 0) << "other clients are not affected";
  EXPECT_EQ(throttle.retry_after_seconds("10.0.0.1", 60 * kSecond + 1), 0) << "the oldest failure left the window";
}

TEST(LoginThrottle, SuccessClearsTheKey) {
  LoginThrottle throttle(2, 60 * kSecond);
  throttle.record_failure("ann", 0);
  throttle.record_failure("ann", 1);
  EXPECT_GT(throttle.retry_after_seconds("ann", 2), 0);
  throttle.record_success("ann");
  EXPECT_EQ(throttle.retry_after_seconds("ann", 2), 0);
}

TEST(LoginThrottle, BoundedNumberOfKeys) {
  LoginThrottle throttle(1, 60 * kSecond, 2);
  throttle.record_failure("a", 0);
  throttle.record_failure("b", 1);
  throttle.record_failure("c", 2);  // forgets "a", the oldest
  EXPECT_EQ(throttle.retry_after_seconds("a", 3), 0);
  EXPECT_GT(throttle.retry_after_seconds("b", 3), 0);
  EXPECT_GT(throttle.retry_after_seconds("c", 3), 0);
}

}  // namespace
}  // namespace ots::console
