#pragma once

#include <string>

#include "cli/commands.h"
#include "core/status.h"

namespace winback::cli {

// The settings of winback.toml that the current commands read. Later stages (inactivity rules,
// campaigns, channels, policy) add their own sections.
struct Config {
  std::string path;            // The file it was read from; empty when defaults are used.
  std::string database;        // [store] database: SQLite file, relative to the config file.
  bool allow_partial = false;  // [import] allow_partial
  std::string rejects_dir = "rejects";  // [import] rejects_dir
};

// Reads the config named by `globals`. A missing default ./winback.toml gives the defaults; a
// missing file named with --config is NotFound. Syntax errors, unknown keys and wrong types are
// InvalidArgument naming the file, line and key: "winback.toml:3: store.databse: unknown key".
Result<Config> LoadConfig(const GlobalOptions& globals);

// The database to open: --db, else [store] database, else ./winback.db.
std::string DatabasePath(const GlobalOptions& globals, const Config& config);

// The commented example written by `winback init` and `winback demo`.
std::string ExampleConfig();

}  // namespace winback::cli
