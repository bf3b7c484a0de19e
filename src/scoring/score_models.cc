#include "scoring/score_models.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "models/customer_values.h"

namespace winback::scoring {
namespace {

constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

std::optional<double> Present(double v) {
  if (std::isnan(v)) return std::nullopt;
  return v;
}

// A model that cannot be fitted on this data leaves its columns empty; only a store that cannot
// be read fails the run.
bool IsFatal(const Status& s) { return s.code() == StatusCode::kUnavailable; }

int AllCores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// The purchase/spend model options of every score run: 90-day expected purchases, 12-month CLV.
models::CustomerValueOptions ValueOptions(int threads) {
  models::CustomerValueOptions o;
  o.horizon_days = 90;
  o.clv_months = 12;
  o.threads = threads;
  return o;
}

}  // namespace

void ScoreModels::Allocate(std::size_t keys) {
  if (values_.size() < keys * kColumns) values_.resize(keys * kColumns, kAbsent);
}

Status ScoreModels::SetValues(Result<models::CustomerValueTable> values) {
  if (!values.ok()) {
    if (IsFatal(values.status())) return values.status();
    btyd_status_ = values.status();
    notes_.push_back("no P(alive), expected purchases, value or CLV: BG/NBD not fitted: " +
                     values.status().message());
    return Status::Ok();
  }
  const models::CustomerValueTable& t = *values;
  bgnbd_ = t.purchase_params;
  bgnbd_log_likelihood_ = t.purchase_report.log_likelihood;
  gamma_gamma_ = t.spend_params;
  spend_currency_ = t.spend_currency;
  if (!t.spend_note.empty()) {
    notes_.push_back(t.spend_note + " (expected value and CLV left empty)");
  } else if (!t.spend_params) {
    notes_.push_back("no spend model (expected value and CLV left empty)");
  }
  Allocate(t.by_key.size());
  for (std::size_t k = 0; k < t.by_key.size(); ++k) {
    if (!t.by_key[k]) continue;
    double* v = &values_[k * kColumns];
    v[kPAlive] = t.by_key[k]->p_alive;
    v[kExpectedPurchases] = t.by_key[k]->expected_purchases;
    v[kExpectedValue] = t.by_key[k]->expected_value_minor.value_or(kAbsent);
    v[kClv] = t.by_key[k]->clv_minor.value_or(kAbsent);
  }
  return Status::Ok();
}

void ScoreModels::Fill(store::CustomerScore& s) const {
  const auto key = static_cast<std::size_t>(s.key.value());
  if (key >= values_.size() / kColumns) {
    s.p_alive.reset();
    s.expected_purchases_90d.reset();
    s.expected_value_minor.reset();
    s.clv_12m_minor.reset();
    s.churn_risk.reset();
    return;
  }
  const double* v = &values_[key * kColumns];
  s.p_alive = Present(v[kPAlive]);
  s.expected_purchases_90d = Present(v[kExpectedPurchases]);
  s.expected_value_minor = Present(v[kExpectedValue]);
  s.clv_12m_minor = Present(v[kClv]);
  s.churn_risk = Present(v[kChurn]);
}

Result<ScoreModels> ScoreModels::Compute(std::span<store::Store* const> stores, Date as_of,
                                         const ScoreModelOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const bool parallel = stores.size() >= 2 && options.btyd && options.churn;
  const int threads = options.threads > 0 ? options.threads : (parallel ? 1 : AllCores());

  std::optional<Result<models::CustomerValueTable>> values;
  std::optional<Result<models::ChurnScorer>> scorer;
  std::optional<Result<models::ChurnTrainingSample>> sample;
  std::optional<Result<std::vector<double>>> churn;
  models::ChurnOptions churn_options;
  churn_options.cutoff = as_of;
  churn_options.horizon_days = options.churn_horizon_days;
  churn_options.model = options.churn_model;
  churn_options.threads = threads;
  const models::CustomerValueOptions value_options = ValueOptions(threads);
  auto run_values = [&] {
    values.emplace(models::ComputeCustomerValues(*stores[0], as_of, value_options));
  };
  // Training and scoring the churn classifier; `scorer` holds the first error.
  auto fit_churn = [&] {
    if (!scorer->ok()) return;
    Status fit = sample->ok() ? (*scorer)->Fit(std::move(**sample)) : sample->status();
    sample.reset();
    if (!fit.ok()) scorer.emplace(fit);
  };
  auto score_churn = [&] {
    // Scoring splits the events scan over every store.
    if (scorer->ok()) churn.emplace((*scorer)->Score(store::AsScanners(stores)));
  };
  if (parallel) {
    // One thread reads the churn training sample while the other reads every customer's orders
    // once, for the classifier and for the values, and fits BG/NBD as of both dates. The
    // classifier then trains (its training matrix freed before the values start), and the
    // values are computed from that summary (no store) while the classifier scores over both
    // stores.
    std::thread t([&] {
      sample.emplace(models::ChurnScorer::ReadTrainingSample(*stores[0], churn_options));
    });
    models::StoreSummary summary;
    scorer.emplace(models::ChurnScorer::Prepare(*stores[1], churn_options, &summary,
                                                value_options.days_per_unit));
    t.join();
    const bool summarized = scorer->ok();
    fit_churn();
    std::thread v;
    if (summarized) {
      v = std::thread([&] {
        values.emplace(models::ComputeCustomerValues(std::move(summary), as_of, value_options));
      });
    } else {
      summary = models::StoreSummary();  // may be incomplete: read the store again
      run_values();
    }
    score_churn();
    if (v.joinable()) v.join();
  } else {
    if (options.btyd) run_values();
    if (options.churn) {
      scorer.emplace(models::ChurnScorer::Prepare(*stores[0], churn_options));
      if (scorer->ok()) {
        sample.emplace(models::ChurnScorer::ReadTrainingSample(*stores[0], churn_options));
        fit_churn();
        score_churn();
      }
    }
  }

  // The churn scorer's per-customer state goes before the output table is allocated.
  std::optional<Status> churn_status;
  std::vector<CustomerKey> churn_keys;
  std::vector<double> risk;
  if (scorer) {
    churn_status = !scorer->ok() ? scorer->status() : churn->status();
    if (churn_status->ok()) {
      churn_keys = (*scorer)->keys();
      risk = *std::move(*churn);
    }
    sample.reset();
    churn.reset();
    scorer.reset();
  }
  ScoreModels out;
  std::size_t keys = 0;
  if (values && values->ok()) keys = std::max(keys, (*values)->by_key.size());
  if (!churn_keys.empty()) {
    keys = std::max(keys, static_cast<std::size_t>(churn_keys.back().value()) + 1);
  }
  out.Allocate(keys);
  if (values) {
    Result<models::CustomerValueTable> taken = std::move(*values);
    values.reset();
    WINBACK_RETURN_IF_ERROR(out.SetValues(std::move(taken)));
  }
  if (churn_status) {
    if (!churn_status->ok()) {
      if (IsFatal(*churn_status)) return *churn_status;
      out.notes_.push_back("no churn risk: " + churn_status->message());
    } else {
      out.churn_fitted_ = true;
      for (std::size_t i = 0; i < churn_keys.size(); ++i) {
        out.values_[static_cast<std::size_t>(churn_keys[i].value()) * kColumns + kChurn] = risk[i];
      }
    }
  }
  out.seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

Result<ScoreModels> ScoreModels::ComputeValues(const models::PurchaseHistories& histories,
                                               Date as_of, const ScoreModelOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const models::CustomerValueOptions value_options =
      ValueOptions(options.threads > 0 ? options.threads : AllCores());
  models::StoreSummaryOptions summary_options;
  summary_options.calibration_end = as_of;
  summary_options.days_per_unit = value_options.days_per_unit;
  summary_options.with_ids = false;
  Result<models::StoreSummary> summary = histories.Summarize(summary_options);
  ScoreModels out;
  WINBACK_RETURN_IF_ERROR(out.SetValues(
      summary.ok() ? models::ComputeCustomerValues(*std::move(summary), as_of, value_options)
                   : Result<models::CustomerValueTable>(summary.status())));
  out.seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace winback::scoring
