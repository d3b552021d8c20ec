#include "detect/export/forward_targets.h"

#include <array>
#include <cctype>
#include <stdexcept>

#include "store/sqlite.h"

namespace ots::detect {

namespace {

constexpr std::array<std::string_view, 1> kMigrations{R"sql(
CREATE TABLE forward_targets (
  position INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  transport TEXT NOT NULL,
  format TEXT NOT NULL,
  ca_file TEXT NOT NULL DEFAULT '',
  pinned_sha256 TEXT NOT NULL DEFAULT ''
);
)sql"};

bool is_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxForwardHostLength) return false;
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || std::iscntrl(u)) return false;
    if (c == '/' || c == '\\' || c == '?' || c == '#' || c == '@') return false;
  }
  return true;
}

}  // namespace

std::string describe_forward_target(const ForwardTarget& target, size_t position) {
  // A rejected host may be long; the message only needs to let the user find the row.
  const std::string host = target.host.size() > 64 ? target.host.substr(0, 64) + "..." : target.host;
  return "target " + std::to_string(position) + " (" + host + ":" + std::to_string(target.port) + " " +
         target.transport + " " + target.format + ")";
}

ForwarderConfig forward_target_config(const ForwardTarget& target, size_t position) {
  const std::string name = describe_forward_target(target, position);
  auto fail = [&name](const std::string& why) { throw std::invalid_argument(name + ": " + why); };
  if (!is_host(target.host))
    fail("host must be 1 to " + std::to_string(kMaxForwardHostLength) +
         " characters without spaces or slashes");
  if (target.port == 0) fail("port must be 1 to 65535");
  ForwarderConfig config;
  config.host = target.host;
  config.port = target.port;
  if (target.transport == "udp") config.transport = ForwarderConfig::Transport::Udp;
  else if (target.transport == "tcp") config.transport = ForwarderConfig::Transport::Tcp;
  else if (target.transport == "tls") config.transport = ForwarderConfig::Transport::Tls;
  else fail("transport must be udp, tcp or tls");
  if (target.format == "cef") config.format = ForwarderConfig::Format::Cef;
  else if (target.format == "json") config.format = ForwarderConfig::Format::JsonLines;
  else fail("format must be cef or json");
  // The forwarder frames JSON lines by newline on a stream; a datagram has no such framing.
  const bool json = config.format == ForwarderConfig::Format::JsonLines;
  if (config.transport == ForwarderConfig::Transport::Udp && json)
    fail("JSON is sent over tcp or tls, not udp (use cef for udp)");
  if (config.transport == ForwarderConfig::Transport::Tls) {
    if (target.ca_file.empty() && target.pinned_sha256.empty())
      fail("tls needs a CA file (ca) or a pinned certificate SHA-256 (pin)");
    if (!target.pinned_sha256.empty()) {
      try {
        parse_sha256_pin(target.pinned_sha256);
      } catch (const std::invalid_argument&) {
        fail("pin must be a SHA-256 of 64 hex digits (colons allowed)");
      }
    }
    if (target.ca_file.size() > 4096 || target.ca_file.find('\0') != std::string::npos)
      fail("ca is not a file path");
    config.ca_file = target.ca_file;
    config.pinned_sha256 = target.pinned_sha256;
  } else if (!target.ca_file.empty() || !target.pinned_sha256.empty()) {
    fail("ca and pin apply to tls only");
  }
  return config;
}

void validate_forward_targets(const std::vector<ForwardTarget>& targets) {
  if (targets.size() > kMaxForwardTargets)
    throw std::invalid_argument("at most " + std::to_string(kMaxForwardTargets) + " targets (got " +
                                std::to_string(targets.size()) + ")");
  for (size_t i = 0; i < targets.size(); ++i) forward_target_config(targets[i], i + 1);
}

std::vector<ForwardTarget> load_forward_targets(SqliteConnection& db) {
  migrate_module(db, "forward_targets", kMigrations);
  std::vector<ForwardTarget> targets;
  Statement q(db, "SELECT host, port, transport, format, ca_file, pinned_sha256 FROM forward_targets "
                  "ORDER BY position");
  while (q.step()) {
    ForwardTarget t;
    t.host = q.text(0);
    const int64_t port = q.i64(1);
    t.port = port > 0 && port <= 65535 ? static_cast<uint16_t>(port) : 0;  // 0 fails validation, named
    t.transport = q.text(2);
    t.format = q.text(3);
    t.ca_file = q.text(4);
    t.pinned_sha256 = q.text(5);
    targets.push_back(std::move(t));
  }
  return targets;
}

void store_forward_targets(SqliteConnection& db, const std::vector<ForwardTarget>& targets) {
  migrate_module(db, "forward_targets", kMigrations);
  Transaction transaction(db);
  db.exec("DELETE FROM forward_targets");
  Statement insert(db,
                   "INSERT INTO forward_targets(position, host, port, transport, format, ca_file, "
                   "pinned_sha256) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (size_t i = 0; i < targets.size(); ++i) {
    const ForwardTarget& t = targets[i];
    insert.bind(1, static_cast<int64_t>(i + 1))
        .bind(2, t.host)
        .bind(3, static_cast<int64_t>(t.port))
        .bind(4, t.transport)
        .bind(5, t.format)
        .bind(6, t.ca_file)
        .bind(7, t.pinned_sha256)
        .run();
    insert.reset();
  }
  transaction.commit();
}

std::vector<ForwarderConfig> stored_forwarder_configs(const std::string& db_path) {
  auto db = SqliteConnection::open(db_path, SqliteConnection::Mode::ReadWrite);
  const std::vector<ForwardTarget> targets = load_forward_targets(*db);
  std::vector<ForwarderConfig> configs;
  for (size_t i = 0; i < targets.size(); ++i) {
    try {
      configs.push_back(forward_target_config(targets[i], i + 1));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("stored alert forwarding ") + e.what() +
                                  " (fix it on the console's Settings page)");
    }
  }
  return configs;
}

}  // namespace ots::detect
