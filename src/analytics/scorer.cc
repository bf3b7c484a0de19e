#include "analytics/scorer.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <optional>
#include <unordered_map>

#include "core/check.h"
#include "core/parallel.h"

namespace winback::analytics {

Status ValidateScoringConfig(const ScoringConfig& config) {
  WINBACK_RETURN_IF_ERROR(ValidateInactivityConfig(config.inactivity));
  WINBACK_RETURN_IF_ERROR(ValidateLifecycleConfig(config.lifecycle));
  WINBACK_RETURN_IF_ERROR(ValidateReadinessConfig(config.readiness));
  WINBACK_RETURN_IF_ERROR(ValidateLetGoConfig(config.let_go));
  return Status::Ok();
}

ScoreBuilder::ScoreBuilder(const ScoringConfig& config, Date as_of)
    : config_(&config), as_of_(as_of) {}

Lifecycle ScoreBuilder::Add(CustomerKey key, const OrderMetrics& orders,
                            const EngagementMetrics& engagement) {
  Row row{};
  row.key = key.value();
  const InactivityResult inactivity =
      EvaluateInactivity(config_->inactivity, orders, engagement, as_of_);
  row.matched_rules = inactivity.matched;
  row.inactive = inactivity.inactive;
  const Lifecycle lifecycle =
      ClassifyLifecycle(config_->lifecycle, orders, inactivity.inactive, as_of_);
  row.lifecycle = static_cast<std::uint8_t>(lifecycle);
  row.readiness = ScoreReadiness(config_->readiness, engagement).reasons;
  row.let_go = EvaluateLetGo(config_->let_go, orders, engagement);
  row.recency = kNever;
  if (orders.has_order()) {
    row.recency = as_of_.days() - orders.last_order_day;
    row.tenure = as_of_.days() - orders.first_order_day;
    row.frequency = orders.frequency;
    row.total_minor = orders.total_minor;
    row.mean_minor = orders.mean_minor;
    auto it = std::find(currencies_.begin(), currencies_.end(), orders.currency);
    if (it == currencies_.end()) {
      currencies_.push_back(orders.currency);
      it = currencies_.end() - 1;
    }
    row.currency = static_cast<std::uint16_t>(it - currencies_.begin());
  }
  rows_.push_back(row);
  return lifecycle;
}

void ScoreBuilder::SetLastReturnDay(std::size_t index, std::int32_t last_return_day) {
  WINBACK_CHECK(index < rows_.size());
  Row& row = rows_[index];
  WINBACK_CHECK(row.lifecycle == static_cast<std::uint8_t>(Lifecycle::kActive));
  if (last_return_day != kNever &&
      as_of_.days() - last_return_day < config_->lifecycle.reactivated_days) {
    row.lifecycle = static_cast<std::uint8_t>(Lifecycle::kReactivated);
  }
}

void ScoreBuilder::Merge(ScoreBuilder&& other) {
  WINBACK_CHECK(other.as_of_ == as_of_);
  std::vector<std::uint16_t> remap(other.currencies_.size());
  for (std::size_t c = 0; c < other.currencies_.size(); ++c) {
    auto it = std::find(currencies_.begin(), currencies_.end(), other.currencies_[c]);
    if (it == currencies_.end()) {
      currencies_.push_back(other.currencies_[c]);
      it = currencies_.end() - 1;
    }
    remap[c] = static_cast<std::uint16_t>(it - currencies_.begin());
  }
  rows_.reserve(rows_.size() + other.rows_.size());
  for (Row row : other.rows_) {
    if (row.recency != kNever) row.currency = remap[row.currency];
    rows_.push_back(row);
  }
  other.rows_.clear();
  other.rows_.shrink_to_fit();
}

void ScoreBuilder::Rank() {
  if (!std::is_sorted(rows_.begin(), rows_.end(),
                      [](const Row& a, const Row& b) { return a.key < b.key; })) {
    std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return a.key < b.key; });
  }
  // One value vector at a time, so ranking costs ~17 bytes per buyer on top of the rows.
  std::vector<std::int64_t> values;
  auto rank = [&](auto value_of, Better better, auto set, auto include) {
    values.clear();
    for (const Row& row : rows_) {
      if (include(row)) values.push_back(value_of(row));
    }
    const std::vector<std::uint8_t> scores = QuintileScores(values, better);
    std::size_t j = 0;
    for (Row& row : rows_) {
      if (include(row)) set(row, scores[j++]);
    }
  };
  auto buyer = [](const Row& row) { return row.recency != kNever; };
  rank([](const Row& row) { return std::int64_t{row.recency}; }, Better::kLower,
       [](Row& row, std::uint8_t s) { row.r = s; }, buyer);
  rank([](const Row& row) { return row.frequency; }, Better::kHigher,
       [](Row& row, std::uint8_t s) { row.f = s; }, buyer);
  const bool mean = config_->monetary == MonetaryBasis::kMean;
  for (std::size_t c = 0; c < currencies_.size(); ++c) {
    rank([mean](const Row& row) { return mean ? row.mean_minor : row.total_minor; },
         Better::kHigher, [](Row& row, std::uint8_t s) { row.m = s; },
         [c](const Row& row) { return row.recency != kNever && row.currency == c; });
  }
  values.clear();
  values.shrink_to_fit();
}

Result<ScoreSummary> ScoreBuilder::Finish(const ScoreSink& sink) {
  Rank();
  const ScoringConfig& config = *config_;
  // Names by code, built once: the scores reuse their strings' capacity, so handing out a
  // million scores allocates nothing per customer.
  const ReadinessConfig& w = config.readiness;
  const double total_weight =
      w.referred_others + w.never_complained + w.issues_resolved + w.left_over_price;
  std::array<double, 16> readiness_score{};
  std::array<std::string, 16> readiness_names, let_go_names;
  for (std::uint8_t bits = 0; bits < 16; ++bits) {
    double met = 0;
    if (bits & kReferredOthers) met += w.referred_others;
    if (bits & kNeverComplained) met += w.never_complained;
    if (bits & kIssuesResolved) met += w.issues_resolved;
    if (bits & kLeftOverPrice) met += w.left_over_price;
    readiness_score[bits] = total_weight > 0 ? met / total_weight : 0;
    readiness_names[bits] = ReadinessReasonNames(bits);
    let_go_names[bits] = LetGoReasonNames(bits);
  }
  std::unordered_map<std::uint32_t, std::string> rule_names;
  const std::vector<SegmentRule>& rules = config.segments.rules();

  std::array<std::int64_t, kLifecycleCount> by_lifecycle{};
  std::array<std::int64_t, kGroupCount> by_group{};
  std::vector<std::int64_t> by_segment(rules.size(), 0);
  ScoreSummary summary;
  store::CustomerScore s;
  for (const Row& row : rows_) {
    s.key = CustomerKey(row.key);
    s.lifecycle = LifecycleName(static_cast<Lifecycle>(row.lifecycle));
    s.inactive = row.inactive;
    auto names = rule_names.find(row.matched_rules);
    if (names == rule_names.end()) {
      names =
          rule_names
              .emplace(row.matched_rules, MatchedRuleNames(config.inactivity, row.matched_rules))
              .first;
    }
    s.inactive_rules = names->second;
    s.readiness = readiness_score[row.readiness & 15u];
    s.readiness_reasons = readiness_names[row.readiness & 15u];
    s.let_go = let_go_names[row.let_go & 15u];
    s.p_alive.reset();
    s.expected_purchases_90d.reset();
    s.expected_value_minor.reset();
    s.clv_12m_minor.reset();
    s.churn_risk.reset();
    ++summary.customers;
    ++by_lifecycle[row.lifecycle];
    if (row.inactive) ++summary.inactive;
    if (row.let_go != 0) ++summary.let_go;
    if (row.recency == kNever) {
      s.recency_days.reset();
      s.tenure_days.reset();
      s.frequency = 0;
      s.monetary_total_minor = 0;
      s.monetary_mean_minor = 0;
      s.currency.clear();
      s.r = s.f = s.m = 0;
      s.segment.clear();
      s.group.clear();
    } else {
      ++summary.buyers;
      s.recency_days = row.recency;
      s.tenure_days = row.tenure;
      s.frequency = row.frequency;
      s.monetary_total_minor = row.total_minor;
      s.monetary_mean_minor = row.mean_minor;
      s.currency = currencies_[row.currency];
      s.r = row.r;
      s.f = row.f;
      s.m = row.m;
      const std::size_t rule = config.segments.LookupIndex(s.r, s.f, s.m);
      s.segment = rules[rule].name;
      s.group = GroupName(rules[rule].group);
      ++by_segment[rule];
      ++by_group[static_cast<std::size_t>(rules[rule].group)];
    }
    WINBACK_RETURN_IF_ERROR(sink(s));
  }
  rows_.clear();
  rows_.shrink_to_fit();
  for (int i = 0; i < kLifecycleCount; ++i) {
    if (by_lifecycle[static_cast<std::size_t>(i)] > 0) {
      summary.by_lifecycle[std::string(LifecycleName(static_cast<Lifecycle>(i)))] =
          by_lifecycle[static_cast<std::size_t>(i)];
    }
  }
  for (int g = 0; g < kGroupCount; ++g) {
    if (by_group[static_cast<std::size_t>(g)] > 0) {
      summary.by_group[std::string(GroupName(static_cast<Group>(g)))] =
          by_group[static_cast<std::size_t>(g)];
    }
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (by_segment[i] > 0) summary.by_segment[rules[i].name] = by_segment[i];
  }
  return summary;
}

std::vector<store::CustomerScore> ScoreBuilder::Finish() {
  std::vector<store::CustomerScore> out;
  out.reserve(rows_.size());
  const Result<ScoreSummary> done = Finish([&out](store::CustomerScore& s) {
    out.push_back(s);
    return Status::Ok();
  });
  WINBACK_CHECK(done.ok());  // the sink never fails
  return out;
}

std::string_view ScoreSourceName(ScoreSource source) {
  switch (source) {
    case ScoreSource::kAuto:
      return "auto";
    case ScoreSource::kAggregates:
      return "aggregates";
    case ScoreSource::kStreams:
      return "streams";
  }
  return "?";
}

namespace {

// Stops a scan of the aggregates at the first customer with data after the date.
constexpr std::string_view kStale = "aggregates are not current as of the score date";

// One key range from the aggregates: Add every customer, then look up the recent completed
// orders of those whose lifecycle hinges on a return. When a customer's aggregates are not
// current as of the date, sets `stale` and returns Cancelled; so does every range once
// another one has set it.
Result<ScoreBuilder> ScoreRangeFromAggregates(store::Scanner& store, store::KeyRange range,
                                              const ScoringConfig& config, Date as_of,
                                              std::atomic<bool>& stale) {
  ScoreBuilder builder(config, as_of);
  struct Candidate {
    std::size_t index;
    std::int32_t first_order_day;
  };
  std::vector<CustomerKey> candidate_keys;
  std::vector<Candidate> candidates;
  const std::int32_t gap = config.lifecycle.reactivation_gap_days;
  WINBACK_RETURN_IF_ERROR(store.ForEachAggregatesInRange(
      range, store::AggregateFields::kScoring, [&](const store::CustomerAggregates& a) -> Status {
        if (!AggregatesCurrentAsOf(a, as_of)) stale = true;
        if (stale.load(std::memory_order_relaxed)) return CancelledError(std::string(kStale));
        const OrderMetrics orders = OrderMetricsFromAggregates(a);
        const Lifecycle lifecycle = builder.Add(a.key, orders, EngagementMetricsFromAggregates(a));
        // Only an active customer can turn out reactivated, and only with two orders at least
        // gap days apart; with exactly two orders, the second one is the return or there is
        // none. The others need their recent orders.
        if (lifecycle != Lifecycle::kActive || orders.orders < 2 ||
            orders.last_order_day - orders.first_order_day < gap) {
          return Status::Ok();
        }
        if (orders.orders == 2) {
          builder.SetLastReturnDay(builder.size() - 1, orders.last_order_day);
          return Status::Ok();
        }
        candidate_keys.push_back(a.key);
        candidates.push_back({builder.size() - 1, orders.first_order_day});
        return Status::Ok();
      }));
  const Date lookback = ReturnLookbackStart(as_of, config.lifecycle.reactivated_days, gap);
  std::size_t next = 0;
  WINBACK_RETURN_IF_ERROR(store.CompletedOrderTimes(
      candidate_keys, lookback.StartUtc(), AsOfCutoff(as_of),
      [&](CustomerKey, std::span<const Instant> times) {
        const Candidate& c = candidates[next++];
        builder.SetLastReturnDay(
            c.index, LastReturnDayFromLookback(times, c.first_order_day, lookback, gap));
        return Status::Ok();
      }));
  return builder;
}

// One key range from the order and event streams.
Result<ScoreBuilder> ScoreRangeFromStreams(store::Scanner& store, store::KeyRange range,
                                           std::size_t part, const ScoringConfig& config,
                                           Date as_of, const StreamObserver* observer) {
  const bool observe_events = observer != nullptr && observer->events;
  const bool observe_orders = observer != nullptr && observer->orders;
  ScoreBuilder builder(config, as_of);
  const auto slot = [&range](CustomerKey key) {
    return static_cast<std::size_t>(key.value() - range.begin);
  };
  // Every customer has an aggregate row: it lists the keys of the range.
  std::vector<bool> exists;
  WINBACK_RETURN_IF_ERROR(store.ForEachAggregatesInRange(range, store::AggregateFields::kKey,
                                                         [&](const store::CustomerAggregates& a) {
                                                           if (exists.size() <= slot(a.key))
                                                             exists.resize(slot(a.key) + 1, false);
                                                           exists[slot(a.key)] = true;
                                                           return Status::Ok();
                                                         }));
  std::vector<EngagementMetrics> engagement(exists.size());
  auto known = [&](CustomerKey key, const char* what) -> Status {
    if (!range.Contains(key) || slot(key) >= exists.size() || !exists[slot(key)]) {
      return InternalError("customer key " + std::to_string(key.value()) + " of " + what +
                           " is not in the customer list");
    }
    return Status::Ok();
  };
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerEventsInRange(
      range, [&](CustomerKey key, std::span<const store::EventPoint> events) -> Status {
        if (Status k = known(key, "an event"); !k.ok()) return k;
        engagement[slot(key)] = ComputeEngagementMetrics(events, as_of);
        if (observe_events) return observer->events(part, key, events);
        return Status::Ok();
      }));
  std::vector<bool> has_orders(exists.size(), false);
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrdersInRange(
      range, [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
        if (Status k = known(key, "an order"); !k.ok()) return k;
        has_orders[slot(key)] = true;
        builder.Add(key, ComputeOrderMetrics(orders, as_of, config.lifecycle.reactivation_gap_days),
                    engagement[slot(key)]);
        if (observe_orders) return observer->orders(part, key, orders);
        return Status::Ok();
      }));
  const OrderMetrics none;
  for (std::size_t i = 0; i < exists.size(); ++i) {
    if (!exists[i] || has_orders[i]) continue;
    builder.Add(CustomerKey(range.begin + static_cast<std::int64_t>(i)), none, engagement[i]);
  }
  return builder;
}

// Runs `score(reader, range, part)` for every reader on its own thread and merges the builders
// in key order.
template <typename Fn>
Result<ScoreBuilder> ScoreRanges(std::span<store::Scanner* const> readers,
                                 std::span<const store::KeyRange> ranges,
                                 const ScoringConfig& config, Date as_of, const Fn& score) {
  std::vector<std::optional<Result<ScoreBuilder>>> parts(ranges.size());
  ForEachTask(ranges.size(), static_cast<int>(ranges.size()),
              [&](std::size_t i) { parts[i].emplace(score(*readers[i], ranges[i], i)); });
  ScoreBuilder merged(config, as_of);
  for (auto& part : parts) {
    if (!part->ok()) return part->status();
    merged.Merge(std::move(**part));
  }
  return merged;
}

}  // namespace

Result<BuiltScores> BuildScores(std::span<store::Scanner* const> readers,
                                const ScoringConfig& config, Date as_of, ScoreSource source,
                                const StreamObserver* observer) {
  WINBACK_CHECK(!readers.empty());
  WINBACK_ASSIGN_OR_RETURN(std::int64_t limit, readers[0]->CustomerKeyLimit());
  const std::vector<store::KeyRange> ranges =
      store::KeyRange::Split(limit, static_cast<int>(readers.size()));
  if (source != ScoreSource::kStreams) {
    std::atomic<bool> stale{false};
    Result<ScoreBuilder> built =
        ScoreRanges(readers, ranges, config, as_of,
                    [&](store::Scanner& reader, store::KeyRange range, std::size_t) {
                      return ScoreRangeFromAggregates(reader, range, config, as_of, stale);
                    });
    if (built.ok()) return BuiltScores{std::move(built).value(), ScoreSource::kAggregates};
    if (!stale.load()) return built.status();
    if (source == ScoreSource::kAggregates) {
      return FailedPreconditionError("cannot score as of " + as_of.ToString() +
                                     " from the aggregates: some customers have orders or "
                                     "events after that day");
    }
  }
  WINBACK_ASSIGN_OR_RETURN(
      ScoreBuilder built,
      ScoreRanges(readers, ranges, config, as_of,
                  [&](store::Scanner& reader, store::KeyRange range, std::size_t part) {
                    return ScoreRangeFromStreams(reader, range, part, config, as_of, observer);
                  }));
  return BuiltScores{std::move(built), ScoreSource::kStreams};
}

Result<std::vector<store::CustomerScore>> ScoreStore(store::Scanner& store,
                                                     const ScoringConfig& config, Date as_of) {
  store::Scanner* readers[] = {&store};
  WINBACK_ASSIGN_OR_RETURN(BuiltScores built, BuildScores(readers, config, as_of));
  return built.builder.Finish();
}

ScoreSummary SummarizeScores(std::span<const store::CustomerScore> scores) {
  ScoreSummary s;
  for (const store::CustomerScore& c : scores) {
    ++s.customers;
    if (c.r > 0) ++s.buyers;
    if (c.inactive) ++s.inactive;
    if (!c.let_go.empty()) ++s.let_go;
    ++s.by_lifecycle[c.lifecycle];
    if (!c.group.empty()) ++s.by_group[c.group];
    if (!c.segment.empty()) ++s.by_segment[c.segment];
  }
  return s;
}

}  // namespace winback::analytics
