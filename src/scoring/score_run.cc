#include "scoring/score_run.h"

#include <algorithm>
#include <thread>

namespace winback::scoring {

void ModelTotals::Add(const store::CustomerScore& s) {
  if (s.p_alive) {
    ++with_p_alive;
    p_alive_sum += *s.p_alive;
  }
  expected_purchases_sum += s.expected_purchases_90d.value_or(0);
  if (s.clv_12m_minor) {
    ++with_value;
    clv_sum_minor += *s.clv_12m_minor;
  }
  if (s.churn_risk) {
    ++with_churn;
    churn_sum += *s.churn_risk;
  }
}

int ScoreReaderCount() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

Result<ScoreRun> ScoreAndSave(std::span<store::Store* const> readers,
                              const analytics::ScoringConfig& config, Date as_of,
                              const std::optional<ScoreModelOptions>& models) {
  // The config usually comes from a loader that checked it; a library entry point checks again
  // before anything is computed or written.
  WINBACK_RETURN_IF_ERROR(analytics::ValidateScoringConfig(config));
  WINBACK_ASSIGN_OR_RETURN(analytics::BuiltScores built,
                           analytics::BuildScores(store::AsScanners(readers), config, as_of));
  ScoreRun run;
  run.source = built.source;
  if (models) {
    WINBACK_ASSIGN_OR_RETURN(ScoreModels m, ScoreModels::Compute(readers, as_of, *models));
    run.models = std::move(m);
  }
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::ScoreWriter> writer,
                           readers[0]->BeginScores(as_of));
  WINBACK_ASSIGN_OR_RETURN(run.summary,
                           built.builder.Finish([&](store::CustomerScore& s) -> Status {
                             if (run.models) run.models->Fill(s);
                             run.totals.Add(s);
                             return writer->Add(s);
                           }));
  WINBACK_RETURN_IF_ERROR(writer->Commit().status());
  return run;
}

}  // namespace winback::scoring
