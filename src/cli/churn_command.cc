// winback churn: train the churn classifier on a time split of the store and report how well it
// predicts the held-out period.
//
//   winback churn --cutoff DATE [--horizon 90] [--model logistic|xgboost] [--json]
//                 [--l2 1] [--trees 200] [--threads N]
//
// Training: features as of cutoff - H, labels from (cutoff - H, cutoff]; held out: features as
// of cutoff, labels from (cutoff, cutoff + H] (label: no completed order in the next H days).
// Exit codes: 0 success; 1 training failed or the store could not be read; 2 bad usage or a
// cutoff the data cannot support.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>

#include "cli/commands.h"
#include "cli/store_open.h"
#include "core/time.h"
#include "models/churn_classifier.h"

namespace winback::cli {
namespace {

struct ChurnArgs {
  std::string cutoff;
  int horizon = 90;
  std::string model = "logistic";
  bool json = false;
  double l2 = 1.0;
  int trees = 200;
  int threads = 0;
};

int Fail(int code, const Status& status) {
  fmt::print(stderr, "winback churn: {}\n", status.message());
  return code;
}

nlohmann::json NumberOrNull(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

int RunChurn(const ChurnArgs& args, const GlobalOptions& globals) {
  Result<Date> cutoff = ParseDate(args.cutoff);
  if (!cutoff.ok()) {
    return Fail(kExitUsage, InvalidArgumentError("--cutoff: " + cutoff.status().message()));
  }
  models::ChurnOptions options;
  options.cutoff = *cutoff;
  options.horizon_days = args.horizon;
  options.model = *models::ParseChurnModelKind(args.model);
  options.l2 = args.l2;
  options.trees = args.trees;
  options.threads = args.threads;
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return Fail(kExitUsage, store.status());
  Result<models::ChurnEvaluation> result = models::EvaluateChurnClassifier(**store, options);
  if (!result.ok()) {
    const StatusCode code = result.status().code();
    const bool usage =
        code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition;
    return Fail(usage ? kExitUsage : kExitFailure, result.status());
  }
  const models::ChurnEvaluation& e = *result;
  if (args.json) {
    nlohmann::json j;
    j["model"] = args.model;
    j["cutoff"] = e.test_as_of.ToString();
    j["train_as_of"] = e.train_as_of.ToString();
    j["horizon_days"] = e.horizon_days;
    j["train_rows"] = e.train_rows;
    j["test_rows"] = e.test_rows;
    j["train_churn_rate"] = e.train_churn_rate;
    j["test_churn_rate"] = e.test_churn_rate;
    j["auc"] = NumberOrNull(e.auc);
    j["log_loss"] = NumberOrNull(e.log_loss);
    j["baseline_log_loss"] = NumberOrNull(e.baseline_log_loss);
    j["brier"] = NumberOrNull(e.brier);
    nlohmann::json bins = nlohmann::json::array();
    for (const models::CalibrationBin& b : e.calibration) {
      bins.push_back({{"lower", b.lower},
                      {"upper", b.upper},
                      {"count", b.count},
                      {"mean_predicted", NumberOrNull(b.mean_predicted)},
                      {"observed_rate", NumberOrNull(b.observed_rate)}});
    }
    j["calibration"] = bins;
    j["features"] = e.feature_names;
    if (!e.weights.empty()) {
      j["intercept"] = e.intercept;
      j["weights"] = e.weights;
    }
    j["seconds"] = e.seconds;
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  fmt::print(
      "churn classifier ({}), horizon {} days: churned = no completed order in the next "
      "{} days\n",
      args.model, e.horizon_days, e.horizon_days);
  fmt::print("  trained on features as of {} ({} customers, {:.1f}% churned)\n",
             e.train_as_of.ToString(), e.train_rows, 100 * e.train_churn_rate);
  fmt::print("  held out: features as of {} ({} customers, {:.1f}% churned)\n",
             e.test_as_of.ToString(), e.test_rows, 100 * e.test_churn_rate);
  fmt::print("  AUC {:.4f}   log-loss {:.4f} (predicting the base rate: {:.4f})   Brier {:.4f}\n",
             e.auc, e.log_loss, e.baseline_log_loss, e.brier);
  fmt::print("  calibration on the held-out period:\n");
  fmt::print("    {:>11} {:>8} {:>10} {:>9}\n", "predicted", "count", "mean pred", "observed");
  for (const models::CalibrationBin& b : e.calibration) {
    if (b.count == 0) continue;
    fmt::print("    {:.2f}-{:.2f}   {:>8} {:>10.3f} {:>9.3f}\n", b.lower, b.upper, b.count,
               b.mean_predicted, b.observed_rate);
  }
  if (!e.weights.empty()) {
    std::vector<std::size_t> order(e.weights.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::fabs(e.weights[a]) > std::fabs(e.weights[b]);
    });
    fmt::print("  largest logistic weights (per standard deviation; + raises churn risk):\n");
    for (std::size_t k = 0; k < std::min<std::size_t>(10, order.size()); ++k) {
      fmt::print("    {:<36} {:+.3f}\n", e.feature_names[order[k]], e.weights[order[k]]);
    }
  }
  fmt::print("  time: {:.2f} s\n", e.seconds);
  return kExitOk;
}

}  // namespace

void RegisterChurnCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto args = std::make_shared<ChurnArgs>();
  CLI::App* cmd = app.add_subcommand(
      "churn",
      "Train the churn classifier on a time split of the store and report AUC, log-loss and "
      "calibration on the held-out period");
  cmd->add_option("--cutoff", args->cutoff,
                  "last day of training data, YYYY-MM-DD; the held-out period follows it")
      ->required();
  cmd->add_option("--horizon", args->horizon,
                  "H: churned = no completed order in the next H days (default 90)")
      ->check(CLI::Range(1, 3650));
  cmd->add_option("--model", args->model, "logistic (default) or xgboost")
      ->check(CLI::IsMember({"logistic", "xgboost"}));
  cmd->add_flag("--json", args->json, "print one JSON document");
  cmd->add_option("--l2", args->l2, "logistic: L2 penalty on standardised weights (default 1)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--trees", args->trees, "xgboost: boosting rounds (default 200)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--threads", args->threads, "worker threads (0 = all cores, the default)")
      ->check(CLI::Range(0, 1024));
  cmd->callback([args, &globals, &exit_code]() { exit_code = RunChurn(*args, globals); });
}

}  // namespace winback::cli
