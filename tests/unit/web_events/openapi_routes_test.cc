// The OpenAPI document the console serves describes exactly the routes it registers: every
// (method, path) the server answers is documented and every documented operation exists, with
// its path parameters and the common error answers.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <cctype>
#include <map>
#include <set>

#include "store/database.h"
#include "tests/unit/store/temp_dir.h"
#include "tests/support/loopback_console.h"
#include "web/console_server.h"

namespace ots {
namespace {

// "/api/v1/alerts/(\d{1,18})/comments" → "/api/v1/alerts/{}/comments": each regex group is a
// path parameter.
std::string route_template(const std::string& pattern) {
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (depth == 0 && i + 1 < pattern.size()) out += pattern[i + 1];
      ++i;
    } else if (c == '(') {
      if (depth++ == 0) out += "{}";
    } else if (c == ')') {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

// "/api/v1/users/{name}" → "/api/v1/users/{}".
std::string document_template(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      out += "{}";
      i = path.find('}', i);
    } else {
      out += path[i];
    }
  }
  return out;
}

TEST(RouteTemplate, TurnsGroupsIntoPlaceholders) {
  EXPECT_EQ(route_template(R"(/api/v1/alerts/(\d{1,18})/comments)"), "/api/v1/alerts/{}/comments");
  EXPECT_EQ(route_template(R"(/api/v1/users/([A-Za-z0-9._@-]{1,64}))"), "/api/v1/users/{}");
  EXPECT_EQ(route_template("/api/v1/devices.csv"), "/api/v1/devices.csv");
  EXPECT_EQ(document_template("/api/v2/alerts/pcap/{id}"), "/api/v2/alerts/pcap/{}");
}

class OpenApiRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.file("sensor.db");
    Database::open(db_, Database::Mode::ReadWrite);
    server_ = testing_support::start_loopback_console(db_);
    httplib::Client client("127.0.0.1", server_->port());
    auto res = client.Get("/api/openapi.json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    document_ = nlohmann::json::parse(res->body, nullptr, false);
    ASSERT_TRUE(document_.is_object());
    for (const auto& [path, operations] : document_["paths"].items()) {
      for (const auto& [method, operation] : operations.items()) {
        std::string upper = method;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        documented_[{upper, document_template(path)}] = {path, operation};
      }
    }
  }

  // Registered outside ConsoleRoutes (no authentication).
  static std::set<std::pair<std::string, std::string>> served() {
    return {{"POST", "/api/v1/auth/login"}, {"GET", "/api/openapi.json"}};
  }

  testing::TempDir dir_;
  std::string db_;
  std::unique_ptr<ConsoleServer> server_;
  nlohmann::json document_;
  // (METHOD, template) → (documented path, operation)
  std::map<std::pair<std::string, std::string>, std::pair<std::string, nlohmann::json>> documented_;
};

TEST_F(OpenApiRoutesTest, EveryRegisteredRouteIsDocumented) {
  auto routes = server_->routes();
  ASSERT_GT(routes.size(), 30u);
  std::set<std::pair<std::string, std::string>> registered = served();
  for (const auto& [method, pattern] : routes) registered.insert({method, route_template(pattern)});
  for (const auto& route : registered) {
    EXPECT_TRUE(documented_.count(route)) << route.first << " " << route.second << " is not in web/openapi.json";
  }
  for (const auto& [route, entry] : documented_) {
    EXPECT_TRUE(registered.count(route)) << route.first << " " << entry.first << " is documented but not served";
  }
  // The routes this document was completed with.
  for (const auto& route : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/events"}, {"GET", "/api/v1/alerts/summary"}, {"GET", "/api/v2/alerts/pcap/{}"},
           {"POST", "/api/v1/alerts/{}/learn"}, {"POST", "/api/v1/ti/packages"}, {"DELETE", "/api/v1/ti/packages/{}"},
           {"POST", "/api/v1/baseline"}}) {
    EXPECT_TRUE(registered.count(route)) << route.second;
  }
}

TEST_F(OpenApiRoutesTest, OperationsDescribeParametersRolesAndErrors) {
  for (const auto& [route, entry] : documented_) {
    const auto& [path, operation] = entry;
    const std::string where = route.first + " " + path;
    EXPECT_TRUE(operation["summary"].is_string()) << where;
    EXPECT_TRUE(operation["x-least-role"].is_string()) << where;
    // Each {name} in the path is a required path parameter.
    std::set<std::string> placeholders, parameters;
    for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1))
      placeholders.insert(path.substr(open + 1, path.find('}', open) - open - 1));
    for (const auto& p : operation.value("parameters", nlohmann::json::array())) {
      if (p["in"] == "path") {
        EXPECT_EQ(p["required"], true) << where;
        parameters.insert(p["name"].get<std::string>());
      }
    }
    EXPECT_EQ(placeholders, parameters) << where;
    const auto& responses = operation["responses"];
    bool success = false;
    for (const auto& [status, response] : responses.items()) success |= status.starts_with("2");
    EXPECT_TRUE(success) << where;
    for (const char* status : {"400", "401", "403", "404", "413", "429"}) {
      ASSERT_TRUE(responses.contains(status)) << where << " " << status;
      EXPECT_EQ(responses[status]["$ref"], "#/components/responses/Error") << where << " " << status;
    }
  }
}

}  // namespace
}  // namespace ots
