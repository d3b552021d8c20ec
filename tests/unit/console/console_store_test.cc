#include "web/auth/console_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace ots::console {
namespace {

constexpr ScryptParams kFast{10, 8, 1};
constexpr int64_t kSecond = 1'000'000'000;

class ConsoleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ots_console_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = ConsoleStore::open((dir_ / "sensor.db").string(), kFast);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<ConsoleStore> store_;
};

TEST_F(ConsoleStoreTest, UsersRolesAndPasswords) {
  EXPECT_FALSE(store_->has_users());
  User admin = store_->add_user("admin", Role::Admin, "a long admin password");
  EXPECT_TRUE(store_->has_users());
  EXPECT_EQ(admin.role, Role::Admin);
  EXPECT_THROW(store_->add_user("admin", Role::Analyst, "another long password"), ConsoleError);
  EXPECT_THROW(store_->add_user("bob", Role::Analyst, "short"), ConsoleError);
  EXPECT_THROW(store_->add_user("bad name", Role::Analyst, "a long enough password"), ConsoleError);
  EXPECT_THROW(store_->add_user("", Role::Analyst, "a long enough password"), ConsoleError);

  EXPECT_TRUE(store_->check_password("admin", "a long admin password"));
  EXPECT_FALSE(store_->check_password("admin", "a long admin passworD"));
  EXPECT_FALSE(store_->check_password("nobody", "a long admin password"));

  store_->add_user("viewer", Role::ReadOnly, "viewer password 1");
  store_->set_role("viewer", Role::Analyst);
  EXPECT_EQ(store_->find_user("viewer")->role, Role::Analyst);
  store_->set_password("viewer", "viewer password 2");
  EXPECT_FALSE(store_->check_password("viewer", "viewer password 1"));
  EXPECT_TRUE(store_->check_password("viewer", "viewer password 2"));
  EXPECT_EQ(store_->list_users().size(), 2u);
  store_->remove_user("viewer");
  EXPECT_FALSE(store_->find_user("viewer"));
  EXPECT_THROW(store_->remove_user("viewer"), ConsoleError);
}

TEST_F(ConsoleStoreTest, PasswordsAreStoredOnlyAsScryptHashes) {
  store_->add_user("admin", Role::Admin, "a long admin password");
  auto db = SqliteConnection::open((dir_ / "sensor.db").string(), SqliteConnection::Mode::ReadOnly);
  Statement q(*db, "SELECT password_hash FROM console_users");
  ASSERT_TRUE(q.step());
  EXPECT_TRUE(q.text(0).starts_with("scrypt$"));
  EXPECT_EQ(q.text(0).find("a long admin password"), std::string::npos);
}

TEST_F(ConsoleStoreTest, SessionsExpireAndEnd) {
  User admin = store_->add_user("admin", Role::Admin, "a long admin password");
  NewSession s = store_->create_session(admin.id, 100 * kSecond, 60 * kSecond);
  auto principal = store_->session_principal(s.token, 130 * kSecond);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->user.name, "admin");
  EXPECT_EQ(principal->csrf_token, s.csrf_token);
  EXPECT_FALSE(principal->api_token);
  EXPECT_FALSE(store_->session_principal(s.token, 161 * kSecond)) << "expired";
  EXPECT_FALSE(store_->session_principal(s.token, 130 * kSecond)) << "deleted once seen expired";

  NewSession t = store_->create_session(admin.id, 200 * kSecond, 60 * kSecond);
  store_->end_session(t.token);
  EXPECT_FALSE(store_->session_principal(t.token, 201 * kSecond));
  EXPECT_FALSE(store_->session_principal("not-a-token", 201 * kSecond));

  // Only digests are stored.
  auto db = SqliteConnection::open((dir_ / "sensor.db").string(), SqliteConnection::Mode::ReadOnly);
  Statement q(*db, "SELECT token_sha256 FROM console_sessions");
  while (q.step()) EXPECT_NE(q.text(0), t.token);
}

TEST_F(ConsoleStoreTest, ChangingThePasswordEndsSessions) {
  User u = store_->add_user("ann", Role::Analyst, "first password ok");
  NewSession s = store_->create_session(u.id, kSecond, 3600 * kSecond);
  store_->set_password("ann", "second password ok");
  EXPECT_FALSE(store_->session_principal(s.token, 2 * kSecond));
}

TEST_F(ConsoleStoreTest, ApiTokens) {
  User u = store_->add_user("script", Role::ReadOnly, "script password 12");
  std::string token = store_->create_api_token(u.id, "nightly export", 5 * kSecond);
  EXPECT_TRUE(token.starts_with("ots_"));
  auto p = store_->api_token_principal(token, 6 * kSecond);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->api_token);
  EXPECT_TRUE(p->csrf_token.empty());
  EXPECT_EQ(p->user.role, Role::ReadOnly);
  auto tokens = store_->list_api_tokens();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].last_used_ns, 6 * kSecond);
  EXPECT_TRUE(store_->revoke_api_token(tokens[0].id));
  EXPECT_FALSE(store_->api_token_principal(token, 7 * kSecond));
  EXPECT_FALSE(store_->api_token_principal("ots_" + std::string(64, '0'), 7 * kSecond));
}

TEST_F(ConsoleStoreTest, AuditLogNewestFirst) {
  store_->audit("", "user.add", "admin", "first start", "", 1);
  store_->audit("admin", "alert.acknowledge", "42", "", "127.0.0.1", 2);
  EXPECT_EQ(store_->count_audit(), 2);
  auto log = store_->audit_log(0, 10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "alert.acknowledge");
  EXPECT_EQ(log[0].remote, "127.0.0.1");
  EXPECT_EQ(store_->audit_log(1, 10).size(), 1u);
}

TEST_F(ConsoleStoreTest, DeviceAnnotationsRoundTrip) {
  EXPECT_FALSE(store_->annotation(7));
  DeviceAnnotation a;
  a.device_id = 7;
  a.name = "Boiler PLC";
  a.purdue_level = 1;
  a.authorized = true;
  a.tags = {"boiler", "line-2"};
  a.updated_by = "admin";
  a.updated_at_ns = 9;
  store_->save_annotation(a);
  auto back = store_->annotation(7);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "Boiler PLC");
  EXPECT_FALSE(back->type);
  EXPECT_EQ(back->purdue_level, 1);
  EXPECT_EQ(back->authorized, true);
  EXPECT_EQ(back->tags, (std::vector<std::string>{"boiler", "line-2"}));
  EXPECT_EQ(store_->all_annotations().size(), 1u);
}

TEST(Roles, NamesRoundTrip) {
  for (Role r : {Role::ReadOnly, Role::Analyst, Role::Admin}) EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_EQ(parse_role("root"), std::nullopt);
}

}  // namespace
}  // namespace ots::console
