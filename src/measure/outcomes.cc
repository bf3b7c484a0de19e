#include "measure/outcomes.h"

#include <algorithm>
#include <array>

#include "core/vocabulary.h"

namespace winback::measure {
namespace {

// The index of `key` in `keys` (sorted), or keys.size() when absent; `from` is a hint that only
// moves forward, because the store's scans visit customers in key order.
std::size_t Find(std::span<const CustomerKey> keys, CustomerKey key, std::size_t& from) {
  const auto it =
      std::lower_bound(keys.begin() + static_cast<std::ptrdiff_t>(from), keys.end(), key);
  from = static_cast<std::size_t>(it - keys.begin());
  return it != keys.end() && *it == key ? from : keys.size();
}

}  // namespace

Result<WindowOutcomes> CollectOutcomes(std::span<const CustomerKey> keys, Instant begin,
                                       Instant end, store::Scanner& scanner) {
  if (!(begin < end)) {
    return InvalidArgumentError("an outcome window must end after it begins, got [" +
                                FormatTimestamp(begin) + ", " + FormatTimestamp(end) + ")");
  }
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (!(keys[i - 1] < keys[i])) {
      return InvalidArgumentError("customer keys must be strictly increasing");
    }
  }
  WindowOutcomes out;
  out.customers.resize(keys.size());
  if (keys.empty()) return out;
  auto in_window = [&](Instant t) { return begin <= t && t < end; };

  std::size_t hint = 0;
  const store::KeyRange range{keys.front().value(), keys.back().value() + 1};
  WINBACK_RETURN_IF_ERROR(scanner.ForEachCustomerOrdersInRange(
      range, [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
        const std::size_t i = Find(keys, key, hint);
        if (i == keys.size()) return Status::Ok();
        CustomerOutcome& o = out.customers[i];
        for (const store::OrderPoint& order : orders) {
          if (order.status != OrderStatus::kCompleted || !in_window(order.placed_at)) continue;
          if (out.currency.empty()) {
            out.currency = order.currency;
          } else if (order.currency != out.currency) {
            std::array<std::string, 2> codes{out.currency, order.currency};
            std::sort(codes.begin(), codes.end());
            return InvalidArgumentError(
                "the customers' completed orders in the window are in more than one currency (" +
                codes[0] + ", " + codes[1] +
                "); revenue per customer needs one, and winback does not convert currencies");
          }
          o.converted = true;
          ++o.orders;
          if (__builtin_add_overflow(o.revenue_minor, order.amount_minor, &o.revenue_minor)) {
            return InvalidArgumentError("customer key " + std::to_string(key.value()) +
                                        ": revenue in the window passes the int64 range");
          }
        }
        return Status::Ok();
      }));

  hint = 0;
  const EventType visit[] = {EventType::kVisit};
  WINBACK_RETURN_IF_ERROR(scanner.ForEachCustomerEventsOfTypes(
      visit, [&](CustomerKey key, std::span<const store::EventPoint> events) -> Status {
        if (key < keys.front() || key > keys.back()) return Status::Ok();
        const std::size_t i = Find(keys, key, hint);
        if (i == keys.size()) return Status::Ok();
        for (const store::EventPoint& e : events) {
          if (e.type == EventType::kVisit && in_window(e.at)) {
            out.customers[i].visited = true;
            break;
          }
        }
        return Status::Ok();
      }));
  return out;
}

}  // namespace winback::measure
