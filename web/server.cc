#include "web/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "store/database.h"
#include "web/html.h"
#include "web/http_params.h"
#include "web/json.h"

namespace ots {

namespace {

constexpr size_t kMaxIdleReaders = 4;
constexpr size_t kServerThreads = 4;
constexpr size_t kMaxRequestBody = 1024;  // only GET and HEAD exist

// Read-only connections, reused across requests. A connection is only ever used by one
// request at a time.
class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    ~Lease() { pool_.give_back(std::move(db_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Database& operator*() const { return *db_; }
    Database* operator->() const { return db_.get(); }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Database> db_;
  };

  Lease acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto db = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(db));
      }
    }
    return Lease(*this, Database::open(path_, Database::Mode::ReadOnly));
  }

 private:
  void give_back(std::unique_ptr<Database> db) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdleReaders) idle_.push_back(std::move(db));
  }

  std::string path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Database>> idle_;
};

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

std::optional<std::string_view> param(const httplib::Request& req, const char* name) {
  auto it = req.params.find(name);
  if (it == req.params.end()) return std::nullopt;
  return std::string_view(it->second);
}

// Parses offset/limit, or answers 400 and returns nullopt.
std::optional<Page> page_or_400(const httplib::Request& req, httplib::Response& res) {
  PageParams parsed = parse_page_params(param(req, "offset"), param(req, "limit"));
  if (!parsed.error.empty()) {
    send_error(res, 400, parsed.error);
    return std::nullopt;
  }
  return parsed.page;
}

nlohmann::json envelope(int64_t total, Page page, nlohmann::json items) {
  return {{"total", total}, {"offset", page.offset}, {"limit", page.limit}, {"items", std::move(items)}};
}

}  // namespace

struct WebServer::Impl {
  Impl(std::string db_path, std::string listen_text)
      : listen(std::move(listen_text)), readers(std::move(db_path)) {
    install_routes();
  }

  void install_routes();

  std::string listen;
  ReaderPool readers;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  int port = 0;
};

void WebServer::Impl::install_routes() {
  server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server.set_payload_max_length(kMaxRequestBody);
  // httplib's default is SO_REUSEPORT, which lets a second server silently share the port;
  // SO_REUSEADDR alone still allows a quick restart.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_default_headers({
      {"Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
  });

  // Before routing (and before any body is read): only GET and HEAD exist.
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("Allow", "GET, HEAD");
    send_error(res, 405, "method not allowed");
    return httplib::Server::HandlerResponse::Handled;
  });
  // Unrouted paths and library-level errors get a JSON body too.
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, res.status, res.status == 404 ? "not found" : "HTTP error " + std::to_string(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const StoreError&) {
      // The message names server paths; clients only learn that the store failed.
      send_error(res, 503, "database error");
    } catch (...) {
      send_error(res, 500, "internal error");
    }
  });

  server.Get("/", [this](const httplib::Request& req, httplib::Response& res) {
    auto page = page_or_400(req, res);
    if (!page) return;
    auto db = readers.acquire();
    int64_t total = 0;
    std::vector<Device> devices;
    db->read_snapshot([&] {
      total = db->count_devices();
      devices = db->list_devices(*page);
    });
    res.set_content(render_devices_page(devices, total, *page), "text/html; charset=utf-8");
  });
  server.Get("/static/style.css", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(devices_page_stylesheet()), "text/css; charset=utf-8");
  });
  server.Get("/api/v1/devices", [this](const httplib::Request& req, httplib::Response& res) {
    auto page = page_or_400(req, res);
    if (!page) return;
    auto db = readers.acquire();
    nlohmann::json items = nlohmann::json::array();
    int64_t total = 0;
    db->read_snapshot([&] {
      total = db->count_devices();
      for (const Device& d : db->list_devices(*page)) items.push_back(device_to_json(d));
    });
    send_json(res, 200, envelope(total, *page, std::move(items)));
  });
  server.Get(R"(/api/v1/devices/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_device_id(req.matches[1].str());
    if (!id) return send_error(res, 404, "no such device");
    auto db = readers.acquire();
    auto device = db->get_device(*id);
    if (!device) return send_error(res, 404, "no such device");
    send_json(res, 200, device_to_json(*device));
  });
  server.Get("/api/v1/connections", [this](const httplib::Request& req, httplib::Response& res) {
    auto page = page_or_400(req, res);
    if (!page) return;
    auto db = readers.acquire();
    nlohmann::json items = nlohmann::json::array();
    int64_t total = 0;
    db->read_snapshot([&] {
      total = db->count_connections();
      for (const auto& c : db->list_connections(*page)) items.push_back(connection_to_json(c));
    });
    send_json(res, 200, envelope(total, *page, std::move(items)));
  });
  server.Get("/api/v1/stats", [this](const httplib::Request&, httplib::Response& res) {
    auto db = readers.acquire();
    nlohmann::json body;
    db->read_snapshot([&] {
      nlohmann::json runs = nlohmann::json::array();
      for (const RunRecord& run : db->list_runs()) runs.push_back(run_to_json(run));
      body = {{"devices", db->count_devices()}, {"connections", db->count_connections()}, {"runs", std::move(runs)}};
    });
    send_json(res, 200, body);
  });
}

WebServer::WebServer(std::string db_path, std::string listen)
    : impl_(std::make_unique<Impl>(std::move(db_path), std::move(listen))) {}

WebServer::~WebServer() { stop(); }

int WebServer::port() const { return impl_->port; }

void WebServer::start() {
  Impl& s = *impl_;
  if (s.thread.joinable()) throw WebError("web server already started on " + s.listen);
  auto address = parse_listen_address(s.listen);
  if (!address) throw WebError("invalid listen address '" + s.listen + "' (expected host:port or [ipv6]:port)");
  // Fail now, with the store's one-line message, rather than on the first request.
  s.readers.acquire();

  errno = 0;
  int port = address->port == 0 ? s.server.bind_to_any_port(address->host)
                                : (s.server.bind_to_port(address->host, address->port) ? address->port : -1);
  if (port < 0) {
    int error = errno;
    throw WebError("cannot listen on " + s.listen + (error ? std::string(": ") + std::strerror(error) : ""));
  }
  s.port = port;
  s.listen_returned = false;
  s.thread = std::thread([&s] {
    s.server.listen_after_bind();
    s.listen_returned = true;
  });
  // httplib's stop() only works once the accept loop runs; wait for it so stop() cannot be lost.
  while (!s.server.is_running() && !s.listen_returned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void WebServer::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  s.server.stop();
  s.thread.join();
}

}  // namespace ots
