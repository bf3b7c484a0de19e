#pragma once

#include <string>

#include "cli/commands.h"
#include "config/config.h"
#include "config/registry.h"
#include "core/status.h"

namespace winback::cli {

// [store]: where the commands find the database; the file form of --db.
struct StoreSettings {
  // [store] database: resolved against the config file's directory; empty when not set.
  std::string database;
};

// [import]: the defaults of `winback import --allow-partial` and `--rejects`.
struct ImportSettings {
  bool allow_partial = false;           // [import] allow_partial
  std::string rejects_dir = "rejects";  // [import] rejects_dir
};

// Every section winback.toml may hold: the cli's own [store] and [import], and the sections
// each stage registers (analytics::AddConfigSections; campaigns, channels, policy and server
// add theirs here, with one call each). Built once; thread-safe.
const config::Registry& ConfigSections();

// Loads the config named by `globals`, once per command: every section is checked, whether
// or not the command reads it. --config FILE must exist (NotFound otherwise); without
// --config, a missing ./winback.toml gives the defaults. A directory, a syntax error, an
// unknown section or key, a wrong type or an out-of-range value is an error naming the file
// and line ("winback.toml:7: [inactivty]: unknown section; did you mean [inactivity]?"),
// InvalidArgument / NotFound / FailedPrecondition, which the commands report with exit 2.
// The rules that span campaign sections are checked too (campaigns::ValidateCampaignSettings).
// Read the settings with config.Get<StoreSettings>(), config.Get<analytics::AnalyticsConfig>().
Result<config::Config> LoadConfig(const GlobalOptions& globals);

// The database to open: --db, else [store] database, else ./winback.db.
std::string DatabasePath(const GlobalOptions& globals, const config::Config& config);

// The folder of message templates: [templates] dir, relative to the config file's folder.
std::string TemplatesDir(const GlobalOptions& globals, const config::Config& config);

// The commented example written by `winback init` and `winback demo`: the store, import and
// analytics sections at their defaults, then the example campaigns, offers, channels and policy
// (campaigns/example_config.h).
std::string ExampleConfig();

// Writes the example templates (campaigns/example_templates.h) into DIR/templates unless that
// folder exists. Returns whether it wrote them.
Result<bool> WriteExampleTemplates(const std::string& dir);

// The part of ExampleConfig before the campaigns: store, import and analytics.
std::string ExampleCoreConfig();

}  // namespace winback::cli
