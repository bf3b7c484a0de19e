#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace winback::store {

// Computes one customer's CustomerAggregates from their orders and events. Feed the rows in any
// order, then call Finish(). Store implementations share it, so every backend derives the same
// numbers from the same rows. The rules are documented on CustomerAggregates.
class AggregateBuilder {
 public:
  explicit AggregateBuilder(CustomerKey key);

  void AddOrder(Instant placed_at, std::int32_t utc_offset_minutes, std::int64_t amount_minor,
                std::string_view currency, OrderStatus status);
  void AddEvent(EventType type, Instant at, std::string_view channel, std::string_view reason,
                std::optional<std::int64_t> score);

  CustomerAggregates Finish();

 private:
  struct CurrencyTotal {
    std::string code;
    std::int64_t orders = 0;
    std::int64_t revenue_minor = 0;
    Instant first_at;
  };
  CustomerAggregates agg_;
  std::vector<std::int32_t> local_days_;
  std::vector<CurrencyTotal> currencies_;
};

}  // namespace winback::store
