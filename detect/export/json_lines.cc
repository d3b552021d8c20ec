#include "detect/export/json_lines.h"

#include <ctime>

namespace ots::detect {

std::string iso8601(int64_t ts_ns) {
  const time_t seconds = static_cast<time_t>(ts_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(ts_ns % 1'000'000'000));
  return text;
}

nlohmann::json alert_to_json(const Alert& a) {
  auto ip = [](const IpAddr& v) { return v.is_unspecified() ? nlohmann::json() : nlohmann::json(v.str()); };
  auto mac = [](const MacAddr& v) { return v.is_zero() ? nlohmann::json() : nlohmann::json(v.str()); };
  return {
      {"id", a.id},
      {"engine", engine_name(a.engine)},
      {"severity", severity_name(a.severity)},
      {"definitionId", a.definition_id},
      {"title", a.title},
      {"message", a.message},
      {"sourceIp", ip(a.source_ip)},
      {"destinationIp", ip(a.destination_ip)},
      {"sourceMac", mac(a.source_mac)},
      {"destinationMac", mac(a.destination_mac)},
      {"protocol", a.protocol},
      {"attackTechniques", a.attack_techniques},
      {"group", a.group},
      {"activity", a.activity},
      {"firstSeen", iso8601(a.first_seen_ns)},
      {"lastSeen", iso8601(a.last_seen_ns)},
      {"firstSeenNs", a.first_seen_ns},
      {"lastSeenNs", a.last_seen_ns},
      {"count", a.count},
      {"state", alert_state_name(a.state)},
      {"evidenceFrames", a.evidence_frames.size()},
  };
}

std::string alert_json_line(const Alert& alert) {
  // Invalid UTF-8 from packet-derived text is replaced rather than thrown on.
  return alert_to_json(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ots::detect
