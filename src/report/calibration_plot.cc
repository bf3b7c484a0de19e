#include "report/calibration_plot.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace winback::report {

Result<std::vector<CalibrationBucket>> CalibrationBuckets(const models::SummaryTable& calibration,
                                                          std::span<const double> holdout_frequency,
                                                          const models::TransactionModel& model,
                                                          double holdout_length,
                                                          int max_frequency) {
  if (holdout_frequency.size() != calibration.size()) {
    return InvalidArgumentError("calibration plot: " + std::to_string(holdout_frequency.size()) +
                                " holdout counts for " + std::to_string(calibration.size()) +
                                " customers");
  }
  if (!(holdout_length > 0) || !std::isfinite(holdout_length)) {
    return InvalidArgumentError("calibration plot: holdout length " +
                                std::to_string(holdout_length) + " is not positive");
  }
  if (max_frequency < 1) {
    return InvalidArgumentError("calibration plot: max_frequency " + std::to_string(max_frequency) +
                                " is below 1");
  }
  const auto n_buckets = static_cast<std::size_t>(max_frequency) + 1;
  std::vector<CalibrationBucket> buckets(n_buckets);
  std::vector<double> actual(n_buckets, 0), predicted(n_buckets, 0);
  for (std::size_t b = 0; b < n_buckets; ++b) {
    buckets[b].frequency = static_cast<int>(b);
    buckets[b].open_ended = b + 1 == n_buckets;
  }
  for (std::size_t i = 0; i < calibration.size(); ++i) {
    const double x = calibration.frequency[i];
    const auto b = static_cast<std::size_t>(std::clamp(x, 0.0, static_cast<double>(max_frequency)));
    ++buckets[b].customers;
    actual[b] += holdout_frequency[i];
    predicted[b] += model.ConditionalExpectedPurchases(calibration.rfm(i), holdout_length);
  }
  for (std::size_t b = 0; b < n_buckets; ++b) {
    if (buckets[b].customers == 0) continue;
    const auto n = static_cast<double>(buckets[b].customers);
    buckets[b].actual_mean = actual[b] / n;
    buckets[b].predicted_mean = predicted[b] / n;
  }
  return buckets;
}

std::int32_t DefaultHoldoutDays(std::int32_t history_days) {
  constexpr std::int32_t kLiteratureWeeks = 26;
  const std::int32_t weeks = std::min(kLiteratureWeeks, history_days / 21);
  return weeks >= 1 ? weeks * 7 : 0;
}

}  // namespace winback::report
