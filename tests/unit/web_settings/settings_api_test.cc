// GET/PUT /api/v1/settings/export against the real console on 127.0.0.1 over a real SQLite file:
// empty at first, a valid list read back as written, every validation rule answered 400 naming
// the target (with nothing stored), only admins may read or write, the session's CSRF token is
// required, and each change is in the audit log.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "store/database.h"
#include "tests/unit/store/temp_dir.h"
#include "web/auth/console_store.h"
#include "tests/support/loopback_console.h"
#include "web/console_server.h"

namespace ots {
namespace {

using nlohmann::json;

constexpr const char* kPath = "/api/v1/settings/export";

class SettingsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    db_ = dir_.file("sensor.db");
    Database::open(db_, Database::Mode::ReadWrite);
    server_ = testing_support::start_loopback_console(db_);
    store_ = console::ConsoleStore::open(db_);
    admin_token_ = store_->create_api_token(store_->find_user("admin")->id, "settings test", 0);
    auto analyst = store_->add_user("analyst1", console::Role::Analyst, "analyst-password-1");
    analyst_token_ = store_->create_api_token(analyst.id, "settings test", 0);
    auto reader = store_->add_user("reader", console::Role::ReadOnly, "reader-password-1");
    reader_token_ = store_->create_api_token(reader.id, "settings test", 0);
    store_->add_user("admin2", console::Role::Admin, "admin2-password-1");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  static httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  httplib::Result get(const std::string& token) { return client_->Get(kPath, bearer(token)); }
  httplib::Result put(const json& body, const std::string& token) {
    return client_->Put(kPath, bearer(token), body.dump(), "application/json");
  }
  // The error message of a PUT that must be refused with `status`.
  std::string refused(const json& body, int status = 400) {
    auto res = put(body, admin_token_);
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, status) << body.dump() << " → " << res->body;
    auto answer = json::parse(res->body, nullptr, false);
    return answer.is_object() && answer["error"].is_string() ? answer["error"].get<std::string>() : "";
  }
  json stored() {
    auto res = get(admin_token_);
    EXPECT_TRUE(res && res->status == 200);
    return res ? json::parse(res->body, nullptr, false) : json();
  }
  std::vector<console::AuditEntry> audits(const std::string& action) {
    std::vector<console::AuditEntry> out;
    for (auto& e : store_->audit_log(0, 1000))
      if (e.action == action) out.push_back(e);
    return out;
  }

  testing::TempDir dir_;
  std::string db_, admin_token_, analyst_token_, reader_token_;
  std::unique_ptr<ConsoleServer> server_;
  std::unique_ptr<console::ConsoleStore> store_;
  std::unique_ptr<httplib::Client> client_;
};

const json kValid = {{"syslog",
                      {{{"host", "siem.example"}, {"port", 514}, {"transport", "udp"}, {"format", "cef"}},
                       {{"host", "10.0.0.9"}, {"port", 5170}, {"transport", "tcp"}, {"format", "json"}},
                       {{"host", "siem2"}, {"port", 6514}, {"transport", "tls"}, {"format", "cef"},
                        {"pin", std::string(64, 'a')}},
                       {{"host", "siem3"}, {"port", 6514}, {"transport", "tls"}, {"format", "json"},
                        {"ca", "/etc/ssl/siem-ca.pem"}}}}};

TEST_F(SettingsApiTest, EmptyAtFirst) { EXPECT_EQ(stored(), json({{"syslog", json::array()}})); }

TEST_F(SettingsApiTest, PutReplacesAndGetReadsBack) {
  auto res = put(kValid, admin_token_);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body), kValid);
  EXPECT_EQ(stored(), kValid);
  const json one = {
      {"syslog", {{{"host", "other"}, {"port", 601}, {"transport", "tcp"}, {"format", "cef"}}}}};
  ASSERT_EQ(put(one, admin_token_)->status, 200);
  EXPECT_EQ(stored(), one);
  ASSERT_EQ(put({{"syslog", json::array()}}, admin_token_)->status, 200);
  EXPECT_EQ(stored(), json({{"syslog", json::array()}}));
}

TEST_F(SettingsApiTest, EachRuleIsA400NamingTheTarget) {
  auto with = [](const std::string& key, const json& value) {
    json body = {{"syslog", {{{"host", "ok"}, {"port", 514}, {"transport", "udp"}, {"format", "cef"}}}}};
    body["syslog"].push_back({{"host", "siem"}, {"port", 514}, {"transport", "tcp"}, {"format", "cef"}});
    body["syslog"][1][key] = value;
    return body;
  };
  auto expect_names = [&](const json& body, const std::string& words) {
    const std::string message = refused(body);
    EXPECT_NE(message.find("target 2"), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  };
  expect_names(with("host", ""), "host");
  expect_names(with("host", "has space"), "host");
  expect_names(with("host", "a/b"), "host");
  expect_names(with("host", std::string(254, 'h')), "host");
  expect_names(with("host", 7), "host");
  expect_names(with("port", 0), "port");
  expect_names(with("port", 65536), "port");
  expect_names(with("port", "514"), "port");
  expect_names(with("port", nullptr), "port");
  expect_names(with("transport", "sctp"), "transport");
  expect_names(with("format", "leef"), "format");
  json json_udp = with("format", "json");
  json_udp["syslog"][1]["transport"] = "udp";
  expect_names(json_udp, "udp");
  expect_names(with("transport", "tls"), "CA file");
  json bad_pin = with("transport", "tls");
  bad_pin["syslog"][1]["pin"] = "00ff";
  expect_names(bad_pin, "pin");
  expect_names(with("ca", "/etc/ca.pem"), "tls only");
  expect_names(with("colour", "red"), "unknown field");
  json not_object = with("host", "x");
  not_object["syslog"][1] = "udp://siem:514";
  expect_names(not_object, "object");

  json seventeen = {{"syslog", json::array()}};
  for (int i = 0; i < 17; ++i)
    seventeen["syslog"].push_back({{"host", "h" + std::to_string(i)}, {"port", 514}, {"transport", "udp"},
                                   {"format", "cef"}});
  EXPECT_NE(refused(seventeen).find("at most 16"), std::string::npos);
  seventeen["syslog"].erase(16);
  EXPECT_EQ(put(seventeen, admin_token_)->status, 200);
  ASSERT_EQ(put({{"syslog", json::array()}}, admin_token_)->status, 200);

  EXPECT_NE(refused(json::object()).find("syslog"), std::string::npos);
  EXPECT_NE(refused({{"syslog", "udp://siem:514"}}).find("syslog"), std::string::npos);
  auto res = client_->Put(kPath, bearer(admin_token_), "not json", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  // Nothing of a refused list was stored.
  EXPECT_EQ(stored(), json({{"syslog", json::array()}}));
}

TEST_F(SettingsApiTest, OnlyAdminsReadOrWrite) {
  ASSERT_EQ(put(kValid, admin_token_)->status, 200);
  for (const std::string& token : {analyst_token_, reader_token_}) {
    EXPECT_EQ(get(token)->status, 403);
    EXPECT_EQ(put({{"syslog", json::array()}}, token)->status, 403);
  }
  EXPECT_EQ(client_->Get(kPath)->status, 401);
  EXPECT_EQ(client_->Put(kPath, kValid.dump(), "application/json")->status, 401);
  EXPECT_EQ(stored(), kValid);
}

TEST_F(SettingsApiTest, SessionsNeedTheCsrfToken) {
  auto login = client_->Post("/api/v1/auth/login",
                             json({{"username", "admin2"}, {"password", "admin2-password-1"}}).dump(),
                             "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  const std::string set_cookie = login->get_header_value("Set-Cookie");
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf = json::parse(login->body)["csrfToken"];
  auto without = client_->Put(kPath, {{"Cookie", cookie}}, kValid.dump(), "application/json");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 403);
  EXPECT_EQ(stored(), json({{"syslog", json::array()}}));
  auto with =
      client_->Put(kPath, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, kValid.dump(), "application/json");
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 200) << with->body;
  EXPECT_EQ(stored(), kValid);
  EXPECT_EQ(audits("settings.export").back().user, "admin2");
}

TEST_F(SettingsApiTest, ChangesAreAudited) {
  EXPECT_TRUE(audits("settings.export").empty());
  ASSERT_EQ(put(kValid, admin_token_)->status, 200);
  refused({{"syslog", {{{"host", ""}, {"port", 514}, {"transport", "udp"}, {"format", "cef"}}}}});
  ASSERT_EQ(put({{"syslog", json::array()}}, admin_token_)->status, 200);
  auto entries = audits("settings.export");
  ASSERT_EQ(entries.size(), 2u);  // the refused change is not a change
  // Newest first.
  EXPECT_EQ(entries[0].detail, "no targets");
  EXPECT_EQ(entries[1].user, "admin");
  EXPECT_EQ(entries[1].target, "syslog");
  EXPECT_NE(entries[1].detail.find("siem.example:514 udp cef"), std::string::npos) << entries[1].detail;
  EXPECT_NE(entries[1].detail.find("siem3:6514 tls json"), std::string::npos) << entries[1].detail;
}

}  // namespace
}  // namespace ots
