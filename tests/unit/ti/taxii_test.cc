#include "detect/ti/taxii_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace ots::detect::ti {
namespace {

using nlohmann::json;

// A small TAXII 2.1 server: one API root, one readable collection paged two objects at a time
// by `next`, filtered by added_after, with X-TAXII-Date-Added-Last on every page.
class TaxiiServer {
 public:
  TaxiiServer() {
    server_.Get("/taxii2/", [this](const httplib::Request& request, httplib::Response& response) {
      if (!accepts(request, response)) return;
      reply(response, {{"title", "test"}, {"default", base() + "/api1/"}, {"api_roots", {base() + "/api1/"}}});
    });
    server_.Get("/api1/collections/", [this](const httplib::Request& request, httplib::Response& response) {
      if (!accepts(request, response)) return;
      reply(response, {{"collections",
                        {{{"id", "c1"}, {"title", "ICS"}, {"can_read", true}, {"can_write", false}},
                         {{"id", "c2"}, {"title", "private"}, {"can_read", false}, {"can_write", false}}}}});
    });
    server_.Get("/api1/collections/c1/objects/", [this](const httplib::Request& request, httplib::Response& response) {
      if (!accepts(request, response)) return;
      std::lock_guard lock(mutex_);
      requests_.push_back(request.target);
      const std::string added_after = request.get_param_value("added_after");
      size_t start = request.has_param("next") ? std::stoul(request.get_param_value("next")) : 0;
      std::vector<size_t> matching;
      for (size_t i = 0; i < objects_.size(); ++i)
        if (added_after.empty() || objects_[i].first > added_after) matching.push_back(i);
      json page = json::array();
      std::string last;
      for (size_t k = start; k < matching.size() && k < start + 2; ++k) {
        page.push_back(objects_[matching[k]].second);
        last = objects_[matching[k]].first;
      }
      json envelope{{"more", start + 2 < matching.size()}, {"objects", page}};
      if (start + 2 < matching.size()) envelope["next"] = std::to_string(start + 2);
      if (!last.empty()) response.set_header("X-TAXII-Date-Added-Last", last);
      reply(response, envelope);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TaxiiServer() {
    server_.stop();
    thread_.join();
  }

  void add(std::string date_added, json object) {
    std::lock_guard lock(mutex_);
    objects_.emplace_back(std::move(date_added), std::move(object));
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  static bool accepts(const httplib::Request& request, httplib::Response& response) {
    if (request.get_header_value("Accept").find("application/taxii+json") != std::string::npos) return true;
    response.status = 406;
    return false;
  }
  static void reply(httplib::Response& response, const json& body) {
    response.set_content(body.dump(), "application/taxii+json;version=2.1");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::pair<std::string, json>> objects_;
  std::vector<std::string> requests_;
};

json indicator(std::string id, std::string pattern, bool revoked = false) {
  return {{"type", "indicator"}, {"spec_version", "2.1"},   {"id", std::move(id)},
          {"pattern", pattern},  {"pattern_type", "stix"}, {"valid_from", "2024-01-01T00:00:00Z"},
          {"modified", revoked ? "2024-03-01T00:00:00Z" : "2024-01-01T00:00:00Z"}, {"revoked", revoked}};
}

class TaxiiTest : public testing::TempDirTest {};

TEST_F(TaxiiTest, PollsPagesStoresTheCursorAndFetchesOnlyNewObjectsNextTime) {
  TaxiiServer server;
  server.add("2024-01-01T00:00:01.000Z", indicator("indicator--1", "[ipv4-addr:value = '192.0.2.1']"));
  server.add("2024-01-01T00:00:02.000Z", indicator("indicator--2", "[domain-name:value = 'c2.example']"));
  server.add("2024-01-01T00:00:03.000Z", indicator("indicator--3", "[ipv4-addr:value != '192.0.2.3']"));

  TiStore store(db());
  TaxiiOptions options;
  options.discovery_url = server.base() + "/taxii2/";
  TaxiiSync first = sync_taxii(store, options, 10);
  EXPECT_EQ(first.poll.pages, 2u);
  EXPECT_EQ(first.poll.objects, 3u);
  EXPECT_EQ(first.poll.feed, server.base() + "/api1/collections/c1/");
  EXPECT_EQ(first.poll.next_added_after, "2024-01-01T00:00:03.000Z");
  ASSERT_TRUE(first.stored);
  EXPECT_EQ(first.stored->name, "taxii:ICS");
  EXPECT_EQ(first.stored->kind, PackageKind::Taxii);
  EXPECT_EQ(first.stored->definitions, 2u);
  EXPECT_EQ(first.stored->rejected, 1u);  // the != pattern, with its reason
  EXPECT_NE(store.rejected(first.stored->row_id)[0].reason.find("!="), std::string::npos);

  // Nothing new: no new version, same cursor.
  TaxiiSync idle = sync_taxii(store, options, 20);
  EXPECT_FALSE(idle.stored);
  EXPECT_EQ(idle.poll.objects, 0u);

  server.add("2024-01-02T00:00:00.000Z", indicator("indicator--4", "[domain-name:value = 'new.example']"));
  server.add("2024-01-02T00:00:01.000Z", indicator("indicator--1", "[ipv4-addr:value = '192.0.2.1']", true));
  TaxiiSync second = sync_taxii(store, options, 30);
  EXPECT_EQ(second.poll.objects, 2u);
  EXPECT_EQ(second.poll.added_after, "2024-01-01T00:00:03.000Z");
  ASSERT_TRUE(second.stored);
  EXPECT_EQ(second.stored->definitions, 2u);  // indicator--2 and --4; --1 was revoked
  EXPECT_EQ(second.stored->older_versions, 1u);
  std::vector<std::string> ids;
  for (const AlertDefinition& d : store.active_definitions()) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"indicator--2", "indicator--4"}));
  EXPECT_EQ(*store.taxii_cursor(server.base() + "/taxii2/#"), "2024-01-02T00:00:01.000Z");

  auto requests = server.requests();
  ASSERT_GE(requests.size(), 4u);
  EXPECT_EQ(requests[0], "/api1/collections/c1/objects/");
  EXPECT_EQ(requests[1], "/api1/collections/c1/objects/?next=2");
  EXPECT_EQ(requests.back(), "/api1/collections/c1/objects/?added_after=2024-01-01T00%3A00%3A03.000Z");
}

TEST_F(TaxiiTest, ErrorsNameTheProblem) {
  TaxiiServer server;
  auto failure = [](const TaxiiOptions& options) {
    try {
      poll_taxii(options, "");
      return std::string("polled");
    } catch (const TiError& e) {
      return std::string(e.what());
    }
  };
  TaxiiOptions options;
  options.discovery_url = server.base() + "/taxii2/";
  options.collection = "private";
  EXPECT_NE(failure(options).find("is not readable"), std::string::npos);
  options.collection = "absent";
  EXPECT_NE(failure(options).find("no TAXII collection \"absent\""), std::string::npos);
  options.collection = "";
  options.discovery_url = server.base() + "/missing/";
  EXPECT_NE(failure(options).find("HTTP 404"), std::string::npos);
  options.discovery_url = "ftp://example/";
  EXPECT_NE(failure(options).find("http:// or https://"), std::string::npos);
  options.discovery_url = "http://127.0.0.1:1/taxii2/";
  options.timeout_seconds = 2;
  EXPECT_NE(failure(options).find("127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace ots::detect::ti
