#pragma once

// L2-regularised logistic regression, fitted by Newton's method (iteratively reweighted least
// squares) with Eigen.

#include <cstddef>
#include <span>
#include <vector>

#include "core/status.h"

namespace winback::models {

struct LogisticOptions {
  // Penalty lambda of  sum_i logloss_i + lambda/2 |w|^2  on the weights of the STANDARDISED
  // features (the intercept is not penalised).
  double l2 = 1.0;
  int max_iterations = 100;
  double tolerance = 1e-9;  // stop when the Newton decrement per row falls below this
};

// A fitted model: P(y = 1 | x) = 1 / (1 + exp(-(b + w . (x - mean) / scale))). Value type.
class LogisticRegression {
 public:
  // Fits on `features` (row-major, rows x cols) and labels in {0, 1}. Columns are standardised
  // with their mean and standard deviation (constant columns get scale 1). Errors:
  // InvalidArgument for empty or mismatched input, non-finite values, labels other than 0/1,
  // l2 < 0; FailedPrecondition when Newton's method does not converge.
  static Result<LogisticRegression> Fit(std::span<const double> features, std::size_t cols,
                                        std::span<const double> labels,
                                        const LogisticOptions& options = {});

  // P(y = 1) for every row of `features` (row-major, cols() columns).
  std::vector<double> PredictProbability(std::span<const double> features) const;

  // P(y = 1) for one row of cols() features; the same number PredictProbability gives for that
  // row. Thread-safe (const, no state).
  double PredictRow(std::span<const double> row) const;

  std::size_t cols() const { return weights_.size(); }
  double intercept() const { return intercept_; }
  // Weights of the standardised features: comparable importance per standard deviation.
  const std::vector<double>& weights() const { return weights_; }
  int iterations() const { return iterations_; }

 private:
  LogisticRegression() = default;
  std::vector<double> mean_;
  std::vector<double> scale_;
  std::vector<double> weights_;
  double intercept_ = 0;
  int iterations_ = 0;
};

}  // namespace winback::models
