#pragma once

// The model columns of a score run: P(alive), expected purchases in 90 days, expected value of a
// purchase and 12-month CLV from models::ComputeCustomerValues (BG/NBD + Gamma-Gamma fitted as
// of the score date), and churn risk from models::ChurnScorer (a classifier trained on the
// store's own history up to the score date). `winback score`, `winback demo` and `winback
// report` take their model numbers from here, so they agree.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "models/bgnbd.h"
#include "models/churn_classifier.h"
#include "models/customer_values.h"
#include "models/gamma_gamma.h"
#include "models/store_summary.h"
#include "store/records.h"
#include "store/store.h"

namespace winback::scoring {

// Defaults: both models; churn = no completed order in the next 90 days (the horizon of the
// expected purchases), L2-regularised logistic regression (XGBoost is slower and on the
// simulator no better).
struct ScoreModelOptions {
  bool btyd = true;   // P(alive), expected purchases, expected value, CLV
  bool churn = true;  // churn risk
  models::ChurnModelKind churn_model = models::ChurnModelKind::kLogistic;
  int churn_horizon_days = 90;
  // Fitting threads; 0: every core (one per model while Compute runs the two models side by
  // side). The results do not depend on it.
  int threads = 0;
};

// Per-customer predictions by customer key, plus what was fitted and why anything is missing.
// The error policy of every score run: a model that cannot be fitted on this data (too few
// customers, no repeat purchase, one class only, a degenerate fit) is not an error; its fields
// stay empty and notes() says why. Only a store that cannot be read (Unavailable) fails.
// Value type; not synchronised.
class ScoreModels {
 public:
  // Copies the customer's predictions into the model fields of `score` (clearing those it
  // has none for).
  void Fill(store::CustomerScore& score) const;

  // Why a model produced nothing (too few customers, one class only, ...); empty when all
  // that was asked for was fitted. One line each, for stderr.
  const std::vector<std::string>& notes() const { return notes_; }

  // Why BG/NBD + Gamma-Gamma gave no values: OK when they were fitted or not asked for.
  const Status& btyd_status() const { return btyd_status_; }

  // What was fitted (absent when not asked for or when the fit failed). BG/NBD is in weeks.
  const std::optional<models::BgNbdParams>& bgnbd() const { return bgnbd_; }
  double bgnbd_log_likelihood() const { return bgnbd_log_likelihood_; }
  const std::optional<models::GammaGammaParams>& gamma_gamma() const { return gamma_gamma_; }
  // The currency of expected value and CLV (the most common main currency of the buyers).
  const std::string& spend_currency() const { return spend_currency_; }
  bool churn_fitted() const { return churn_fitted_; }
  double seconds() const { return seconds_; }

  // Computes the models asked for in `options` as of `as_of` from the store. With two or more
  // `stores` (open on the same database) and both models: one pass over the orders serves the
  // churn classifier and the purchase/spend models while another store reads the classifier's
  // training sample; then the purchase/spend models are fitted (no store) while the churn
  // scoring splits its events scan over all the stores. The values do not depend on the
  // number of stores. Errors: Unavailable from the store (see the class comment).
  static Result<ScoreModels> Compute(std::span<store::Store* const> stores, Date as_of,
                                     const ScoreModelOptions& options);

  // The purchase and spend models alone (options.btyd and options.churn are ignored), fitted on
  // the orders a caller has already read into `histories` (whose last_day() must be `as_of`):
  // the same numbers Compute gives from a store holding those orders, without reading it again
  // (`winback report`). Touches no store; errors as Compute.
  static Result<ScoreModels> ComputeValues(const models::PurchaseHistories& histories, Date as_of,
                                           const ScoreModelOptions& options);

 private:
  enum Column : std::size_t { kPAlive, kExpectedPurchases, kExpectedValue, kClv, kChurn };
  static constexpr std::size_t kColumns = 5;

  // Sizes values_ for `keys` customer keys (every cell absent).
  void Allocate(std::size_t keys);
  // Takes the values of the purchase/spend models, or records why there are none.
  Status SetValues(Result<models::CustomerValueTable> values);

  // values_[key * kColumns + column]; NaN = absent.
  std::vector<double> values_;
  std::vector<std::string> notes_;
  Status btyd_status_;
  std::optional<models::BgNbdParams> bgnbd_;
  double bgnbd_log_likelihood_ = 0;
  std::optional<models::GammaGammaParams> gamma_gamma_;
  std::string spend_currency_;
  bool churn_fitted_ = false;
  double seconds_ = 0;
};

}  // namespace winback::scoring
