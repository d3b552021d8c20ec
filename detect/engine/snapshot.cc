#include "detect/engine/snapshot.h"

#include <algorithm>

#include <charconv>

namespace ots::detect {

namespace {

constexpr std::string_view kBehaviourIds[] = {
    "industroyer2",   "industroyer",  "triton",     "pipedream_opcua_browse", "pipedream_codesys_login",
    "pipedream_fins", "pipedream_umas", "frostygoop", "s7_stop_download",       "modbus_fc8",
    "dnp3_restart",
};
static_assert(std::size(kBehaviourIds) == kBehaviourCount);

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

uint64_t hash_text(std::string_view text) {
  return hash_bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size(), 0x51ed270b27f4a7c1ull);
}

bool parse_param(std::string_view key, std::string_view value, BehaviourParams& params, std::string& reason) {
  auto number = [&](uint64_t& out) {
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    return ec == std::errc() && end == value.data() + value.size();
  };
  uint64_t n = 0;
  if (key == "window_s") {
    if (!number(n) || n == 0 || n > 86400) return reason = "window_s must be 1..86400", false;
    params.window_ns = static_cast<int64_t>(n) * 1'000'000'000;
  } else if (key == "threshold") {
    if (!number(n) || n == 0 || n > 100000) return reason = "threshold must be 1..100000", false;
    params.threshold = static_cast<uint32_t>(n);
  } else if (key == "needs_baseline") {
    if (value != "true" && value != "false") return reason = "needs_baseline must be true or false", false;
    params.needs_baseline = value == "true";
  } else {
    return reason = "unknown parameter '" + std::string(key) + "'", false;
  }
  return true;
}

}  // namespace

std::string_view behaviour_id(Behaviour b) {
  const auto i = static_cast<size_t>(b);
  return i < kBehaviourCount ? kBehaviourIds[i] : std::string_view{};
}

std::optional<Behaviour> parse_behaviour_id(std::string_view id) {
  for (size_t i = 0; i < kBehaviourCount; ++i)
    if (kBehaviourIds[i] == id) return static_cast<Behaviour>(i);
  return std::nullopt;
}

uint64_t pair_key(const IpAddr& client, const IpAddr& server) {
  return mix(std::hash<IpAddr>{}(client), std::hash<IpAddr>{}(server));
}

uint64_t pair_protocol_key(const IpAddr& client, const IpAddr& server, std::string_view protocol) {
  return mix(pair_key(client, server), hash_text(protocol));
}

uint64_t channel_key(const IpAddr& client, const IpAddr& server, std::string_view protocol, uint32_t code,
                     uint32_t address) {
  return channel_key(pair_protocol_key(client, server, protocol), code, address);
}

uint64_t channel_key(uint64_t pair_protocol, uint32_t code, uint32_t address) {
  return mix(mix(pair_protocol, code + 0x1000000000ull), address);
}

bool is_public_address(const IpAddr& ip) {
  if (!ip.is_unicast() || ip.is_loopback() || ip.is_link_local()) return false;
  if (ip.is_v4()) {
    const uint32_t a = ip.v4_host_order();
    const auto in = [a](uint32_t net, int len) { return (a >> (32 - len)) == (net >> (32 - len)); };
    return !(in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0x64400000, 10) ||
             in(0x00000000, 8) || in(0xF0000000, 4));
  }
  return (ip.bytes[0] & 0xE0) == 0x20;  // global unicast 2000::/3 (not ULA fc00::/7)
}

bool is_internet_peer(const IpAddr& peer, const IpAddr& local) {
  if (!is_public_address(peer)) return false;
  if (peer.is_v4() != local.is_v4()) return true;
  const size_t prefix_bytes = peer.is_v4() ? 14 : 6;  // v4-mapped: bytes 12 and 13 are the /16
  return !std::equal(peer.bytes.begin(), peer.bytes.begin() + prefix_bytes, local.bytes.begin());
}

std::shared_ptr<const DetectionSnapshot> make_snapshot(std::vector<AlertDefinition> definitions, BaselineView baseline,
                                                       AnomalySettings anomaly, EngineSwitches engines,
                                                       std::vector<SnapshotProblem>* problems) {
  auto snapshot = std::make_shared<DetectionSnapshot>();
  snapshot->definitions = std::move(definitions);
  snapshot->baseline = std::move(baseline);
  snapshot->anomaly = anomaly;
  snapshot->engines = engines;
  auto report = [&](const AlertDefinition& d, std::string_view entry, std::string reason) {
    if (problems) problems->push_back({d.id, std::string(entry), std::move(reason)});
  };
  for (const AlertDefinition& definition : snapshot->definitions) {
    for (const std::string& entry : definition.behaviours) {
      std::string_view rest = entry;
      auto next_token = [&rest]() {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        size_t end = rest.find(' ');
        std::string_view token = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
        return token;
      };
      std::string_view id = next_token();
      std::optional<Behaviour> behaviour = parse_behaviour_id(id);
      if (!behaviour) {
        report(definition, entry, "unknown behaviour id '" + std::string(id) + "'");
        continue;
      }
      BehaviourConfig& config = snapshot->behaviours[static_cast<size_t>(*behaviour)];
      if (config.enabled) {
        report(definition, entry, "behaviour already enabled by " + config.definition->id);
        continue;
      }
      BehaviourParams params;
      bool ok = true;
      for (std::string_view token = next_token(); ok && !token.empty(); token = next_token()) {
        size_t eq = token.find('=');
        std::string reason;
        if (eq == std::string_view::npos) {
          report(definition, entry, "parameter '" + std::string(token) + "' is not key=value");
          ok = false;
        } else if (!parse_param(token.substr(0, eq), token.substr(eq + 1), params, reason)) {
          report(definition, entry, reason);
          ok = false;
        }
      }
      if (!ok) continue;
      config = BehaviourConfig{true, &definition, params};
    }
  }
  return snapshot;
}

}  // namespace ots::detect
