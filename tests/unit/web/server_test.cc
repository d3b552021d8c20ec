#include "web/server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "store/database.h"
#include "store/store_writer.h"
#include "tests/unit/store/temp_dir.h"
#include "tests/unit/web/schema_checker.h"

namespace ots {
namespace {

constexpr const char* kHostileVendor = R"(<script>alert("pwned")</script> & 'Co' <img src=x onerror=1>)";
constexpr int kDevices = 150;

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

StoreBatch sample_batch() {
  StoreBatch batch;
  for (int i = 0; i < kDevices; ++i) {
    Device d;
    d.key = "ip:10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    d.ips = {*IpAddr::parse(d.key.substr(3))};
    d.traffic = {1'704'164'645'000'000'000, 1'704'164'646'000'000'000, uint64_t(i), 2, 3, 4};
    batch.devices.push_back(d);
  }
  batch.devices[0].key = "mac:00:1b:1b:00:00:01";
  batch.devices[0].mac = MacAddr::parse("00:1b:1b:00:00:01");
  batch.devices[0].vendor = kHostileVendor;
  batch.devices[0].vlans = {0, 12};
  batch.devices[0].is_router = true;
  batch.devices[0].type = "<b>PLC</b>";
  batch.devices[0].facts = {{"productName", "<i>S7-1500</i>", "s7comm", 1, 2}};
  for (uint16_t port : {502, 102, 44818}) {
    ConnectionObservation c;
    c.key = {*IpAddr::parse("10.0.0.1"), *IpAddr::parse("10.0.0.2"), 6, port};
    c.packets_to_server = port;
    c.flows = 1;
    batch.connections.push_back(c);
  }
  return batch;
}

class WebServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("web.db");
    auto db = Database::open(path_, Database::Mode::ReadWrite);
    StoreBatch batch = sample_batch();
    RunRecord run;
    run.mode = "replay";
    run.source = "a.pcap";
    run.status = "running";
    run.started_at_ns = 1'704'164'645'000'000'000;
    run.id = db->begin_run(run);
    run.status = "completed";
    run.ended_at_ns = run.started_at_ns + 1;
    run.protocol_packets = {{"tcp", 3}};
    batch.runs = {run};
    db->apply(batch);
    server_ = std::make_unique<WebServer>(path_, "127.0.0.1:0");
    server_->start();
    ASSERT_GT(server_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());

    std::ifstream in(OTS_API_SCHEMA_PATH);
    checker_ = std::make_unique<testing::SchemaChecker>(nlohmann::json::parse(in));
  }

  httplib::Result get(const std::string& path) { return client_->Get(path.c_str()); }

  nlohmann::json get_json(const std::string& path, int expected_status = 200) {
    auto res = get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, expected_status) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return nlohmann::json::parse(res->body);
  }

  void expect_security_headers(const httplib::Response& res, const std::string& what) {
    EXPECT_TRUE(res.get_header_value("Content-Security-Policy").starts_with("default-src 'none'; style-src 'self'"))
        << what;
    EXPECT_EQ(res.get_header_value("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(res.get_header_value("X-Frame-Options"), "DENY") << what;
    EXPECT_EQ(res.get_header_value("Referrer-Policy"), "no-referrer") << what;
    EXPECT_EQ(res.get_header_value("Cache-Control"), "no-store") << what;
  }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<WebServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::unique_ptr<testing::SchemaChecker> checker_;
};

TEST_F(WebServerTest, DevicesArePaginated) {
  nlohmann::json first = get_json("/api/v1/devices");
  EXPECT_EQ(first["total"], kDevices);
  EXPECT_EQ(first["offset"], 0);
  EXPECT_EQ(first["limit"], 100);
  ASSERT_EQ(first["items"].size(), 100u);

  nlohmann::json second = get_json("/api/v1/devices?offset=100&limit=30");
  EXPECT_EQ(second["offset"], 100);
  EXPECT_EQ(second["limit"], 30);
  ASSERT_EQ(second["items"].size(), 30u);
  EXPECT_GT(second["items"][0]["id"].get<int64_t>(), first["items"][99]["id"].get<int64_t>());

  EXPECT_EQ(get_json("/api/v1/devices?offset=149&limit=1000")["items"].size(), 1u);
  nlohmann::json past_end = get_json("/api/v1/devices?offset=5000");
  EXPECT_EQ(past_end["total"], kDevices);
  EXPECT_TRUE(past_end["items"].empty());
}

TEST_F(WebServerTest, BadPageParametersAre400Json) {
  for (const char* query : {"limit=0", "limit=1001", "limit=abc", "limit=", "offset=-1", "offset=1.5"}) {
    nlohmann::json body = get_json(std::string("/api/v1/devices?") + query, 400);
    EXPECT_TRUE(body["error"].is_string()) << query;
    EXPECT_EQ(joined(checker_->check(body, "error")), "");
  }
  EXPECT_EQ(get_json("/api/v1/connections?limit=5000", 400)["error"], "limit must be an integer from 1 to 1000");
}

TEST_F(WebServerTest, DeviceById) {
  nlohmann::json page = get_json("/api/v1/devices?limit=1");
  const int64_t id = page["items"][0]["id"];
  nlohmann::json device = get_json("/api/v1/devices/" + std::to_string(id));
  EXPECT_EQ(device, page["items"][0]);
  EXPECT_EQ(device["vendor"], kHostileVendor);  // JSON carries the raw string
  EXPECT_EQ(get_json("/api/v1/devices/999999", 404)["error"], "no such device");
  EXPECT_EQ(get_json("/api/v1/devices/abc", 404)["error"], "no such device");
  EXPECT_EQ(get_json("/api/v1/devices/99999999999999999999999", 404)["error"], "no such device");
}

TEST_F(WebServerTest, UnknownPathsAre404Json) {
  for (const char* path : {"/api/v1/nope", "/api/v2/devices", "/index.html", "/api/v1/devices/1/extra"}) {
    auto res = get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "not found") << path;
    expect_security_headers(*res, path);
  }
}

TEST_F(WebServerTest, OnlyGetAndHeadAreAllowed) {
  auto post = client_->Post("/api/v1/devices", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(post->body)["error"], "method not allowed");
  expect_security_headers(*post, "POST");
  auto del = client_->Delete("/api/v1/devices/1");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  auto put = client_->Put("/", "x", "text/plain");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);

  auto head = client_->Head("/api/v1/devices");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST_F(WebServerTest, SecurityHeadersOnEveryResponse) {
  for (const char* path : {"/", "/static/style.css", "/api/v1/devices", "/api/v1/connections", "/api/v1/stats",
                           "/api/v1/devices?limit=0", "/nope"}) {
    auto res = get(path);
    ASSERT_TRUE(res) << path;
    expect_security_headers(*res, path);
  }
}

TEST_F(WebServerTest, HtmlPageEscapesEverything) {
  auto res = get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string& html = res->body;
  EXPECT_NE(html.find("<title>otsensor devices</title>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;PLC&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;Co&#39; &lt;img"),
            std::string::npos);
  EXPECT_NE(html.find("00:1b:1b:00:00:01"), std::string::npos);
  EXPECT_NE(html.find("untagged, 12"), std::string::npos);
  EXPECT_NE(html.find("150 devices"), std::string::npos);
  EXPECT_NE(html.find("href=\"/?offset=100&amp;limit=100\">next</a>"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // no external resources
  EXPECT_EQ(html.find("https://"), std::string::npos);

  auto css = get("/static/style.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(get("/?limit=0")->status, 400);
}

TEST_F(WebServerTest, ResponsesMatchTheSchema) {
  EXPECT_EQ(joined(checker_->check(get_json("/api/v1/devices?limit=1000"), "devicePage")), "");
  EXPECT_EQ(joined(checker_->check(get_json("/api/v1/connections"), "connectionPage")), "");
  nlohmann::json stats = get_json("/api/v1/stats");
  EXPECT_EQ(joined(checker_->check(stats, "stats")), "");
  EXPECT_EQ(stats["devices"], kDevices);
  EXPECT_EQ(stats["connections"], 3);
  ASSERT_EQ(stats["runs"].size(), 1u);
  EXPECT_EQ(stats["runs"][0]["status"], "completed");
  EXPECT_EQ(stats["runs"][0]["protocolPackets"]["tcp"], 3);
  nlohmann::json device = get_json("/api/v1/devices/" + std::to_string(get_json("/api/v1/devices")["items"][0]["id"].get<int64_t>()));
  EXPECT_EQ(joined(checker_->check(device, "device")), "");
}

TEST_F(WebServerTest, ConnectionsAreOrdered) {
  nlohmann::json page = get_json("/api/v1/connections");
  EXPECT_EQ(page["total"], 3);
  ASSERT_EQ(page["items"].size(), 3u);
  EXPECT_EQ(page["items"][0]["serverPort"], 102);
  EXPECT_EQ(page["items"][1]["serverPort"], 502);
  EXPECT_EQ(page["items"][2]["serverPort"], 44818);
  EXPECT_EQ(page["items"][0]["transport"], "tcp");
}

TEST_F(WebServerTest, ServesWhileAWriterIsWriting) {
  std::atomic<bool> done{false};
  std::thread writer_thread([&] {
    StoreWriter writer(path_);
    for (int round = 0; round < 50; ++round) {
      StoreBatch batch;
      Device d;
      d.key = "ip:172.16.0." + std::to_string(round);
      d.ips = {*IpAddr::parse("172.16.0." + std::to_string(round))};
      batch.devices = {d};
      writer.submit(batch);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    writer.flush();
    done = true;
  });
  int64_t last_total = 0;
  while (!done) {
    nlohmann::json page = get_json("/api/v1/devices?limit=1");
    ASSERT_TRUE(page.is_object());
    EXPECT_GE(page["total"].get<int64_t>(), last_total);
    last_total = page["total"];
  }
  writer_thread.join();
  EXPECT_EQ(get_json("/api/v1/devices")["total"], kDevices + 50);
}

TEST_F(WebServerTest, BindFailureNamesTheAddress) {
  const std::string taken = "127.0.0.1:" + std::to_string(server_->port());
  WebServer second(path_, taken);
  try {
    second.start();
    FAIL() << "second bind succeeded";
  } catch (const WebError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("cannot listen on " + taken)) << e.what();
  }
  WebServer bad(path_, "localhost");
  EXPECT_THROW(bad.start(), WebError);
}

TEST_F(WebServerTest, StoreFailuresAre503WithoutInternals) {
  const int64_t id = get_json("/api/v1/devices?limit=1")["items"][0]["id"];
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  const std::string corrupt = "UPDATE devices SET ips = 'not json' WHERE id = " + std::to_string(id);
  ASSERT_EQ(sqlite3_exec(raw, corrupt.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  nlohmann::json body = get_json("/api/v1/devices/" + std::to_string(id), 503);
  EXPECT_EQ(body["error"], "database error");  // no path, no SQL
  EXPECT_EQ(get_json("/api/v1/devices", 503)["error"], "database error");
  EXPECT_EQ(get_json("/api/v1/connections")["total"], 3);  // the pool's connections still work
}

TEST_F(WebServerTest, StopIsIdempotentAndRefusesConnections) {
  server_->stop();
  server_->stop();
  EXPECT_FALSE(get("/api/v1/stats"));
}

TEST(WebServer, MissingDatabaseFailsAtStart) {
  WebServer server("/nonexistent/otsensor.db", "127.0.0.1:0");
  try {
    server.start();
    FAIL() << "started without a database";
  } catch (const StoreError& e) {
    EXPECT_STREQ(e.what(), "cannot open database '/nonexistent/otsensor.db': unable to open database file");
  }
}

TEST(WebServer, ListensOnIpv6Loopback) {
  testing::TempDir dir;
  const std::string path = dir.file("v6.db");
  Database::open(path, Database::Mode::ReadWrite);
  WebServer server(path, "[::1]:0");
  try {
    server.start();
  } catch (const WebError& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  httplib::Client client("::1", server.port());
  auto res = client.Get("/api/v1/stats");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

}  // namespace
}  // namespace ots
