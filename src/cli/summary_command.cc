// winback summary: the per-customer calibration summary (x, t_x, T, mean repeat value) of the
// store, as the BTYD literature and `winback fit --summary` read it.
//
//   winback summary --calibration-end DATE [--unit day|week] [--holdout-end DATE] [--out F]
//
// Exit codes: 0 success; 1 the store could not be read or the file written; 2 bad usage
// (bad date, missing store).

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/store_open.h"
#include "core/time.h"
#include "models/store_summary.h"

namespace winback::cli {
namespace {

struct SummaryArgs {
  std::string calibration_end;
  std::string holdout_end;
  std::string unit = "week";
  std::string out = "-";
};

int Fail(int code, const Status& status) {
  fmt::print(stderr, "winback summary: {}\n", status.message());
  return code;
}

int RunSummary(const SummaryArgs& args, const GlobalOptions& globals) {
  Result<Date> end = ParseDate(args.calibration_end);
  if (!end.ok())
    return Fail(kExitUsage, InvalidArgumentError("--calibration-end: " + end.status().message()));
  models::StoreSummaryOptions options;
  options.calibration_end = *end;
  options.days_per_unit = args.unit == "day" ? 1.0 : 7.0;
  if (!args.holdout_end.empty()) {
    Result<Date> holdout = ParseDate(args.holdout_end);
    if (!holdout.ok()) {
      return Fail(kExitUsage, InvalidArgumentError("--holdout-end: " + holdout.status().message()));
    }
    options.holdout_end = *holdout;
  }
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return Fail(kExitUsage, store.status());
  Result<models::StoreSummary> summary = models::SummarizeStore(**store, options);
  if (!summary.ok()) {
    const bool usage = summary.status().code() == StatusCode::kInvalidArgument;
    return Fail(usage ? kExitUsage : kExitFailure, summary.status());
  }
  Status written = models::WriteStoreSummaryCsv(*summary, args.out);
  if (!written.ok()) return Fail(kExitFailure, written);
  if (args.out != "-") {
    fmt::print(stderr, "summary: {} customers as of {} in {}s written to {}", summary->table.size(),
               end->ToString(), args.unit, args.out);
    if (summary->customers_skipped > 0) {
      fmt::print(stderr, " ({} customers whose first order is not before {} left out)",
                 summary->customers_skipped, end->ToString());
    }
    fmt::print(stderr, "\n");
  }
  return kExitOk;
}

}  // namespace

void RegisterSummaryCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto args = std::make_shared<SummaryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "summary",
      "Export the calibration summary id,frequency,recency,T,monetary_value per customer "
      "(completed orders, same local day merged; input of `winback fit --summary`)");
  cmd->add_option("--calibration-end", args->calibration_end,
                  "last day of the calibration period, YYYY-MM-DD (inclusive)")
      ->required();
  cmd->add_option("--unit", args->unit, "time unit of recency and T: week (default) or day")
      ->check(CLI::IsMember({"week", "day"}));
  cmd->add_option("--holdout-end", args->holdout_end,
                  "also count purchase days after the calibration end up to this day");
  cmd->add_option("--out", args->out, "output CSV file (default: standard output)");
  cmd->callback([args, &globals, &exit_code]() { exit_code = RunSummary(*args, globals); });
}

}  // namespace winback::cli
