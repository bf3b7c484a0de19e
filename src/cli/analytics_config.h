#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "analytics/scorer.h"
#include "cli/commands.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace winback::cli {

// The analytics sections of winback.toml: [inactivity], [rfm], [lifecycle], [readiness],
// [let_go] and [rates]. Every key is optional; the defaults are those of src/analytics (see
// ExampleAnalyticsConfig for the full list with comments).
struct AnalyticsConfig {
  analytics::ScoringConfig scoring;
  // [rates] activity_days: a customer is active at an instant when they ordered within this
  // many days before it (rates, churn by segment).
  std::int32_t activity_days = 180;
  // [rates] currency: the currency of revenue columns (cohorts, segments, report). Empty: the
  // main currency of most customers.
  std::string currency;
};

// Reads the analytics sections of the config named by `globals` (a missing default
// ./winback.toml gives the defaults; a missing --config file is NotFound). Syntax errors,
// unknown keys, wrong types and invalid values are InvalidArgument naming the file, line and
// key: "winback.toml:12: inactivity.rule[2].days: expected an integer >= 1". Other sections
// are left to their own readers.
Result<AnalyticsConfig> LoadAnalyticsConfig(const GlobalOptions& globals);

// A commented example of the analytics sections with every default, for `winback init`.
std::string ExampleAnalyticsConfig();

// Helpers shared by the analytics commands.

// Parses a --as-of / --from / --to value; InvalidArgument naming the option.
Result<Date> ParseDateOption(std::string_view option, std::string_view text);

}  // namespace winback::cli
