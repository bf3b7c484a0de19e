#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace winback::store {

// Computes one customer's CustomerAggregates from their orders and events. Feed the rows in any
// order, then call Finish(), or MergeInto() when the rows are new rows of a customer whose
// stored aggregates already cover the others. Store implementations share it, so every backend
// derives the same numbers from the same rows. The rules are documented on CustomerAggregates.
class AggregateBuilder {
 public:
  explicit AggregateBuilder(CustomerKey key);

  void AddOrder(Instant placed_at, std::int32_t utc_offset_minutes, std::int64_t amount_minor,
                std::string_view currency, OrderStatus status);
  void AddEvent(EventType type, Instant at, std::string_view channel, std::string_view reason,
                std::optional<std::int64_t> score);

  // The aggregates of the rows fed. Call once.
  CustomerAggregates Finish();

  // The aggregates of `stored`'s rows plus the rows fed here, computed from `stored` alone,
  // when that is exactly what Finish() over all those rows gives (fed in the store's order:
  // by time, then by the index's columns). `stored` must be the aggregates of this customer's
  // rows as they were before the rows fed here were added (all zero for a customer without
  // rows), and the rows fed here must all be new: none replaces, changes or removes a stored
  // row. Counts and sums add, first and last times take the minimum and maximum, channel bits
  // join. Returns nullopt, and the caller must recompute from all rows, when the result
  // depends on stored rows that `stored` does not keep:
  //   - a completed order fed here whose local calendar day may be a day of a stored completed
  //     order (purchase_days counts distinct days): any day up to that of the stored
  //     last_order_at plus 14 h, the largest UTC offset an order can have (core/time.h);
  //   - completed orders after which the main currency is not certain: it is only when the
  //     stored main currency then holds more completed orders than all others together (with
  //     no stored completed order, the orders fed here decide, unless two currencies tie on
  //     both count and first order time);
  //   - an exit_survey or subscription_cancelled at the stored exit_at, or two of them at the
  //     latest exit time fed here: the later row wins a tie, and row order is the store's.
  // Call once, instead of Finish().
  std::optional<CustomerAggregates> MergeInto(const CustomerAggregates& stored) &&;

 private:
  struct CurrencyTotal {
    std::string code;
    std::int64_t orders = 0;
    std::int64_t revenue_minor = 0;
    Instant first_at;
  };
  // The currency with most completed orders (ties: the earliest first order), or end() when
  // there is none; `tie` says whether another one is equal on both.
  std::vector<CurrencyTotal>::const_iterator MainCurrency(bool& tie) const;

  CustomerAggregates agg_;
  std::vector<std::int32_t> local_days_;
  std::vector<CurrencyTotal> currencies_;
  // Two exit events at agg_.exit_at: which one wins depends on the order of the rows.
  bool exit_tie_ = false;
};

}  // namespace winback::store
