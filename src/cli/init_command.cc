#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"

namespace winback::cli {
namespace {

struct InitOptions {
  std::string dir = ".";
  bool force = false;
};

int RunInit(const InitOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) return ReportError(UnavailableError("cannot create '" + o.dir + "': " + ec.message()));
  const std::filesystem::path path = std::filesystem::path(o.dir) / "winback.toml";
  if (std::filesystem::exists(path) && !o.force) {
    return ReportError(AlreadyExistsError(path.string() + " exists; pass --force to overwrite it"));
  }
  std::ofstream out(path, std::ios::trunc);
  out << ExampleConfig();
  out.close();
  if (!out) return ReportError(UnavailableError("cannot write " + path.string()));
  Result<bool> templates = WriteExampleTemplates(o.dir);
  if (!templates.ok()) return ReportError(templates.status());
  if (*templates) {
    std::printf("wrote %s (message templates in en, tr and fa)\n",
                (std::filesystem::path(o.dir) / "templates").string().c_str());
  }
  std::printf(
      "wrote %s\nnext: winback import --customers customers.csv --orders orders.csv "
      "--events events.csv\n",
      path.string().c_str());
  return kExitOk;
}

}  // namespace

void RegisterInitCommand(CLI::App& app, const GlobalOptions& /*globals*/, int& exit_code) {
  auto opts = std::make_shared<InitOptions>();
  CLI::App* cmd = app.add_subcommand(
      "init", "Write a commented example winback.toml and message templates (templates/) into DIR");
  cmd->add_option("dir", opts->dir, "directory (default: the current one)");
  cmd->add_flag("--force", opts->force, "overwrite an existing winback.toml");
  cmd->callback([opts, &exit_code] { exit_code = RunInit(*opts); });
}

}  // namespace winback::cli
