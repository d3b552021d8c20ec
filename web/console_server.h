// The sensor console: HTTPS (self-signed on first start, or the operator's certificate),
// users with roles, browser sessions with CSRF protection, API tokens, an audit log, the
// REST API under /api, and the built single-page application's static files.
//
// Plain HTTP is only served when asked for (`plain_http`) and only on a loopback address.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>


namespace httplib {
class Server;
}

namespace ots {

class WebError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ConsoleOptions {
  std::string db_path;
  std::string listen = "127.0.0.1:8443";
  bool plain_http = false;             // only on loopback
  std::string certificate_pem;         // both empty: self-signed in <db>.console-tls/
  std::string private_key_pem;
  std::string ui_dir;                  // built front-end (index.html + assets); empty = none
  std::string state_dir;               // uploads and TLS files; default "<db>.console"
  uint64_t max_upload_bytes = 1ull << 30;  // pcap and TI uploads (413 beyond)
  int64_t session_lifetime_s = 8 * 3600;
  std::string otsensor_binary;         // for pcap replay jobs; default /proc/self/exe
};

// What start() reports for the operator.
struct ConsoleStartInfo {
  std::string url;                  // "https://127.0.0.1:8443/"
  std::string certificate_fingerprint;  // SHA-256, empty for plain HTTP
  bool certificate_generated = false;
  std::string initial_admin_password;  // set once: the first start created user "admin"
};

class ConsoleServer {
 public:
  explicit ConsoleServer(ConsoleOptions options);
  ~ConsoleServer();
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  // Opens the stores, prepares TLS, binds and serves on background threads. Throws
  // WebError / StoreError with one clear line.
  ConsoleStartInfo start();
  void stop();
  int port() const;

  // Modules that own their own API (alerts, threat intelligence) add routes before start().
  using RouteInstaller = std::function<void(class ConsoleRoutes&)>;
  void add_routes(RouteInstaller installer);
  // (method, path pattern) of every route added through ConsoleRoutes, once started; uploads
  // are POST. Login and /api/openapi.json are served outside it. Lets tests hold the API
  // description to what the server answers.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ots
