// winback cohorts: acquisition cohorts by first-order month; the share ordering again in month
// k and revenue retention.
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "analytics/analytics_config.h"
#include "analytics/cohorts.h"
#include "analytics/revenue.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "report/report_json.h"

namespace winback::cli {
namespace {

struct CohortsOptions {
  std::string by = "month";
  std::string to;
  int max_months = 12;
  bool json = false;
};

int RunCohorts(const GlobalOptions& globals, const CohortsOptions& o) {
  if (o.by != "month") {
    return ReportError(
        InvalidArgumentError("--by: only 'month' cohorts exist, got '" + o.by + "'"));
  }
  Result<config::Config> config = LoadConfig(globals);
  if (!config.ok()) return ReportError(config.status());
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals, *config);
  if (!store.ok()) return ReportError(store.status());
  Result<store::TimeRange> order_times = (*store)->OrderTimeRange();
  if (!order_times.ok()) return ReportError(order_times.status());
  if (!order_times->last) {
    return ReportError(FailedPreconditionError("the store has no orders; import some first"));
  }
  Date to = UtcDate(*order_times->last);
  if (!o.to.empty()) {
    Result<Date> d = ParseDateOption("--to", o.to);
    if (!d.ok()) return ReportError(d.status());
    to = *d;
  }
  Result<std::string> currency =
      analytics::RevenueCurrency(**store, config->Get<analytics::AnalyticsConfig>().currency);
  if (!currency.ok()) return ReportError(currency.status());
  analytics::CohortAccumulator acc(*currency, to);
  const Status scan =
      (*store)->ForEachCustomerOrders([&](CustomerKey, std::span<const store::OrderPoint> orders) {
        acc.Add(orders);
        return Status::Ok();
      });
  if (!scan.ok()) return ReportError(scan);
  const analytics::CohortTable table = acc.Finish();

  if (o.json) {
    fmt::print("{}\n", report::CohortsJson(to, table));
    return kExitOk;
  }
  const auto width = static_cast<std::size_t>(std::max(o.max_months, 1));
  fmt::print("share of each cohort (first-order month) ordering in month k, in %; up to {}\n\n",
             to.ToString());
  fmt::print("{:<8} {:>9}", "cohort", "customers");
  for (std::size_t k = 1; k <= width; ++k) fmt::print(" {:>5}", fmt::format("m{}", k));
  fmt::print("\n");
  for (const analytics::CohortRow& r : table.rows) {
    fmt::print("{:04}-{:02} {:>9}", r.year, r.month, r.customers);
    const std::vector<double> share = r.ActiveShare();
    for (std::size_t k = 1; k <= width && k < share.size(); ++k) {
      fmt::print(" {:>5.1f}", 100 * share[k]);
    }
    fmt::print("\n");
  }
  fmt::print("\nrevenue retention (revenue in month k / month 0, {}), in %\n\n", table.currency);
  for (const analytics::CohortRow& r : table.rows) {
    fmt::print("{:04}-{:02}", r.year, r.month);
    const std::vector<double> ret = r.RevenueRetention();
    for (std::size_t k = 1; k <= width && k < ret.size(); ++k)
      fmt::print(" {:>5.1f}", 100 * ret[k]);
    fmt::print("\n");
  }
  if (table.other_currency_orders > 0) {
    fmt::print("\n{} orders in other currencies are counted as activity, not revenue\n",
               FormatCount(table.other_currency_orders));
  }
  if (table.revenue_saturated) {
    fmt::print(
        "\na cohort's revenue passed the largest amount winback can add up ({} minor units): "
        "its retention is wrong\n",
        FormatCount(std::numeric_limits<std::int64_t>::max()));
  }
  return kExitOk;
}

}  // namespace

void RegisterCohortsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<CohortsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cohorts", "Acquisition cohorts by first-order month: repeat share and revenue retention");
  cmd->add_option("--by", o->by, "cohort period: month (the only one)");
  cmd->add_option("--to", o->to, "last day YYYY-MM-DD (default: the last order's day)");
  cmd->add_option("--months", o->max_months, "columns shown in the text table (default 12)");
  cmd->add_flag("--json", o->json, "print one JSON document (all months)");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunCohorts(globals, *o); });
}

}  // namespace winback::cli
