#include "analytics/scorer.h"

#include <algorithm>
#include <limits>

namespace winback::analytics {

Status ValidateScoringConfig(const ScoringConfig& config) {
  WINBACK_RETURN_IF_ERROR(ValidateInactivityConfig(config.inactivity));
  WINBACK_RETURN_IF_ERROR(ValidateLifecycleConfig(config.lifecycle));
  WINBACK_RETURN_IF_ERROR(ValidateReadinessConfig(config.readiness));
  WINBACK_RETURN_IF_ERROR(ValidateLetGoConfig(config.let_go));
  return Status::Ok();
}

ScoreBuilder::ScoreBuilder(const ScoringConfig& config, Date as_of)
    : config_(config), as_of_(as_of) {}

void ScoreBuilder::Add(CustomerKey key, const OrderMetrics& orders,
                       const EngagementMetrics& engagement) {
  Row row{};
  row.key = key.value();
  const InactivityResult inactivity =
      EvaluateInactivity(config_.inactivity, orders, engagement, as_of_);
  row.matched_rules = inactivity.matched;
  row.inactive = inactivity.inactive;
  row.lifecycle = static_cast<std::uint8_t>(
      ClassifyLifecycle(config_.lifecycle, orders, inactivity.inactive, as_of_));
  row.readiness = ScoreReadiness(config_.readiness, engagement).reasons;
  row.let_go = EvaluateLetGo(config_.let_go, orders, engagement);
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
}

std::vector<store::CustomerScore> ScoreBuilder::Finish() {
  std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return a.key < b.key; });
  // RFM over the buyers; M within each currency.
  std::vector<std::size_t> buyers;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].recency != kNever) buyers.push_back(i);
  }
  std::vector<std::int64_t> values(buyers.size());
  for (std::size_t j = 0; j < buyers.size(); ++j) values[j] = rows_[buyers[j]].recency;
  const std::vector<std::uint8_t> r = QuintileScores(values, Better::kLower);
  for (std::size_t j = 0; j < buyers.size(); ++j) values[j] = rows_[buyers[j]].frequency;
  const std::vector<std::uint8_t> f = QuintileScores(values, Better::kHigher);
  std::vector<std::uint8_t> m(buyers.size());
  for (std::size_t c = 0; c < currencies_.size(); ++c) {
    std::vector<std::size_t> members;
    std::vector<std::int64_t> money;
    for (std::size_t j = 0; j < buyers.size(); ++j) {
      const Row& row = rows_[buyers[j]];
      if (row.currency != c) continue;
      members.push_back(j);
      money.push_back(config_.monetary == MonetaryBasis::kMean ? row.mean_minor
                                                               : row.total_minor);
    }
    const std::vector<std::uint8_t> scores = QuintileScores(money, Better::kHigher);
    for (std::size_t k = 0; k < members.size(); ++k) m[members[k]] = scores[k];
  }

  const ReadinessConfig& w = config_.readiness;
  const double total_weight =
      w.referred_others + w.never_complained + w.issues_resolved + w.left_over_price;
  std::vector<store::CustomerScore> out(rows_.size());
  std::size_t next_buyer = 0;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const Row& row = rows_[i];
    store::CustomerScore& s = out[i];
    s.key = CustomerKey(row.key);
    s.lifecycle = std::string(LifecycleName(static_cast<Lifecycle>(row.lifecycle)));
    s.inactive = row.inactive;
    s.inactive_rules = MatchedRuleNames(config_.inactivity, row.matched_rules);
    double met = 0;
    if (row.readiness & kReferredOthers) met += w.referred_others;
    if (row.readiness & kNeverComplained) met += w.never_complained;
    if (row.readiness & kIssuesResolved) met += w.issues_resolved;
    if (row.readiness & kLeftOverPrice) met += w.left_over_price;
    s.readiness = total_weight > 0 ? met / total_weight : 0;
    s.readiness_reasons = ReadinessReasonNames(row.readiness);
    s.let_go = LetGoReasonNames(row.let_go);
    if (row.recency == kNever) continue;
    const std::size_t j = next_buyer++;
    s.recency_days = row.recency;
    s.tenure_days = row.tenure;
    s.frequency = row.frequency;
    s.monetary_total_minor = row.total_minor;
    s.monetary_mean_minor = row.mean_minor;
    s.currency = currencies_[row.currency];
    s.r = r[j];
    s.f = f[j];
    s.m = m[j];
    const SegmentRule& rule = config_.segments.Lookup(s.r, s.f, s.m);
    s.segment = rule.name;
    s.group = std::string(GroupName(rule.group));
  }
  rows_.clear();
  rows_.shrink_to_fit();
  return out;
}

Result<std::vector<store::CustomerScore>> ScoreStore(store::Store& store,
                                                     const ScoringConfig& config, Date as_of) {
  WINBACK_ASSIGN_OR_RETURN(std::vector<std::string> ids, store.CustomerIds());
  std::vector<EngagementMetrics> engagement(ids.size());
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerEvents(
      [&](CustomerKey key, std::span<const store::EventPoint> events) -> Status {
        if (key.value() < 0 || static_cast<std::size_t>(key.value()) >= engagement.size()) {
          return InternalError("customer key " + std::to_string(key.value()) +
                               " of an event is not in the customer list");
        }
        engagement[static_cast<std::size_t>(key.value())] =
            ComputeEngagementMetrics(events, as_of);
        return Status::Ok();
      }));
  ScoreBuilder builder(config, as_of);
  std::vector<bool> has_orders(ids.size(), false);
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrders(
      [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
        if (key.value() < 0 || static_cast<std::size_t>(key.value()) >= engagement.size()) {
          return InternalError("customer key " + std::to_string(key.value()) +
                               " of an order is not in the customer list");
        }
        const auto k = static_cast<std::size_t>(key.value());
        has_orders[k] = true;
        builder.Add(key, ComputeOrderMetrics(orders, as_of, config.lifecycle.reactivation_gap_days),
                    engagement[k]);
        return Status::Ok();
      }));
  const OrderMetrics none;
  for (std::size_t k = 1; k < ids.size(); ++k) {
    if (ids[k].empty() || has_orders[k]) continue;
    builder.Add(CustomerKey(static_cast<std::int64_t>(k)), none, engagement[k]);
  }
  engagement.clear();
  engagement.shrink_to_fit();
  return builder.Finish();
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
