// Helpers for end-to-end tests: run otsensor, read its JSON, compare sets.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace ots::e2e {

struct Result {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command, capturing stdout and stderr separately.
inline Result run(const std::string& command) {
  const auto err_file = std::filesystem::temp_directory_path() /
                        ("ots-e2e-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  Result r;
  FILE* pipe = ::popen((command + " 2>" + shell_quote(err_file.string())).c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::filesystem::remove(err_file);
  return r;
}

inline std::string otsensor(const std::string& args) { return std::string(OTSENSOR_BIN) + " " + args; }

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("ots-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::filesystem::path path_;
};

// A device as tests compare it: its MAC ("" for IP-only) and its sorted IPs.
using DeviceIdentity = std::tuple<std::string, std::vector<std::string>, bool>;

inline std::set<DeviceIdentity> device_identities(const nlohmann::json& devices) {
  std::set<DeviceIdentity> out;
  for (const auto& d : devices) {
    std::string mac;
    if (d.contains("mac") && d["mac"].is_string()) mac = d["mac"];
    if (d.contains("macAddresses") && !d["macAddresses"].empty()) mac = d["macAddresses"][0];
    std::vector<std::string> ips;
    const auto& ip_list = d.contains("ipAddresses") ? d["ipAddresses"] : d["ips"];
    for (const auto& ip : ip_list) ips.push_back(ip);
    std::sort(ips.begin(), ips.end());
    out.emplace(mac, ips, d.value("isRouter", false));
  }
  return out;
}

using ConnectionIdentity = std::tuple<std::string, std::string, std::string, int, uint64_t, uint64_t>;

inline std::set<ConnectionIdentity> connection_identities(const nlohmann::json& connections) {
  std::set<ConnectionIdentity> out;
  for (const auto& c : connections) {
    uint64_t packets, bytes;
    if (c.contains("packets")) {
      packets = c["packets"];
      bytes = c["bytes"];
    } else {
      packets = c["packetsToServer"].get<uint64_t>() + c["packetsToClient"].get<uint64_t>();
      bytes = c["bytesToServer"].get<uint64_t>() + c["bytesToClient"].get<uint64_t>();
    }
    out.emplace(c["client"], c["server"], c["transport"], c["serverPort"], packets, bytes);
  }
  return out;
}

inline nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

inline nlohmann::json json_of(const std::string& command) {
  Result r = run(command);
  if (r.exit_code != 0) throw std::runtime_error(command + " failed: " + r.err);
  return nlohmann::json::parse(r.out);
}

}  // namespace ots::e2e
