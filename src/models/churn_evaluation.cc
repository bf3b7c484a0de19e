#include "models/churn_evaluation.h"

#include <chrono>
#include <iterator>

#include "models/churn_scorer.h"
#include "models/internal/churn_features.h"

namespace winback::models {

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

Result<ChurnEvaluation> EvaluateChurnClassifier(store::Scanner& store,
                                                const ChurnOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  WINBACK_RETURN_IF_ERROR(ValidateChurnOptions(options));
  WINBACK_ASSIGN_OR_RETURN(store::TimeRange order_times, store.OrderTimeRange());
  const Date held_out_end = options.cutoff.PlusDays(options.horizon_days);
  if (!order_times.last || UtcDate(*order_times.last) < held_out_end) {
    return FailedPreconditionError(
        "the held-out period " + options.cutoff.PlusDays(1).ToString() + ".." +
        held_out_end.ToString() + " extends past the store's last order (" +
        (order_times.last ? UtcDate(*order_times.last).ToString() : "none") +
        "): choose an earlier cutoff or a shorter horizon");
  }
  WINBACK_ASSIGN_OR_RETURN(ChurnScorer scorer, ChurnScorer::Train(store, options));
  store::Scanner* const one[] = {&store};
  WINBACK_ASSIGN_OR_RETURN(std::vector<double> p, scorer.Score(one));
  const std::vector<double> labels = scorer.HeldOutLabels();
  ChurnEvaluation ev;
  ev.model = options.model;
  ev.train_as_of = options.cutoff.PlusDays(-options.horizon_days);
  ev.test_as_of = options.cutoff;
  ev.horizon_days = options.horizon_days;
  ev.train_rows = scorer.train_rows();
  ev.test_rows = labels.size();
  ev.feature_names.assign(std::begin(internal::kFeatureNames), std::end(internal::kFeatureNames));
  ev.train_churn_rate = scorer.train_churn_rate();
  ev.sample_fraction = scorer.sample_fraction();
  double test_churned = 0;
  for (double y : labels) test_churned += y;
  ev.test_churn_rate = test_churned / static_cast<double>(labels.size());
  ev.intercept = scorer.intercept();
  ev.weights = scorer.weights();
  ev.auc = AreaUnderRoc(labels, p);
  ev.log_loss = LogLoss(labels, p);
  ev.brier = BrierScore(labels, p);
  const std::vector<double> baseline(p.size(), ev.train_churn_rate);
  ev.baseline_log_loss = LogLoss(labels, baseline);
  ev.calibration = CalibrationTable(labels, p, options.calibration_bins);
  ev.seconds = Seconds(start);
  return ev;
}

}  // namespace winback::models
