#pragma once

#include <cstdint>
#include <string>

#include "analytics/scorer.h"

namespace winback::config {
class Registry;
}  // namespace winback::config

namespace winback::analytics {

// The analytics settings of winback.toml: sections [inactivity], [rfm], [lifecycle],
// [readiness], [let_go] and [rates]. Every key is optional; the defaults are those of the
// structs of src/analytics (ExampleAnalyticsConfig lists them all, with comments).
struct AnalyticsConfig {
  ScoringConfig scoring;
  // [rates] activity_days: a customer is active at an instant when they ordered within this
  // many days before it (rates, churn by segment).
  std::int32_t activity_days = 180;
  // [rates] currency: the currency of revenue columns (cohorts, segments, report). Empty: the
  // main currency of most customers.
  std::string currency;
};

// Registers the six analytics sections with `registry`, each with its keys, types and ranges,
// parsed into the AnalyticsConfig of the loaded config::Config (config.Get<AnalyticsConfig>()).
// Besides the checks of the keys, the parse functions apply the analytics validators
// (ValidateInactivityConfig, SegmentMap::Create, ValidateLifecycleConfig,
// ValidateReadinessConfig) and check [rates] currency against ISO 4217; their errors name the
// file and line: "winback.toml:12: lifecycle: need at_risk_days <= inactive_days <= lost_days".
void AddConfigSections(config::Registry& registry);

// A commented example of the analytics sections with every default, for `winback init`.
std::string ExampleAnalyticsConfig();

}  // namespace winback::analytics
