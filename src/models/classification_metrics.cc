#include "models/classification_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace winback::models {

double AreaUnderRoc(std::span<const double> labels, std::span<const double> scores) {
  const std::size_t n = labels.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positives = 0;
  double rank_sum = 0;  // sum of the (1-based, tie-averaged) ranks of the positives
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) {
      if (labels[order[k]] > 0.5) {
        positives += 1;
        rank_sum += mid_rank;
      }
    }
    i = j + 1;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return std::nan("");
  return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

double LogLoss(std::span<const double> labels, std::span<const double> probabilities) {
  if (labels.empty()) return std::nan("");
  double sum = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double p = std::clamp(probabilities[i], 1e-15, 1.0 - 1e-15);
    sum -= labels[i] > 0.5 ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(labels.size());
}

double BrierScore(std::span<const double> labels, std::span<const double> probabilities) {
  if (labels.empty()) return std::nan("");
  double sum = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double d = probabilities[i] - labels[i];
    sum += d * d;
  }
  return sum / static_cast<double>(labels.size());
}

std::vector<CalibrationBin> CalibrationTable(std::span<const double> labels,
                                             std::span<const double> probabilities, int bins) {
  bins = std::max(bins, 1);
  std::vector<CalibrationBin> table(static_cast<std::size_t>(bins));
  std::vector<double> predicted_sum(table.size(), 0.0);
  std::vector<double> positive_sum(table.size(), 0.0);
  for (std::size_t b = 0; b < table.size(); ++b) {
    table[b].lower = static_cast<double>(b) / bins;
    table[b].upper = static_cast<double>(b + 1) / bins;
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double p = std::clamp(probabilities[i], 0.0, 1.0);
    auto b = static_cast<std::size_t>(std::min(p * bins, static_cast<double>(bins - 1)));
    ++table[b].count;
    predicted_sum[b] += p;
    positive_sum[b] += labels[i] > 0.5 ? 1.0 : 0.0;
  }
  for (std::size_t b = 0; b < table.size(); ++b) {
    const auto n = static_cast<double>(table[b].count);
    table[b].mean_predicted = n > 0 ? predicted_sum[b] / n : std::nan("");
    table[b].observed_rate = n > 0 ? positive_sum[b] / n : std::nan("");
  }
  return table;
}

}  // namespace winback::models
