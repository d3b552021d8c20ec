// `otsensor ti …`: import, list, show, remove, rollback, enable, disable, trust-key, keys,
// keygen, sign and taxii. core/main.cc adds them with one call; each subcommand runs from its
// CLI11 callback during parsing and reports failure by throwing CLI::RuntimeError(1) after
// printing the reason, which CLI11_PARSE turns into the exit status.
#pragma once

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

namespace ots::detect::ti {

inline constexpr const char* kDefaultTrustedKeysDir = "/etc/otsensor/ti-keys";

void add_ti_commands(CLI::App& app, const std::string& default_db, std::ostream& out = std::cout,
                     std::ostream& err = std::cerr);

}  // namespace ots::detect::ti
