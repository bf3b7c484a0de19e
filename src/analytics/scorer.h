#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
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
#include "store/scanner.h"

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

// Receives each customer's score from ScoreBuilder::Finish, in key order. It may complete the
// score (e.g. with model predictions) before storing it; the object is reused for the next
// customer, so it is valid only during the call. An error stops Finish.
using ScoreSink = std::function<Status(store::CustomerScore&)>;

// Builds every customer's CustomerScore as of one date. Add() each customer once (any key
// order), then Finish(). Per-customer facts are computed in Add; RFM needs everyone, so the
// quintiles are computed in Finish, over the customers with at least one completed order:
//   R ranks recency (fewer days is better), F ranks frequency (distinct purchase days), M ranks
//   the mean (or total) order value *within the customer's main currency*: customers who pay in
//   TRY are ranked among TRY customers, so no exchange rate is needed. Ties never split (see
//   QuintileScores). Customers without orders get r = f = m = 0, no segment and no group.
// Memory: 56 bytes per customer until Finish, which adds about 17 bytes per buyer while it
// ranks and then hands the scores out one at a time. Not thread-safe: build one per thread and
// Merge them.
class ScoreBuilder {
 public:
  // `config` must outlive the builder.
  ScoreBuilder(const ScoringConfig& config, Date as_of);

  // Adds one customer and returns the lifecycle state it was given.
  Lifecycle Add(CustomerKey key, const OrderMetrics& orders, const EngagementMetrics& engagement);

  // For a customer added with last_return_day unknown (kNever) and given kActive: the
  // lifecycle once their last return day is known. `index` is the customer's position in
  // add order (size() - 1 right after the Add); `last_return_day` as ComputeOrderMetrics.
  void SetLastReturnDay(std::size_t index, std::int32_t last_return_day);

  // Moves the customers of `other` (same config and date) into this builder.
  void Merge(ScoreBuilder&& other);

  std::size_t size() const { return rows_.size(); }
  Date as_of() const { return as_of_; }

  // Ranks and hands every score to `sink` in key order; returns the run's counts. Leaves the
  // builder empty. Errors of the sink pass through.
  Result<ScoreSummary> Finish(const ScoreSink& sink);

  // The scores in key order, all in memory (small stores, tests). Leaves the builder empty.
  std::vector<store::CustomerScore> Finish();

 private:
  struct Row {
    std::int64_t key;
    std::int64_t total_minor;
    std::int64_t mean_minor;
    std::int64_t frequency;
    std::int32_t recency;  // kNever: no order.
    std::int32_t tenure;
    std::uint32_t matched_rules;
    std::uint16_t currency;
    std::uint8_t lifecycle;
    std::uint8_t readiness;
    std::uint8_t let_go;
    bool inactive;
    std::uint8_t r, f, m;  // filled by Finish
  };
  void Rank();

  const ScoringConfig* config_;
  Date as_of_;
  std::vector<Row> rows_;
  std::vector<std::string> currencies_;
};

// Where BuildScores reads a customer's facts.
enum class ScoreSource : std::uint8_t {
  // The aggregates when they are current as of the date for every customer (the date is on
  // or after everyone's latest order and event, e.g. scoring "today"), else the streams.
  kAuto,
  // One aggregate row per customer, plus the completed orders of the last
  // reactivated_days + reactivation_gap_days days of the customers whose lifecycle depends on
  // a return. FailedPrecondition when some customer has an order or event after the date.
  kAggregates,
  // Every order and event, filtered by the date: works for any date.
  kStreams,
};
std::string_view ScoreSourceName(ScoreSource source);  // "auto", "aggregates", "streams"

// Sees the rows a score run reads from the order and event streams, so that a caller who needs
// the same rows (the report: rates, cohorts, exit reasons, model summaries) does not read them
// again. `part` is the index of the reader, and of its key range, in `readers`; each part is
// called on its reader's thread, with all the events of its range and then all its orders, one
// customer at a time in increasing key order (customers without rows are skipped). The spans
// are valid only during the call. An error stops the run and is returned. Empty functions are
// not called. Nothing is called when the scores come from the aggregates.
struct StreamObserver {
  std::function<Status(std::size_t part, CustomerKey, std::span<const store::OrderPoint>)> orders;
  std::function<Status(std::size_t part, CustomerKey, std::span<const store::EventPoint>)> events;
};

// A filled builder and where its facts came from.
struct BuiltScores {
  ScoreBuilder builder;
  ScoreSource source;  // kAggregates or kStreams
};

// Scores every customer of the store as of `as_of` (customers without orders or events too, as
// prospects) into a builder; Finish it to get the scores. Both sources give identical scores.
// `readers` are one or more Stores open on the same database: the customer keys are split
// into that many ranges, each read on its own thread (readers[0] on the calling one), and the
// builders merged. Each reader reads its own snapshot, so a run concurrent with an import may
// see it in some ranges only. `observer`, when given, sees what the streams read (above).
// Errors of the store and of the observer pass through.
Result<BuiltScores> BuildScores(std::span<store::Scanner* const> readers,
                                const ScoringConfig& config, Date as_of,
                                ScoreSource source = ScoreSource::kAuto,
                                const StreamObserver* observer = nullptr);

// BuildScores on one store and Finish() into a vector (small stores, tests, reports).
Result<std::vector<store::CustomerScore>> ScoreStore(store::Scanner& store,
                                                     const ScoringConfig& config, Date as_of);

ScoreSummary SummarizeScores(std::span<const store::CustomerScore> scores);

}  // namespace winback::analytics
