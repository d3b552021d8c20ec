// The console over real HTTPS on 127.0.0.1 with a real SQLite file: authentication, roles,
// CSRF, API tokens, login throttling, upload limits, static files without traversal, the
// device list's filters and sorting, and the audit log.
#include "web/console_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "store/database.h"
#include "tests/unit/store/temp_dir.h"
#include "tests/unit/web/schema_checker.h"

namespace ots {
namespace {

StoreBatch devices_batch() {
  StoreBatch batch;
  const char* types[] = {"PLC", "HMI", "RTU"};
  for (int i = 0; i < 30; ++i) {
    Device d;
    d.key = "ip:10.0.0." + std::to_string(i + 1);
    d.ips = {*IpAddr::parse(d.key.substr(3))};
    d.type = types[i % 3];
    d.vendor = i % 2 ? "Siemens AG" : "Rockwell Automation";
    d.traffic = {1'704'164'645'000'000'000 + i, 1'704'164'646'000'000'000 + i, uint64_t(100 - i), 2, 3, 4};
    if (i == 4) d.facts = {{"hostname", "boiler-plc", "s7comm", 1, 2}, {"firmwareVersion", "V2.9", "s7comm", 1, 2}};
    d.protocols = {{i % 3 == 0 ? "s7comm" : "modbus", i % 3 == 0, 1, 2, 1}};
    d.programming_device = i == 1;
    d.scanner = i == 7 || i == 8;
    batch.devices.push_back(d);
  }
  ConnectionObservation c;
  c.key = {*IpAddr::parse("10.0.0.2"), *IpAddr::parse("10.0.0.1"), 6, 102};
  c.flows = 1;
  c.application = "s7comm";
  batch.connections.push_back(c);
  CommandObservation k;
  k.client = *IpAddr::parse("10.0.0.2");
  k.server = *IpAddr::parse("10.0.0.1");
  k.protocol = "s7comm";
  k.code = 0x29;
  k.name = "PLC Stop";
  k.is_write = true;
  k.requests = 3;
  batch.commands.push_back(k);
  return batch;
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);  // a server refusing a body early may close while we still write
    db_ = dir_.file("sensor.db");
    Database::open(db_, Database::Mode::ReadWrite)->apply(devices_batch());
    ui_ = dir_.file("ui");
    std::filesystem::create_directories(ui_ + "/assets");
    std::ofstream(ui_ + "/index.html") << "<!doctype html><title>console</title>";
    std::ofstream(ui_ + "/assets/app.js") << "console.log(1)";
    std::ofstream(dir_.file("secret.txt")) << "not for the web";
    ConsoleOptions options;
    options.db_path = db_;
    options.listen = "127.0.0.1:0";
    options.ui_dir = ui_;
    options.max_upload_bytes = 100'000;
    server_ = std::make_unique<ConsoleServer>(options);
    info_ = server_->start();
    ASSERT_FALSE(info_.initial_admin_password.empty()) << "first start creates admin and prints its password";
    client_ = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    client_->enable_server_certificate_verification(false);  // the pin is checked in its own test
  }

  // Logs in; returns the CSRF token and keeps the cookie for later requests.
  std::string login(const std::string& user, const std::string& password) {
    auto res = client_->Post("/api/v1/auth/login",
                             nlohmann::json{{"username", user}, {"password", password}}.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res || res->status != 200) return {};
    std::string cookie = res->get_header_value("Set-Cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("Secure"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    cookie_ = cookie.substr(0, cookie.find(';'));
    return nlohmann::json::parse(res->body)["csrfToken"];
  }

  httplib::Headers auth(const std::string& csrf = "") {
    httplib::Headers h{{"Cookie", cookie_}};
    if (!csrf.empty()) h.emplace("X-CSRF-Token", csrf);
    return h;
  }

  nlohmann::json get_json(const std::string& path, int status = 200) {
    auto res = client_->Get(path.c_str(), auth());
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    return nlohmann::json::parse(res->body, nullptr, false);
  }

  testing::TempDir dir_;
  std::string db_, ui_, cookie_;
  std::unique_ptr<ConsoleServer> server_;
  ConsoleStartInfo info_;
  std::unique_ptr<httplib::SSLClient> client_;
};

TEST_F(ConsoleTest, EverythingButLoginNeedsCredentials) {
  for (const char* path : {"/api/v1/devices", "/api/v1/devices/1", "/api/v1/connections", "/api/v1/overview",
                           "/api/v1/users", "/api/v1/audit", "/api/v1/map", "/api/v1/replays"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 401) << path;
    EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "authentication required");
  }
  auto res = client_->Post("/api/v1/users", "{}", "application/json");
  EXPECT_EQ(res->status, 401);
  // The app shell and the OpenAPI document are public; they carry no data.
  EXPECT_EQ(client_->Get("/")->status, 200);
  EXPECT_EQ(client_->Get("/api/openapi.json")->status, 200);
}

TEST_F(ConsoleTest, StrictSecurityHeaders) {
  auto res = client_->Get("/");
  ASSERT_TRUE(res);
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(res->get_header_value("Content-Security-Policy").find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_FALSE(res->get_header_value("Strict-Transport-Security").empty());
}

TEST_F(ConsoleTest, LoginSessionCsrfAndLogout) {
  EXPECT_TRUE(login("admin", "wrong password!").empty());
  std::string csrf = login("admin", info_.initial_admin_password);
  ASSERT_FALSE(csrf.empty());
  EXPECT_EQ(get_json("/api/v1/auth/me")["role"], "admin");
  EXPECT_EQ(get_json("/api/v1/devices")["total"], 30);

  const std::string body = nlohmann::json{{"name", "ann"}, {"password", "ann's password 1"}, {"role", "analyst"}}.dump();
  auto no_csrf = client_->Post("/api/v1/users", auth(), body, "application/json");
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_EQ(nlohmann::json::parse(no_csrf->body)["error"], "missing or wrong CSRF token");
  auto wrong_csrf = client_->Post("/api/v1/users", auth("0000"), body, "application/json");
  EXPECT_EQ(wrong_csrf->status, 403);
  auto ok = client_->Post("/api/v1/users", auth(csrf), body, "application/json");
  EXPECT_EQ(ok->status, 201) << ok->body;

  auto out = client_->Post("/api/v1/auth/logout", auth(csrf), "", "application/json");
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(client_->Get("/api/v1/devices", auth())->status, 401) << "the session ended";
}

TEST_F(ConsoleTest, ReadOnlyUsersCannotChangeAnything) {
  std::string csrf = login("admin", info_.initial_admin_password);
  client_->Post("/api/v1/users", auth(csrf),
                nlohmann::json{{"name", "viewer"}, {"password", "viewer password 1"}, {"role", "read-only"}}.dump(),
                "application/json");
  csrf = login("viewer", "viewer password 1");
  ASSERT_FALSE(csrf.empty());
  EXPECT_EQ(get_json("/api/v1/devices")["total"], 30) << "reading is allowed";
  auto edit = client_->Patch("/api/v1/devices/1", auth(csrf), R"({"name":"x"})", "application/json");
  EXPECT_EQ(edit->status, 403);
  auto users = client_->Get("/api/v1/users", auth());
  EXPECT_EQ(users->status, 403);
  auto add = client_->Post("/api/v1/users", auth(csrf), "{}", "application/json");
  EXPECT_EQ(add->status, 403);
  auto upload = client_->Post("/api/v1/replays?name=x.pcap", auth(csrf), "abc", "application/octet-stream");
  EXPECT_EQ(upload->status, 403);
}

TEST_F(ConsoleTest, ApiTokensWorkWithoutCookiesOrCsrf) {
  std::string csrf = login("admin", info_.initial_admin_password);
  auto created = client_->Post("/api/v1/tokens", auth(csrf), R"({"name":"siem export"})", "application/json");
  ASSERT_EQ(created->status, 201);
  std::string token = nlohmann::json::parse(created->body)["token"];
  httplib::Headers bearer{{"Authorization", "Bearer " + token}};
  EXPECT_EQ(client_->Get("/api/v1/devices", bearer)->status, 200);
  EXPECT_EQ(client_->Patch("/api/v1/devices/1", bearer, R"({"notes":"via script"})", "application/json")->status, 200);
  httplib::Headers wrong{{"Authorization", "Bearer ots_" + std::string(64, 'a')}};
  EXPECT_EQ(client_->Get("/api/v1/devices", wrong)->status, 401);
}

TEST_F(ConsoleTest, RepeatedFailedLoginsAreThrottled) {
  for (int i = 0; i < 5; ++i) login("admin", "not the password " + std::to_string(i));
  auto res = client_->Post("/api/v1/auth/login",
                           nlohmann::json{{"username", "admin"}, {"password", info_.initial_admin_password}}.dump(),
                           "application/json");
  EXPECT_EQ(res->status, 429) << "even the right password waits once the limit is hit";
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
}

TEST_F(ConsoleTest, OversizeUploadsAndBodiesAre413) {
  std::string csrf = login("admin", info_.initial_admin_password);
  auto big = client_->Post("/api/v1/replays?name=big.pcap", auth(csrf), std::string(150'000, 'x'), "application/octet-stream");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  const std::string uploads = db_ + ".console/uploads";
  EXPECT_TRUE(!std::filesystem::exists(uploads) || std::filesystem::is_empty(uploads)) << "nothing is kept";
  auto json = client_->Patch("/api/v1/devices/1", auth(csrf), "{\"notes\":\"" + std::string(70'000, 'n') + "\"}",
                             "application/json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 413) << "JSON bodies are bounded far below the upload limit";
  auto anonymous = client_->Post("/api/v1/auth/login", std::string(90'000, '{'), "application/json");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 413) << "refused before the body is read, even without credentials";
}

TEST_F(ConsoleTest, NoPathTraversalInStaticFiles) {
  EXPECT_EQ(client_->Get("/assets/app.js")->status, 200);
  EXPECT_EQ(client_->Get("/assets/app.js")->get_header_value("Content-Type"), "application/javascript; charset=utf-8");
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                           "/assets/..%2f..%2fsecret.txt", "//etc/passwd", "/assets/missing.js", "/.%2e/secret.txt"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->body.find("not for the web"), std::string::npos) << path;
  }
  // Client-side routes get the app shell.
  auto route = client_->Get("/devices/12");
  EXPECT_EQ(route->status, 200);
  EXPECT_NE(route->body.find("<title>console</title>"), std::string::npos);
}

TEST_F(ConsoleTest, DeviceListFiltersSortsAndSearches) {
  login("admin", info_.initial_admin_password);
  auto plcs = get_json("/api/v1/devices?type=plc&limit=5");
  EXPECT_EQ(plcs["total"], 10);
  EXPECT_EQ(plcs["items"].size(), 5u);
  for (const auto& d : plcs["items"]) EXPECT_EQ(d["effectiveType"], "PLC");
  auto found = get_json("/api/v1/devices?q=BOILER");
  ASSERT_EQ(found["total"], 1);
  EXPECT_EQ(found["items"][0]["displayName"], "boiler-plc");
  EXPECT_EQ(found["items"][0]["firmware"], "V2.9");
  auto sorted = get_json("/api/v1/devices?sort=packets&order=desc&limit=2");
  EXPECT_EQ(sorted["items"][0]["ipAddresses"][0], "10.0.0.1");
  auto by_protocol = get_json("/api/v1/devices?protocol=s7comm");
  EXPECT_EQ(by_protocol["total"], 10);
  get_json("/api/v1/devices?sort=evil", 400);
  get_json("/api/v1/devices?limit=0", 400);
  get_json("/api/v1/devices?bogus=1", 400);
  auto scanners = get_json("/api/v1/devices?scanner=true&sort=id");
  ASSERT_EQ(scanners["total"], 2);
  EXPECT_EQ(scanners["items"][0]["ipAddresses"][0], "10.0.0.8");
  EXPECT_EQ(get_json("/api/v1/devices?scanner=false")["total"], 28);
  auto programmers = get_json("/api/v1/devices?programmingDevice=true");
  ASSERT_EQ(programmers["total"], 1);
  EXPECT_EQ(programmers["items"][0]["ipAddresses"][0], "10.0.0.2");
  get_json("/api/v1/devices?scanner=maybe", 400);
  auto csv = client_->Get("/api/v1/devices.csv?type=RTU", auth());
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), 11) << "header + 10 RTUs";
  auto scanner_csv = client_->Get("/api/v1/devices.csv?scanner=true", auth());
  ASSERT_EQ(scanner_csv->status, 200);
  EXPECT_TRUE(scanner_csv->body.starts_with(
      "id,name,type,vendor,model,firmware,ip addresses,mac address,vlans,purdue level,programming device,scanner,"))
      << scanner_csv->body;
  EXPECT_EQ(std::count(scanner_csv->body.begin(), scanner_csv->body.end(), '\n'), 3) << "header + 2 scanners";
  EXPECT_NE(scanner_csv->body.find(",no,yes,"), std::string::npos) << scanner_csv->body;
}

TEST_F(ConsoleTest, DeviceDetailEditsAndAuditTrail) {
  std::string csrf = login("admin", info_.initial_admin_password);
  auto detail = get_json("/api/v1/devices/1");
  EXPECT_EQ(detail["ipAddresses"][0], "10.0.0.1");
  ASSERT_EQ(detail["commands"].size(), 1u);
  EXPECT_EQ(detail["commands"][0]["name"], "PLC Stop");
  EXPECT_EQ(detail["commands"][0]["count"], 3);
  get_json("/api/v1/devices/99999", 404);

  auto edit = client_->Patch("/api/v1/devices/1", auth(csrf),
                             R"({"name":"Line 1 PLC","purdueLevel":1,"authorized":true,"tags":["line-1"]})",
                             "application/json");
  ASSERT_EQ(edit->status, 200) << edit->body;
  auto after = get_json("/api/v1/devices/1");
  EXPECT_EQ(after["displayName"], "Line 1 PLC");
  EXPECT_EQ(after["annotation"]["updatedBy"], "admin");
  EXPECT_EQ(get_json("/api/v1/devices?authorized=true")["total"], 1);
  EXPECT_EQ(client_->Patch("/api/v1/devices/1", auth(csrf), R"({"purdueLevel":9})", "application/json")->status, 400);
  EXPECT_EQ(client_->Patch("/api/v1/devices/1", auth(csrf), R"({"owner":"x"})", "application/json")->status, 400);

  auto audit = get_json("/api/v1/audit");
  bool seen = false;
  for (const auto& e : audit["items"]) seen |= e["action"] == "device.update" && e["target"] == "1" && e["user"] == "admin";
  EXPECT_TRUE(seen) << audit.dump();
}

TEST_F(ConsoleTest, CommunicationMapAndDeviceMap) {
  login("admin", info_.initial_admin_password);
  auto connections = get_json("/api/v1/connections");
  ASSERT_EQ(connections["items"].size(), 1u);
  EXPECT_EQ(connections["items"][0]["commands"][0]["name"], "PLC Stop");
  auto map = get_json("/api/v1/map?group=subnet");
  EXPECT_EQ(map["nodes"].size(), 30u);
  ASSERT_EQ(map["edges"].size(), 1u);
  EXPECT_EQ(map["nodes"][0]["group"], "10.0.0.0/24");
  get_json("/api/v1/map?group=planet", 400);
}

// The API's documented shape (web/schema/api.schema.json) holds for every answer.
TEST_F(ConsoleTest, AnswersMatchTheSchema) {
  login("admin", info_.initial_admin_password);
  std::ifstream in(OTS_API_SCHEMA_PATH);
  testing::SchemaChecker checker(nlohmann::json::parse(in));
  auto joined = [](const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) out += e + "\n";
    return out;
  };
  EXPECT_EQ(joined(checker.check(get_json("/api/v1/devices?limit=1000"), "devicePage")), "");
  EXPECT_EQ(joined(checker.check(get_json("/api/v1/devices/1"), "device")), "");
  EXPECT_EQ(joined(checker.check(get_json("/api/v1/connections"), "connectionPage")), "");
  EXPECT_EQ(joined(checker.check(get_json("/api/v1/stats"), "stats")), "");
  EXPECT_EQ(joined(checker.check(get_json("/api/v1/devices/424242", 404), "error")), "");
}

TEST_F(ConsoleTest, UnknownApiPathsAreJson404) {
  login("admin", info_.initial_admin_password);
  auto res = client_->Get("/api/v1/nothing", auth());
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(nlohmann::json::parse(res->body)["status"], 404);
}

TEST(ConsoleStart, PlainHttpOnlyOnLoopbackAndCertificatePinned) {
  testing::TempDir dir;
  ConsoleOptions options;
  options.db_path = dir.file("s.db");
  options.listen = "0.0.0.0:0";
  options.plain_http = true;
  ConsoleServer refused(options);
  EXPECT_THROW(refused.start(), WebError);

  options.listen = "127.0.0.1:0";
  options.plain_http = false;
  ConsoleServer https(options);
  ConsoleStartInfo info = https.start();
  EXPECT_TRUE(info.certificate_generated);
  EXPECT_TRUE(info.url.starts_with("https://127.0.0.1:"));
  // A client that trusts exactly the generated certificate connects.
  httplib::SSLClient pinned("127.0.0.1", https.port());
  pinned.set_ca_cert_path((options.db_path + ".console/tls/cert.pem").c_str());
  pinned.enable_server_certificate_verification(true);
  auto res = pinned.Get("/api/openapi.json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(nlohmann::json::parse(res->body)["openapi"], "3.1.0");
  https.stop();

  ConsoleServer again(options);
  ConsoleStartInfo second = again.start();
  EXPECT_FALSE(second.certificate_generated) << "the certificate is kept across restarts";
  EXPECT_EQ(second.certificate_fingerprint, info.certificate_fingerprint);
  EXPECT_TRUE(second.initial_admin_password.empty()) << "the admin exists; no new password";
}

}  // namespace
}  // namespace ots
