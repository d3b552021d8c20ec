#include "detect/engine/baseline_cli.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <iostream>

#include <nlohmann/json.hpp>

#include "detect/engine/baseline.h"

namespace ots::detect {

int64_t parse_duration_ns(const std::string& text) {
  if (text.empty()) return -1;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value <= 0) return -1;
  const std::string_view unit(end, text.data() + text.size() - end);
  int64_t seconds = 0;
  if (unit.empty() || unit == "s") seconds = 1;
  else if (unit == "m") seconds = 60;
  else if (unit == "h") seconds = 3600;
  else if (unit == "d") seconds = 86400;
  else return -1;
  if (value > INT64_MAX / 1'000'000'000 / seconds) return -1;
  return value * seconds * 1'000'000'000;
}

int run_baseline_command(const BaselineCommand& c, std::ostream& out, std::ostream& err) {
  try {
    int64_t duration = 0;
    if (c.action == BaselineCommand::Action::Learn && !c.duration.empty() &&
        (duration = parse_duration_ns(c.duration)) < 0) {
      err << "otsensor: error: bad duration '" << c.duration << "' (use e.g. 90s, 30m, 12h, 7d)\n";
      return 2;
    }
    auto baseline = Baseline::open(c.db);
    switch (c.action) {
      case BaselineCommand::Action::Learn:
        baseline->start_learning(duration);
        out << "baseline: learning " << (duration ? "for " + c.duration + " of packet time" : "until ended")
            << "\n";
        return 0;
      case BaselineCommand::Action::End:
        baseline->end_learning();
        out << "baseline: learning ended\n";
        return 0;
      case BaselineCommand::Action::Reset:
        baseline->reset();
        out << "baseline: reset\n";
        return 0;
      case BaselineCommand::Action::Status: break;
    }
    const BaselineStatus s = baseline->status();
    const char* mode = s.learning ? "learning" : s.established ? "operational" : "empty (never learned)";
    if (c.json) {
      out << nlohmann::json{{"mode", mode},
                            {"learning", s.learning},
                            {"established", s.established},
                            {"learningStartedNs", s.learning_started_ns},
                            {"learningDurationNs", s.learning_duration_ns},
                            {"devices", s.devices},
                            {"pairs", s.pairs},
                            {"protocols", s.protocols},
                            {"functions", s.functions},
                            {"writeRanges", s.write_ranges},
                            {"blocks", s.blocks},
                            {"cipServices", s.cip},
                            {"writers", s.writers},
                            {"engineeringHosts", s.engineering_hosts},
                            {"pollingChannels", s.polling}}
                 .dump(2)
          << "\n";
      return 0;
    }
    out << "mode: " << mode << "\n";
    if (s.learning)
      out << "learning: "
          << (s.learning_duration_ns ? std::to_string(s.learning_duration_ns / 1'000'000'000) + " s of packet time"
                                     : std::string("until ended"))
          << (s.learning_started_ns ? "" : " (starts with the next packets)") << "\n";
    out << "devices: " << s.devices << "\npairs: " << s.pairs << "\nprotocols: " << s.protocols
        << "\nfunction codes: " << s.functions << "\nwrite ranges: " << s.write_ranges << "\nS7 blocks: " << s.blocks
        << "\nCIP class/service: " << s.cip << "\nwriters: " << s.writers
        << "\nengineering hosts: " << s.engineering_hosts << "\npolling channels: " << s.polling << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "otsensor: error: " << e.what() << "\n";
    return 1;
  }
}

void add_baseline_commands(CLI::App& app) {
  auto command = std::make_shared<BaselineCommand>();
  CLI::App* cmd = app.add_subcommand("baseline", "Learn, inspect or reset the baseline");
  cmd->require_subcommand(1);
  CLI::App* learn = cmd->add_subcommand("learn", "Start learning (policy alerts stay silent)");
  learn->add_option("--for", command->duration, "Learn for this much packet time (90s, 30m, 12h, 7d)");
  CLI::App* end = cmd->add_subcommand("end", "End learning: the baseline is in force");
  CLI::App* status = cmd->add_subcommand("status", "Show the learning mode and what the baseline holds");
  status->add_flag("--json", command->json, "JSON output");
  CLI::App* reset = cmd->add_subcommand("reset", "Forget the baseline");
  const std::pair<CLI::App*, BaselineCommand::Action> actions[] = {{learn, BaselineCommand::Action::Learn},
                                                                   {end, BaselineCommand::Action::End},
                                                                   {status, BaselineCommand::Action::Status},
                                                                   {reset, BaselineCommand::Action::Reset}};
  for (const auto& [sub, action] : actions) {
    sub->add_option("--db", command->db, "SQLite database")->capture_default_str();
    sub->callback([command, action = action] {
      command->action = action;
      const int code = run_baseline_command(*command, std::cout, std::cerr);
      if (code != 0) throw CLI::RuntimeError(code);
    });
  }
}

}  // namespace ots::detect
