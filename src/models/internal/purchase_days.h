#pragma once

// One customer's completed orders merged into purchase days, the common first step of the
// store summary (store_summary.h), the churn features and the customer values.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/records.h"

namespace winback::models::internal {

// The local calendar day of an order (days since 1970-01-01): the wall-clock day where it was
// placed, from the UTC offset it was written with.
std::int32_t LocalDay(const store::OrderPoint& order);

struct PurchaseDay {
  std::int32_t day = 0;
  double value = 0;     // sum of the day's orders in `currency`, in major units (dollars)
  bool valued = false;  // at least one order of the day is in `currency`
};

struct PurchaseHistory {
  std::vector<PurchaseDay> days;  // ascending, one entry per distinct local day
  std::string currency;           // main currency; empty when there is no order
  std::int64_t orders = 0;        // completed orders merged into `days`
};

// Merges the COMPLETED orders of one customer with local day <= `last_day` by local day. The
// main currency is the one most of those orders use (ties: the earliest order's), as in
// store::CustomerAggregates; amounts in other currencies count as purchases but add no value.
PurchaseHistory MergePurchaseDays(std::span<const store::OrderPoint> orders,
                                  std::int32_t last_day);

}  // namespace winback::models::internal
