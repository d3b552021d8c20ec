// How console modules (devices, alerts, threat intelligence, replay, users) declare routes:
// each route names the least role that may call it. The server authenticates the request
// (session cookie or API token), checks the role (403), checks the CSRF token on every
// state change made with a cookie (403), bounds JSON bodies, and only then runs the handler.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "web/auth/console_store.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace ots {

struct RequestContext {
  const httplib::Request& request;
  httplib::Response& response;
  const console::Principal& principal;
  console::ConsoleStore& store;
  std::string remote;  // client address
  std::string body;    // the request body (state-changing routes), at most 64 KiB
  bool body_too_large = false;

  // Records a change in the audit log as the calling user.
  void audit(std::string_view action, std::string_view target, std::string_view detail = "") const;
  // The path's regex capture `index` (1-based).
  std::string path_match(size_t index) const;
  // The JSON object body, or nullopt after answering 400.
  std::optional<nlohmann::json> json_body() const;
  void send_json(int status, const nlohmann::json& body) const;
  void send_error(int status, const std::string& message) const;
};

using RouteHandler = std::function<void(RequestContext&)>;
// An upload: the body has already been streamed into `file` (a private temporary path).
using UploadHandler = std::function<void(RequestContext&, const std::string& file, uint64_t size)>;

class ConsoleRoutes {
 public:
  virtual ~ConsoleRoutes() = default;
  virtual void get(const std::string& pattern, console::Role least, RouteHandler handler) = 0;
  virtual void post(const std::string& pattern, console::Role least, RouteHandler handler) = 0;
  virtual void patch(const std::string& pattern, console::Role least, RouteHandler handler) = 0;
  virtual void put(const std::string& pattern, console::Role least, RouteHandler handler) = 0;
  virtual void del(const std::string& pattern, console::Role least, RouteHandler handler) = 0;
  virtual void upload(const std::string& pattern, console::Role least, UploadHandler handler) = 0;
  // Where uploads and module state may be kept (created 0700).
  virtual const std::string& state_dir() const = 0;
  virtual const std::string& db_path() const = 0;
};

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, int status, const std::string& message);

}  // namespace ots
