#pragma once

// The churn classifier trained on a time split and scoring every customer, streamed.
// The design (time split, training sample, features) is described in churn_classifier.h.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "models/churn_dataset.h"
#include "models/churn_options.h"
#include "models/store_summary.h"
#include "models/summary.h"
#include "store/scanner.h"

namespace winback::models {

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
  static Result<ChurnScorer> Train(store::Scanner& store, const ChurnOptions& options);

  // Train in three steps, so that the sample can be read on another store (another thread)
  // while Prepare reads every customer's orders and fits BG/NBD; Train = Prepare,
  // ReadTrainingSample, Fit. ReadTrainingSample reads only the sampled key blocks (orders and
  // events). Fit errors: InvalidArgument when the sample was read with other options or holds
  // no customer; FailedPrecondition for one class only; classifier errors.
  // With `summary` (not null), Prepare also fills it, in the same pass over the orders, with
  // what SummarizeStore(store, {calibration_end = cutoff, days_per_unit =
  // summary_days_per_unit, with_ids = false}) returns (for ComputeCustomerValues); it is
  // complete whenever Prepare succeeds.
  static Result<ChurnScorer> Prepare(store::Scanner& store, const ChurnOptions& options,
                                     StoreSummary* summary = nullptr,
                                     double summary_days_per_unit = 7.0);
  static Result<ChurnTrainingSample> ReadTrainingSample(store::Scanner& store,
                                                        const ChurnOptions& options);
  Status Fit(ChurnTrainingSample sample);

  // P(churn) of keys()[i] for every i, as of the cutoff. The events scan is split into key
  // ranges over `stores` (one thread each; all open on the same database, none used by
  // another thread during the call; XGBoost scores on stores[0] alone). The result does not
  // depend on the number of stores. Errors: InvalidArgument when `stores` is empty; store
  // errors; XGBoost errors (Internal); FailedPrecondition before Fit.
  Result<std::vector<double>> Score(std::span<store::Scanner* const> stores) const;

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

// Churn risk P(no completed order in the next H days) as of `options.cutoff` for every customer
// with an order by then: trained on features as of cutoff - H with labels up to cutoff, applied
// to the features as of cutoff. Indexed by CustomerKey::value(); absent for customers without
// an order. Errors as EvaluateChurnClassifier, except that data after the cutoff is not needed.
// ChurnScorer::Train then Score on one store.
Result<std::vector<std::optional<double>>> ScoreChurnRisk(store::Scanner& store,
                                                          const ChurnOptions& options);

}  // namespace winback::models
