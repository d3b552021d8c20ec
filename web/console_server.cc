#include "web/console_server.h"

#include <arpa/inet.h>
#include <signal.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "store/database.h"
#include "store/sqlite.h"
#include "web/auth/console_store.h"
#include "web/auth/login_throttle.h"
#include "web/auth/self_signed.h"
#include "web/console_routes.h"
#include "web/detection_routes.h"
#include "web/event_routes.h"
#include "web/device_query.h"
#include "web/http_params.h"
#include "web/json.h"
#include "web/openapi.h"
#include "web/replay_jobs.h"
#include "web/settings_routes.h"

namespace ots {

namespace {

using console::Principal;
using console::Role;

constexpr size_t kServerThreads = 8;
constexpr size_t kMaxJsonBody = 64 * 1024;
constexpr const char* kSessionCookie = "ots_session";
constexpr size_t kLoginFailures = 5;
constexpr int64_t kLoginWindowNs = 5LL * 60 * 1'000'000'000;
constexpr int64_t kIndexRefreshNs = 1'000'000'000;
constexpr uint64_t kUploadDrainBytes = 16ull << 20;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_loopback(const std::string& host) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), buf) == 1) return host == "::1";
  return host == "localhost";
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    pos = end + 1;
  }
  return {};
}

// A path the console may answer from its files: safe characters only, no "..", no "//".
bool is_safe_path(const std::string& path) {
  if (path.empty() || path[0] != '/' || path.size() > 256) return false;
  for (char c : path) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return path.find("..") == std::string::npos && path.find("//") == std::string::npos;
}

// Static files: safe paths resolved inside the root (symlinks included).
std::optional<std::filesystem::path> static_file(const std::string& root, const std::string& path) {
  if (root.empty() || !is_safe_path(path)) return std::nullopt;
  std::error_code error;
  const auto base = std::filesystem::canonical(root, error);
  if (error) return std::nullopt;
  const auto file = std::filesystem::weakly_canonical(base / path.substr(1), error);
  if (error) return std::nullopt;
  const auto rel = file.lexically_relative(base);
  if (rel.empty() || rel.native().starts_with("..")) return std::nullopt;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  return file;
}

std::string content_type_of(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  // Not text/*: httplib would compress these again on every request.
  if (ext == ".js" || ext == ".mjs") return "application/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";  // small; httplib may compress it
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

// Hashed asset names never change content: replace the default no-store.
void cache_forever(httplib::Response& res) {
  res.headers.erase("Cache-Control");
  res.set_header("Cache-Control", "public, max-age=31536000, immutable");
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Quotes a CSV field when needed (RFC 4180) and defuses spreadsheet formulas.
std::string csv_field(std::string value) {
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@'))
    value.insert(value.begin(), '\'');
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

uint64_t announced_length(const httplib::Request& req) {
  const std::string text = req.get_header_value("Content-Length");
  uint64_t length = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
  return error == std::errc() && end == text.data() + text.size() ? length : 0;
}

// Reads a small body; beyond kMaxJsonBody the rest is read and dropped (bounded by the
// server's payload limit) so the client still receives the 413 instead of a reset.
bool read_small_body(const httplib::ContentReader& reader, std::string& body) {
  bool too_large = false;
  reader([&](const char* data, size_t length) {
    if (!too_large && body.size() + length <= kMaxJsonBody) {
      body.append(data, length);
    } else {
      too_large = true;
      body.clear();
    }
    return true;
  });
  return !too_large;
}

}  // namespace

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // "; charset=utf-8" also keeps httplib from brotli-compressing each answer on the fly,
  // which cost more than sending the bytes on a LAN.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}, {"status", status}});
}

void RequestContext::audit(std::string_view action, std::string_view target, std::string_view detail) const {
  store.audit(principal.user.name, action, target, detail, remote, now_ns());
}

std::string RequestContext::path_match(size_t index) const {
  return index < request.matches.size() ? request.matches[index].str() : std::string();
}

std::optional<nlohmann::json> RequestContext::json_body() const {
  if (body_too_large) {
    ots::send_error(response, 413, "request body too large");
    return std::nullopt;
  }
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    ots::send_error(response, 400, "the body must be a JSON object");
    return std::nullopt;
  }
  return parsed;
}

void RequestContext::send_json(int status, const nlohmann::json& body) const { ots::send_json(response, status, body); }
void RequestContext::send_error(int status, const std::string& message) const {
  ots::send_error(response, status, message);
}

struct ConsoleServer::Impl final : ConsoleRoutes {
  explicit Impl(ConsoleOptions o) : options(std::move(o)), throttle(kLoginFailures, kLoginWindowNs) {
    if (options.state_dir.empty()) options.state_dir = options.db_path + ".console";
  }

  // --- ConsoleRoutes ---
  void get(const std::string& p, Role r, RouteHandler h) override { routes.push_back({"GET", p, r, std::move(h), {}}); }
  void post(const std::string& p, Role r, RouteHandler h) override { routes.push_back({"POST", p, r, std::move(h), {}}); }
  void patch(const std::string& p, Role r, RouteHandler h) override {
    routes.push_back({"PATCH", p, r, std::move(h), {}});
  }
  void put(const std::string& p, Role r, RouteHandler h) override { routes.push_back({"PUT", p, r, std::move(h), {}}); }
  void del(const std::string& p, Role r, RouteHandler h) override { routes.push_back({"DELETE", p, r, std::move(h), {}}); }
  void upload(const std::string& p, Role r, UploadHandler h) override {
    routes.push_back({"UPLOAD", p, r, {}, std::move(h)});
  }
  const std::string& state_dir() const override { return options.state_dir; }
  const std::string& db_path() const override { return options.db_path; }

  struct Route {
    std::string method, pattern;
    Role least;
    RouteHandler handler;
    UploadHandler upload_handler;
  };

  std::optional<Principal> authenticate(const httplib::Request& req) {
    const std::string auth = req.get_header_value("Authorization");
    if (auth.starts_with("Bearer ")) return store->api_token_principal(auth.substr(7), now_ns());
    const std::string token = cookie_value(req, kSessionCookie);
    if (token.empty()) return std::nullopt;
    return store->session_principal(token, now_ns());
  }

  // Runs the checks every route shares; returns the principal when the handler may run.
  std::optional<Principal> admit(const httplib::Request& req, httplib::Response& res, Role least, bool changes) {
    auto principal = authenticate(req);
    if (!principal) {
      send_error(res, 401, "authentication required");
      return std::nullopt;
    }
    if (principal->user.role < least) {
      send_error(res, 403, "the " + std::string(console::role_name(principal->user.role)) + " role may not do this");
      return std::nullopt;
    }
    if (changes && !principal->api_token &&
        !console::constant_time_equal(req.get_header_value("X-CSRF-Token"), principal->csrf_token)) {
      send_error(res, 403, "missing or wrong CSRF token");
      return std::nullopt;
    }
    return principal;
  }

  void install(const Route& route) {
    const bool changes = route.method != "GET";
    if (route.method == "UPLOAD") {
      server->Post(route.pattern, [this, route](const httplib::Request& req, httplib::Response& res,
                                                const httplib::ContentReader& reader) {
        auto principal = admit(req, res, route.least, true);
        if (!principal) return;
        // Refuse before reading when the client announces the size (chunked bodies are
        // counted while they stream).
        if (announced_length(req) > options.max_upload_bytes) {
          // Read and drop the body (bounded by the server's payload limit) so the client,
          // still sending, receives the answer instead of a reset connection.
          reader([](const char*, size_t) { return true; });
          return send_error(res, 413, "upload larger than " + std::to_string(options.max_upload_bytes) + " bytes");
        }
        std::filesystem::create_directories(options.state_dir + "/uploads");
        const std::string file = options.state_dir + "/uploads/upload-" + console::random_token_hex(8);
        uint64_t size = 0;
        bool too_large = false;
        {
          std::ofstream out(file, std::ios::binary);
          reader([&](const char* data, size_t length) {
            size += length;
            if (size > options.max_upload_bytes) {
              too_large = true;
              return false;
            }
            out.write(data, static_cast<std::streamsize>(length));
            return static_cast<bool>(out);
          });
        }
        if (too_large) {
          std::filesystem::remove(file);
          return send_error(res, 413, "upload larger than " + std::to_string(options.max_upload_bytes) + " bytes");
        }
        RequestContext ctx{req, res, *principal, *store, req.remote_addr, {}, false};
        route.upload_handler(ctx, file, size);
      });
      return;
    }
    if (route.method == "GET") {
      server->Get(route.pattern, [this, route](const httplib::Request& req, httplib::Response& res) {
        auto principal = admit(req, res, route.least, false);
        if (!principal) return;
        RequestContext ctx{req, res, *principal, *store, req.remote_addr, {}, false};
        route.handler(ctx);
      });
      return;
    }
    // State changes read their (small) body themselves, after the checks.
    auto with_body = [this, route, changes](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
      auto principal = admit(req, res, route.least, changes);
      if (!principal) return reader([](const char*, size_t) { return true; }), void();
      RequestContext ctx{req, res, *principal, *store, req.remote_addr, {}, false};
      ctx.body_too_large = !read_small_body(reader, ctx.body);
      route.handler(ctx);
    };
    if (route.method == "POST") server->Post(route.pattern, with_body);
    if (route.method == "PATCH") server->Patch(route.pattern, with_body);
    if (route.method == "PUT") server->Put(route.pattern, with_body);
    if (route.method == "DELETE") server->Delete(route.pattern, with_body);
  }

  // The device snapshot, rebuilt when another connection committed (PRAGMA data_version)
  // or an annotation changed here.
  std::shared_ptr<const DeviceIndex> devices() {
    std::lock_guard lock(index_mutex);
    const int64_t now = now_ns();
    if (index && now - index_checked_ns < kIndexRefreshNs && !index_stale) return index;
    index_checked_ns = now;
    Statement version(*watch, "PRAGMA data_version");
    version.step();
    const int64_t data_version = version.i64(0);
    if (index && data_version == index_data_version && !index_stale) return index;
    auto db = Database::open(options.db_path, Database::Mode::ReadOnly);
    std::vector<Device> all;
    db->read_snapshot([&] { all = db->list_devices(Page{0, std::numeric_limits<int64_t>::max() / 2}); });
    index = std::make_shared<const DeviceIndex>(std::move(all), store->all_annotations());
    index_data_version = data_version;
    index_stale = false;
    return index;
  }

  void install_core_routes();
  void install_auth_routes();
  void install_device_routes();
  void install_admin_routes();
  void install_static_routes();

  ConsoleOptions options;
  std::unique_ptr<console::ConsoleStore> store;
  std::unique_ptr<SqliteConnection> watch;  // read-only, for data_version and the communication map
  std::mutex watch_mutex;
  console::LoginThrottle throttle;
  std::unique_ptr<httplib::Server> server;
  std::vector<Route> routes;
  std::vector<std::regex> upload_paths;  // routes that stream large bodies to disk
  std::vector<RouteInstaller> installers;
  std::unique_ptr<ReplayJobs> replays;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  int port = 0;
  bool https = true;

  std::mutex index_mutex;
  std::shared_ptr<const DeviceIndex> index;
  int64_t index_checked_ns = 0;
  int64_t index_data_version = -1;
  bool index_stale = false;
};

void ConsoleServer::Impl::install_auth_routes() {
  server->Post("/api/v1/auth/login", [this](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
    std::string text;
    if (!read_small_body(reader, text)) return send_error(res, 413, "request body too large");
    auto body = nlohmann::json::parse(text, nullptr, false);
    if (!body.is_object() || !body.contains("username") || !body.contains("password") ||
        !body["username"].is_string() || !body["password"].is_string())
      return send_error(res, 400, "expected {\"username\": …, \"password\": …}");
    const std::string user = body["username"], password = body["password"];
    const int64_t now = now_ns();
    const std::string by_address = "addr:" + req.remote_addr, by_user = "user:" + user;
    int64_t wait = std::max(throttle.retry_after_seconds(by_address, now), throttle.retry_after_seconds(by_user, now));
    if (wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      return send_error(res, 429, "too many failed logins; retry in " + std::to_string(wait) + " s");
    }
    auto found = store->check_password(user, password);
    if (!found) {
      throttle.record_failure(by_address, now);
      throttle.record_failure(by_user, now);
      store->audit(user, "auth.login_failed", user, "", req.remote_addr, now);
      return send_error(res, 401, "wrong user name or password");
    }
    throttle.record_success(by_user);
    auto session = store->create_session(found->id, now, options.session_lifetime_s * 1'000'000'000LL);
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + session.token +
                                     "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
                                     std::to_string(options.session_lifetime_s));
    store->audit(found->name, "auth.login", found->name, "", req.remote_addr, now);
    send_json(res, 200,
              {{"user", found->name}, {"role", console::role_name(found->role)}, {"csrfToken", session.csrf_token}});
  });
  get("/api/v1/auth/me", Role::ReadOnly, [](RequestContext& c) {
    c.send_json(200, {{"user", c.principal.user.name},
                      {"role", console::role_name(c.principal.user.role)},
                      {"csrfToken", c.principal.csrf_token}});
  });
  post("/api/v1/auth/logout", Role::ReadOnly, [this](RequestContext& c) {
    store->end_session(cookie_value(c.request, kSessionCookie));
    c.response.set_header("Set-Cookie",
                          std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    c.audit("auth.logout", c.principal.user.name);
    c.send_json(200, {{"loggedOut", true}});
  });
}

void ConsoleServer::Impl::install_device_routes() {
  get("/api/v1/devices", Role::ReadOnly, [this](RequestContext& c) {
    std::string error;
    auto query = parse_device_query(c.request.params, error);
    if (!query) return c.send_error(400, error);
    auto snapshot = devices();
    auto result = snapshot->query(*query);
    nlohmann::json items = nlohmann::json::array();
    for (const DeviceRow* row : result.rows) items.push_back(device_row_to_json(*row));
    c.send_json(200, {{"total", result.total},
                      {"offset", query->page.offset},
                      {"limit", query->page.limit},
                      {"items", std::move(items)}});
  });
  get("/api/v1/devices.csv", Role::ReadOnly, [this](RequestContext& c) {
    std::string error;
    auto params = c.request.params;
    params.erase("offset");
    params.erase("limit");
    auto query = parse_device_query(params, error);
    if (!query) return c.send_error(400, error);
    query->page = Page{0, std::numeric_limits<int64_t>::max() / 2};
    auto snapshot = devices();
    auto result = snapshot->query(*query);
    std::string csv =
        "id,name,type,vendor,model,firmware,ip addresses,mac address,vlans,purdue level,programming device,scanner,"
        "first seen,last seen\r\n";
    for (const DeviceRow* row : result.rows) {
      const Device& d = row->device;
      std::string ips, vlans;
      for (const IpAddr& ip : d.ips) ips += (ips.empty() ? "" : " ") + ip.str();
      for (uint16_t v : d.vlans) vlans += (vlans.empty() ? "" : " ") + std::to_string(v);
      std::string vendor = d.fact("vendor").empty() ? d.vendor : d.fact("vendor");
      csv += std::to_string(d.id) + "," + csv_field(row->display_name) + "," + csv_field(row->effective_type) + "," +
             csv_field(vendor) + "," + csv_field(row->model) + "," + csv_field(row->firmware) + "," + csv_field(ips) +
             "," + (d.mac ? d.mac->str() : "") + "," + vlans + "," +
             (row->effective_purdue < 0 ? "" : std::to_string(row->effective_purdue)) + "," +
             (d.programming_device ? "yes" : "no") + "," + (d.scanner ? "yes" : "no") + "," + iso8601_utc(d.traffic.first_seen_ns) + "," + iso8601_utc(d.traffic.last_seen_ns) + "\r\n";
    }
    c.response.set_header("Content-Disposition", "attachment; filename=\"otsensor-devices.csv\"");
    c.response.set_content(csv, "text/csv; charset=utf-8");
  });
  get(R"(/api/v1/devices/(\d{1,18}))", Role::ReadOnly, [this](RequestContext& c) {
    auto id = parse_device_id(c.path_match(1));
    auto snapshot = devices();
    const DeviceRow* row = id ? snapshot->find(*id) : nullptr;
    if (!row) return c.send_error(404, "no such device");
    nlohmann::json body = device_row_to_json(*row);
    // Connections and commands this device takes part in (by any of its IPs).
    nlohmann::json connections = nlohmann::json::array(), commands = nlohmann::json::array();
    {
      std::lock_guard lock(watch_mutex);
      for (const IpAddr& ip : row->device.ips) {
        const std::string text = ip.str();
        Statement q(*watch,
                    "SELECT client, server, transport, server_port, first_seen, last_seen, packets_to_server + "
                    "packets_to_client, bytes_to_server + bytes_to_client, application FROM connections "
                    "WHERE client = ?1 OR server = ?1 ORDER BY last_seen DESC LIMIT 500");
        q.bind(1, text);
        while (q.step()) {
          connections.push_back({{"client", q.text(0)}, {"server", q.text(1)},
                                 {"transport", transport_name(static_cast<uint8_t>(q.i64(2)))},
                                 {"serverPort", q.i64(3)}, {"firstSeen", iso8601_utc(q.i64(4))},
                                 {"lastSeen", iso8601_utc(q.i64(5))}, {"packets", q.i64(6)}, {"bytes", q.i64(7)},
                                 {"application", q.text(8)}});
        }
        Statement k(*watch,
                    "SELECT client, server, protocol, code, name, is_write, requests, errors, first_seen, last_seen "
                    "FROM commands WHERE client = ?1 OR server = ?1 ORDER BY requests DESC LIMIT 500");
        k.bind(1, text);
        while (k.step()) {
          commands.push_back({{"client", k.text(0)}, {"server", k.text(1)}, {"protocol", k.text(2)},
                              {"code", k.i64(3)}, {"name", k.text(4)}, {"isWrite", k.i64(5) != 0},
                              {"count", k.i64(6)}, {"errors", k.i64(7)}, {"firstSeen", iso8601_utc(k.i64(8))},
                              {"lastSeen", iso8601_utc(k.i64(9))}});
        }
      }
    }
    body["connections"] = std::move(connections);
    body["commands"] = std::move(commands);
    c.send_json(200, body);
  });
  patch(R"(/api/v1/devices/(\d{1,18}))", Role::Analyst, [this](RequestContext& c) {
    auto id = parse_device_id(c.path_match(1));
    auto snapshot = devices();
    if (!id || !snapshot->find(*id)) return c.send_error(404, "no such device");
    auto body = c.json_body();
    if (!body) return;
    console::DeviceAnnotation a = store->annotation(*id).value_or(console::DeviceAnnotation{});
    a.device_id = *id;
    for (const auto& item : body->items()) {
      const std::string& key = item.key();
      const nlohmann::json& value = item.value();
      auto optional_text = [&](std::optional<std::string>& field, size_t max) -> bool {
        if (value.is_null()) return field.reset(), true;
        if (!value.is_string() || value.get<std::string>().size() > max) return false;
        field = value.get<std::string>();
        return true;
      };
      bool ok = true;
      if (key == "name") {
        ok = optional_text(a.name, 200);
      } else if (key == "type") {
        ok = optional_text(a.type, 100);
      } else if (key == "notes") {
        ok = optional_text(a.notes, 10'000);
      } else if (key == "purdueLevel") {
        if (value.is_null()) a.purdue_level.reset();
        else if (value.is_number_integer() && value.get<int>() >= 0 && value.get<int>() <= 5) a.purdue_level = value.get<int>();
        else ok = false;
      } else if (key == "authorized") {
        if (value.is_null()) a.authorized.reset();
        else if (value.is_boolean()) a.authorized = value.get<bool>();
        else ok = false;
      } else if (key == "tags") {
        ok = value.is_array() && value.size() <= 50;
        std::vector<std::string> tags;
        for (const auto& t : value) {
          if (!t.is_string() || t.get<std::string>().empty() || t.get<std::string>().size() > 64) ok = false;
          else tags.push_back(t.get<std::string>());
        }
        if (ok) a.tags = std::move(tags);
      } else {
        return c.send_error(400, "unknown field '" + key + "'");
      }
      if (!ok) return c.send_error(400, "invalid value for '" + key + "'");
    }
    a.updated_at_ns = now_ns();
    a.updated_by = c.principal.user.name;
    store->save_annotation(a);
    {
      std::lock_guard lock(index_mutex);
      index_stale = true;
    }
    c.audit("device.update", std::to_string(*id), body->dump());
    auto fresh = devices();
    c.send_json(200, device_row_to_json(*fresh->find(*id)));
  });
  get("/api/v1/overview", Role::ReadOnly, [this](RequestContext& c) {
    auto snapshot = devices();
    nlohmann::json body = device_overview(*snapshot);
    auto db = Database::open(options.db_path, Database::Mode::ReadOnly);
    nlohmann::json runs = nlohmann::json::array();
    for (const RunRecord& run : db->list_runs()) {
      runs.push_back(run_to_json(run));
      if (runs.size() >= 10) break;
    }
    body["runs"] = std::move(runs);
    body["connections"] = db->count_connections();
    std::error_code error;
    auto size = std::filesystem::file_size(options.db_path, error);
    body["databaseBytes"] = error ? 0 : size;
    c.send_json(200, body);
  });
  // The communication map: per pair, protocols and the commands used with counts.
  get("/api/v1/connections", Role::ReadOnly, [this](RequestContext& c) {
    PageParams page = parse_page_params(
        c.request.has_param("offset") ? std::optional<std::string_view>(c.request.get_param_value("offset")) : std::nullopt,
        c.request.has_param("limit") ? std::optional<std::string_view>(c.request.get_param_value("limit")) : std::nullopt);
    if (!page.error.empty()) return c.send_error(400, page.error);
    auto db = Database::open(options.db_path, Database::Mode::ReadOnly);
    nlohmann::json items = nlohmann::json::array();
    int64_t total = 0;
    std::vector<ConnectionObservation> rows;
    db->read_snapshot([&] {
      total = db->count_connections();
      rows = db->list_connections(page.page);
    });
    std::lock_guard lock(watch_mutex);
    for (const auto& connection : rows) {
      nlohmann::json j = connection_to_json(connection);
      nlohmann::json commands = nlohmann::json::array();
      Statement k(*watch,
                  "SELECT protocol, code, name, is_write, requests, errors FROM commands WHERE client = ?1 AND "
                  "server = ?2 ORDER BY requests DESC LIMIT 100");
      k.bind(1, connection.key.client.str()).bind(2, connection.key.server.str());
      while (k.step()) {
        commands.push_back({{"protocol", k.text(0)}, {"code", k.i64(1)}, {"name", k.text(2)},
                            {"isWrite", k.i64(3) != 0}, {"count", k.i64(4)}, {"errors", k.i64(5)}});
      }
      j["commands"] = std::move(commands);
      items.push_back(std::move(j));
    }
    c.send_json(200, {{"total", total}, {"offset", page.page.offset}, {"limit", page.page.limit}, {"items", items}});
  });
  // The device map: nodes (devices), edges (device pairs with protocols) and groups.
  get("/api/v1/map", Role::ReadOnly, [this](RequestContext& c) {
    const std::string group = c.request.has_param("group") ? c.request.get_param_value("group") : "subnet";
    if (group != "subnet" && group != "vlan" && group != "purdue")
      return c.send_error(400, "group must be subnet, vlan or purdue");
    const std::string protocol = c.request.has_param("protocol") ? c.request.get_param_value("protocol") : "";
    auto snapshot = devices();
    std::map<std::string, int64_t> device_of_ip;
    nlohmann::json nodes = nlohmann::json::array();
    for (const DeviceRow& row : snapshot->rows()) {
      const Device& d = row.device;
      for (const IpAddr& ip : d.ips) device_of_ip[ip.str()] = d.id;
      std::string key;
      if (group == "vlan") {
        key = "VLAN " + std::to_string(d.vlans.empty() ? 0 : d.vlans.front());
      } else if (group == "purdue") {
        key = row.effective_purdue < 0 ? "Purdue level unknown" : "Purdue level " + std::to_string(row.effective_purdue);
      } else if (!d.ips.empty() && d.ips.front().is_v4()) {
        const auto& b = d.ips.front().bytes;
        key = std::to_string(b[12]) + "." + std::to_string(b[13]) + "." + std::to_string(b[14]) + ".0/24";
      } else {
        key = d.ips.empty() ? "layer 2" : "IPv6";
      }
      nodes.push_back({{"id", d.id}, {"name", row.display_name}, {"type", row.effective_type}, {"group", key}});
    }
    std::map<std::pair<int64_t, int64_t>, std::set<std::string>> edges;
    {
      std::lock_guard lock(watch_mutex);
      Statement q(*watch, "SELECT client, server, application, transport, server_port FROM connections");
      while (q.step()) {
        auto a = device_of_ip.find(q.text(0)), b = device_of_ip.find(q.text(1));
        if (a == device_of_ip.end() || b == device_of_ip.end() || a->second == b->second) continue;
        std::string app = q.text(2);
        if (app.empty()) app = transport_name(static_cast<uint8_t>(q.i64(3))) + "/" + std::to_string(q.i64(4));
        if (!protocol.empty() && app != protocol) continue;
        edges[{a->second, b->second}].insert(app);
      }
    }
    nlohmann::json links = nlohmann::json::array();
    for (const auto& [pair, protocols] : edges) {
      links.push_back({{"source", pair.first}, {"target", pair.second}, {"protocols", protocols}});
    }
    c.send_json(200, {{"group", group}, {"nodes", std::move(nodes)}, {"edges", std::move(links)}});
  });
  get("/api/v1/stats", Role::ReadOnly, [this](RequestContext& c) {
    auto db = Database::open(options.db_path, Database::Mode::ReadOnly);
    nlohmann::json body;
    db->read_snapshot([&] {
      nlohmann::json runs = nlohmann::json::array();
      for (const RunRecord& run : db->list_runs()) runs.push_back(run_to_json(run));
      body = {{"devices", db->count_devices()}, {"connections", db->count_connections()}, {"runs", std::move(runs)}};
    });
    c.send_json(200, body);
  });
}

void ConsoleServer::Impl::install_admin_routes() {
  auto user_json = [](const console::User& u) {
    return nlohmann::json{{"id", u.id}, {"name", u.name}, {"role", console::role_name(u.role)},
                          {"createdAt", iso8601_utc(u.created_at_ns)}};
  };
  get("/api/v1/users", Role::Admin, [this, user_json](RequestContext& c) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& u : store->list_users()) items.push_back(user_json(u));
    c.send_json(200, {{"items", items}});
  });
  post("/api/v1/users", Role::Admin, [this, user_json](RequestContext& c) {
    auto body = c.json_body();
    if (!body) return;
    if (!(*body)["name"].is_string() || !(*body)["password"].is_string() || !(*body)["role"].is_string())
      return c.send_error(400, "expected name, password and role");
    auto role = console::parse_role((*body)["role"].get<std::string>());
    if (!role) return c.send_error(400, "role must be admin, analyst or read-only");
    try {
      auto user = store->add_user((*body)["name"].get<std::string>(), *role, (*body)["password"].get<std::string>());
      c.audit("user.add", user.name, std::string(console::role_name(*role)));
      c.send_json(201, user_json(user));
    } catch (const console::ConsoleError& e) {
      c.send_error(400, e.what());
    }
  });
  patch(R"(/api/v1/users/([A-Za-z0-9._@-]{1,64}))", Role::Admin, [this](RequestContext& c) {
    auto body = c.json_body();
    if (!body) return;
    const std::string name = c.path_match(1);
    if (!store->find_user(name)) return c.send_error(404, "no such user");
    try {
      if (body->contains("role")) {
        auto role = (*body)["role"].is_string() ? console::parse_role((*body)["role"].get<std::string>()) : std::nullopt;
        if (!role) return c.send_error(400, "role must be admin, analyst or read-only");
        store->set_role(name, *role);
        c.audit("user.role", name, std::string(console::role_name(*role)));
      }
      if (body->contains("password")) {
        if (!(*body)["password"].is_string()) return c.send_error(400, "password must be a string");
        store->set_password(name, (*body)["password"].get<std::string>());
        c.audit("user.password", name);
      }
    } catch (const console::ConsoleError& e) {
      return c.send_error(400, e.what());
    }
    c.send_json(200, {{"updated", name}});
  });
  del(R"(/api/v1/users/([A-Za-z0-9._@-]{1,64}))", Role::Admin, [this](RequestContext& c) {
    const std::string name = c.path_match(1);
    if (name == c.principal.user.name) return c.send_error(400, "you cannot remove yourself");
    try {
      store->remove_user(name);
    } catch (const console::ConsoleError&) {
      return c.send_error(404, "no such user");
    }
    c.audit("user.remove", name);
    c.send_json(200, {{"removed", name}});
  });
  get("/api/v1/tokens", Role::Admin, [this](RequestContext& c) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : store->list_api_tokens()) {
      items.push_back({{"id", t.id}, {"name", t.name}, {"user", t.user}, {"createdAt", iso8601_utc(t.created_at_ns)},
                       {"lastUsed", t.last_used_ns ? nlohmann::json(iso8601_utc(t.last_used_ns)) : nlohmann::json()}});
    }
    c.send_json(200, {{"items", items}});
  });
  // Any user may create a token acting as themselves (scripts get the user's role).
  post("/api/v1/tokens", Role::ReadOnly, [this](RequestContext& c) {
    auto body = c.json_body();
    if (!body) return;
    if (!(*body)["name"].is_string()) return c.send_error(400, "expected a token name");
    try {
      std::string token = store->create_api_token(c.principal.user.id, (*body)["name"].get<std::string>(), now_ns());
      c.audit("token.create", (*body)["name"].get<std::string>());
      c.send_json(201, {{"token", token}, {"note", "shown once; send it as 'Authorization: Bearer <token>'"}});
    } catch (const console::ConsoleError& e) {
      c.send_error(400, e.what());
    }
  });
  del(R"(/api/v1/tokens/(\d{1,18}))", Role::Admin, [this](RequestContext& c) {
    if (!store->revoke_api_token(std::stoll(c.path_match(1)))) return c.send_error(404, "no such token");
    c.audit("token.revoke", c.path_match(1));
    c.send_json(200, {{"revoked", std::stoll(c.path_match(1))}});
  });
  get("/api/v1/audit", Role::Admin, [this](RequestContext& c) {
    PageParams page = parse_page_params(
        c.request.has_param("offset") ? std::optional<std::string_view>(c.request.get_param_value("offset")) : std::nullopt,
        c.request.has_param("limit") ? std::optional<std::string_view>(c.request.get_param_value("limit")) : std::nullopt);
    if (!page.error.empty()) return c.send_error(400, page.error);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& e : store->audit_log(page.page.offset, page.page.limit)) {
      items.push_back({{"id", e.id}, {"at", iso8601_utc(e.at_ns)}, {"user", e.user}, {"action", e.action},
                       {"target", e.target}, {"detail", e.detail}, {"remote", e.remote}});
    }
    c.send_json(200, {{"total", store->count_audit()}, {"offset", page.page.offset}, {"limit", page.page.limit},
                      {"items", items}});
  });
}

void ConsoleServer::Impl::install_static_routes() {
  server->Get("/api/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(openapi_document()), "application/json");
  });
  // Everything else under /api is an unknown endpoint; other paths are the single-page app.
  server->Get(R"(/api/.*)", [](const httplib::Request&, httplib::Response& res) { send_error(res, 404, "not found"); });
  server->Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto file = static_file(options.ui_dir, req.path)) {
      // The build writes .br/.gz beside each asset: send the precompressed copy when accepted.
      const std::string accept = req.get_header_value("Accept-Encoding");
      res.set_header("Vary", "Accept-Encoding");
      for (const auto& [token, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
        std::filesystem::path packed = file->string() + suffix;
        std::error_code error;
        if (accept.find(token) != std::string::npos && std::filesystem::is_regular_file(packed, error)) {
          res.set_header("Content-Encoding", token);
          res.set_content(read_file(packed), content_type_of(*file));
          if (req.path.starts_with("/assets/")) cache_forever(res);
          return;
        }
      }
      res.set_content(read_file(*file), content_type_of(*file));
      if (req.path.starts_with("/assets/")) cache_forever(res);
      return;
    }
    // Client-side routes (/devices/12, /alerts …) get the app; anything that looks like a
    // file that does not exist, or any unsafe path, is 404.
    const bool looks_like_file = req.path.find('.') != std::string::npos || !is_safe_path(req.path);
    auto index = static_file(options.ui_dir, "/index.html");
    if (looks_like_file || !index) {
      if (!index && req.path == "/") {
        res.set_content("<!doctype html><title>otsensor</title><p>The console's front end is not built: run "
                        "<code>bash deploy/setup.sh</code>. The REST API is at /api/v1 (see /api/openapi.json).",
                        "text/html; charset=utf-8");
        return;
      }
      return send_error(res, 404, "not found");
    }
    res.set_content(read_file(*index), "text/html; charset=utf-8");
  });
}

void ConsoleServer::Impl::install_core_routes() {
  server->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  // httplib refuses bodies beyond this itself; uploads a little over the limit are drained
  // and answered 413 by the route. Other routes are held to kMaxJsonBody before routing.
  server->set_payload_max_length(options.max_upload_bytes + kUploadDrainBytes);
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server->set_read_timeout(30, 0);
  server->set_write_timeout(30, 0);
  httplib::Headers headers = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cache-Control", "no-store"},
  };
  if (https) headers.emplace("Strict-Transport-Security", "max-age=31536000");
  server->set_default_headers(headers);
  // Runs after the headers and before any body is read.
  server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    static const std::set<std::string> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    if (!kMethods.count(req.method)) {
      send_error(res, 405, "method not allowed");
      return httplib::Server::HandlerResponse::Handled;
    }
    const bool upload = req.method == "POST" && std::any_of(upload_paths.begin(), upload_paths.end(), [&](const std::regex& r) {
                          return std::regex_match(req.path, r);
                        });
    // GET bodies would be buffered whole by the library: none are expected.
    if ((req.method == "GET" || req.method == "HEAD") &&
        (announced_length(req) > 0 || req.has_header("Transfer-Encoding"))) {
      send_error(res, 413, "a GET request carries no body");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!upload && announced_length(req) > kUploadDrainBytes) {
      // Too large even to drain: answered at once (the client may see the connection reset).
      send_error(res, 413, "request body too large");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server->set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 413) send_error(res, 413, "request body too large");
    else send_error(res, res.status, res.status == 404 ? "not found" : "HTTP error " + std::to_string(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const StoreError&) {
      send_error(res, 503, "database error");
    } catch (...) {
      send_error(res, 500, "internal error");
    }
  });
}

ConsoleServer::ConsoleServer(ConsoleOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
ConsoleServer::~ConsoleServer() { stop(); }
int ConsoleServer::port() const { return impl_->port; }
void ConsoleServer::add_routes(RouteInstaller installer) { impl_->installers.push_back(std::move(installer)); }
std::vector<std::pair<std::string, std::string>> ConsoleServer::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : impl_->routes)
    out.emplace_back(route.method == "UPLOAD" ? "POST" : route.method, route.pattern);
  return out;
}

ConsoleStartInfo ConsoleServer::start() {
  Impl& s = *impl_;
  if (s.thread.joinable()) throw WebError("console already started on " + s.options.listen);
  auto address = parse_listen_address(s.options.listen);
  if (!address) throw WebError("invalid listen address '" + s.options.listen + "' (expected host:port or [ipv6]:port)");
  ConsoleStartInfo info;
  // A browser that hangs up mid-response must not kill the sensor.
  ::signal(SIGPIPE, SIG_IGN);
  s.https = !s.options.plain_http;
  if (!s.https && !is_loopback(address->host))
    throw WebError("plain HTTP is only served on a loopback address; drop --http to serve HTTPS on " + address->host);

  // The sensor's schema must exist (a fresh file is created and migrated here).
  Database::open(s.options.db_path, Database::Mode::ReadWrite);
  s.store = console::ConsoleStore::open(s.options.db_path);
  s.watch = SqliteConnection::open(s.options.db_path, SqliteConnection::Mode::ReadOnly);
  std::filesystem::create_directories(s.options.state_dir);
  ::chmod(s.options.state_dir.c_str(), 0700);
  if (!s.store->has_users()) {
    info.initial_admin_password = console::random_token_hex(12);
    s.store->add_user("admin", Role::Admin, info.initial_admin_password);
    s.store->audit("", "user.add", "admin", "first start: initial administrator", "", now_ns());
  }

  if (s.https) {
    std::string cert = s.options.certificate_pem, key = s.options.private_key_pem;
    if (cert.empty() != key.empty()) throw WebError("give both --cert and --key, or neither");
    if (cert.empty()) {
      auto files = console::ensure_self_signed(s.options.state_dir + "/tls", {"localhost", "127.0.0.1", "::1",
                                                                                address->host});
      cert = files.certificate_pem;
      key = files.private_key_pem;
      info.certificate_generated = files.generated;
    }
    info.certificate_fingerprint = console::certificate_fingerprint(cert);
    auto ssl = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!ssl->is_valid()) throw WebError("cannot use the TLS certificate/key " + cert + " / " + key);
    s.server = std::move(ssl);
  } else {
    s.server = std::make_unique<httplib::Server>();
  }
  s.replays = std::make_unique<ReplayJobs>(s.options.db_path,
                                           s.options.otsensor_binary.empty() ? "/proc/self/exe" : s.options.otsensor_binary);
  s.install_core_routes();
  s.install_auth_routes();
  s.install_device_routes();
  s.install_admin_routes();
  s.replays->install(s);
  install_detection_routes(s);
  install_event_routes(s);
  install_settings_routes(s);
  for (auto& installer : s.installers) installer(s);
  for (const auto& route : s.routes) {
    if (route.method == "UPLOAD") s.upload_paths.emplace_back(route.pattern);
    s.install(route);
  }
  s.install_static_routes();

  errno = 0;
  int port = address->port == 0 ? s.server->bind_to_any_port(address->host)
                                : (s.server->bind_to_port(address->host, address->port) ? address->port : -1);
  if (port < 0) {
    int error = errno;
    throw WebError("cannot listen on " + s.options.listen + (error ? std::string(": ") + std::strerror(error) : ""));
  }
  s.port = port;
  s.listen_returned = false;
  s.thread = std::thread([&s] {
    s.server->listen_after_bind();
    s.listen_returned = true;
  });
  while (!s.server->is_running() && !s.listen_returned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const bool v6 = address->host.find(':') != std::string::npos;
  info.url = std::string(s.https ? "https" : "http") + "://" + (v6 ? "[" + address->host + "]" : address->host) + ":" +
             std::to_string(port) + "/";
  return info;
}

void ConsoleServer::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  s.server->stop();
  s.thread.join();
  if (s.replays) s.replays->stop();
}

}  // namespace ots
