#pragma once

// The state of a ChurnScorer, shared by its training (churn_training.cc) and its scoring
// (churn_scorer.cc).

#include <cstddef>
#include <optional>
#include <vector>

#include "core/ids.h"
#include "models/bgnbd.h"
#include "models/churn_scorer.h"
#include "models/internal/boosted_trees.h"
#include "models/internal/churn_features.h"
#include "models/logistic_regression.h"

namespace winback::models {

namespace internal {

// What Score keeps of a customer as of the cutoff besides the key: 40 bytes of order facts,
// and the two BTYD features.
struct ScoreRow {
  OrderFacts facts;
  double p_alive = 1;
  double log_expected = 0;
};

}  // namespace internal

struct ChurnScorer::Impl {
  ChurnOptions options;
  std::vector<CustomerKey> keys;
  std::vector<internal::ScoreRow> rows;
  std::size_t train_rows = 0;
  double train_churn_rate = 0;
  double sample_fraction = 1;
  std::optional<BgNbdModel> train_model;  // BG/NBD as of cutoff - H, when it could be fitted
  std::optional<LogisticRegression> logistic;
  std::optional<internal::BoostedTrees> trees;
  double intercept = 0;
  std::vector<double> weights;
};

}  // namespace winback::models
