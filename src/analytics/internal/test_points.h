#pragma once

// Helpers for the analytics unit tests: orders and events from readable dates.

#include <string>
#include <string_view>

#include "core/check.h"
#include "core/time.h"
#include "store/records.h"

namespace winback::analytics::internal {

inline Date D(std::string_view ymd) {
  Result<Date> d = ParseDate(ymd);
  WINBACK_CHECK(d.ok());
  return *d;
}

// A completed order at noon UTC of `ymd`.
inline store::OrderPoint Order(std::string_view ymd, std::int64_t amount_minor = 1000,
                               std::string currency = "USD",
                               OrderStatus status = OrderStatus::kCompleted) {
  store::OrderPoint o;
  o.placed_at = D(ymd).StartUtc().PlusSeconds(std::int64_t{12} * 3600);
  o.amount_minor = amount_minor;
  o.currency = std::move(currency);
  o.status = status;
  return o;
}

inline store::EventPoint Event(std::string_view ymd, EventType type, std::string reason = "",
                               std::string channel = "") {
  store::EventPoint e;
  e.at = D(ymd).StartUtc().PlusSeconds(std::int64_t{12} * 3600);
  e.type = type;
  e.reason = std::move(reason);
  e.channel = std::move(channel);
  return e;
}

}  // namespace winback::analytics::internal
