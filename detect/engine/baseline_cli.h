// `otsensor baseline learn [--for DURATION] | status | reset`, all with --db PATH. Learning runs
// on packet time: its period starts with the first packets the sensor processes afterwards.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace ots::detect {

struct BaselineCommand {
  enum class Action { Learn, End, Status, Reset };
  Action action = Action::Status;
  std::string db = "otsensor.db";
  std::string duration;  // "" until ended; "90s", "30m", "12h", "7d" or plain seconds
  bool json = false;
};

int run_baseline_command(const BaselineCommand& command, std::ostream& out, std::ostream& err);
void add_baseline_commands(CLI::App& app);

// "90s", "30m", "12h", "7d", "3600" → nanoseconds; -1 when invalid.
int64_t parse_duration_ns(const std::string& text);

}  // namespace ots::detect
