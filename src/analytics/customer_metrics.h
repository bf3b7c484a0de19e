#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/records.h"

namespace winback::analytics {

// Day numbers (days since 1970-01-01, UTC) mark when things happened; kNever marks "never".
inline constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::min();

// Everything that happened strictly before this instant counts "as of" `as_of`: the end of the
// UTC day as_of. Nothing in analytics reads the wall clock.
constexpr Instant AsOfCutoff(Date as_of) { return as_of.PlusDays(1).StartUtc(); }

// The UTC day number of an instant.
std::int32_t DayOf(Instant t);

// Days from `day` to `as_of` (as_of - day), or nullopt when day is kNever.
std::optional<std::int32_t> DaysSince(std::int32_t day, Date as_of);

// Order facts of one customer as of a date. Only orders placed before AsOfCutoff(as_of) count;
// only completed orders are purchases.
struct OrderMetrics {
  std::int64_t orders = 0;  // Completed orders.
  std::int64_t refunded_orders = 0;
  std::int64_t cancelled_orders = 0;
  // Distinct local calendar days with a completed order (each order's own UTC offset), as the
  // store's aggregates count them.
  std::int64_t frequency = 0;
  std::int32_t first_order_day = kNever;  // UTC day of the first completed order.
  std::int32_t last_order_day = kNever;   // UTC day of the last completed order.
  // UTC day of the latest completed order that came at least `reactivation_gap_days` after the
  // completed order before it (the customer "came back"); kNever when there is none.
  std::int32_t last_return_day = kNever;
  // Sum and mean (rounded half up) of completed orders in `currency`, the customer's main
  // currency: the one most completed orders use, ties to the earliest order's. Orders in other
  // currencies are counted in other_currency_orders and left out; nothing is converted.
  std::int64_t total_minor = 0;
  std::int64_t mean_minor = 0;
  std::string currency;
  std::int64_t other_currency_orders = 0;

  bool has_order() const { return orders > 0; }
};

// Computes OrderMetrics from one customer's orders (any order, any status) as of `as_of`.
// `reactivation_gap_days` (>= 1) defines last_return_day. Pure; thread-safe.
OrderMetrics ComputeOrderMetrics(std::span<const store::OrderPoint> orders, Date as_of,
                                 std::int32_t reactivation_gap_days);

// The UTC days of the completed orders placed before AsOfCutoff(last_day), ascending, with
// duplicates kept. Appends to `out` after clearing it (reuse it across customers).
void CompletedOrderDays(std::span<const store::OrderPoint> orders, Date last_day,
                        std::vector<std::int32_t>& out);

// The reactivation return from completed-order times, for the aggregates path of scoring. The
// lifecycle asks only whether the latest return (an order >= gap days after the one before)
// falls in the reactivation window (as_of - day < window_days), so only the orders from
// ReturnLookbackStart on are needed: an order in the window whose predecessor is older is a
// return anyway.
//   lookback start day L = as_of - window_days - gap_days + 2.
Date ReturnLookbackStart(Date as_of, std::int32_t window_days, std::int32_t gap_days);

// last_return_day from `times`, the customer's completed orders in [L, AsOfCutoff(as_of)),
// oldest first, and the UTC day of their first completed order ever. Equals the
// last_return_day of ComputeOrderMetrics whenever that one is in the window; otherwise it is
// an earlier return or kNever, which the lifecycle treats alike.
std::int32_t LastReturnDayFromLookback(std::span<const Instant> times, std::int32_t first_order_day,
                                       Date lookback_start, std::int32_t gap_days);

// Exit reasons of exit_survey and subscription_cancelled events (docs/formats.md).
enum class ExitReason : std::uint8_t {
  kNone = 0,
  kPrice,
  kService,
  kSelection,
  kFeature,
  kMoved,
  kOther,
};
inline constexpr int kExitReasonCount = 7;
std::string_view ExitReasonName(ExitReason r);  // "none", "price", ...
// Unknown or empty text gives kOther for a non-empty string and kNone for an empty one.
ExitReason ParseExitReason(std::string_view text);

// Event facts of one customer as of a date (events before AsOfCutoff(as_of)). Days are UTC day
// numbers or kNever. Counts saturate at INT32_MAX.
struct EngagementMetrics {
  std::int32_t last_email_day = kNever;     // email_open, email_click or email_reply
  std::int32_t last_sms_day = kNever;       // sms_click or sms_reply
  std::int32_t last_whatsapp_day = kNever;  // whatsapp_read or whatsapp_reply
  std::int32_t last_chat_day = kNever;      // chat or call
  std::int32_t last_visit_day = kNever;     // visit
  std::int32_t complaints = 0;
  std::int32_t tickets_satisfied = 0;    // ticket_resolved, reason satisfied
  std::int32_t tickets_unsatisfied = 0;  // ticket_resolved, reason unsatisfied
  std::int32_t referrals = 0;
  std::int32_t payment_defaults = 0;
  // The latest exit_survey / subscription_cancelled reason and its day.
  ExitReason exit_reason = ExitReason::kNone;
  std::int32_t exit_day = kNever;
  // Bit c (ChannelKind) set when the customer unsubscribed from channel c.
  std::uint8_t unsubscribed_channels = 0;
};

// Computes EngagementMetrics from one customer's events (any order) as of `as_of`.
EngagementMetrics ComputeEngagementMetrics(std::span<const store::EventPoint> events, Date as_of);

// True when the store's aggregates of a customer are their state as of `as_of`: their latest
// order or event (any kind) is before AsOfCutoff(as_of), or they have none.
bool AggregatesCurrentAsOf(const store::CustomerAggregates& aggregates, Date as_of);

// The metrics from the aggregates, for a customer whose aggregates are current as of the
// score date: equal to ComputeOrderMetrics / ComputeEngagementMetrics over their orders and
// events, except last_return_day, which the aggregates do not hold (kNever here; see
// LastReturnDayFromLookback).
OrderMetrics OrderMetricsFromAggregates(const store::CustomerAggregates& aggregates);
EngagementMetrics EngagementMetricsFromAggregates(const store::CustomerAggregates& aggregates);

}  // namespace winback::analytics
