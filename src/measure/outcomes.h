#pragma once

// What customers did in a window of time, read from the store: the outcomes every measurement
// compares between arms.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/scanner.h"

namespace winback::measure {

// One customer's outcomes in [begin, end). Value type.
struct CustomerOutcome {
  bool visited = false;     // at least one `visit` event
  bool converted = false;   // at least one completed order
  std::int64_t orders = 0;  // completed orders
  // Sum of the completed orders' amounts, in minor units of WindowOutcomes::currency.
  std::int64_t revenue_minor = 0;
};

// The outcomes of a list of customers, in the order of the keys asked for.
struct WindowOutcomes {
  std::vector<CustomerOutcome> customers;
  // The ISO 4217 code of every completed order in the window; empty when there was none.
  std::string currency;
};

// Reads the outcomes of `keys` (strictly increasing) in [begin, end): one scan of their orders
// (the key range from the first to the last key) and one of the store's visit events. Refunded
// and cancelled orders are neither conversions nor revenue. Errors: InvalidArgument when
// `keys` is not strictly increasing or begin >= end; InvalidArgument when the window's completed
// orders of these customers are in more than one currency (revenue cannot be added without
// exchange rates, which winback never guesses) or a customer's revenue passes the int64 range;
// the store's errors (Unavailable) as they come.
Result<WindowOutcomes> CollectOutcomes(std::span<const CustomerKey> keys, Instant begin,
                                       Instant end, store::Scanner& scanner);

}  // namespace winback::measure
