#include "web/json.h"

#include <cstdio>
#include <ctime>

namespace ots {

std::string iso8601_utc(int64_t ns_since_epoch) {
  constexpr int64_t kNsPerSecond = 1'000'000'000;
  // Floor division so that times before 1970 keep a positive fraction.
  int64_t seconds = ns_since_epoch / kNsPerSecond;
  int64_t fraction = ns_since_epoch % kNsPerSecond;
  if (fraction < 0) {
    fraction += kNsPerSecond;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[64];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%09lldZ", static_cast<long long>(fraction));
  return text;
}

nlohmann::json device_to_json(const Device& device) {
  nlohmann::json macs = nlohmann::json::array();
  if (device.mac) macs.push_back(device.mac->str());
  nlohmann::json ips = nlohmann::json::array();
  for (const IpAddr& ip : device.ips) ips.push_back(ip.str());
  nlohmann::json facts = nlohmann::json::array();
  for (const DeviceFact& f : device.facts) {
    facts.push_back({{"field", f.field}, {"value", f.value}, {"protocol", f.protocol}, {"event", f.event},
                     {"firstSeen", iso8601_utc(f.first_seen_ns)}, {"lastSeen", iso8601_utc(f.last_seen_ns)}});
  }
  nlohmann::json protocols = nlohmann::json::array();
  for (const DeviceProtocol& p : device.protocols) {
    protocols.push_back({{"protocol", p.protocol}, {"role", p.server ? "server" : "client"}, {"flows", p.flows},
                         {"firstSeen", iso8601_utc(p.first_seen_ns)}, {"lastSeen", iso8601_utc(p.last_seen_ns)}});
  }
  return {
      {"id", device.id},
      {"key", device.key},
      {"macAddresses", std::move(macs)},
      {"ipAddresses", std::move(ips)},
      {"vlans", device.vlans},
      {"vendor", device.vendor},
      {"isRouter", device.is_router},
      {"firstSeen", iso8601_utc(device.traffic.first_seen_ns)},
      {"lastSeen", iso8601_utc(device.traffic.last_seen_ns)},
      {"packetsSent", device.traffic.packets_sent},
      {"bytesSent", device.traffic.bytes_sent},
      {"packetsReceived", device.traffic.packets_received},
      {"bytesReceived", device.traffic.bytes_received},
      {"type", device.type},
      {"typeReasons", device.type_reasons},
      {"purdueLevel", device.purdue_level < 0 ? nlohmann::json(nullptr) : nlohmann::json(device.purdue_level)},
      {"programmingDevice", device.programming_device},
      {"scanner", device.scanner},
      {"facts", std::move(facts)},
      {"protocols", std::move(protocols)},
  };
}

nlohmann::json connection_to_json(const ConnectionObservation& connection) {
  return {
      {"client", connection.key.client.str()},
      {"server", connection.key.server.str()},
      {"transport", transport_name(connection.key.transport)},
      {"serverPort", connection.key.server_port},
      {"application", connection.application},
      {"packetsToServer", connection.packets_to_server},
      {"bytesToServer", connection.bytes_to_server},
      {"packetsToClient", connection.packets_to_client},
      {"bytesToClient", connection.bytes_to_client},
      {"flows", connection.flows},
      {"firstSeen", iso8601_utc(connection.first_seen_ns)},
      {"lastSeen", iso8601_utc(connection.last_seen_ns)},
  };
}

nlohmann::json run_to_json(const RunRecord& run) {
  return {
      {"id", run.id},
      {"mode", run.mode},
      {"source", run.source},
      {"startedAt", iso8601_utc(run.started_at_ns)},
      {"endedAt", run.ended_at_ns == 0 ? nlohmann::json(nullptr) : nlohmann::json(iso8601_utc(run.ended_at_ns))},
      {"status", run.status},
      {"packets", run.packets},
      {"bytes", run.bytes},
      {"droppedBySensor", run.dropped_by_sensor},
      {"droppedByInterface", run.dropped_by_interface},
      {"flows", run.flows},
      {"flowEvictions", run.flow_evictions},
      {"protocolPackets", run.protocol_packets},
      {"malformed", run.malformed},
  };
}

}  // namespace ots
