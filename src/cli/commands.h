#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace winback::cli {

// Process exit codes (DESIGN.md): 0 success, 1 runtime failure, 2 bad usage, config or input.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Options every subcommand sees.
struct GlobalOptions {
  std::string db_path;                       // --db; empty: from winback.toml, else winback.db.
  std::string config_path = "winback.toml";  // --config
  bool config_given = false;                 // --config was passed (then it must exist).
};

// Each Register*Command adds one subcommand to `app`. When the subcommand runs, its callback
// stores the process exit code in `exit_code`. `globals` outlives the app and is filled in by
// the parser before any callback runs. One file per command: <name>_command.cc.
void RegisterInitCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterSimulateCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterImportCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterCustomerCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterStatsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterDemoCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterFitCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterSummaryCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterChurnCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterScoreCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterRatesCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterCohortsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterSegmentsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterReportCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterRunCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterPlanCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterCampaignsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterPreviewCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterSendCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterOutboxCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterMeasureCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void RegisterServeCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code);

}  // namespace winback::cli
