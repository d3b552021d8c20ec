// `otsensor serve`: a small read-only HTTP server over the SQLite store. JSON API under
// /api/v1, one HTML page at /. It only ever opens read-only connections, so it runs
// beside a capture writing the same file.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace ots {

class WebError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class WebServer {
 public:
  // listen: "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free port (see port()).
  WebServer(std::string db_path, std::string listen);
  ~WebServer();  // stops
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Checks the database opens read-only (StoreError otherwise), binds (WebError naming the
  // address on failure) and serves on background threads.
  void start();
  // Stops accepting, finishes requests in flight, joins the threads. Idempotent.
  void stop();
  int port() const;  // the bound port, valid after start()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ots
