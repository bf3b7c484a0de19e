// winback rates --period day|week|month|year: S, E, N, CRR, retained, churned, reactivated and
// churn rate per period, plus churn by tenure and by calendar month.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "analytics/analytics_config.h"
#include "analytics/rates.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "core/parallel.h"
#include "report/report_json.h"

namespace winback::cli {
namespace {

struct RatesOptions {
  std::string period = "month";
  std::string from;
  std::string to;
  bool json = false;
};

int RunRates(const GlobalOptions& globals, const RatesOptions& o) {
  std::optional<analytics::Period> period = analytics::ParsePeriod(o.period);
  if (!period) {
    return ReportError(InvalidArgumentError("--period: expected day, week, month or year, got '" +
                                            o.period + "'"));
  }
  Result<config::Config> config = LoadConfig(globals);
  if (!config.ok()) return ReportError(config.status());
  const std::int32_t activity_days = config->Get<analytics::AnalyticsConfig>().activity_days;
  // One integer-only pass over the completed orders (on every core); the date range defaults
  // to the first and last completed order.
  Result<std::vector<std::unique_ptr<store::Store>>> stores =
      OpenExistingStores(globals, *config, std::min(ResolveThreads(0), 4));
  if (!stores.ok()) return ReportError(stores.status());
  Result<analytics::OrderDayHistory> history =
      analytics::OrderDayHistory::Load(store::AsScanners(StorePointers(*stores)));
  if (!history.ok()) return ReportError(history.status());
  stores->clear();
  if (history->orders() == 0) {
    return ReportError(
        FailedPreconditionError("the store has no completed orders; import some first"));
  }
  Date from = Date::FromDays(history->first_day());
  Date to = Date::FromDays(history->last_day());
  if (!o.from.empty()) {
    Result<Date> d = ParseDateOption("--from", o.from);
    if (!d.ok()) return ReportError(d.status());
    from = *d;
  }
  if (!o.to.empty()) {
    Result<Date> d = ParseDateOption("--to", o.to);
    if (!d.ok()) return ReportError(d.status());
    to = *d;
  }
  Result<std::vector<Date>> boundaries = analytics::PeriodBoundaries(*period, from, to);
  if (!boundaries.ok()) return ReportError(boundaries.status());
  analytics::RatesAccumulator acc(*boundaries, activity_days);
  history->AddTo(acc);
  const std::vector<analytics::PeriodRates> rates = acc.Rates();
  const std::vector<analytics::TenureBucket> tenure = acc.Tenure();
  const Date data_end = Date::FromDays(history->last_day()).PlusDays(1);

  if (o.json) {
    fmt::print("{}\n", report::RatesJson(*period, activity_days, rates, tenure, data_end));
    return kExitOk;
  }
  fmt::print(
      "active = ordered within {} days; end = first day of the next period; "
      "CRR = (E - N) / S x 100; churn = churned / S\n\n",
      activity_days);
  fmt::print("{:<10} {:<10} {:>10} {:>10} {:>9} {:>8} {:>10} {:>9} {:>11} {:>7}\n", "start", "end",
             "S", "E", "N", "CRR %", "retained", "churned", "reactivated", "churn %");
  auto pct = [](const std::optional<double>& x, double scale) {
    return x ? fmt::format("{:.1f}", *x * scale) : std::string("-");
  };
  for (const analytics::PeriodRates& r : rates) {
    fmt::print("{:<10} {:<10} {:>10} {:>10} {:>9} {:>8} {:>10} {:>9} {:>11} {:>7}{}\n",
               r.start.ToString(), r.end.ToString(), r.s, r.e, r.n, pct(r.crr(), 1), r.retained,
               r.churned, r.reactivated, pct(r.churn_rate(), 100),
               r.end > data_end ? "  (partial)" : "");
  }
  fmt::print("\nchurn by tenure at period start\n");
  for (const analytics::TenureBucket& b : tenure) {
    const std::string label = b.max_days == std::numeric_limits<std::int32_t>::max()
                                  ? fmt::format("{}+ days", b.min_days)
                                  : fmt::format("{}-{} days", b.min_days, b.max_days - 1);
    fmt::print("  {:<14} {:>12} active, {:>10} churned, {:>6}%\n", label, FormatCount(b.at_risk),
               FormatCount(b.churned), pct(b.churn_rate(), 100));
  }
  return kExitOk;
}

}  // namespace

void RegisterRatesCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<RatesOptions>();
  CLI::App* cmd = app.add_subcommand(
      "rates", "Customer retention rate (CRR) and churn rate per day, week, month or year");
  cmd->add_option("--period", o->period, "day, week, month (default) or year");
  cmd->add_option("--from", o->from,
                  "first day YYYY-MM-DD (default: the first completed order's day)");
  cmd->add_option("--to", o->to, "last day YYYY-MM-DD (default: the last completed order's day)");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunRates(globals, *o); });
}

}  // namespace winback::cli
