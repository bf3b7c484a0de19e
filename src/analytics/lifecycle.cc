#include "analytics/lifecycle.h"

#include <array>

namespace winback::analytics {
namespace {
constexpr std::array<std::string_view, kLifecycleCount> kNames = {
    "prospect", "new", "active", "at_risk", "inactive", "lost", "reactivated"};
}  // namespace

std::string_view LifecycleName(Lifecycle l) { return kNames[static_cast<std::size_t>(l)]; }

std::optional<Lifecycle> ParseLifecycle(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Lifecycle>(i);
  }
  return std::nullopt;
}

Status ValidateLifecycleConfig(const LifecycleConfig& c) {
  for (const auto& [key, value] :
       {std::pair{"new_days", c.new_days}, std::pair{"at_risk_days", c.at_risk_days},
        std::pair{"inactive_days", c.inactive_days}, std::pair{"lost_days", c.lost_days},
        std::pair{"reactivation_gap_days", c.reactivation_gap_days},
        std::pair{"reactivated_days", c.reactivated_days}}) {
    if (value < 1) {
      return InvalidArgumentError(std::string("lifecycle.") + key + ": " + std::to_string(value) +
                                  " must be at least 1");
    }
  }
  if (c.at_risk_days > c.inactive_days || c.inactive_days > c.lost_days) {
    return InvalidArgumentError("lifecycle: need at_risk_days <= inactive_days <= lost_days, got " +
                                std::to_string(c.at_risk_days) + ", " +
                                std::to_string(c.inactive_days) + ", " +
                                std::to_string(c.lost_days));
  }
  return Status::Ok();
}

Lifecycle ClassifyLifecycle(const LifecycleConfig& c, const OrderMetrics& orders,
                            bool rules_inactive, Date as_of) {
  if (!orders.has_order()) return Lifecycle::kProspect;
  const std::int32_t recency = as_of.days() - orders.last_order_day;
  if (recency >= c.lost_days) return Lifecycle::kLost;
  if (recency >= c.inactive_days || rules_inactive) return Lifecycle::kInactive;
  if (recency >= c.at_risk_days) return Lifecycle::kAtRisk;
  if (as_of.days() - orders.first_order_day < c.new_days) return Lifecycle::kNew;
  if (orders.last_return_day != kNever &&
      as_of.days() - orders.last_return_day < c.reactivated_days) {
    return Lifecycle::kReactivated;
  }
  return Lifecycle::kActive;
}

}  // namespace winback::analytics
