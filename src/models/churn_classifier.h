#pragma once

// Supervised churn classifier for a horizon of H days: label 1 ("churned") when a customer
// places no completed order in the H days after the as-of date. Trained on a time split of
// the store, so nothing after the cutoff is seen in training:
//   training rows: features as of cutoff - H, labels from (cutoff - H, cutoff];
//   held-out rows: features as of cutoff,     labels from (cutoff, cutoff + H].
// Population: customers with a completed order on or before the as-of date.
//
// Training sample: when the store has more than `max_training_rows` customers, the classifier
// trains on a deterministic sample of them, whole blocks of 256 customer keys (block =
// key / 256) chosen by a hash of the block number: a block is in the sample when
// Mix64(block) < fraction * 2^64, fraction = max_training_rows / (CustomerKeyLimit() - 1),
// so the sample holds about max_training_rows customers of the store, of which those with an
// order by cutoff - H train; it depends only on the store and the options
// (InChurnTrainingSample). With fewer customers every one trains.
// Whole blocks let the sample be read with key-range scans. The held-out rows and the scored
// customers are never sampled, and the BG/NBD features are always fitted on every customer.
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
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "models/classification_metrics.h"
#include "models/store_summary.h"
#include "models/summary.h"
#include "store/store.h"

namespace winback::models {

enum class ChurnModelKind : std::uint8_t { kLogistic, kXgboost };
std::string_view ChurnModelName(ChurnModelKind kind);  // "logistic", "xgboost"
std::optional<ChurnModelKind> ParseChurnModelKind(std::string_view name);

struct ChurnOptions {
  Date cutoff;            // last day of the training data
  int horizon_days = 90;  // H, >= 1
  ChurnModelKind model = ChurnModelKind::kLogistic;
  double l2 = 1.0;  // logistic: penalty on standardised weights (logistic_regression.h)
  int trees = 200;  // xgboost: rounds, depth, learning rate
  int max_depth = 4;
  double learning_rate = 0.1;
  int threads = 1;  // BTYD fit and xgboost threads (0 = all cores)
  int calibration_bins = 10;
  bool btyd_features = true;
  // Training rows: about this many customers at most (a deterministic sample, see the top of
  // this file). >= 1.
  std::size_t max_training_rows = 100'000;
};

// Customer keys per sample block and the sample rule described at the top of this file:
// whether `key` is in the training sample that keeps `fraction` (in [0, 1]) of the customers.
// fraction >= 1 keeps everyone.
inline constexpr std::int64_t kChurnSampleBlock = 256;
bool InChurnTrainingSample(CustomerKey key, double fraction);

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
// meaningful only when the store's data reaches as_of + horizon_days) for every customer. Two
// sequential passes over the store (orders, events; the BG/NBD summary comes from the orders
// pass). The materialised reference of what ChurnScorer streams. Errors: InvalidArgument for
// horizon_days < 1 or no customer with an order by as_of; store errors. A BG/NBD fit that
// fails (e.g. no repeat purchase yet) leaves the BTYD features at P(alive) = 1 and 0.
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
  double sample_fraction = 1;  // share of the training customers that trained (sample rule)
};

// The training rows of the sample (top of this file) as of cutoff - H, before their BG/NBD
// columns, which need the fit of ChurnScorer::Prepare. Value type.
struct ChurnTrainingSample {
  ChurnDataset rows;                            // BG/NBD columns at P(alive) = 1 and 0
  std::vector<std::optional<CustomerRfm>> rfm;  // each row's (x, t_x, T) in days, if any
  double fraction = 1;                          // the sample rule's fraction
};

// A churn classifier trained on the time split at options.cutoff (training rows sampled as
// described at the top of this file), ready to score every customer with a completed order by
// the cutoff. Train reads the store twice over the orders (one full pass, one over the sample
// blocks) and once over the sampled customers' events; it keeps about 64 bytes per customer
// (the order facts as of the cutoff and the BG/NBD features) for Score, which streams the
// events once, builds each customer's features and applies the model customer by customer:
// the features as of the cutoff are never materialised. Move-only; Score is const but not
// safe to call concurrently on one object.
class ChurnScorer {
 public:
  // Errors as EvaluateChurnClassifier, except that data after the cutoff is not needed:
  // InvalidArgument for bad options or no customer with an order by cutoff - H or by the
  // cutoff; FailedPrecondition when the training rows have one class only; classifier and
  // store errors.
  static Result<ChurnScorer> Train(store::Store& store, const ChurnOptions& options);

  // Train in three steps, so that the sample can be read on another store (another thread)
  // while Prepare reads every customer's orders and fits BG/NBD; Train = Prepare,
  // ReadTrainingSample, Fit. ReadTrainingSample reads only the sampled key blocks (orders and
  // events). Fit errors: InvalidArgument when the sample was read with other options or holds
  // no customer; FailedPrecondition for one class only; classifier errors.
  // With `summary` (not null), Prepare also fills it, in the same pass over the orders, with
  // what SummarizeStore(store, {calibration_end = cutoff, days_per_unit =
  // summary_days_per_unit, with_ids = false}) returns (for ComputeCustomerValues); it is
  // complete whenever Prepare succeeds.
  static Result<ChurnScorer> Prepare(store::Store& store, const ChurnOptions& options,
                                     StoreSummary* summary = nullptr,
                                     double summary_days_per_unit = 7.0);
  static Result<ChurnTrainingSample> ReadTrainingSample(store::Store& store,
                                                        const ChurnOptions& options);
  Status Fit(ChurnTrainingSample sample);

  // P(churn) of keys()[i] for every i, as of the cutoff. The events scan is split into key
  // ranges over `stores` (one thread each; all open on the same database, none used by
  // another thread during the call; XGBoost scores on stores[0] alone). The result does not
  // depend on the number of stores. Errors: InvalidArgument when `stores` is empty; store
  // errors; XGBoost errors (Internal); FailedPrecondition before Fit.
  Result<std::vector<double>> Score(std::span<store::Store* const> stores) const;

  // The scored customers (completed order by the cutoff), in key order.
  const std::vector<CustomerKey>& keys() const;
  // 1 when keys()[i] places no completed order in (cutoff, cutoff + H]: the held-out labels
  // (meaningful only when the store's data reaches cutoff + H).
  std::vector<double> HeldOutLabels() const;

  std::size_t train_rows() const;
  double train_churn_rate() const;
  double sample_fraction() const;
  // Logistic only (else 0 and empty): intercept and weights per standard deviation.
  double intercept() const;
  const std::vector<double>& weights() const;

  ChurnScorer(ChurnScorer&&) noexcept;
  ChurnScorer& operator=(ChurnScorer&&) noexcept;
  ChurnScorer(const ChurnScorer&) = delete;
  ChurnScorer& operator=(const ChurnScorer&) = delete;
  ~ChurnScorer();

 private:
  struct Impl;
  explicit ChurnScorer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Trains on the time split described at the top of this file (ChurnScorer) and evaluates on
// every customer of the held-out period. Errors: InvalidArgument for bad options;
// FailedPrecondition when the store's last order is before cutoff + H (the held-out labels
// would be wrong) or a class is missing from the training rows; errors of the classifier
// (logistic_regression.h, XGBoost: Internal).
Result<ChurnEvaluation> EvaluateChurnClassifier(store::Store& store, const ChurnOptions& options);

// Churn risk P(no completed order in the next H days) as of `options.cutoff` for every customer
// with an order by then: trained on features as of cutoff - H with labels up to cutoff, applied
// to the features as of cutoff. Indexed by CustomerKey::value(); absent for customers without
// an order. Errors as EvaluateChurnClassifier, except that data after the cutoff is not needed.
// ChurnScorer::Train then Score on one store.
Result<std::vector<std::optional<double>>> ScoreChurnRisk(store::Store& store,
                                                          const ChurnOptions& options);

}  // namespace winback::models
