// `otsensor alerts`: lists stored alerts (table or JSON) with filters, shows one alert, writes
// its evidence pcap, and changes its state (acknowledge, mute, learn into the baseline).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace ots::detect {

struct AlertsCommand {
  std::string db = "otsensor.db";
  bool json = false;
  std::string engine, severity, min_severity, state, from, to, device, definition;
  int64_t limit = 100, offset = 0;
  int64_t show = 0;         // --id: one alert with its comments
  int64_t pcap = 0;         // --pcap ID --output FILE
  std::string output;
  int64_t acknowledge = 0;  // --ack ID
  int64_t mute = 0;         // --mute ID
  int64_t learn = 0;        // --learn ID: adds its activity to the baseline, state learned
  std::string by = "cli";   // who changes a state
};

// Runs the command; messages to `out`, errors to `err`. Returns the process exit code.
int run_alerts_command(const AlertsCommand& command, std::ostream& out, std::ostream& err);
// Registers the `alerts` subcommand; its callback runs run_alerts_command on stdout/stderr and
// throws CLI::RuntimeError with the exit code when it fails.
void add_alert_commands(CLI::App& app);

// "2024-05-01T12:00:00Z", "2024-05-01" or seconds since the epoch → nanoseconds; -1 when invalid.
int64_t parse_time_ns(const std::string& text);

}  // namespace ots::detect
