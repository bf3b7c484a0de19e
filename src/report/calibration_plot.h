#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "models/summary.h"
#include "models/transaction_model.h"

namespace winback::report {

// One point of the classic BTYD calibration plot (Fader, Hardie & Lee 2005, figure 4): the
// customers who made `frequency` repeat purchases in the calibration period, and their mean
// number of purchases in the holdout period, observed and predicted by the model.
struct CalibrationBucket {
  int frequency = 0;        // x in calibration; with open_ended, x >= frequency
  bool open_ended = false;  // the last bucket, "7+"
  std::int64_t customers = 0;
  double actual_mean = 0;     // mean observed holdout purchases (0 when customers = 0)
  double predicted_mean = 0;  // mean E[Y(holdout_length) | x, t_x, T] (0 when customers = 0)
};

// Groups the customers of `calibration` by x = 0, 1, ..., max_frequency - 1 and x >=
// max_frequency (always max_frequency + 1 buckets, empty ones included, in that order) and
// averages their observed holdout purchases (`holdout_frequency`, one per row) and the model's
// conditional expectation over `holdout_length` (in the unit of the summary).
// Errors: InvalidArgument when holdout_frequency has another length than the table, when
// holdout_length is not positive and finite, or max_frequency < 1.
Result<std::vector<CalibrationBucket>> CalibrationBuckets(const models::SummaryTable& calibration,
                                                          std::span<const double> holdout_frequency,
                                                          const models::TransactionModel& model,
                                                          double holdout_length,
                                                          int max_frequency = 7);

// The holdout period of the report's calibration plot, in days, when the caller gives none: 26
// weeks, as the literature's half-year holdouts, or a third of the history when that is shorter
// (so the model is fitted on at least two thirds of it), in whole weeks. `history_days` is the
// span from the first order to as_of. 0 when the history is shorter than three weeks: no plot.
std::int32_t DefaultHoldoutDays(std::int32_t history_days);

}  // namespace winback::report
