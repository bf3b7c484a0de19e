#pragma once

// The held-out evaluation of the churn classifier: AUC, log-loss, Brier score and calibration.
// The design (time split, training sample, features) is described in churn_classifier.h.

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "models/churn_options.h"
#include "models/classification_metrics.h"
#include "store/scanner.h"

namespace winback::models {

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

// Trains on the time split described at the top of this file (ChurnScorer) and evaluates on
// every customer of the held-out period. Errors: InvalidArgument for bad options;
// FailedPrecondition when the store's last order is before cutoff + H (the held-out labels
// would be wrong) or a class is missing from the training rows; errors of the classifier
// (logistic_regression.h, XGBoost: Internal).
Result<ChurnEvaluation> EvaluateChurnClassifier(store::Scanner& store, const ChurnOptions& options);

}  // namespace winback::models
