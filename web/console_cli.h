// The command line of the console: `serve` options shared by `serve` and `replay/capture
// --serve`, and `otsensor user add|list|remove|passwd`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "web/console_server.h"

namespace ots {

// --listen, --http, --cert, --key, --ui-dir, --max-upload-mb on `cmd`.
void add_console_options(CLI::App* cmd, ConsoleOptions& options, bool with_listen);
// Starts the console and tells the operator where it is, the certificate fingerprint to
// compare with the browser's, and (first start only) the initial admin password.
ConsoleStartInfo start_console(ConsoleServer& server);
// `otsensor user …`; `db` is the shared --db option value. Returns the subcommand.
CLI::App* add_user_commands(CLI::App& app, std::string& db);
// Runs the parsed `user` subcommand; returns the exit code.
int run_user_command(CLI::App* user, const std::string& db);

}  // namespace ots
