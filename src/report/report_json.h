#pragma once

#include <optional>
#include <span>
#include <string>

#include "analytics/cohorts.h"
#include "analytics/rates.h"
#include "analytics/trends.h"
#include "report/report_data.h"

namespace winback::report {

// The report's numbers as one JSON document (`winback report --json`, and the data the HTML
// page draws its charts from). Top-level keys: as_of, currency, activity_days, summary,
// rfm_grid, segments, groups, rates, churn_by_tenure, churn_by_calendar_month, cohorts,
// exit_reasons, p_alive, calibration; README.md of src/report lists every field. Money is in
// minor units of `currency`; shares and rates are fractions except crr, which is in percent.
// Absent values are null; an absent model section is {"available": false, "note": "..."}.
// `indent` < 0 prints one line. Invalid UTF-8 in names is replaced, never thrown.
std::string ReportJson(const ReportData& data, int indent = 2);

// The JSON of the stand-alone analytics commands, written by the same code as the matching
// sections of ReportJson (one row format for periods, tenure buckets, segments and cohorts).
// Key order is alphabetical; `indent` as above.

// `winback rates --json`: {"period", "activity_days", "periods": [{"start", "end", "S", "E",
// "N", "crr", "retained", "churned", "reactivated", "churn_rate", "partial"}],
// "churn_by_tenure": [...], "churn_by_calendar_month": [12 rates or null]}. A period is partial
// when it ends after `data_end` (the day after the last order); churn_by_calendar_month is
// present for monthly periods only.
std::string RatesJson(analytics::Period period, int activity_days,
                      std::span<const analytics::PeriodRates> rates,
                      std::span<const analytics::TenureBucket> tenure, Date data_end,
                      int indent = 2);

// The migration between two score dates that `winback segments --compare` adds.
struct SegmentMigration {
  Date from;
  Date to;
  analytics::MigrationMatrix matrix;
};

// `winback segments --json`: {"as_of", "currency", "segmented", "other_currency_customers",
// "segments", "groups", and with a migration "migration": {"from", "to", "labels", "counts",
// "moved"}}. Rows as in ReportJson's "segments".
std::string SegmentsJson(Date as_of, const analytics::SegmentTable& table,
                         const std::optional<SegmentMigration>& migration, int indent = 2);

// `winback cohorts --json`: {"by": "month", "to", "currency", "other_currency_orders",
// "cohorts": rows as in ReportJson's "cohorts"."rows"}.
std::string CohortsJson(Date to, const analytics::CohortTable& table, int indent = 2);

}  // namespace winback::report
