#include "web/console_cli.h"

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "web/auth/console_store.h"

namespace ots {

namespace {

struct UserArgs {
  std::string name;
  std::string role = "read-only";
  bool password_stdin = false;
};
UserArgs user_args;

// Reads a password from stdin: without echo on a terminal, one line otherwise.
std::string read_password(const char* prompt) {
  const bool terminal = ::isatty(STDIN_FILENO);
  termios old{};
  if (terminal) {
    std::fprintf(stderr, "%s", prompt);
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  return password;
}

}  // namespace

void add_console_options(CLI::App* cmd, ConsoleOptions& options, bool with_listen) {
  if (with_listen) cmd->add_option("--listen", options.listen, "Address to serve the console on")->capture_default_str();
  cmd->add_flag("--http", options.plain_http, "Serve plain HTTP instead of HTTPS (loopback addresses only)");
  cmd->add_option("--cert", options.certificate_pem, "TLS certificate (PEM); default: self-signed, made on first start");
  cmd->add_option("--key", options.private_key_pem, "TLS private key (PEM) for --cert");
  cmd->add_option("--ui-dir", options.ui_dir, "Directory of the built console front end")->capture_default_str();
  cmd->add_option_function<uint64_t>(
         "--max-upload-mb", [&options](uint64_t mb) { options.max_upload_bytes = mb << 20; },
         "Largest pcap or TI package upload in MiB (default 1024)")
      ->check(CLI::Range(1, 1 << 20));
}

ConsoleStartInfo start_console(ConsoleServer& server) {
  ConsoleStartInfo info = server.start();
  std::fprintf(stderr, "otsensor: console at %s\n", info.url.c_str());
  if (!info.certificate_fingerprint.empty()) {
    std::fprintf(stderr, "otsensor: TLS certificate%s, SHA-256 fingerprint %s\n",
                 info.certificate_generated ? " (self-signed, made now)" : "", info.certificate_fingerprint.c_str());
  }
  if (!info.initial_admin_password.empty()) {
    std::fprintf(stderr,
                 "otsensor: first start: created user 'admin' with password %s\n"
                 "otsensor: (shown once; change it with `otsensor user passwd admin`)\n",
                 info.initial_admin_password.c_str());
  }
  return info;
}

CLI::App* add_user_commands(CLI::App& app, std::string& db) {
  auto* user = app.add_subcommand("user", "Manage console users (admin, analyst, read-only)");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add a user; the password is read from stdin");
  add->add_option("name", user_args.name, "User name")->required();
  add->add_option("--role", user_args.role, "admin, analyst or read-only")->capture_default_str();
  auto* list = user->add_subcommand("list", "List users and roles");
  auto* remove = user->add_subcommand("remove", "Remove a user, its sessions and API tokens");
  remove->add_option("name", user_args.name, "User name")->required();
  auto* passwd = user->add_subcommand("passwd", "Set a user's password (read from stdin); ends its sessions");
  passwd->add_option("name", user_args.name, "User name")->required();
  for (CLI::App* cmd : {add, list, remove, passwd})
    cmd->add_option("--db", db, "SQLite database")->capture_default_str();
  return user;
}

int run_user_command(CLI::App* user, const std::string& db) {
  auto store = console::ConsoleStore::open(db);
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto* sub = user->get_subcommands().front();
  const std::string which = sub->get_name();
  if (which == "list") {
    for (const auto& u : store->list_users())
      std::printf("%-24s %s\n", u.name.c_str(), std::string(console::role_name(u.role)).c_str());
    return 0;
  }
  if (which == "remove") {
    store->remove_user(user_args.name);
    store->audit("cli", "user.remove", user_args.name, "", "", now);
    std::printf("removed %s\n", user_args.name.c_str());
    return 0;
  }
  const std::string password = read_password("password: ");
  if (which == "add") {
    auto role = console::parse_role(user_args.role);
    if (!role) throw console::ConsoleError("role must be admin, analyst or read-only");
    store->add_user(user_args.name, *role, password);
    store->audit("cli", "user.add", user_args.name, user_args.role, "", now);
    std::printf("added %s (%s)\n", user_args.name.c_str(), user_args.role.c_str());
  } else {
    store->set_password(user_args.name, password);
    store->audit("cli", "user.password", user_args.name, "", "", now);
    std::printf("password of %s changed\n", user_args.name.c_str());
  }
  return 0;
}

}  // namespace ots
