#pragma once

#include <string>

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

}  // namespace winback::report
