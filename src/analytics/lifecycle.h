#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "analytics/customer_metrics.h"
#include "core/status.h"
#include "core/time.h"

namespace winback::analytics {

// Where a customer is in their life with the business, as of a date.
enum class Lifecycle : std::uint8_t {
  kProspect = 0,  // no completed order yet
  kNew,
  kActive,
  kAtRisk,
  kInactive,
  kLost,
  kReactivated,
};
inline constexpr int kLifecycleCount = 7;
// "prospect", "new", "active", "at_risk", "inactive", "lost", "reactivated".
std::string_view LifecycleName(Lifecycle l);
std::optional<Lifecycle> ParseLifecycle(std::string_view name);

// Thresholds in days; recency = as_of - day of the last completed order (0 = ordered on as_of).
struct LifecycleConfig {
  std::int32_t new_days = 90;                // first order less than this many days ago
  std::int32_t at_risk_days = 90;            // recency at least this: at risk
  std::int32_t inactive_days = 180;          // recency at least this: inactive
  std::int32_t lost_days = 365;              // recency at least this: lost
  std::int32_t reactivation_gap_days = 180;  // a gap this long between orders, then an order,
  std::int32_t reactivated_days = 90;        // less than this many days ago: reactivated
};

// InvalidArgument naming the key: a value < 1, or not at_risk_days <= inactive_days <= lost_days.
Status ValidateLifecycleConfig(const LifecycleConfig& config);

// The rules, first match wins:
//   prospect     no completed order up to as_of
//   lost         recency >= lost_days
//   inactive     recency >= inactive_days, or the business's inactivity rules match
//                (`rules_inactive`, see inactivity.h)
//   at_risk      recency >= at_risk_days
//   new          as_of - first order day < new_days
//   reactivated  the latest return (an order after a gap >= reactivation_gap_days) was less
//                than reactivated_days ago
//   active       otherwise
Lifecycle ClassifyLifecycle(const LifecycleConfig& config, const OrderMetrics& orders,
                            bool rules_inactive, Date as_of);

}  // namespace winback::analytics
