// winback segments: customers, revenue share and mean value per RFM segment and group from a
// saved score run, and the migration matrix between two score dates.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "analytics/analytics_config.h"
#include "analytics/revenue.h"
#include "analytics/trends.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "report/report_json.h"

namespace winback::cli {
namespace {

struct SegmentsOptions {
  std::string as_of;
  std::string compare;
  bool json = false;
};

// The score date to use: `text` when given (NotFound when it has no scores), else the latest.
Result<Date> PickScoreDate(store::Store& store, std::string_view option, const std::string& text) {
  WINBACK_ASSIGN_OR_RETURN(std::vector<Date> dates, store.ScoreDates());
  if (text.empty()) {
    if (dates.empty()) {
      return FailedPreconditionError("no scores yet; run `winback score --as-of DATE` first");
    }
    return dates.back();
  }
  WINBACK_ASSIGN_OR_RETURN(Date d, ParseDateOption(option, text));
  if (std::find(dates.begin(), dates.end(), d) == dates.end()) {
    std::string known;
    for (const Date& k : dates) known += (known.empty() ? "" : ", ") + k.ToString();
    return NotFoundError(
        std::string(option) + ": no scores as of " + d.ToString() +
        (known.empty() ? std::string(" (none saved)") : " (saved: " + known + ")"));
  }
  return d;
}

int RunSegments(const GlobalOptions& globals, const SegmentsOptions& o) {
  Result<config::Config> config = LoadConfig(globals);
  if (!config.ok()) return ReportError(config.status());
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals, *config);
  if (!store.ok()) return ReportError(store.status());
  Result<Date> as_of = PickScoreDate(**store, "--as-of", o.as_of);
  if (!as_of.ok()) return ReportError(as_of.status());
  Result<std::string> currency =
      analytics::RevenueCurrency(**store, config->Get<analytics::AnalyticsConfig>().currency);
  if (!currency.ok()) return ReportError(currency.status());

  analytics::SegmentTableBuilder table_builder(*currency);
  analytics::MigrationBuilder migration;
  const bool compare = !o.compare.empty();
  Status scan = (*store)->ForEachScore(*as_of, [&](const store::CustomerScore& s) {
    table_builder.Add(s);
    if (compare) migration.AddTo(s.key, s.segment);
    return Status::Ok();
  });
  if (!scan.ok()) return ReportError(scan);
  std::optional<Date> from;
  if (compare) {
    Result<Date> d = PickScoreDate(**store, "--compare", o.compare);
    if (!d.ok()) return ReportError(d.status());
    from = *d;
    scan = (*store)->ForEachScore(*from, [&](const store::CustomerScore& s) {
      migration.AddFrom(s.key, s.segment);
      return Status::Ok();
    });
    if (!scan.ok()) return ReportError(scan);
  }
  const analytics::SegmentTable table = table_builder.Finish();
  analytics::MigrationMatrix matrix;
  if (compare) matrix = migration.Finish();

  if (o.json) {
    std::optional<report::SegmentMigration> moved;
    if (compare) moved = report::SegmentMigration{*from, *as_of, std::move(matrix)};
    fmt::print("{}\n", report::SegmentsJson(*as_of, table, moved));
    return kExitOk;
  }
  fmt::print("segments as of {} ({} customers who have ordered; money in {})\n\n",
             as_of->ToString(), FormatCount(table.segmented), table.currency);
  fmt::print("{:<20} {:<18} {:>10} {:>7} {:>16} {:>9} {:>12}\n", "segment", "group", "customers",
             "share", "revenue", "revenue", "mean value");
  for (const analytics::SegmentRow& r : table.segments) {
    fmt::print("{:<20} {:<18} {:>10} {:>6.1f}% {:>16} {:>8.1f}% {:>12}\n", r.name, r.group,
               FormatCount(r.customers), 100 * r.share,
               FormatMoney(r.revenue_minor, table.currency), 100 * r.revenue_share,
               FormatMoney(r.mean_value_minor, table.currency));
  }
  fmt::print("\n{:<20} {:>10} {:>7} {:>16} {:>9} {:>12}\n", "group (article 004)", "customers",
             "share", "revenue", "revenue", "mean value");
  for (const analytics::SegmentRow& r : table.groups) {
    fmt::print("{:<20} {:>10} {:>6.1f}% {:>16} {:>8.1f}% {:>12}\n", r.name,
               FormatCount(r.customers), 100 * r.share,
               FormatMoney(r.revenue_minor, table.currency), 100 * r.revenue_share,
               FormatMoney(r.mean_value_minor, table.currency));
  }
  if (table.other_currency_customers > 0) {
    fmt::print("({} customers with another main currency are counted, not in revenue)\n",
               FormatCount(table.other_currency_customers));
  }
  if (table.revenue_saturated) {
    fmt::print(
        "(a revenue sum passed the largest amount winback can add up, {} minor units: it is "
        "shown at that limit and is larger in truth)\n",
        FormatCount(std::numeric_limits<std::int64_t>::max()));
  }
  if (compare) {
    fmt::print("\nmigration from {} (rows) to {} (columns); {} customers changed segment\n\n",
               from->ToString(), as_of->ToString(), FormatCount(matrix.moved));
    fmt::print("{:<20}", "");
    for (const std::string& l : matrix.labels) fmt::print(" {:>9.9}", l);
    fmt::print("\n");
    for (std::size_t i = 0; i < matrix.labels.size(); ++i) {
      fmt::print("{:<20}", matrix.labels[i]);
      for (std::int64_t n : matrix.counts[i]) fmt::print(" {:>9}", n);
      fmt::print("\n");
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterSegmentsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<SegmentsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "segments", "Customers, revenue and value per RFM segment and group of a saved score run");
  cmd->add_option("--as-of", o->as_of, "score date YYYY-MM-DD (default: the latest saved)");
  cmd->add_option("--compare", o->compare,
                  "an earlier score date: add the segment migration matrix from it");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunSegments(globals, *o); });
}

}  // namespace winback::cli
