#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "ingest/importer.h"
#include "store/open_store.h"

namespace winback::cli {
namespace {

struct ImportCliOptions {
  std::string customers, orders, events, products;
  std::string format;
  bool allow_partial = false;
  std::string rejects_dir;
};

// Warns of the first kListedUnknownColumns columns (CSV) or keys (JSONL) the file has that the
// format does not, then counts the rest.
void PrintUnknownColumns(const ingest::FileReport& f) {
  constexpr std::size_t kListedUnknownColumns = 10;
  const char* what = f.format == ingest::FileFormat::kJsonl ? "key" : "column";
  const std::size_t n = f.unknown_columns.size();
  for (std::size_t i = 0; i < n && i < kListedUnknownColumns; ++i) {
    fmt::print(stderr, "winback: warning: {}: unknown {} '{}' ignored\n", f.file.path, what,
               f.unknown_columns[i]);
  }
  if (n > kListedUnknownColumns || f.unknown_columns_truncated) {
    const auto more =
        static_cast<std::int64_t>(n > kListedUnknownColumns ? n - kListedUnknownColumns : 0);
    fmt::print(stderr, "winback: warning: {}: and {}{} more unknown {}s ignored\n", f.file.path,
               f.unknown_columns_truncated ? "over " : "", FormatCount(more), what);
  }
}

int RunImport(const GlobalOptions& globals, const ImportCliOptions& o) {
  Result<config::Config> config = LoadConfig(globals);
  if (!config.ok()) return ReportError(config.status());
  const ImportSettings& settings = config->Get<ImportSettings>();
  ingest::ImportOptions options;
  std::optional<ingest::FileFormat> format;
  if (o.format == "csv") format = ingest::FileFormat::kCsv;
  if (o.format == "jsonl") format = ingest::FileFormat::kJsonl;
  if (!o.customers.empty())
    options.files.push_back({ingest::FileKind::kCustomers, o.customers, format});
  if (!o.orders.empty()) options.files.push_back({ingest::FileKind::kOrders, o.orders, format});
  if (!o.events.empty()) options.files.push_back({ingest::FileKind::kEvents, o.events, format});
  if (!o.products.empty()) {
    options.files.push_back({ingest::FileKind::kProducts, o.products, format});
  }
  if (options.files.empty()) {
    return ReportError(InvalidArgumentError(
        "nothing to import: give --customers, --orders, --events or --products"));
  }
  options.allow_partial = o.allow_partial || settings.allow_partial;
  options.rejects_dir = o.rejects_dir.empty() ? settings.rejects_dir : o.rejects_dir;
  ProgressLine progress;
  options.progress = [&progress](const ingest::ImportFile& f, std::size_t done, std::size_t total,
                                 std::int64_t rows) { progress.Update(f.path, done, total, rows); };
  const std::string db = DatabasePath(globals, *config);
  Result<std::unique_ptr<store::Store>> store = store::OpenStore(
      db, {.mode = store::OpenMode::kCreateIfMissing, .upgrade_notice = UpgradeNotice(db)});
  if (!store.ok()) return ReportError(store.status());
  Result<ingest::ImportReport> report = ingest::Import(**store, options);
  progress.Finish();
  if (!report.ok()) return ReportError(report.status());
  for (const ingest::FileReport& f : report->files) PrintUnknownColumns(f);
  if (!report->committed) {
    for (const std::string& e : report->errors) fmt::print(stderr, "{}\n", e);
    fmt::print(stderr,
               "winback: {} error{} in total{}; nothing was imported. Fix the rows, or pass "
               "--allow-partial to import the good ones.\n",
               FormatCount(report->error_count), report->error_count == 1 ? "" : "s",
               static_cast<std::size_t>(report->error_count) > report->errors.size()
                   ? fmt::format(" (first {} shown)", report->errors.size())
                   : "");
    return kExitUsage;
  }
  for (const ingest::FileReport& f : report->files) {
    fmt::print("{:<10} {:>12} rows  {:>12} new or changed  {:>8} rejected  {}\n",
               ingest::FileKindName(f.file.kind), FormatCount(f.rows), FormatCount(f.written),
               FormatCount(f.rejected), f.file.path);
    if (!f.rejects_path.empty()) {
      fmt::print("           rejected rows: {}  (reasons: {})\n", f.rejects_path,
                 f.rejects_errors_path);
    }
  }
  std::int64_t rows = 0;
  for (const auto& f : report->files) rows += f.rows;
  fmt::print("imported into {} in {:.2f} s ({} rows/s); aggregates updated for {} customers\n", db,
             report->seconds,
             FormatCount(static_cast<std::int64_t>(
                 report->seconds > 0 ? static_cast<double>(rows) / report->seconds : 0)),
             FormatCount(report->counts.aggregates_updated));
  if (report->error_count > 0) {
    // A partial import succeeded: exit 0, but say loudly what was left out.
    for (const std::string& e : report->errors) fmt::print(stderr, "{}\n", e);
    fmt::print(stderr, "winback: warning: {} rows rejected (see the rejects files)\n",
               FormatCount(report->error_count));
  }
  return kExitOk;
}

}  // namespace

void RegisterImportCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<ImportCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Validate and import customers, orders, events and products (CSV or JSONL; see README). All "
      "files "
      "go in one transaction: by default any bad row imports nothing and exits 2.");
  cmd->add_option("--customers", o->customers, "customers file");
  cmd->add_option("--orders", o->orders, "orders file");
  cmd->add_option("--events", o->events, "events file");
  cmd->add_option("--products", o->products, "products file (the catalogue, by sku)");
  cmd->add_option("--format", o->format, "force the format instead of using the extension")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->add_flag("--allow-partial", o->allow_partial,
                "import the good rows; write bad ones to the rejects directory");
  cmd->add_option("--rejects", o->rejects_dir, "directory for rejected rows (default: rejects)");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunImport(globals, *o); });
}

}  // namespace winback::cli
