// winback: one binary, one subcommand per stage. This file only wires the commands together.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "cli/commands.h"

namespace {

int Run(int argc, char** argv) {
  using namespace winback::cli;  // NOLINT(google-build-using-namespace): main only.
  CLI::App app{
      "winback: find the customers who are slipping away, win them back, and measure what "
      "came back.\nStart with `winback demo`; see README.md for the input formats."};
  app.set_version_flag("--version", "winback 0.1.0");
  app.require_subcommand(1);
  GlobalOptions globals;
  app.add_option("--db", globals.db_path,
                 "SQLite database file (default: [store] database in winback.toml, else "
                 "./winback.db)");
  app.add_option_function<std::string>(
      "--config",
      [&globals](const std::string& path) {
        globals.config_path = path;
        globals.config_given = true;
      },
      "configuration file (default: ./winback.toml)");
  int exit_code = kExitOk;
  RegisterInitCommand(app, globals, exit_code);
  RegisterSimulateCommand(app, globals, exit_code);
  RegisterImportCommand(app, globals, exit_code);
  RegisterCustomerCommand(app, globals, exit_code);
  RegisterStatsCommand(app, globals, exit_code);
  RegisterFitCommand(app, globals, exit_code);
  RegisterSummaryCommand(app, globals, exit_code);
  RegisterChurnCommand(app, globals, exit_code);
  RegisterScoreCommand(app, globals, exit_code);
  RegisterRatesCommand(app, globals, exit_code);
  RegisterCohortsCommand(app, globals, exit_code);
  RegisterSegmentsCommand(app, globals, exit_code);
  RegisterReportCommand(app, globals, exit_code);
  RegisterPlanCommand(app, globals, exit_code);
  RegisterRunCommand(app, globals, exit_code);
  RegisterCampaignsCommand(app, globals, exit_code);
  RegisterPreviewCommand(app, globals, exit_code);
  RegisterSendCommand(app, globals, exit_code);
  RegisterOutboxCommand(app, globals, exit_code);
  RegisterMeasureCommand(app, globals, exit_code);
  RegisterServeCommand(app, globals, exit_code);
  RegisterDemoCommand(app, globals, exit_code);
  for (CLI::App* sub : app.get_subcommands({})) sub->fallthrough();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A first word that names no command: CLI11 would say "A subcommand is required".
    if (app.get_subcommands().empty()) {
      for (const std::string& word : app.remaining()) {
        if (word.starts_with('-')) continue;
        std::string names;
        for (const CLI::App* sub : app.get_subcommands({})) {
          names += (names.empty() ? "" : ", ") + sub->get_name();
        }
        std::fprintf(stderr,
                     "winback: unknown command '%s'; the commands are: %s\nRun with --help for "
                     "more information.\n",
                     word.c_str(), names.c_str());
        return kExitUsage;
      }
    }
    app.exit(e);
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Errors are Status values; an exception here is a bug (or memory exhaustion). Say so instead
  // of letting std::terminate abort with a core dump.
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winback: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "winback: internal error\n");
  }
  return 70;  // EX_SOFTWARE
}
