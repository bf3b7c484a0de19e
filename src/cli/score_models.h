#pragma once

// The model columns of `winback score`: P(alive), expected purchases in 90 days, expected value
// of a purchase and 12-month CLV from models::ComputeCustomerValues (BG/NBD + Gamma-Gamma
// fitted on the store as of the score date), and churn risk from models::ScoreChurnRisk (a
// classifier trained on the store's own history up to the score date).

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "models/bgnbd.h"
#include "models/churn_classifier.h"
#include "models/gamma_gamma.h"
#include "store/records.h"
#include "store/store.h"

namespace winback::cli {

// Defaults: both models; churn = no completed order in the next 90 days (the horizon of the
// expected purchases), L2-regularised logistic regression (XGBoost is slower and on the
// simulator no better).
struct ScoreModelOptions {
  bool btyd = true;   // P(alive), expected purchases, expected value, CLV
  bool churn = true;  // churn risk
  models::ChurnModelKind churn_model = models::ChurnModelKind::kLogistic;
  int churn_horizon_days = 90;
};

// Per-customer predictions by customer key, plus what was fitted and why anything is missing.
class ScoreModels {
 public:
  // Copies the customer's predictions into the model fields of `score` (clearing those it
  // has none for).
  void Fill(store::CustomerScore& score) const;

  // Why a model produced nothing (too few customers, one class only, ...); empty when all
  // that was asked for was fitted. One line each, for stderr.
  const std::vector<std::string>& notes() const { return notes_; }

  // What was fitted (absent when not asked for or when the fit failed).
  const std::optional<models::BgNbdParams>& bgnbd() const { return bgnbd_; }
  const std::optional<models::GammaGammaParams>& gamma_gamma() const { return gamma_gamma_; }
  const std::string& spend_currency() const { return spend_currency_; }
  bool churn_fitted() const { return churn_fitted_; }
  double seconds() const { return seconds_; }

  // Computes the models asked for in `options` as of `as_of`. With two or more `stores` (open
  // on the same database) and both models: one pass over the orders serves the churn
  // classifier and the purchase/spend models while another store reads the classifier's
  // training sample; then the purchase/spend models are fitted (no store) while the churn
  // scoring splits its events scan over all the stores. A model that cannot be fitted on this data
  // is not an error: its fields stay empty and notes() says why. Errors: Unavailable from the
  // store.
  static Result<ScoreModels> Compute(std::span<store::Store* const> stores, Date as_of,
                                     const ScoreModelOptions& options);

 private:
  enum Column : std::size_t { kPAlive, kExpectedPurchases, kExpectedValue, kClv, kChurn };
  static constexpr std::size_t kColumns = 5;
  // values_[key * kColumns + column]; NaN = absent.
  std::vector<double> values_;
  std::vector<std::string> notes_;
  std::optional<models::BgNbdParams> bgnbd_;
  std::optional<models::GammaGammaParams> gamma_gamma_;
  std::string spend_currency_;
  bool churn_fitted_ = false;
  double seconds_ = 0;
};

}  // namespace winback::cli
