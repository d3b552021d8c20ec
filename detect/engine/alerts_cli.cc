#include "detect/engine/alerts_cli.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "detect/engine/alert_store.h"
#include "detect/engine/baseline.h"
#include "detect/engine/central_detector.h"
#include "detect/export/json_lines.h"

namespace ots::detect {

namespace {

int64_t wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string short_time(int64_t ns) { return iso8601(ns).substr(0, 19) + "Z"; }

std::string endpoint(const IpAddr& ip, const MacAddr& mac) {
  if (!ip.is_unspecified()) return ip.str();
  return mac.is_zero() ? "-" : mac.str();
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i)
      out << (i + 1 < row.size() ? std::string(row[i]) + std::string(widths[i] - row[i].size() + 2, ' ') : row[i]);
    out << "\n";
  }
}

nlohmann::json stored_to_json(const StoredAlert& s) {
  nlohmann::json j = alert_to_json(s.alert);
  j["evidenceFrames"] = s.evidence_count;
  j["stateChangedBy"] = s.state_changed_by;
  j["stateChangedAt"] = s.state_changed_at_ns ? nlohmann::json(iso8601(s.state_changed_at_ns)) : nlohmann::json();
  if (!s.comments.empty()) {
    nlohmann::json comments = nlohmann::json::array();
    for (const AlertComment& c : s.comments)
      comments.push_back({{"id", c.id}, {"author", c.author}, {"text", c.text}, {"created", iso8601(c.created_ns)}});
    j["comments"] = comments;
  }
  return j;
}

// Builds the filter; returns the first problem, "" when all options are valid.
std::string make_filter(const AlertsCommand& c, AlertFilter& f) {
  if (!c.engine.empty() && !(f.engine = parse_engine(c.engine))) return "unknown engine '" + c.engine + "'";
  if (!c.severity.empty() && !(f.severity = parse_severity(c.severity))) return "unknown severity '" + c.severity + "'";
  if (!c.min_severity.empty() && !(f.min_severity = parse_severity(c.min_severity)))
    return "unknown severity '" + c.min_severity + "'";
  if (!c.state.empty() && !(f.state = parse_alert_state(c.state))) return "unknown state '" + c.state + "'";
  if (!c.from.empty() && (f.from_ns = parse_time_ns(c.from)) < 0) return "bad --from time '" + c.from + "'";
  if (!c.to.empty() && (f.to_ns = parse_time_ns(c.to)) < 0) return "bad --to time '" + c.to + "'";
  if (!c.device.empty() && !(f.device_ip = IpAddr::parse(c.device))) return "bad --device address '" + c.device + "'";
  if (c.limit < 0 || c.offset < 0) return "--limit and --offset must not be negative";
  f.definition_id = c.definition;
  f.limit = c.limit;
  f.offset = c.offset;
  return {};
}

int change_state(const AlertsCommand& c, std::ostream& out, std::ostream& err) {
  auto store = AlertStore::open(c.db);
  const int64_t id = c.acknowledge ? c.acknowledge : c.mute ? c.mute : c.learn;
  const AlertState state = c.acknowledge ? AlertState::Acknowledged : c.mute ? AlertState::Muted : AlertState::Learned;
  std::optional<StoredAlert> stored = store->get(id);
  if (!stored) {
    err << "otsensor: error: no alert " << id << "\n";
    return 1;
  }
  if (state == AlertState::Learned) {
    auto baseline = Baseline::open(c.db);
    CentralDetector central(*baseline);
    central.learn(stored->alert);
  }
  store->set_state(id, state, c.by, wall_ns());
  out << "alert " << id << ": " << alert_state_name(state) << "\n";
  return 0;
}

}  // namespace

int64_t parse_time_ns(const std::string& text) {
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size()) return seconds < 0 ? -1 : seconds * 1'000'000'000;
  std::tm tm{};
  std::istringstream in(text);
  if (text.size() == 10) in >> std::get_time(&tm, "%Y-%m-%d");
  else in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return -1;
  if (text.size() != 10) {
    char rest = 0;
    if (in >> rest && rest != 'Z') return -1;
  }
  const time_t t = timegm(&tm);
  return t < 0 ? -1 : int64_t{t} * 1'000'000'000;
}

int run_alerts_command(const AlertsCommand& c, std::ostream& out, std::ostream& err) {
  try {
    if (c.acknowledge || c.mute || c.learn) return change_state(c, out, err);
    if (!std::filesystem::exists(c.db)) {
      err << "otsensor: error: database '" << c.db << "' does not exist\n";
      return 1;
    }
    auto store = AlertStore::open(c.db, SqliteConnection::Mode::ReadOnly);
    if (c.pcap) {
      std::optional<std::vector<uint8_t>> bytes = store->pcap(c.pcap);
      if (!bytes) {
        err << "otsensor: error: no alert " << c.pcap << "\n";
        return 1;
      }
      if (c.output.empty()) {
        err << "otsensor: error: --pcap needs --output FILE\n";
        return 1;
      }
      std::ofstream file(c.output, std::ios::binary);
      file.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
      if (!file) {
        err << "otsensor: error: cannot write '" << c.output << "'\n";
        return 1;
      }
      out << "wrote " << bytes->size() << " bytes to " << c.output << "\n";
      return 0;
    }
    if (c.show) {
      std::optional<StoredAlert> stored = store->get(c.show);
      if (!stored) {
        err << "otsensor: error: no alert " << c.show << "\n";
        return 1;
      }
      if (c.json) {
        out << stored_to_json(*stored).dump(2) << "\n";
      } else {
        const Alert& a = stored->alert;
        out << "#" << a.id << " " << severity_name(a.severity) << " " << engine_name(a.engine) << " "
            << alert_state_name(a.state) << "\n"
            << a.title << " (" << a.definition_id << ")\n"
            << a.message << "\n"
            << endpoint(a.source_ip, a.source_mac) << " -> " << endpoint(a.destination_ip, a.destination_mac) << " "
            << a.protocol << ", " << a.count << " times, " << short_time(a.first_seen_ns) << " .. "
            << short_time(a.last_seen_ns) << ", " << stored->evidence_count << " evidence frames\n";
        for (const AlertComment& comment : stored->comments)
          out << "  " << short_time(comment.created_ns) << " " << comment.author << ": " << comment.text << "\n";
      }
      return 0;
    }
    AlertFilter filter;
    if (std::string problem = make_filter(c, filter); !problem.empty()) {
      err << "otsensor: error: " << problem << "\n";
      return 2;
    }
    AlertPage page = store->list(filter);
    if (c.json) {
      nlohmann::json alerts = nlohmann::json::array();
      for (const StoredAlert& s : page.alerts) alerts.push_back(stored_to_json(s));
      out << nlohmann::json{{"total", page.total}, {"alerts", alerts}}.dump(2) << "\n";
      return 0;
    }
    std::vector<std::vector<std::string>> rows{
        {"ID", "SEVERITY", "ENGINE", "STATE", "TITLE", "SOURCE", "DESTINATION", "PROTOCOL", "COUNT", "LAST SEEN"}};
    for (const StoredAlert& s : page.alerts) {
      const Alert& a = s.alert;
      rows.push_back({std::to_string(a.id), std::string(severity_name(a.severity)), std::string(engine_name(a.engine)),
                      std::string(alert_state_name(a.state)), a.title, endpoint(a.source_ip, a.source_mac),
                      endpoint(a.destination_ip, a.destination_mac), a.protocol.empty() ? "-" : a.protocol,
                      std::to_string(a.count), short_time(a.last_seen_ns)});
    }
    print_table(out, rows);
    out << page.alerts.size() << " of " << page.total << " alerts\n";
    return 0;
  } catch (const std::exception& e) {
    err << "otsensor: error: " << e.what() << "\n";
    return 1;
  }
}

void add_alert_commands(CLI::App& app) {
  auto command = std::make_shared<AlertsCommand>();
  CLI::App* cmd = app.add_subcommand("alerts", "List alerts, show one, export its pcap, or change its state");
  cmd->add_option("--db", command->db, "SQLite database")->capture_default_str();
  cmd->add_flag("--json", command->json, "JSON output");
  cmd->add_option("--engine", command->engine,
                  "protocol_violation, policy_violation, malware, anomaly or operational");
  cmd->add_option("--severity", command->severity, "Warning, Minor, Major or Critical (exactly)");
  cmd->add_option("--min-severity", command->min_severity, "This severity or worse");
  cmd->add_option("--state", command->state, "new, acknowledged, muted or learned");
  cmd->add_option("--from", command->from, "Alerts seen at or after (ISO 8601 UTC or epoch seconds)");
  cmd->add_option("--to", command->to, "Alerts seen at or before");
  cmd->add_option("--device", command->device, "Alerts with this IP as source or destination");
  cmd->add_option("--definition", command->definition, "Alerts of this definition id");
  cmd->add_option("--limit", command->limit, "Alerts per page")->capture_default_str();
  cmd->add_option("--offset", command->offset, "Alerts to skip")->capture_default_str();
  cmd->add_option("--id", command->show, "Show one alert with its comments");
  auto* pcap = cmd->add_option("--pcap", command->pcap, "Write the evidence pcap of this alert");
  cmd->add_option("--output,-o", command->output, "File for --pcap")->needs(pcap);
  auto* ack = cmd->add_option("--ack", command->acknowledge, "Acknowledge this alert");
  auto* mute = cmd->add_option("--mute", command->mute, "Mute this alert (repeats keep counting)");
  auto* learn = cmd->add_option("--learn", command->learn, "Add this alert's activity to the baseline");
  ack->excludes(mute)->excludes(learn);
  mute->excludes(learn);
  cmd->add_option("--by", command->by, "Who changes the state")->capture_default_str();
  cmd->callback([command] {
    const int code = run_alerts_command(*command, std::cout, std::cerr);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace ots::detect
