#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "analytics/customer_metrics.h"
#include "analytics/inactivity.h"
#include "analytics/lifecycle.h"
#include "analytics/readiness.h"
#include "analytics/rfm.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/records.h"
#include "store/store.h"

namespace winback::analytics {

// Which order value the M of RFM ranks: the mean order value (article 004: "average order
// value", the default) or the total spent.
enum class MonetaryBasis : std::uint8_t { kMean, kTotal };

// Everything `winback score` needs; each part documents its defaults.
struct ScoringConfig {
  InactivityConfig inactivity = DefaultInactivityConfig();
  SegmentMap segments = SegmentMap::Default();
  MonetaryBasis monetary = MonetaryBasis::kMean;
  LifecycleConfig lifecycle;
  ReadinessConfig readiness;
  LetGoConfig let_go;
};

// The first InvalidArgument of the parts' validators.
Status ValidateScoringConfig(const ScoringConfig& config);

// Builds every customer's CustomerScore as of one date. Add() each customer once (any key
// order), then Finish(). Per-customer facts are computed in Add; RFM needs everyone, so the
// quintiles are computed in Finish, over the customers with at least one completed order:
//   R ranks recency (fewer days is better), F ranks frequency (distinct purchase days), M ranks
//   the mean (or total) order value *within the customer's main currency*: customers who pay in
//   TRY are ranked among TRY customers, so no exchange rate is needed. Ties never split (see
//   QuintileScores). Customers without orders get r = f = m = 0, no segment and no group.
// Memory: about 56 bytes per customer until Finish. Not thread-safe.
class ScoreBuilder {
 public:
  // `config` must outlive the builder.
  ScoreBuilder(const ScoringConfig& config, Date as_of);

  void Add(CustomerKey key, const OrderMetrics& orders, const EngagementMetrics& engagement);

  std::size_t size() const { return rows_.size(); }

  // The scores in key order. Leaves the builder empty.
  std::vector<store::CustomerScore> Finish();

 private:
  struct Row {
    std::int64_t key;
    std::int64_t total_minor;
    std::int64_t mean_minor;
    std::int32_t recency;  // kNever: no order.
    std::int32_t tenure;
    std::int64_t frequency;
    std::uint32_t matched_rules;
    std::uint16_t currency;
    std::uint8_t lifecycle;
    std::uint8_t readiness;
    std::uint8_t let_go;
    bool inactive;
  };
  const ScoringConfig& config_;
  Date as_of_;
  std::vector<Row> rows_;
  std::vector<std::string> currencies_;
};

// Scores every customer of `store` as of `as_of`: one pass over the events (kept as ~48 bytes
// of EngagementMetrics per customer), one over the orders, then the quintiles. Customers
// without orders or events are scored too (as prospects). Errors of the store pass through.
Result<std::vector<store::CustomerScore>> ScoreStore(store::Store& store,
                                                     const ScoringConfig& config, Date as_of);

// Counts of one score run, for summaries.
struct ScoreSummary {
  std::int64_t customers = 0;
  std::int64_t buyers = 0;  // at least one completed order
  std::int64_t inactive = 0;
  std::int64_t let_go = 0;
  std::map<std::string, std::int64_t> by_lifecycle;
  std::map<std::string, std::int64_t> by_group;
  std::map<std::string, std::int64_t> by_segment;
};

ScoreSummary SummarizeScores(std::span<const store::CustomerScore> scores);

}  // namespace winback::analytics
