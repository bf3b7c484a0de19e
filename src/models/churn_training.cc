// ChurnScorer's training: the pass over every customer's orders (Prepare), the training sample
// (ReadTrainingSample) and the classifier fit (Fit).

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>

#include "models/churn_sample.h"
#include "models/churn_scorer.h"
#include "models/clv.h"
#include "models/internal/churn_scorer_impl.h"
#include "models/internal/purchase_days.h"

namespace winback::models {

namespace {

using internal::kExpectedPurchases;
using internal::kFeatureCount;
using internal::kFeatureNames;
using internal::kPAlive;

Status CheckBothClasses(const ChurnDataset& data) {
  double churned = 0;
  for (double y : data.labels) churned += y;
  if (churned == 0 || churned == static_cast<double>(data.rows())) {
    return FailedPreconditionError(
        "the training period (features as of " + data.as_of.ToString() +
        ") has only one class: " + std::to_string(static_cast<std::int64_t>(churned)) + " of " +
        std::to_string(data.rows()) + " customers churned");
  }
  return Status::Ok();
}

}  // namespace

Result<ChurnTrainingSample> ChurnScorer::ReadTrainingSample(store::Scanner& store,
                                                            const ChurnOptions& options) {
  WINBACK_RETURN_IF_ERROR(ValidateChurnOptions(options));
  WINBACK_ASSIGN_OR_RETURN(const std::int64_t key_limit, store.CustomerKeyLimit());
  const auto customers = static_cast<std::size_t>(std::max<std::int64_t>(key_limit - 1, 0));
  ChurnTrainingSample sample;
  sample.fraction = internal::SampleFraction(key_limit, options.max_training_rows);
  const std::vector<store::KeyRange> ranges = internal::SampleRanges(key_limit, sample.fraction);
  sample.rows.as_of = options.cutoff.PlusDays(-options.horizon_days);
  sample.rows.horizon_days = options.horizon_days;
  sample.rows.feature_names.assign(std::begin(kFeatureNames), std::end(kFeatureNames));
  // About fraction * customers rows, fewer when not all have bought by then: reserving spares
  // the transient copies of growth.
  const std::size_t expected = std::min(customers, options.max_training_rows);
  sample.rows.keys.reserve(expected);
  sample.rows.labels.reserve(expected);
  sample.rows.features.reserve(expected * kFeatureCount);
  sample.rfm.reserve(expected);
  WINBACK_RETURN_IF_ERROR(internal::AppendRows(store, ranges, sample.rows.as_of,
                                               options.horizon_days, sample.rows, sample.rfm));
  return sample;
}

Result<ChurnScorer> ChurnScorer::Prepare(store::Scanner& store, const ChurnOptions& options,
                                         StoreSummary* summary, double summary_days_per_unit) {
  WINBACK_RETURN_IF_ERROR(ValidateChurnOptions(options));
  if (summary != nullptr &&
      (!(summary_days_per_unit > 0) || !std::isfinite(summary_days_per_unit))) {
    return InvalidArgumentError("days per unit must be positive and finite");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const Date train_as_of = options.cutoff.PlusDays(-options.horizon_days);
  const std::int32_t c = options.cutoff.days();
  const std::int32_t d1 = train_as_of.days();
  const double h = options.horizon_days;

  // One pass over every customer's orders: the facts as of the cutoff, and the BG/NBD summary
  // as of cutoff - H (its purchase days are those of the cutoff up to cutoff - H).
  struct TrainSummary {
    std::int32_t last = 0;
    std::uint32_t days = 0;  // 0: no order by cutoff - H
  };
  std::vector<TrainSummary> train_summary;
  WINBACK_ASSIGN_OR_RETURN(const std::int64_t key_limit, store.CustomerKeyLimit());
  impl->keys.reserve(static_cast<std::size_t>(key_limit));
  impl->rows.reserve(static_cast<std::size_t>(key_limit));
  train_summary.reserve(static_cast<std::size_t>(key_limit));
  if (summary != nullptr) {
    *summary = StoreSummary();
    const auto n = static_cast<std::size_t>(std::max<std::int64_t>(key_limit - 1, 0));
    summary->table.Reserve(n);
    summary->table.monetary_value.reserve(n);
    summary->keys.reserve(n);
    summary->currencies.reserve(n);
  }
  std::size_t train_population = 0;
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrders(
      [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
        const internal::PurchaseHistory hist = internal::MergePurchaseDays(orders, c);
        if (hist.days.empty()) return Status::Ok();
        if (summary != nullptr) {
          internal::AppendSummaryRow(key, hist, c, summary_days_per_unit, false, *summary);
        }
        internal::ScoreRow row;
        row.facts = internal::FactsOf(hist, orders, c, c + options.horizon_days);
        std::uint32_t train_days = 0;
        std::int32_t train_last = 0;
        for (const internal::PurchaseDay& p : hist.days) {
          if (p.day > d1) break;
          ++train_days;
          train_last = p.day;
        }
        train_population += train_days > 0 ? 1 : 0;
        train_summary.push_back({train_last, train_days});
        impl->keys.push_back(key);
        impl->rows.push_back(row);
        return Status::Ok();
      }));
  if (train_population == 0) {
    return InvalidArgumentError("no customer has a completed order on or before " +
                                train_as_of.ToString());
  }

  // BG/NBD as of both dates, fitted on every customer.
  if (options.btyd_features == BtydFeatures::kInclude) {
    FitOptions fo;
    fo.threads = options.threads;
    fo.standard_errors = false;
    SummaryTable table;
    table.Reserve(train_population);
    for (std::size_t i = 0; i < impl->rows.size(); ++i) {
      const TrainSummary& t = train_summary[i];
      if (t.days == 0) continue;
      const std::optional<CustomerRfm> r =
          internal::RfmOf(impl->rows[i].facts.first, t.last, t.days, d1);
      if (!r) continue;
      table.frequency.push_back(r->frequency);
      table.recency.push_back(r->recency);
      table.age.push_back(r->age);
    }
    std::vector<TrainSummary>().swap(train_summary);
    if (Result<BgNbdFit> fit = FitBgNbd(table, fo); fit.ok()) impl->train_model = fit->model;
    table = SummaryTable();
    table.Reserve(impl->rows.size());
    for (const internal::ScoreRow& row : impl->rows) {
      const std::optional<CustomerRfm> r =
          internal::RfmOf(row.facts.first, row.facts.last, row.facts.days, c);
      if (!r) continue;
      table.frequency.push_back(r->frequency);
      table.recency.push_back(r->recency);
      table.age.push_back(r->age);
    }
    Result<BgNbdFit> fit = FitBgNbd(table, fo);
    if (fit.ok()) {
      WINBACK_ASSIGN_OR_RETURN(Predictions p,
                               PredictCustomers(fit->model, table, h, options.threads));
      table = SummaryTable();
      const double unconditional = std::log1p(fit->model.ExpectedPurchases(h));
      std::size_t j = 0;
      for (internal::ScoreRow& r : impl->rows) {
        if (r.facts.first < c) {
          r.p_alive = p.p_alive[j];
          r.log_expected = std::log1p(p.expected_purchases[j]);
          ++j;
        } else {
          r.log_expected = unconditional;
        }
      }
    }
  }
  return ChurnScorer(std::move(impl));
}

Status ChurnScorer::Fit(ChurnTrainingSample sample) {
  Impl& m = *impl_;
  const ChurnOptions& options = m.options;
  ChurnDataset& train = sample.rows;
  if (train.as_of != options.cutoff.PlusDays(-options.horizon_days) ||
      train.horizon_days != options.horizon_days || sample.rfm.size() != train.rows()) {
    return InvalidArgumentError("the training sample was read with other options");
  }
  if (train.rows() == 0) {
    return InvalidArgumentError("no customer of the training sample has a completed order on " +
                                std::string("or before ") + train.as_of.ToString());
  }
  if (options.btyd_features == BtydFeatures::kInclude) {
    const BgNbdModel* model = m.train_model ? &*m.train_model : nullptr;
    for (std::size_t row = 0; row < train.rows(); ++row) {
      internal::WriteBtydFeatures(model, sample.rfm[row], options.horizon_days,
                                  &train.features[row * kFeatureCount]);
    }
  }
  WINBACK_RETURN_IF_ERROR(CheckBothClasses(train));
  m.sample_fraction = sample.fraction;
  m.train_rows = train.rows();
  double churned = 0;
  for (double y : train.labels) churned += y;
  m.train_churn_rate = churned / static_cast<double>(train.rows());
  if (options.model == ChurnModelKind::kLogistic) {
    LogisticOptions lo;
    lo.l2 = options.l2;
    WINBACK_ASSIGN_OR_RETURN(
        LogisticRegression model,
        LogisticRegression::Fit(train.features, kFeatureCount, train.labels, lo));
    m.intercept = model.intercept();
    m.weights = model.weights();
    m.logistic.emplace(std::move(model));
  } else {
    internal::BoostedTreesOptions bo;
    bo.trees = options.trees;
    bo.max_depth = options.max_depth;
    bo.learning_rate = options.learning_rate;
    bo.threads = options.threads;
    WINBACK_ASSIGN_OR_RETURN(
        internal::BoostedTrees model,
        internal::BoostedTrees::Train(train.features, kFeatureCount, train.labels, bo));
    m.trees.emplace(std::move(model));
  }
  return Status::Ok();
}

Result<ChurnScorer> ChurnScorer::Train(store::Scanner& store, const ChurnOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(ChurnScorer scorer, Prepare(store, options));
  WINBACK_ASSIGN_OR_RETURN(ChurnTrainingSample sample, ReadTrainingSample(store, options));
  WINBACK_RETURN_IF_ERROR(scorer.Fit(std::move(sample)));
  return scorer;
}

}  // namespace winback::models
