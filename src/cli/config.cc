#include "cli/config.h"

#include <toml++/toml.h>

#include <filesystem>

#include "cli/analytics_config.h"

namespace winback::cli {
namespace {

std::string Where(const std::string& path, const toml::source_region& src, std::string_view key) {
  return std::filesystem::path(path).filename().string() + ":" + std::to_string(src.begin.line) +
         ": " + std::string(key);
}

}  // namespace

Result<Config> LoadConfig(const GlobalOptions& globals) {
  Config config;
  const std::string& path = globals.config_path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (globals.config_given) return NotFoundError("config file '" + path + "' does not exist");
    return config;
  }
  config.path = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(std::filesystem::path(path).filename().string() + ":" +
                                std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  for (auto&& [section_key, section] : root) {
    const std::string section_name(section_key.str());
    const toml::table* table = section.as_table();
    if (section_name != "store" && section_name != "import") {
      // Sections of later stages are accepted as written; they validate themselves.
      continue;
    }
    if (!table)
      return InvalidArgumentError(Where(path, section.source(), section_name) +
                                  ": expected a table");
    for (auto&& [key, value] : *table) {
      const std::string full = section_name + "." + std::string(key.str());
      if (full == "store.database") {
        const auto* s = value.as_string();
        if (!s)
          return InvalidArgumentError(Where(path, value.source(), full) + ": expected a string");
        const std::filesystem::path db(s->get());
        config.database = db.is_absolute()
                              ? db.string()
                              : (std::filesystem::path(path).parent_path() / db).string();
      } else if (full == "import.allow_partial") {
        const auto* b = value.as_boolean();
        if (!b)
          return InvalidArgumentError(Where(path, value.source(), full) +
                                      ": expected true or false");
        config.allow_partial = b->get();
      } else if (full == "import.rejects_dir") {
        const auto* s = value.as_string();
        if (!s)
          return InvalidArgumentError(Where(path, value.source(), full) + ": expected a string");
        config.rejects_dir = s->get();
      } else {
        return InvalidArgumentError(Where(path, value.source(), full) + ": unknown key");
      }
    }
  }
  return config;
}

std::string DatabasePath(const GlobalOptions& globals, const Config& config) {
  if (!globals.db_path.empty()) return globals.db_path;
  if (!config.database.empty()) return config.database;
  return "winback.db";
}

std::string ExampleConfig() {
  return R"toml(# winback.toml: the business rules of one winback installation.
# Every command reads ./winback.toml (or --config FILE). Unknown keys are errors, reported with
# their line, so a typo never silently changes behaviour.

[store]
# The SQLite database, relative to this file. --db on the command line overrides it.
database = "winback.db"

[import]
# false: a file with any bad row imports nothing (the safe default).
# true: good rows are imported and bad rows are written to rejects_dir for fixing.
allow_partial = false
rejects_dir = "rejects"
)toml" + ExampleAnalyticsConfig();
}

}  // namespace winback::cli
