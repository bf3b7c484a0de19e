// winback score --as-of DATE: RFM, segments, lifecycle, inactivity, readiness and let-go flags
// and the model predictions (P(alive), expected purchases, value, CLV, churn risk) for every
// customer, streamed into the store with the date (earlier dates are kept).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "analytics/analytics_config.h"
#include "analytics/scorer.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "scoring/score_models.h"
#include "scoring/score_run.h"

namespace winback::cli {
namespace {

struct ScoreOptions {
  std::string as_of;
  bool json = false;
  bool no_models = false;
  bool no_churn = false;
  std::string churn_model = "logistic";
};

double Mean(double sum, std::int64_t n) { return n > 0 ? sum / static_cast<double>(n) : 0.0; }

// Minor units as a decimal amount of `currency` ("1234.56"), rounded to the minor unit.
std::string MoneyText(double minor, const std::string& currency) {
  Result<Currency> c = Currency::FromCode(currency);
  if (!c.ok()) return fmt::format("{:.0f}", minor);
  return FormatMinorUnits(static_cast<std::int64_t>(std::llround(minor)), *c);
}

int RunScore(const GlobalOptions& globals, const ScoreOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  Result<Date> as_of = ParseDateOption("--as-of", o.as_of);
  if (!as_of.ok()) return ReportError(as_of.status());
  std::optional<models::ChurnModelKind> churn_model = models::ParseChurnModelKind(o.churn_model);
  if (!churn_model) {
    return ReportError(InvalidArgumentError("--churn-model: expected logistic or xgboost, got '" +
                                            o.churn_model + "'"));
  }
  Result<config::Config> loaded = LoadConfig(globals);
  if (!loaded.ok()) return ReportError(loaded.status());
  const analytics::AnalyticsConfig* config = &loaded->Get<analytics::AnalyticsConfig>();
  Result<std::vector<std::unique_ptr<store::Store>>> stores =
      OpenExistingStores(globals, *loaded, scoring::ScoreReaderCount());
  if (!stores.ok()) return ReportError(stores.status());
  std::optional<scoring::ScoreModelOptions> model_options;
  if (!o.no_models) {
    model_options.emplace();
    model_options->churn = !o.no_churn;
    model_options->churn_model = *churn_model;
  }
  Result<scoring::ScoreRun> run =
      scoring::ScoreAndSave(StorePointers(*stores), config->scoring, *as_of, model_options);
  if (!run.ok()) return ReportError(run.status());
  const analytics::ScoreSummary* summary = &run->summary;
  const std::optional<scoring::ScoreModels>& models = run->models;
  const scoring::ModelTotals& totals = run->totals;
  if (models) {
    for (const std::string& note : models->notes()) fmt::print(stderr, "winback score: {}\n", note);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string source(analytics::ScoreSourceName(run->source));
  const std::string spend_currency = models ? models->spend_currency() : "";

  if (o.json) {
    nlohmann::json j;
    j["as_of"] = as_of->ToString();
    j["customers"] = summary->customers;
    j["buyers"] = summary->buyers;
    j["inactive"] = summary->inactive;
    j["let_go"] = summary->let_go;
    j["by_lifecycle"] = summary->by_lifecycle;
    j["by_group"] = summary->by_group;
    j["by_segment"] = summary->by_segment;
    j["source"] = source;
    if (models) {
      nlohmann::json m;
      if (const auto& p = models->bgnbd()) {
        m["bgnbd"] = {
            {"r", p->r}, {"alpha", p->alpha}, {"a", p->a}, {"b", p->b}, {"time_unit_days", 7}};
      }
      if (const auto& p = models->gamma_gamma()) {
        m["gamma_gamma"] = {
            {"p", p->p}, {"q", p->q}, {"gamma", p->gamma}, {"currency", spend_currency}};
      }
      m["customers_with_p_alive"] = totals.with_p_alive;
      m["mean_p_alive"] = Mean(totals.p_alive_sum, totals.with_p_alive);
      m["expected_purchases_90d"] = totals.expected_purchases_sum;
      m["customers_with_clv"] = totals.with_value;
      m["clv_12m_total_minor"] = totals.clv_sum_minor;
      m["customers_with_churn_risk"] = totals.with_churn;
      m["mean_churn_risk"] = Mean(totals.churn_sum, totals.with_churn);
      m["churn_model"] = o.no_churn ? nlohmann::json(nullptr) : nlohmann::json(o.churn_model);
      m["churn_horizon_days"] = 90;
      m["notes"] = models->notes();
      m["seconds"] = models->seconds();
      j["models"] = m;
    } else {
      j["models"] = nullptr;
    }
    j["seconds"] = seconds;
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("scored {} customers as of {} in {:.2f} s ({} have ordered; read from the {})\n",
             FormatCount(summary->customers), as_of->ToString(), seconds,
             FormatCount(summary->buyers), source);
  auto share = [&](std::int64_t n, std::int64_t of) {
    return of > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(of) : 0.0;
  };
  fmt::print("inactive by the [inactivity] rules: {} ({:.1f}% of buyers); let go: {}\n",
             FormatCount(summary->inactive), share(summary->inactive, summary->buyers),
             FormatCount(summary->let_go));
  fmt::print("\nlifecycle\n");
  for (int i = 0; i < analytics::kLifecycleCount; ++i) {
    const std::string name(analytics::LifecycleName(static_cast<analytics::Lifecycle>(i)));
    auto it = summary->by_lifecycle.find(name);
    const std::int64_t n = it == summary->by_lifecycle.end() ? 0 : it->second;
    fmt::print("  {:<18} {:>12} {:>6.1f}%\n", name, FormatCount(n), share(n, summary->customers));
  }
  fmt::print("\ngroups (article 004)\n");
  for (int g = 0; g < analytics::kGroupCount; ++g) {
    const std::string name(analytics::GroupName(static_cast<analytics::Group>(g)));
    auto it = summary->by_group.find(name);
    const std::int64_t n = it == summary->by_group.end() ? 0 : it->second;
    fmt::print("  {:<18} {:>12} {:>6.1f}%\n", name, FormatCount(n), share(n, summary->buyers));
  }
  fmt::print("\nsegments\n");
  for (const analytics::SegmentRule& rule : config->scoring.segments.rules()) {
    auto it = summary->by_segment.find(rule.name);
    const std::int64_t n = it == summary->by_segment.end() ? 0 : it->second;
    fmt::print("  {:<18} {:>12} {:>6.1f}%\n", rule.name, FormatCount(n), share(n, summary->buyers));
  }
  if (models) {
    fmt::print("\nmodels ({:.1f} s)\n", models->seconds());
    if (const auto& p = models->bgnbd()) {
      fmt::print(
          "  BG/NBD (weeks) r={:.4g} alpha={:.4g} a={:.4g} b={:.4g}: mean P(alive) {:.3f} "
          "over {} customers; {:.0f} purchases expected in the next 90 days\n",
          p->r, p->alpha, p->a, p->b, Mean(totals.p_alive_sum, totals.with_p_alive),
          FormatCount(totals.with_p_alive), totals.expected_purchases_sum);
    }
    if (const auto& p = models->gamma_gamma()) {
      fmt::print(
          "  Gamma-Gamma ({}) p={:.4g} q={:.4g} gamma={:.4g}: 12-month CLV {} {} over {} "
          "customers\n",
          spend_currency, p->p, p->q, p->gamma, MoneyText(totals.clv_sum_minor, spend_currency),
          spend_currency, FormatCount(totals.with_value));
    }
    if (models->churn_fitted()) {
      fmt::print("  churn risk ({}, no order in 90 days): mean {:.3f} over {} customers\n",
                 o.churn_model, Mean(totals.churn_sum, totals.with_churn),
                 FormatCount(totals.with_churn));
    }
  }
  fmt::print("\nsaved; see `winback segments --as-of {}` and `winback customer ID`\n",
             as_of->ToString());
  return kExitOk;
}

}  // namespace

void RegisterScoreCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<ScoreOptions>();
  CLI::App* cmd = app.add_subcommand(
      "score",
      "Score every customer as of a date (RFM, segments, lifecycle, inactivity, "
      "readiness, let-go, P(alive), expected purchases and value, CLV, churn risk) "
      "and save the scores");
  cmd->add_option("--as-of", o->as_of, "score date YYYY-MM-DD; data after this day is ignored")
      ->required();
  cmd->add_flag("--no-models", o->no_models,
                "skip the predictive models (P(alive), expected purchases, value, CLV, churn "
                "risk): much faster on large stores");
  cmd->add_flag("--no-churn", o->no_churn, "skip only the churn classifier (the slowest model)");
  cmd->add_option("--churn-model", o->churn_model,
                  "churn classifier: logistic (default) or xgboost");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunScore(globals, *o); });
}

}  // namespace winback::cli
