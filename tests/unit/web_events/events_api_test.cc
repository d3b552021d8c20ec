// GET /api/v1/events against the real console on 127.0.0.1 over a real SQLite file holding
// devices, alerts and audit entries at known times: the merged order, type / time / device
// filters, offset pagination, the admin-only user operations and the 400 answers.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "detect/engine/alert_store.h"
#include "store/database.h"
#include "store/sqlite.h"
#include "tests/unit/store/temp_dir.h"
#include "web/auth/console_store.h"
#include "tests/support/loopback_console.h"
#include "web/console_server.h"

namespace ots {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kBase = 1'704'153'600 * kSecond;  // 2024-01-02T00:00:00Z
// Keeps the server's own audit entries (first start, now) out of the expected timelines.
const std::string kBefore2025 = "until=2025-01-01T00:00:00Z";

Device make_device(const std::string& ip, const char* mac, int64_t first_seen_s) {
  Device d;
  d.key = mac ? std::string("mac:") + mac : "ip:" + ip;
  d.ips = {*IpAddr::parse(ip)};
  if (mac) d.mac = MacAddr::parse(mac);
  d.type = "PLC";
  d.vendor = "Siemens AG";
  d.traffic = {kBase + first_seen_s * kSecond, kBase + 100 * kSecond, 1, 2, 3, 4};
  return d;
}

detect::Alert make_alert(const std::string& title, detect::Severity severity, const char* source,
                         const char* destination, int64_t first_seen_s) {
  detect::Alert a;
  a.definition_id = "test." + title;
  a.title = title;
  a.message = title + " happened";
  a.severity = severity;
  a.source_ip = *IpAddr::parse(source);
  a.destination_ip = *IpAddr::parse(destination);
  a.protocol = "modbus";
  a.first_seen_ns = kBase + first_seen_s * kSecond;
  a.last_seen_ns = a.first_seen_ns + 50 * kSecond;
  return a;
}

class EventsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    db_ = dir_.file("sensor.db");
    StoreBatch batch;
    batch.devices = {make_device("10.0.0.1", "00:1b:1b:00:00:01", 10), make_device("10.0.0.2", nullptr, 20),
                     make_device("10.0.0.3", nullptr, 30)};
    Database::open(db_, Database::Mode::ReadWrite)->apply(batch);
    {
      auto db = SqliteConnection::open(db_, SqliteConnection::Mode::ReadOnly);
      for (int i = 1; i <= 3; ++i) {
        Statement q(*db, "SELECT id FROM devices WHERE ips = ?1");
        q.bind(1, "[\"10.0.0." + std::to_string(i) + "\"]");
        ASSERT_TRUE(q.step());
        device_[i] = q.i64(0);
      }
    }
    auto alerts = detect::AlertStore::open(db_);
    alert_[1] = alerts->record(make_alert("Write to PLC", detect::Severity::Critical, "10.0.0.2", "10.0.0.1", 15));
    alert_[2] = alerts->record(make_alert("Unknown host", detect::Severity::Major, "192.168.9.9", "10.0.0.3", 25));
    // At the same time as the discovery of device 2: alerts come first.
    alert_[3] = alerts->record(make_alert("Scan", detect::Severity::Warning, "10.0.0.1", "10.0.0.9", 20));

    server_ = testing_support::start_loopback_console(db_);
    auto store = console::ConsoleStore::open(db_);
    store->audit("admin", "device.update", std::to_string(device_[1]), "{\"name\":\"boiler\"}", "127.0.0.1",
                 kBase + 12 * kSecond);
    store->audit("admin", "ti.import", "vendor-pack", "1.2", "127.0.0.1", kBase + 27 * kSecond);
    store->audit("analyst1", "alert.acknowledge", std::to_string(alert_[1]), "Write to PLC", "127.0.0.1",
                 kBase + 40 * kSecond);
    admin_token_ = store->create_api_token(store->find_user("admin")->id, "events test", kBase);
    auto reader = store->add_user("reader", console::Role::ReadOnly, "reader-password-1");
    reader_token_ = store->create_api_token(reader.id, "events test", kBase);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  nlohmann::json get(const std::string& query, const std::string& token, int status = 200) {
    auto res = client_->Get(("/api/v1/events?" + query).c_str(), {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(res) << query;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << query << ": " << res->body;
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << res->body;
    return body;
  }
  nlohmann::json admin(const std::string& query, int status = 200) { return get(query, admin_token_, status); }

  // The events as "type:title" in the order answered.
  static std::vector<std::string> names(const nlohmann::json& body) {
    std::vector<std::string> out;
    for (const auto& e : body["items"]) out.push_back(e["type"].get<std::string>() + ":" + e["title"].get<std::string>());
    return out;
  }

  testing::TempDir dir_;
  std::string db_, admin_token_, reader_token_;
  int64_t device_[4] = {}, alert_[4] = {};
  std::unique_ptr<ConsoleServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

const std::vector<std::string> kAdminTimeline = {
    "user-operation:alert.acknowledge",              // +40
    "device-discovered:Device discovered: 10.0.0.3",  // +30
    "user-operation:ti.import",                      // +27
    "alert:Unknown host",                            // +25
    "alert:Scan",                                    // +20, before the discovery at the same time
    "device-discovered:Device discovered: 10.0.0.2",  // +20
    "alert:Write to PLC",                            // +15
    "user-operation:device.update",                  // +12
    "device-discovered:Device discovered: 10.0.0.1, 00:1b:1b:00:00:01",  // +10
};

TEST_F(EventsApiTest, MergesTheThreeSourcesNewestFirst) {
  auto body = admin(kBefore2025);
  EXPECT_EQ(names(body), kAdminTimeline);
  EXPECT_EQ(body["total"], 9);
  EXPECT_EQ(body["offset"], 0);
  EXPECT_EQ(body["limit"], 100);
  const auto& items = body["items"];
  EXPECT_EQ(items[0]["time"], "2024-01-02T00:00:40.000000000Z");
  EXPECT_EQ(items[0]["user"], "analyst1");
  EXPECT_EQ(items[0]["link"], "/api/v1/alerts/" + std::to_string(alert_[1]));
  EXPECT_TRUE(items[0]["severity"].is_null());
  EXPECT_EQ(items[1]["deviceId"], device_[3]);
  EXPECT_EQ(items[1]["link"], "/api/v1/devices/" + std::to_string(device_[3]));
  EXPECT_EQ(items[1]["description"], "PLC by Siemens AG (10.0.0.3)");
  EXPECT_EQ(items[2]["description"], "vendor-pack: 1.2");
  EXPECT_TRUE(items[2]["deviceId"].is_null());
  EXPECT_TRUE(items[2]["link"].is_null());
  // Alerts: severity, message, and the device of the source, else of the destination.
  EXPECT_EQ(items[3]["severity"], "Major");
  EXPECT_EQ(items[3]["description"], "Unknown host happened");
  EXPECT_EQ(items[3]["deviceId"], device_[3]);
  EXPECT_EQ(items[3]["link"], "/api/v1/alerts/" + std::to_string(alert_[2]));
  EXPECT_EQ(items[3]["id"], "alert:" + std::to_string(alert_[2]));
  EXPECT_TRUE(items[3]["user"].is_null());
  EXPECT_EQ(items[6]["severity"], "Critical");
  EXPECT_EQ(items[6]["deviceId"], device_[2]);
  EXPECT_EQ(items[7]["deviceId"], device_[1]);
  EXPECT_EQ(items[7]["user"], "admin");
}

TEST_F(EventsApiTest, TheServersOwnOperationsAreNewest) {
  auto body = admin("");
  ASSERT_GE(body["items"].size(), 10u);
  EXPECT_EQ(body["items"][0]["title"], "user.add");  // the first start's administrator, now
  EXPECT_GT(body["total"].get<int64_t>(), 9);
}

TEST_F(EventsApiTest, NonAdminsDoNotSeeUserOperations) {
  auto body = get(kBefore2025, reader_token_);
  EXPECT_EQ(body["total"], 6);
  for (const auto& e : body["items"]) EXPECT_NE(e["type"], "user-operation");
  EXPECT_EQ(body["items"][0]["title"], "Device discovered: 10.0.0.3");
  for (const char* query : {"type=user-operation", "type=alert,user-operation", "type=alert&type=user-operation"}) {
    auto refused = get(query, reader_token_, 403);
    EXPECT_EQ(refused["status"], 403);
    EXPECT_TRUE(refused["error"].is_string());
  }
  auto res = client_->Get("/api/v1/events");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(EventsApiTest, FiltersByType) {
  EXPECT_EQ(names(admin("type=alert&" + kBefore2025)),
            (std::vector<std::string>{"alert:Unknown host", "alert:Scan", "alert:Write to PLC"}));
  auto listed = admin("type=alert,device-discovered&" + kBefore2025);
  auto repeated = admin("type=device-discovered&type=alert&" + kBefore2025);
  EXPECT_EQ(listed["total"], 6);
  EXPECT_EQ(names(listed), names(repeated));
  EXPECT_EQ(admin("type=user-operation&" + kBefore2025)["total"], 3);
}

TEST_F(EventsApiTest, FiltersByTimeInclusively) {
  auto body = admin("since=2024-01-02T00:00:15Z&until=2024-01-02T00:00:27Z");
  EXPECT_EQ(names(body), (std::vector<std::string>(kAdminTimeline.begin() + 2, kAdminTimeline.begin() + 7)));
  EXPECT_EQ(body["total"], 5);
  // Fractional seconds count: one nanosecond after the alert at +15 leaves it out.
  body = admin("since=2024-01-02T00:00:15.000000001Z&until=2024-01-02T00:00:27Z");
  EXPECT_EQ(names(body), (std::vector<std::string>(kAdminTimeline.begin() + 2, kAdminTimeline.begin() + 6)));
  body = admin("since=2024-01-02T00:00:20.5Z&" + kBefore2025);
  EXPECT_EQ(body["total"], 4);
}

TEST_F(EventsApiTest, FiltersByDevice) {
  // Device 1 (10.0.0.1): the alerts to and from it, its edit, its discovery.
  auto body = admin("deviceId=" + std::to_string(device_[1]));
  EXPECT_EQ(names(body), (std::vector<std::string>{"alert:Scan", "alert:Write to PLC", "user-operation:device.update",
                                                   "device-discovered:Device discovered: 10.0.0.1, "
                                                   "00:1b:1b:00:00:01"}));
  for (const auto& e : body["items"]) EXPECT_EQ(e["deviceId"], device_[1]);
  EXPECT_EQ(names(admin("deviceId=" + std::to_string(device_[3]))),
            (std::vector<std::string>{"device-discovered:Device discovered: 10.0.0.3", "alert:Unknown host"}));
  EXPECT_EQ(admin("deviceId=999999")["total"], 0);
}

TEST_F(EventsApiTest, PagesAreSlicesOfOneTimeline) {
  std::vector<std::string> paged;
  for (int offset = 0; offset < 12; offset += 4) {
    auto body = admin("limit=4&offset=" + std::to_string(offset) + "&" + kBefore2025);
    EXPECT_EQ(body["total"], 9);
    EXPECT_EQ(body["offset"], offset);
    EXPECT_EQ(body["limit"], 4);
    EXPECT_EQ(body["items"].size(), offset < 8 ? 4u : 1u);
    for (const auto& name : names(body)) paged.push_back(name);
  }
  EXPECT_EQ(paged, kAdminTimeline);
  EXPECT_TRUE(admin("offset=50&" + kBefore2025)["items"].empty());
  EXPECT_EQ(admin("limit=1000&" + kBefore2025)["items"].size(), 9u);
}

TEST_F(EventsApiTest, RejectsBadParameters) {
  for (const char* query :
       {"type=bogus", "type=", "type=alert,", "since=yesterday", "since=2024-01-02", "until=2024-01-02T00:00:00",
        "since=2024-01-02T00:00:00+01:00", "since=1704153600", "since=2024-01-02T00:00:00.Z",
        "since=99999-01-01T00:00:00Z", "since=2024-01-03T00:00:00Z&until=2024-01-02T00:00:00Z", "limit=0",
        "limit=1001", "limit=-1", "offset=-1", "offset=x", "deviceId=abc", "deviceId=0", "deviceId="}) {
    auto body = admin(query, 400);
    EXPECT_EQ(body["status"], 400) << query;
    EXPECT_TRUE(body["error"].is_string()) << query;
  }
}

// A sensor that never ran detection has no alerts table: the other sources still answer.
TEST(EventsWithoutAlerts, ListsDevicesAlone) {
  testing::TempDir dir;
  const std::string db = dir.file("sensor.db");
  StoreBatch batch;
  batch.devices = {make_device("10.0.0.7", nullptr, 5)};
  Database::open(db, Database::Mode::ReadWrite)->apply(batch);
  auto server = testing_support::start_loopback_console(db);
  auto store = console::ConsoleStore::open(db);
  const std::string token = store->create_api_token(store->find_user("admin")->id, "t", kBase);
  httplib::Client client("127.0.0.1", server->port());
  auto res = client.Get("/api/v1/events?type=alert,device-discovered", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["total"], 1);
  EXPECT_EQ(body["items"][0]["title"], "Device discovered: 10.0.0.7");
}

}  // namespace
}  // namespace ots
