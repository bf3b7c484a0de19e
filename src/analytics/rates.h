#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "analytics/customer_metrics.h"
#include "core/status.h"
#include "core/time.h"
#include "store/scanner.h"

namespace winback::analytics {

// Calendar periods in UTC. Weeks start on Monday (ISO 8601).
enum class Period : std::uint8_t { kDay, kWeek, kMonth, kYear };
std::string_view PeriodName(Period p);  // "day", "week", "month", "year"
std::optional<Period> ParsePeriod(std::string_view name);

// The first day of the period containing `d`.
Date PeriodStart(Period p, Date d);
// The first day of the period after the one starting at `start`.
Date NextPeriodStart(Period p, Date start);

// Boundaries of the periods covering [from, to]: the start of the period containing `from`,
// every later period start up to the one containing `to`, and the end (exclusive) of that last
// period, so k periods give k + 1 boundaries. InvalidArgument when to < from or when there
// would be more than 100,000 periods.
Result<std::vector<Date>> PeriodBoundaries(Period p, Date from, Date to);

// Retention of one period [start, end). A customer is *active* at an instant t when they have
// a completed order in [t - activity_days, t) (ordered within the activity window before t;
// their first order is then necessarily before t). Boundaries are UTC midnights, so this is
// decided on UTC order days.
struct PeriodRates {
  Date start;                    // first day
  Date end;                      // first day of the next period (exclusive)
  std::int64_t s = 0;            // active at start
  std::int64_t e = 0;            // active at end
  std::int64_t n = 0;            // first order inside the period
  std::int64_t retained = 0;     // active at start and at end
  std::int64_t churned = 0;      // active at start, not at end
  std::int64_t reactivated = 0;  // ordered before start, not active at start, active at end
  // CRR = (E - N) / S * 100 (article 002), in percent; nullopt when S = 0.
  std::optional<double> crr() const;
  // churned / S, a fraction in [0, 1]; nullopt when S = 0.
  std::optional<double> churn_rate() const;
};

// Churn by tenure: customers active at the start of any period, by their tenure (days since
// the first order) at that start, and how many of them churned in that period. Summed over
// all periods.
struct TenureBucket {
  std::int32_t min_days = 0;
  std::int32_t max_days = 0;  // exclusive; INT32_MAX for the open last bucket
  std::int64_t at_risk = 0;   // active at a period start (sum over periods)
  std::int64_t churned = 0;
  std::optional<double> churn_rate() const;
};
// Bucket edges in days: [0, 90), [90, 180), [180, 365), [365, 730), [730, inf).
inline constexpr std::array<std::int32_t, 4> kTenureEdges = {90, 180, 365, 730};

// Streams customers' completed-order days into per-period counts. Per customer O(periods +
// orders), no per-customer memory, so 1M customers over 24 months take well under a second.
// Not thread-safe; Merge() combines accumulators built on other threads.
class RatesAccumulator {
 public:
  // `boundaries` as from PeriodBoundaries (at least 2, ascending); activity_days >= 1.
  RatesAccumulator(std::vector<Date> boundaries, std::int32_t activity_days);

  // One customer's completed-order UTC days, ascending (duplicates allowed). Orders on or after
  // the last boundary do not matter.
  void Add(std::span<const std::int32_t> order_days);

  // Adds the counts of `other` (same boundaries and window).
  void Merge(const RatesAccumulator& other);

  std::vector<PeriodRates> Rates() const;
  std::vector<TenureBucket> Tenure() const;

 private:
  std::vector<Date> boundaries_;
  std::int32_t activity_days_;
  std::vector<PeriodRates> rates_;
  std::array<TenureBucket, kTenureEdges.size() + 1> tenure_{};
  std::vector<std::uint8_t> active_;  // scratch: active at boundary i
};

// Every customer's completed-order UTC days, ascending, read from the store in one integer-only
// scan per reader (Store::ForEachCompletedOrderTimesInRange), each on its own thread; kept in
// 4 bytes per order and 4 per customer (13 MB for 1M customers with 2.1M orders), so rates over
// any range can be computed without reading the store again.
class OrderDayHistory {
 public:
  // `readers`: one or more Stores on the same database (see BuildScores in scorer.h).
  static Result<OrderDayHistory> Load(std::span<store::Scanner* const> readers);

  std::size_t customers() const { return ends_.size(); }
  std::size_t orders() const { return days_.size(); }
  // The first and last order day over all customers; kNever when there is no order.
  std::int32_t first_day() const { return first_; }
  std::int32_t last_day() const { return last_; }

  // Customer i's days.
  std::span<const std::int32_t> customer(std::size_t i) const;

  // Adds every customer to `acc`.
  void AddTo(RatesAccumulator& acc) const;

 private:
  std::vector<std::int32_t> days_;
  std::vector<std::uint32_t> ends_;  // ends_[i]: one past customer i's last day in days_
  std::int32_t first_ = kNever;
  std::int32_t last_ = kNever;
};

// Seasonality: churned / S summed over the periods that start in each calendar month (index
// 0 = January). Meaningful for monthly periods; a month without periods (or S = 0) is nullopt.
std::array<std::optional<double>, 12> ChurnByCalendarMonth(std::span<const PeriodRates> rates);

}  // namespace winback::analytics
