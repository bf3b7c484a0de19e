#pragma once

// Supervised churn classifier for a horizon of H days: label 1 ("churned") when a customer
// places no completed order in the H days after the as-of date. Trained on a time split of
// the store, so nothing after the cutoff is seen in training:
//   training rows: features as of cutoff - H, labels from (cutoff - H, cutoff];
//   held-out rows: features as of cutoff,     labels from (cutoff, cutoff + H].
// Population: customers with a completed order on or before the as-of date.
//
// Features as of day D (orders by their local day <= D, events with a UTC time before D + 1):
//   RFM: log1p of recency, tenure, purchase days, purchase days in the last 30/90/365 days,
//        mean order-day value (main currency), overdue ratio (days since the last purchase over
//        the mean gap), refunded and cancelled orders;
//   engagement: log1p days since the last email/sms/whatsapp engagement, visit and chat
//        (3650 when never), counts of visits, email, sms and whatsapp engagement in 90 days;
//   complaints and support: complaints (all, 90 days), unsatisfied and satisfied tickets,
//        mean review score and review count, abandoned carts (90 days), payment defaults,
//        referrals, unsubscribed and bounced channels;
//   exit: one-hot latest exit reason (price, service, selection, feature, moved, other), days
//        since the exit, subscription cancelled;
//   BTYD: BG/NBD fitted (in days) on the store summary as of D: P(alive) and log1p expected
//        purchases in the next H days.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "models/classification_metrics.h"
#include "store/store.h"

namespace winback::models {

enum class ChurnModelKind : std::uint8_t { kLogistic, kXgboost };
std::string_view ChurnModelName(ChurnModelKind kind);  // "logistic", "xgboost"
std::optional<ChurnModelKind> ParseChurnModelKind(std::string_view name);

struct ChurnOptions {
  Date cutoff;            // last day of the training data
  int horizon_days = 90;  // H, >= 1
  ChurnModelKind model = ChurnModelKind::kLogistic;
  double l2 = 1.0;        // logistic: penalty on standardised weights (logistic_regression.h)
  int trees = 200;        // xgboost: rounds, depth, learning rate
  int max_depth = 4;
  double learning_rate = 0.1;
  int threads = 1;        // BTYD fit and xgboost threads (0 = all cores)
  int calibration_bins = 10;
  bool btyd_features = true;
};

// Features and labels of one as-of date. Row i is customer keys[i].
struct ChurnDataset {
  Date as_of;
  int horizon_days = 0;
  std::vector<std::string> feature_names;
  std::vector<CustomerKey> keys;
  std::vector<double> features;  // row-major, keys.size() x feature_names.size()
  std::vector<double> labels;    // 1 = no completed order in (as_of, as_of + H]
  std::size_t rows() const { return keys.size(); }
};

// Computes the features as of `as_of` and the labels over the next `horizon_days` (labels are
// meaningful only when the store's data reaches as_of + horizon_days). Three sequential passes
// over the store (orders, events, summary). Errors: InvalidArgument for horizon_days < 1 or no
// customer with an order by as_of; store errors. A BG/NBD fit that fails (e.g. no repeat
// purchase yet) leaves the BTYD features at P(alive) = 1 and the mean order-day rate.
Result<ChurnDataset> BuildChurnDataset(store::Store& store, Date as_of, int horizon_days,
                                       bool btyd_features = true, int threads = 1);

// The held-out evaluation of one classifier.
struct ChurnEvaluation {
  ChurnModelKind model = ChurnModelKind::kLogistic;
  Date train_as_of;  // cutoff - H
  Date test_as_of;   // cutoff
  int horizon_days = 0;
  std::size_t train_rows = 0;
  std::size_t test_rows = 0;
  double train_churn_rate = 0;
  double test_churn_rate = 0;
  double auc = 0;
  double log_loss = 0;
  double brier = 0;
  double baseline_log_loss = 0;  // predicting the training churn rate for everyone
  std::vector<CalibrationBin> calibration;
  std::vector<std::string> feature_names;
  // Logistic only: intercept and weights per standard deviation of each feature.
  double intercept = 0;
  std::vector<double> weights;
  double seconds = 0;
};

// Trains on the time split described at the top of this file and evaluates on the held-out
// period. Errors: InvalidArgument for bad options; FailedPrecondition when the store's last
// order is before cutoff + H (the held-out labels would be wrong) or a class is missing from
// the training rows; errors of the classifier (logistic_regression.h, XGBoost: Internal).
Result<ChurnEvaluation> EvaluateChurnClassifier(store::Store& store, const ChurnOptions& options);

// Churn risk P(no completed order in the next H days) as of `options.cutoff` for every customer
// with an order by then: trained on features as of cutoff - H with labels up to cutoff, applied
// to the features as of cutoff. Indexed by CustomerKey::value(); absent for customers without
// an order. Errors as EvaluateChurnClassifier, except that data after the cutoff is not needed.
Result<std::vector<std::optional<double>>> ScoreChurnRisk(store::Store& store,
                                                          const ChurnOptions& options);

}  // namespace winback::models
