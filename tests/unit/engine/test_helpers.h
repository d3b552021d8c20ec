// Synthetic event helpers for the alert engine tests.
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

#include "core/net_types.h"
#include "detect/engine/behaviour_pack.h"
#include "detect/engine/snapshot.h"
#include "dissectors/dissector.h"

namespace ots::detect::test {

inline IpAddr ip(const char* text) { return *IpAddr::parse(text); }
inline MacAddr mac(const char* text) { return *MacAddr::parse(text); }

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;

inline FlowContext tcp(const char* client, const char* server, uint16_t server_port, int64_t ts,
                       uint16_t client_port = 50000) {
  FlowContext ctx;
  ctx.ts_ns = ts;
  ctx.transport = 6;
  ctx.client_ip = ip(client);
  ctx.server_ip = ip(server);
  ctx.client_port = client_port;
  ctx.server_port = server_port;
  ctx.client_mac = mac("02:00:00:00:00:01");
  ctx.server_mac = mac("02:00:00:00:00:02");
  return ctx;
}

inline Operation request(uint32_t code, std::string_view name, bool is_write = false, std::string_view object = {}) {
  Operation op;
  op.code = code;
  op.name = name;
  op.is_write = is_write;
  op.object = object;
  return op;
}

inline Operation response(uint32_t code, std::string_view name, bool is_error) {
  Operation op = request(code, name);
  op.is_request = false;
  op.is_error = is_error;
  return op;
}

inline Operation ranged(Operation op, uint32_t unit, uint32_t address, uint32_t quantity) {
  op.unit = unit;
  op.address = address;
  op.quantity = quantity;
  op.has_range = true;
  return op;
}

inline std::string pack_path() { return std::string(OTS_SOURCE_DIR) + "/detect/pack/behaviour_pack.json"; }

inline std::vector<AlertDefinition> pack_definitions() { return load_behaviour_pack(pack_path()).definitions; }

inline std::shared_ptr<const DetectionSnapshot> snapshot(BaselineView baseline = {}, AnomalySettings anomaly = {},
                                                         EngineSwitches engines = {}) {
  return make_snapshot(pack_definitions(), std::move(baseline), anomaly, engines);
}

// A fresh directory under the system temp dir, removed at destruction.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("ots_engine_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

}  // namespace ots::detect::test
