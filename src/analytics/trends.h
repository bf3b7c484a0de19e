#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "analytics/customer_metrics.h"
#include "analytics/revenue.h"
#include "core/ids.h"
#include "core/time.h"
#include "store/records.h"

namespace winback::analytics {

// Exit reasons over time (article 004 §1): exit_survey and subscription_cancelled events per
// UTC calendar month and reason, up to and including last_day.
struct ExitReasonMonth {
  int year = 0;
  int month = 0;
  std::array<std::int64_t, kExitReasonCount> by_reason{};  // index: ExitReason
};

class ExitReasonAccumulator {
 public:
  // The event types that carry an exit reason; Add() ignores the others, so a caller may
  // stream only these (Store::ForEachCustomerEventsOfTypes).
  static constexpr EventType kTypes[] = {EventType::kExitSurvey, EventType::kSubscriptionCancelled};

  explicit ExitReasonAccumulator(Date last_day) : cutoff_(AsOfCutoff(last_day)) {}
  void Add(std::span<const store::EventPoint> events);
  // Adds the counts of `other` (same last day), e.g. built on another thread.
  void Merge(const ExitReasonAccumulator& other);
  // Oldest month first; months without exits are left out.
  std::vector<ExitReasonMonth> Months() const;
  // Totals per reason over all months.
  std::array<std::int64_t, kExitReasonCount> Totals() const;

 private:
  Instant cutoff_;
  std::map<int, std::array<std::int64_t, kExitReasonCount>> months_;
};

// Counts, revenue share and mean value per segment and per group, from one score run.
// Revenue counts customers whose main currency is `currency`; others are counted in
// other_currency_customers and left out of the money columns.
struct SegmentRow {
  std::string name;   // segment (or group) name; "" rows are not produced
  std::string group;  // the segment's group (for group rows: the group itself)
  std::int64_t customers = 0;
  double share = 0;  // of the customers with a segment
  std::int64_t revenue_minor = 0;
  double revenue_share = 0;
  std::int64_t mean_value_minor = 0;  // revenue / customers in `currency`, rounded
};

struct SegmentTable {
  std::string currency;
  std::int64_t segmented = 0;  // customers with a segment (buyers)
  std::int64_t other_currency_customers = 0;
  // Some revenue sum passed the int64 range of minor units: those sums stay at the limit
  // (analytics::MoneySum) instead of wrapping, and are too small; say so when printing them.
  bool revenue_saturated = false;
  std::vector<SegmentRow> segments;  // largest first, ties by name
  std::vector<SegmentRow> groups;    // in GroupName order of rfm.h
};

class SegmentTableBuilder {
 public:
  explicit SegmentTableBuilder(std::string currency) : currency_(std::move(currency)) {}
  void Add(const store::CustomerScore& score);
  SegmentTable Finish() const;

 private:
  struct Acc {
    std::string group;
    std::int64_t customers = 0;
    std::int64_t in_currency = 0;
    MoneySum revenue;
  };
  std::string currency_;
  std::int64_t other_ = 0;
  std::map<std::string, Acc> segments_;
  std::map<std::string, Acc> groups_;
};

// Migration between two score dates: counts[from][to] over the union of customers, with the
// label "none" for a customer without a segment (not scored, or no order yet) at that date.
struct MigrationMatrix {
  std::vector<std::string> labels;  // rows and columns, "none" last
  std::vector<std::vector<std::int64_t>> counts;
  std::int64_t moved = 0;  // customers whose label changed
};

class MigrationBuilder {
 public:
  // Call AddFrom for the earlier date's scores and AddTo for the later, in any order.
  void AddFrom(CustomerKey key, const std::string& segment);
  void AddTo(CustomerKey key, const std::string& segment);
  MigrationMatrix Finish() const;

 private:
  std::uint16_t Intern(const std::string& segment);
  std::vector<std::string> names_;
  std::map<std::int64_t, std::pair<int, int>> by_key_;  // -1: none
};

// Churn by segment: of the customers *active* (see rates.h) at the earlier score date with a
// given segment, the share not active `horizon_days` later.
struct SegmentChurn {
  std::string segment;
  std::int64_t active = 0;
  std::int64_t churned = 0;
  double churn_rate = 0;
};

// `segment_of(key)` gives the segment at `from` (empty: none). Orders are one customer's
// completed-order UTC days, ascending. Add one customer at a time, then Finish.
class SegmentChurnBuilder {
 public:
  SegmentChurnBuilder(Date from, std::int32_t horizon_days, std::int32_t activity_days);
  void Add(const std::string& segment, std::span<const std::int32_t> order_days);
  std::vector<SegmentChurn> Finish() const;  // by name

 private:
  bool ActiveAt(std::span<const std::int32_t> days, std::int32_t boundary) const;
  std::int32_t start_, end_, activity_days_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> acc_;
};

}  // namespace winback::analytics
