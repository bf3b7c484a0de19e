#include "cli/score_models.h"

#include <chrono>
#include <limits>
#include <thread>

#include "models/customer_values.h"

namespace winback::cli {
namespace {

constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

std::optional<double> Present(double v) {
  if (std::isnan(v)) return std::nullopt;
  return v;
}

// A model that cannot be fitted on this data leaves its columns empty; only a store that cannot
// be read fails the run.
bool IsFatal(const Status& s) { return s.code() == StatusCode::kUnavailable; }

}  // namespace

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
  const int threads =
      parallel ? 1 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  std::optional<Result<models::CustomerValueTable>> values;
  std::optional<Result<models::ChurnScorer>> scorer;
  std::optional<Result<models::ChurnTrainingSample>> sample;
  std::optional<Result<std::vector<double>>> churn;
  models::ChurnOptions churn_options;
  churn_options.cutoff = as_of;
  churn_options.horizon_days = options.churn_horizon_days;
  churn_options.model = options.churn_model;
  churn_options.threads = threads;
  auto run_values = [&] {
    models::CustomerValueOptions o;
    o.horizon_days = 90;
    o.clv_months = 12;
    o.threads = threads;
    values.emplace(models::ComputeCustomerValues(*stores[0], as_of, o));
  };
  // Training and scoring the churn classifier; `scorer` holds the first error.
  auto finish_churn = [&] {
    if (!scorer->ok()) return;
    if (!sample->ok()) {
      scorer.emplace(sample->status());
      return;
    }
    if (Status fit = (*scorer)->Fit(std::move(**sample)); !fit.ok()) {
      scorer.emplace(fit);
      return;
    }
    sample.reset();
    // Scoring splits the events scan over every store.
    churn.emplace((*scorer)->Score(stores));
  };
  if (parallel) {
    // One thread computes the values, then reads the churn training sample; the other reads
    // every customer's orders for churn (and fits BG/NBD as of both dates) meanwhile.
    std::thread t([&] {
      run_values();
      sample.emplace(models::ChurnScorer::ReadTrainingSample(*stores[0], churn_options));
    });
    scorer.emplace(models::ChurnScorer::Prepare(*stores[1], churn_options));
    t.join();
    finish_churn();
  } else {
    if (options.btyd) run_values();
    if (options.churn) {
      scorer.emplace(models::ChurnScorer::Prepare(*stores[0], churn_options));
      if (scorer->ok()) {
        sample.emplace(models::ChurnScorer::ReadTrainingSample(*stores[0], churn_options));
        finish_churn();
      }
    }
  }

  ScoreModels out;
  std::size_t keys = 0;
  if (values && values->ok()) keys = std::max(keys, (*values)->by_key.size());
  if (churn && churn->ok() && !(*scorer)->keys().empty()) {
    keys = std::max(keys, static_cast<std::size_t>((*scorer)->keys().back().value()) + 1);
  }
  out.values_.assign(keys * kColumns, kAbsent);
  if (values) {
    if (!values->ok()) {
      if (IsFatal(values->status())) return values->status();
      out.notes_.push_back("no P(alive), expected purchases, value or CLV: BG/NBD not fitted: " +
                           values->status().message());
    } else {
      const models::CustomerValueTable& t = **values;
      out.bgnbd_ = t.purchase_params;
      out.gamma_gamma_ = t.spend_params;
      out.spend_currency_ = t.spend_currency;
      if (!t.spend_note.empty()) {
        out.notes_.push_back(t.spend_note + " (expected value and CLV left empty)");
      } else if (!t.spend_params) {
        out.notes_.push_back("no spend model (expected value and CLV left empty)");
      }
      for (std::size_t k = 0; k < t.by_key.size(); ++k) {
        if (!t.by_key[k]) continue;
        double* v = &out.values_[k * kColumns];
        v[kPAlive] = t.by_key[k]->p_alive;
        v[kExpectedPurchases] = t.by_key[k]->expected_purchases;
        v[kExpectedValue] = t.by_key[k]->expected_value_minor.value_or(kAbsent);
        v[kClv] = t.by_key[k]->clv_minor.value_or(kAbsent);
      }
    }
    values.reset();
  }
  if (scorer) {
    const Status status = !scorer->ok() ? scorer->status() : churn->status();
    sample.reset();
    if (!status.ok()) {
      if (IsFatal(status)) return status;
      out.notes_.push_back("no churn risk: " + status.message());
    } else {
      out.churn_fitted_ = true;
      const std::vector<CustomerKey>& churn_keys = (*scorer)->keys();
      const std::vector<double>& risk = **churn;
      for (std::size_t i = 0; i < churn_keys.size(); ++i) {
        out.values_[static_cast<std::size_t>(churn_keys[i].value()) * kColumns + kChurn] = risk[i];
      }
    }
  }
  out.seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace winback::cli
