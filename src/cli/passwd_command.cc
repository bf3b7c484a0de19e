// winback passwd: reads a password from stdin and prints its crypto_pwhash_str hash for
// [[dashboard.user]] password_hash. The password never appears on the command line (where
// shell history and `ps` would keep it) and is not echoed on a terminal.
#include <fmt/core.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "server/session.h"

namespace winback::cli {
namespace {

int RunPasswd() {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    fmt::print(stderr, "password: ");
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fmt::print(stderr, "\n");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  Result<std::string> hash = server::HashPassword(password);
  if (!hash.ok()) return ReportError(hash.status());
  fmt::print("{}\n", *hash);
  return kExitOk;
}

}  // namespace

void RegisterPasswdCommand(CLI::App& app, const GlobalOptions& /*globals*/, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "passwd",
      "Read a dashboard password from stdin (not echoed) and print its hash for "
      "[[dashboard.user]] password_hash (libsodium crypto_pwhash_str, Argon2id)");
  cmd->callback([&exit_code] { exit_code = RunPasswd(); });
}

}  // namespace winback::cli
