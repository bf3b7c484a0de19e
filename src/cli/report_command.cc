// winback report --as-of DATE [--html FILE] [--json]: the whole picture as one self-contained
// HTML page with charts, and the same numbers as JSON.
#include "cli/report_command.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>

#include "analytics/analytics_config.h"
#include "analytics/revenue.h"
#include "cli/campaign_measure.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "report/html_report.h"
#include "report/report_json.h"
#include "scoring/score_run.h"

namespace winback::cli {
namespace {

struct ReportCommandOptions {
  std::string as_of;
  std::string html;
  bool json = false;
  int holdout_weeks = 0;  // 0: the default of report::DefaultHoldoutDays
};

int RunReport(const GlobalOptions& globals, const ReportCommandOptions& o) {
  if (o.html.empty() && !o.json) {
    return ReportError(InvalidArgumentError("report: give --html FILE, --json or both"));
  }
  Result<Date> as_of = ParseDateOption("--as-of", o.as_of);
  if (!as_of.ok()) return ReportError(as_of.status());
  Result<config::Config> config = LoadConfig(globals);
  if (!config.ok()) return ReportError(config.status());
  Result<std::vector<std::unique_ptr<store::Store>>> readers =
      OpenExistingStores(globals, *config, scoring::ScoreReaderCount());
  if (!readers.ok()) return ReportError(readers.status());
  std::optional<std::int32_t> holdout_days;
  if (o.holdout_weeks > 0) holdout_days = o.holdout_weeks * 7;
  Result<report::ReportData> data =
      BuildReportData(*config, StorePointers(*readers), *as_of, holdout_days);
  if (!data.ok()) return ReportError(data.status());
  if (!o.html.empty()) {
    const Status written = report::WriteHtmlReport(*data, o.html);
    if (!written.ok()) return ReportError(written);
  }
  if (o.json) {
    fmt::print("{}\n", report::ReportJson(*data));
    // stdout holds exactly one JSON document; the note about the file goes to stderr.
    if (!o.html.empty()) fmt::print(stderr, "wrote {}\n", o.html);
    return kExitOk;
  }
  std::error_code ec;
  const std::uintmax_t bytes = std::filesystem::file_size(o.html, ec);
  fmt::print(
      "wrote {} ({} KB, as of {}; {} customers): open it in any browser, it works "
      "offline\n",
      o.html, ec ? 0 : (bytes + 1023) / 1024, as_of->ToString(),
      FormatCount(data->summary.customers));
  return kExitOk;
}

}  // namespace

Result<report::ReportData> BuildReportData(const config::Config& loaded,
                                           std::span<store::Store* const> readers, Date as_of,
                                           std::optional<std::int32_t> holdout_days,
                                           std::optional<Date> campaigns_through) {
  const auto& config = loaded.Get<analytics::AnalyticsConfig>();
  WINBACK_ASSIGN_OR_RETURN(std::string currency,
                           analytics::RevenueCurrency(*readers[0], config.currency));
  report::ReportOptions options;
  options.as_of = as_of;
  options.scoring = config.scoring;
  options.activity_days = config.activity_days;
  options.currency = currency;
  options.holdout_days = holdout_days;
  options.campaigns_through = campaigns_through;
  // Every campaign of the outbox, with the options of `winback measure`.
  const auto& settings = loaded.Get<campaigns::CampaignSettings>();
  WINBACK_ASSIGN_OR_RETURN(std::vector<std::string> names, measure::CampaignNames(*readers[0]));
  WINBACK_ASSIGN_OR_RETURN(auto takeovers, campaigns::FindTakeovers(*readers[0], settings));
  for (const std::string& name : names) {
    report::CampaignSpec spec;
    spec.name = name;
    const campaigns::Campaign* campaign = settings.FindCampaign(name);
    spec.skip_reason = CampaignSkipReason(campaign);
    if (spec.skip_reason.empty()) {
      spec.options =
          CampaignMeasureOptions(loaded, *campaign, as_of.PlusDays(1).StartUtc(), takeovers);
    }
    options.campaigns.push_back(std::move(spec));
  }
  return report::BuildReport(readers, options);
}

void RegisterReportCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<ReportCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "The whole picture as of a date: RFM grid, segments, CRR and churn by month, cohorts, "
      "churn by season and tenure, exit reasons, P(alive) and the model's calibration plot, as "
      "one self-contained HTML file (works offline) and/or JSON");
  cmd->add_option("--as-of", o->as_of, "report date YYYY-MM-DD; data after this day is ignored")
      ->required();
  cmd->add_option("--html", o->html, "write the HTML report to this file");
  cmd->add_flag("--json", o->json, "print the report's numbers as one JSON document");
  cmd->add_option("--holdout-weeks", o->holdout_weeks,
                  "holdout period of the calibration plot in weeks (default: 26, or a third of "
                  "the history when that is shorter)")
      ->check(CLI::PositiveNumber);
  cmd->callback([&globals, o, &exit_code] { exit_code = RunReport(globals, *o); });
}

}  // namespace winback::cli
