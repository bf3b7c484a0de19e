#pragma once

// Metrics of a probabilistic binary classifier on held-out data: AUC, log-loss, Brier score and a
// calibration table. Labels are 0 or 1; probabilities in [0, 1].

#include <cstdint>
#include <span>
#include <vector>

namespace winback::models {

// Area under the ROC curve: the probability that a random positive scores above a random
// negative (ties count one half), by ranks (Mann-Whitney U). NaN when either class is empty.
// O(n log n). Requires labels.size() == scores.size().
double AreaUnderRoc(std::span<const double> labels, std::span<const double> scores);

// Mean negative log-likelihood -mean(y ln p + (1-y) ln(1-p)), with p clipped to
// [1e-15, 1 - 1e-15]. NaN for empty input.
double LogLoss(std::span<const double> labels, std::span<const double> probabilities);

// Mean squared error of the probabilities. NaN for empty input.
double BrierScore(std::span<const double> labels, std::span<const double> probabilities);

// One row of a calibration table: the customers whose predicted probability falls in
// [lower, upper), their mean prediction and the observed share of positives.
struct CalibrationBin {
  double lower = 0;
  double upper = 0;
  std::int64_t count = 0;
  double mean_predicted = 0;
  double observed_rate = 0;  // NaN when count = 0
};

// `bins` equal-width bins over [0, 1] (the last one includes 1). bins >= 1.
std::vector<CalibrationBin> CalibrationTable(std::span<const double> labels,
                                             std::span<const double> probabilities, int bins);

}  // namespace winback::models
