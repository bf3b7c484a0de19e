#pragma once

// A small hand-made ReportData for the tests of the renderers (html_report_test.cc,
// report_json_test.cc). Test-only.

#include <string>
#include <utility>
#include <vector>

#include "report/report_data.h"

namespace winback::report::internal {

inline store::CustomerScore SampleScore(int r, int f, int m, std::string segment,
                                        std::string group) {
  store::CustomerScore s;
  s.r = r;
  s.f = f;
  s.m = m;
  s.segment = std::move(segment);
  s.group = std::move(group);
  s.currency = "USD";
  s.monetary_total_minor = 5'500;
  return s;
}

inline analytics::PeriodRates SampleMonth(std::int32_t start, std::int32_t end) {
  analytics::PeriodRates p;
  p.start = Date::FromDays(start);
  p.end = Date::FromDays(end);
  return p;
}

inline CalibrationBucket SampleBucket(int x, bool open_ended, std::int64_t customers, double actual,
                                      double predicted) {
  CalibrationBucket b;
  b.frequency = x;
  b.open_ended = open_ended;
  b.customers = customers;
  b.actual_mean = actual;
  b.predicted_mean = predicted;
  return b;
}

inline ReportData SampleReport() {
  ReportData d;
  d.as_of = Date::FromDays(19'813);  // 2024-03-31
  d.currency = "USD";
  d.activity_days = 30;
  d.summary.customers = 5;
  d.summary.buyers = 4;
  d.summary.inactive = 1;
  d.summary.revenue_minor = 22'000;
  const std::vector<store::CustomerScore> scores = {
      SampleScore(3, 4, 2, "loyal", "loyal"),
      SampleScore(4, 3, 1, "potential_loyalist", "potentially_loyal"),
      SampleScore(2, 1, 4, "hibernating", "lost"),
      SampleScore(1, 1, 3, "lost", "lost"),
  };
  d.rfm = BuildRfmGrid(scores);
  analytics::SegmentTableBuilder segments("USD");
  for (const store::CustomerScore& s : scores) segments.Add(s);
  d.segments = segments.Finish();
  analytics::PeriodRates jan = SampleMonth(19'723, 19'754);  // January 2024
  jan.n = 2;
  jan.e = 2;
  analytics::PeriodRates feb = SampleMonth(19'754, 19'783);
  feb.s = 2;
  feb.e = 2;
  feb.n = 1;
  feb.retained = 1;
  feb.churned = 1;
  d.monthly = {jan, feb};
  analytics::TenureBucket young;
  young.min_days = 0;
  young.max_days = 90;
  young.at_risk = 2;
  young.churned = 1;
  d.pooled_from = Date::FromDays(19'754);  // 2024-02-01
  d.churn_by_tenure = {young};
  d.churn_by_calendar_month[1] = 0.5;
  analytics::CohortRow cohort;
  cohort.year = 2024;
  cohort.month = 1;
  cohort.customers = 2;
  cohort.active = {2, 1, 1};
  cohort.revenue_minor = {6'000, 2'000, 3'000};
  d.cohorts.currency = "USD";
  d.cohorts.rows = {cohort};
  analytics::ExitReasonMonth feb_exits;
  feb_exits.year = 2024;
  feb_exits.month = 2;
  feb_exits.by_reason[static_cast<std::size_t>(analytics::ExitReason::kPrice)] = 3;
  feb_exits.by_reason[static_cast<std::size_t>(analytics::ExitReason::kService)] = 1;
  d.exit_months = {feb_exits};
  d.exit_totals = feb_exits.by_reason;
  PAliveSection p;
  p.params = {0.25, 4.4, 0.8, 2.4};
  p.log_likelihood = -12.5;
  p.histogram.Add(1.0, BuyerKind::kOneTime);
  p.histogram.Add(0.35, BuyerKind::kRepeat);
  p.expected_purchases_90d = 1.75;
  p.spend_currency = "USD";
  d.p_alive = p;
  CalibrationSection c;
  c.calibration_end = Date::FromDays(19'785);  // 2024-03-03
  c.holdout_end = d.as_of;
  c.holdout_weeks = 4;
  c.params = {0.3, 5.0, 0.7, 2.0};
  c.customers = 3;
  c.buckets = {SampleBucket(0, false, 2, 0.5, 0.25), SampleBucket(1, true, 1, 1, 0.75)};
  c.actual_total = 2;
  c.predicted_total = 1.25;
  d.calibration = c;
  return d;
}

}  // namespace winback::report::internal
