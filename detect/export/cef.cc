#include "detect/export/cef.h"

#include <ctime>

namespace ots::detect {

namespace {

void escape_common(std::string& out, char c) {
  if (c == '\n') out += "\\n";
  else if (c == '\r') out += "\\r";
  else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
  else out += c;
}

// RFC 5424 header fields are printable US-ASCII without spaces; "-" stands for an empty one.
std::string header_field(std::string_view text, size_t max) {
  std::string out;
  for (char c : text.substr(0, max))
    out += (c > 32 && c < 127) ? c : '_';
  return out.empty() ? "-" : out;
}

}  // namespace

int cef_severity(Severity s) {
  switch (s) {
    case Severity::Warning: return 1;
    case Severity::Minor: return 4;
    case Severity::Major: return 8;
    case Severity::Critical: return 10;
  }
  return 1;
}

std::string cef_escape_header(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || c == '|') {
      out += '\\';
      out += c;
    } else {
      escape_common(out, c);
    }
  }
  return out;
}

std::string cef_escape_extension(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || c == '=') {
      out += '\\';
      out += c;
    } else {
      escape_common(out, c);
    }
  }
  return out;
}

std::string format_cef(const Alert& a, std::string_view product_version) {
  std::string out = "CEF:0|otsensor|otsensor|" + cef_escape_header(product_version) + "|" +
                    cef_escape_header(a.definition_id) + "|" + cef_escape_header(a.title) + "|" +
                    std::to_string(cef_severity(a.severity)) + "|";
  bool first = true;
  auto ext = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!first) out += ' ';
    first = false;
    out += key;
    out += '=';
    out += cef_escape_extension(value);
  };
  std::string techniques;
  for (const std::string& t : a.attack_techniques) techniques += (techniques.empty() ? "" : ",") + t;
  ext("rt", std::to_string(a.last_seen_ns / 1'000'000));
  ext("start", std::to_string(a.first_seen_ns / 1'000'000));
  ext("end", std::to_string(a.last_seen_ns / 1'000'000));
  ext("msg", a.message);
  ext("cat", a.group);
  ext("app", a.protocol);
  if (!a.source_ip.is_unspecified()) ext(a.source_ip.is_v4() ? "src" : "c6a2", a.source_ip.str());
  if (!a.destination_ip.is_unspecified()) ext(a.destination_ip.is_v4() ? "dst" : "c6a3", a.destination_ip.str());
  if (!a.source_mac.is_zero()) ext("smac", a.source_mac.str());
  if (!a.destination_mac.is_zero()) ext("dmac", a.destination_mac.str());
  ext("cnt", std::to_string(a.count));
  ext("cs1Label", "engine");
  ext("cs1", engine_name(a.engine));
  if (!techniques.empty()) {
    ext("cs2Label", "attackTechniques");
    ext("cs2", techniques);
  }
  ext("cs3Label", "state");
  ext("cs3", alert_state_name(a.state));
  if (!a.activity.empty()) {
    ext("cs4Label", "activity");
    ext("cs4", a.activity);
  }
  if (a.id != 0) {
    ext("cn1Label", "alertId");
    ext("cn1", std::to_string(a.id));
  }
  return out;
}

std::string syslog_5424(std::string_view message, Severity severity, int64_t ts_ns, std::string_view hostname,
                        std::string_view app_name, std::string_view msg_id) {
  constexpr int kFacilityLocal4 = 20;
  int syslog_severity = 5;
  switch (severity) {
    case Severity::Critical: syslog_severity = 2; break;
    case Severity::Major: syslog_severity = 3; break;
    case Severity::Minor: syslog_severity = 4; break;
    case Severity::Warning: syslog_severity = 5; break;
  }
  const time_t seconds = static_cast<time_t>(ts_ns / 1'000'000'000);
  const long micros = static_cast<long>((ts_ns % 1'000'000'000) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[48];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  std::string out = "<" + std::to_string(kFacilityLocal4 * 8 + syslog_severity) + ">1 " + stamp + " " +
                    header_field(hostname, 255) + " " + header_field(app_name, 48) + " - " +
                    header_field(msg_id, 32) + " - ";
  out += message;
  return out;
}

}  // namespace ots::detect
