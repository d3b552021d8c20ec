// A real console server for API tests: plain HTTP on 127.0.0.1 with an ephemeral port, over
// the SQLite file `db` (the tests reach it at server->port()).
#pragma once

#include <memory>
#include <string>

#include "web/console_server.h"

namespace ots::testing_support {

inline std::unique_ptr<ConsoleServer> start_loopback_console(const std::string& db) {
  ConsoleOptions options;
  options.db_path = db;
  options.listen = "127.0.0.1:0";
  options.plain_http = true;
  auto server = std::make_unique<ConsoleServer>(options);
  server->start();
  return server;
}

}  // namespace ots::testing_support
