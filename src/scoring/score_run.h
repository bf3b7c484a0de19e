#pragma once

// The daily scoring job: score every customer as of a date (analytics::BuildScores), compute
// the model columns (ScoreModels), and stream the scores into the store under the date.
// `winback score` and `winback demo` run this one function, so the demo's saved scores are what
// the command would save.

#include <cstdint>
#include <optional>
#include <span>

#include "analytics/scorer.h"
#include "core/status.h"
#include "core/time.h"
#include "scoring/score_models.h"
#include "store/store.h"

namespace winback::scoring {

// Totals of the model columns over the written scores, summed in key order (so they do not
// depend on the number of readers).
struct ModelTotals {
  std::int64_t with_p_alive = 0;
  double p_alive_sum = 0;
  double expected_purchases_sum = 0;
  std::int64_t with_value = 0;
  double clv_sum_minor = 0;
  std::int64_t with_churn = 0;
  double churn_sum = 0;

  // Counts `s`'s model fields (absent ones are skipped).
  void Add(const store::CustomerScore& s);
};

struct ScoreRun {
  analytics::ScoreSummary summary;
  analytics::ScoreSource source = analytics::ScoreSource::kAuto;  // what was read
  std::optional<ScoreModels> models;                              // absent when not asked for
  ModelTotals totals;
};

// The readers a scoring job should be given: one per core, at most four.
int ScoreReaderCount();

// Scores as of `as_of` with `config` and, unless `models` is empty, the model columns, and
// saves them (replacing an earlier run of the same date) through readers[0]. `readers` are
// one or more stores open on the same database (analytics::BuildScores). The model notes
// (why a model produced nothing) are in run.models->notes(). Errors: InvalidArgument for a
// config that analytics::ValidateScoringConfig rejects; ScoreModels::Compute's and the store's.
// Nothing is saved then.
Result<ScoreRun> ScoreAndSave(std::span<store::Store* const> readers,
                              const analytics::ScoringConfig& config, Date as_of,
                              const std::optional<ScoreModelOptions>& models);

}  // namespace winback::scoring
