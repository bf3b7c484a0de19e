#pragma once

// The options of the churn classifier (churn_classifier.h) and its model kinds.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace winback::models {

enum class ChurnModelKind : std::uint8_t { kLogistic, kXgboost };
std::string_view ChurnModelName(ChurnModelKind kind);  // "logistic", "xgboost"
std::optional<ChurnModelKind> ParseChurnModelKind(std::string_view name);

// Whether the two BG/NBD columns (btyd_p_alive, btyd_log_expected_purchases) are computed from a
// BG/NBD fit, or left at P(alive) = 1 and 0 (kExclude: faster, and no fit that can fail).
enum class BtydFeatures : std::uint8_t { kInclude, kExclude };

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
  BtydFeatures btyd_features = BtydFeatures::kInclude;
  // Training rows: about this many customers at most (a deterministic sample, see the top of
  // this file). >= 1.
  std::size_t max_training_rows = 100'000;
};

// InvalidArgument for horizon_days < 1, calibration_bins < 1 or max_training_rows < 1.
Status ValidateChurnOptions(const ChurnOptions& options);

}  // namespace winback::models
