#pragma once

// One customer's completed orders merged into purchase days, the common first step of the
// store summary (store_summary.h), the churn features and the customer values.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/ids.h"
#include "store/records.h"

namespace winback::models {
struct StoreSummary;
}  // namespace winback::models

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
PurchaseHistory MergePurchaseDays(std::span<const store::OrderPoint> orders, std::int32_t last_day);

// Appends one customer's row to `out` exactly as SummarizeStore does (store_summary.h), from
// h = MergePurchaseDays(orders, max(calibration end, holdout end)), not empty; `end` is the
// calibration end day, times are divided by `unit` (days per unit), `holdout` fills the
// holdout columns. Leaves table.ids alone. Returns false, counting the customer in
// customers_skipped, when the first purchase is on or after `end`.
bool AppendSummaryRow(CustomerKey key, const PurchaseHistory& h, std::int32_t end, double unit,
                      bool holdout, StoreSummary& out);

}  // namespace winback::models::internal
