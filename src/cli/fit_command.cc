// winback fit: fit (or evaluate) a BTYD model on a customer summary CSV or on the store's
// summary as of a day, print the parameters, and optionally write per-customer predictions.
//
//   winback fit --model bgnbd|pareto|mbgnbd|gammagamma (--summary F | --calibration-end DATE)
//               [--json]
//               [--params v1,v2,...] [--spend-params p,q,gamma]
//               [--predictions OUT.csv --horizon H] [--clv-months 12] [--discount 0.01]
//               [--unit week|day] [--threads N]
//
// Exit codes: 0 success; 1 the optimiser did not converge or writing failed; 2 bad usage or
// input (neither or both of --summary and --calibration-end, unreadable or invalid summary,
// missing store, malformed --params).

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/store_open.h"
#include "core/time.h"
#include "models/gamma_gamma.h"
#include "models/model_factory.h"
#include "models/store_summary.h"
#include "models/summary.h"

namespace winback::cli {
namespace {

using models::ModelKind;
using models::ModelOutcome;
using models::SummaryTable;
using models::TransactionModel;

struct FitArgs {
  std::string model;
  std::string summary;
  bool json = false;
  std::string params;
  std::string spend_params;
  std::string predictions;
  std::optional<double> horizon;
  std::string calibration_end;
  std::string unit = "week";
  int clv_months = 12;
  double discount = 0.01;
  int threads = 0;
};

Result<std::vector<double>> ParseList(const std::string& text, std::size_t expected,
                                      std::string_view option) {
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    char* parse_end = nullptr;
    const double v = std::strtod(item.c_str(), &parse_end);
    if (item.empty() || parse_end != item.c_str() + item.size() || !std::isfinite(v)) {
      return InvalidArgumentError(fmt::format("{}: '{}' is not a number", option, item));
    }
    values.push_back(v);
    start = end + 1;
  }
  if (values.size() != expected) {
    return InvalidArgumentError(fmt::format("{}: expected {} comma-separated values, got {}",
                                            option, expected, values.size()));
  }
  return values;
}

nlohmann::json OutcomeJson(std::string_view name, const ModelOutcome& o) {
  nlohmann::json j;
  j["model"] = name;
  nlohmann::json params = nlohmann::json::object();
  for (std::size_t i = 0; i < o.names.size(); ++i) {
    nlohmann::json p;
    p["estimate"] = o.estimates[i];
    p["std_error"] = std::isfinite(o.standard_errors[i]) ? nlohmann::json(o.standard_errors[i])
                                                         : nlohmann::json(nullptr);
    params[o.names[i]] = p;
  }
  j["parameters"] = params;
  j["log_likelihood"] = o.log_likelihood;
  j["customers"] = o.report.customers;
  j["fitted"] = o.fitted;
  if (o.fitted) {
    j["distinct"] = o.report.distinct;
    j["iterations"] = o.report.iterations;
    j["evaluations"] = o.report.evaluations;
    j["converged"] = o.report.converged;
    j["message"] = o.report.message;
    j["seconds"] = o.seconds;
  }
  return j;
}

void PrintOutcome(std::string_view title, const ModelOutcome& o) {
  fmt::print("{}\n", title);
  fmt::print("  {:<10} {:>14} {:>14}\n", "parameter", "estimate", "std. error");
  for (std::size_t i = 0; i < o.names.size(); ++i) {
    const std::string se = std::isfinite(o.standard_errors[i])
                               ? fmt::format("{:.6g}", o.standard_errors[i])
                               : std::string("-");
    fmt::print("  {:<10} {:>14.7g} {:>14}\n", o.names[i], o.estimates[i], se);
  }
  fmt::print("  log-likelihood: {:.4f} over {} customers\n", o.log_likelihood, o.report.customers);
  if (o.fitted) {
    fmt::print("  iterations: {} ({} likelihood evaluations), {}{}\n", o.report.iterations,
               o.report.evaluations, o.report.converged ? "converged" : "NOT CONVERGED: ",
               o.report.converged ? "" : o.report.message);
    fmt::print("  distinct inputs: {}; time: {:.3f} s\n", o.report.distinct, o.seconds);
  } else {
    fmt::print("  parameters given with --params: not fitted\n");
  }
}

int Fail(int code, const Status& status) {
  fmt::print(stderr, "winback fit: {}\n", status.message());
  return code;
}

// The summary from the store as of --calibration-end, in --unit. Currencies: the spend model
// needs one; with several, the monetary column is dropped (with a note on stderr) unless the
// model is gammagamma, which then fails.
Result<SummaryTable> StoreSummaryFor(const FitArgs& args, const GlobalOptions& globals) {
  WINBACK_ASSIGN_OR_RETURN(Date end, ParseDate(args.calibration_end));
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, OpenExistingStore(globals));
  models::StoreSummaryOptions options;
  options.calibration_end = end;
  options.days_per_unit = args.unit == "day" ? 1.0 : 7.0;
  WINBACK_ASSIGN_OR_RETURN(models::StoreSummary summary, models::SummarizeStore(*store, options));
  if (summary.table.size() == 0) {
    return InvalidArgumentError("no customer has a completed order before " + end.ToString());
  }
  std::set<std::string> currencies(summary.currencies.begin(), summary.currencies.end());
  if (currencies.size() > 1) {
    std::string list;
    for (const std::string& c : currencies) list += (list.empty() ? "" : ", ") + c;
    if (args.model == "gammagamma") {
      return InvalidArgumentError("the store has customers in several currencies (" + list +
                                  "); one spend model cannot mix them");
    }
    fmt::print(stderr, "winback fit: customers in several currencies ({}): no spend model\n", list);
    summary.table.monetary_value.clear();
  }
  return std::move(summary.table);
}

int RunFit(const FitArgs& args, const GlobalOptions& globals) {
  if (args.summary.empty() == args.calibration_end.empty()) {
    return Fail(kExitUsage,
                InvalidArgumentError("give either --summary F or --calibration-end DATE (fit on "
                                     "the store's summary as of that day)"));
  }
  if (!args.predictions.empty() && !args.horizon) {
    return Fail(kExitUsage, InvalidArgumentError("--predictions needs --horizon"));
  }
  if (args.horizon && !(*args.horizon >= 0)) {
    return Fail(kExitUsage, InvalidArgumentError("--horizon must be >= 0"));
  }
  Result<SummaryTable> data = args.summary.empty()
                                  ? StoreSummaryFor(args, globals)
                                  : models::ReadSummaryCsv(args.summary, args.threads);
  if (!data.ok()) {
    const bool usage = data.status().code() == StatusCode::kInvalidArgument ||
                       data.status().code() == StatusCode::kNotFound;
    return Fail(usage ? kExitUsage : kExitFailure, data.status());
  }

  nlohmann::json out;
  if (args.summary.empty()) {
    out["calibration_end"] = args.calibration_end;
    out["unit"] = args.unit;
  } else {
    out["summary"] = args.summary;
  }
  int exit_code = kExitOk;
  const Result<ModelKind> kind = models::ModelKindFromName(args.model);
  if (!kind.ok()) return Fail(kExitUsage, kind.status());
  models::FitOptions options;
  options.threads = args.threads;
  std::unique_ptr<TransactionModel> model;
  std::optional<models::GammaGammaModel> spend;

  if (*kind == ModelKind::kGammaGamma) {
    const std::string& given = args.params.empty() ? args.spend_params : args.params;
    std::optional<std::vector<double>> values;
    if (!given.empty()) {
      auto parsed = ParseList(given, 3, args.params.empty() ? "--spend-params" : "--params");
      if (!parsed.ok()) return Fail(kExitUsage, parsed.status());
      values = *std::move(parsed);
    }
    auto fitted = models::FitSpendModel(*data, values, options);
    if (!fitted.ok()) return Fail(kExitUsage, fitted.status());
    spend = fitted->model;
    out.update(OutcomeJson("gammagamma", fitted->outcome));
    if (!args.json) PrintOutcome(models::ModelKindTitle(*kind), fitted->outcome);
    if (fitted->outcome.fitted && !fitted->outcome.report.converged) exit_code = kExitFailure;
  } else {
    std::optional<std::vector<double>> values;
    if (!args.params.empty()) {
      auto parsed = ParseList(args.params, 4, "--params");
      if (!parsed.ok()) return Fail(kExitUsage, parsed.status());
      values = *std::move(parsed);
    }
    auto built = models::FitTransactionModel(*kind, *data, values, options);
    if (!built.ok()) return Fail(kExitUsage, built.status());
    model = std::move(built->model);
    const ModelOutcome& outcome = built->outcome;
    out.update(OutcomeJson(args.model, outcome));
    if (!args.json) PrintOutcome(models::ModelKindTitle(*kind), outcome);
    if (outcome.fitted && !outcome.report.converged) exit_code = kExitFailure;
    if (!args.spend_params.empty() || data->has_monetary_value()) {
      std::optional<std::vector<double>> spend_values;
      if (!args.spend_params.empty()) {
        auto parsed = ParseList(args.spend_params, 3, "--spend-params");
        if (!parsed.ok()) return Fail(kExitUsage, parsed.status());
        spend_values = *std::move(parsed);
      }
      auto fitted = models::FitSpendModel(*data, spend_values, options);
      if (fitted.ok()) {
        spend = fitted->model;
        out["spend_model"] = OutcomeJson("gammagamma", fitted->outcome);
        if (!args.json) PrintOutcome("Gamma-Gamma spend model", fitted->outcome);
      } else if (!args.spend_params.empty()) {
        return Fail(kExitUsage, fitted.status());
      } else {
        const std::string note = "no spend model: " + fitted.status().message();
        if (!args.json) fmt::print("{}\n", note);
        out["spend_model"] = nullptr;
      }
    }
  }

  if (!args.predictions.empty()) {
    models::PredictionOptions po;
    po.horizon = *args.horizon;
    po.clv.months = args.clv_months;
    po.clv.monthly_discount_rate = args.discount;
    po.clv.units_per_month = args.unit == "day" ? 30.0 : 4.345;
    po.clv.threads = args.threads;
    auto predicted = models::PredictForCustomers(model.get(), spend ? &*spend : nullptr, *data, po);
    if (!predicted.ok()) return Fail(kExitUsage, predicted.status());
    if (!predicted->clv_note.empty()) {
      fmt::print(stderr, "winback fit: no CLV: {}\n", predicted->clv_note);
    }
    Status written = models::WritePredictionsCsv(args.predictions, *data, *predicted, args.threads);
    if (!written.ok()) return Fail(kExitFailure, written);
    const bool clv = predicted->values.has_value() && predicted->predictions.has_value();
    nlohmann::json pj;
    pj["file"] = args.predictions;
    pj["horizon"] = *args.horizon;
    pj["unit"] = args.unit;
    pj["rows"] = data->size();
    pj["clv"] = clv;
    if (clv) {
      pj["clv_months"] = args.clv_months;
      pj["monthly_discount_rate"] = args.discount;
    }
    out["predictions"] = pj;
    if (!args.json) {
      fmt::print("predictions: {} rows written to {} (horizon {} {}s{})\n", data->size(),
                 args.predictions, *args.horizon, args.unit,
                 clv ? fmt::format(", CLV over {} months", args.clv_months) : std::string());
    }
  }
  if (args.json) {
    fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (exit_code != kExitOk) {
    fmt::print(stderr, "winback fit: the optimiser did not converge\n");
  }
  return exit_code;
}

}  // namespace

void RegisterFitCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fit",
      "Fit a BTYD model (BG/NBD, Pareto/NBD, MBG/NBD, Gamma-Gamma) on a summary CSV or on the "
      "store (--calibration-end)");
  cmd->add_option("--model", args->model, "bgnbd, pareto, mbgnbd or gammagamma")
      ->required()
      ->check(CLI::IsMember({"bgnbd", "pareto", "mbgnbd", "gammagamma"}));
  cmd->add_option("--summary", args->summary,
                  "customer summary CSV: id,frequency,recency,T[,monetary_value]");
  cmd->add_flag("--json", args->json, "print one JSON document");
  cmd->add_option("--params", args->params,
                  "skip fitting: r,alpha,a,b (bgnbd, mbgnbd), r,alpha,s,beta (pareto), "
                  "p,q,gamma (gammagamma)");
  cmd->add_option("--spend-params", args->spend_params,
                  "Gamma-Gamma p,q,gamma for expected value and CLV (default: fitted on the "
                  "summary's monetary_value column when present)");
  cmd->add_option("--predictions", args->predictions,
                  "write id,p_alive,expected_purchases[,expected_value,clv] to this CSV");
  cmd->add_option("--horizon", args->horizon,
                  "prediction horizon, in the summary's time unit (--unit)");
  cmd->add_option(
      "--calibration-end", args->calibration_end,
      "fit on the store: summarise completed orders up to this day (YYYY-MM-DD, inclusive) "
      "in --unit");
  cmd->add_option("--unit", args->unit, "time unit of the summary: week (default) or day")
      ->check(CLI::IsMember({"week", "day"}));
  cmd->add_option("--clv-months", args->clv_months, "CLV horizon in months (default 12)")
      ->check(CLI::Range(1, 1200));
  cmd->add_option("--discount", args->discount, "monthly discount rate for CLV (default 0.01)")
      ->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--threads", args->threads, "worker threads (0 = all cores, the default)")
      ->check(CLI::Range(0, 1024));
  cmd->callback([args, &globals, &exit_code]() { exit_code = RunFit(*args, globals); });
}

}  // namespace winback::cli
