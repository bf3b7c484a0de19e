#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/cohorts.h"
#include "analytics/customer_metrics.h"
#include "analytics/rates.h"
#include "analytics/scorer.h"
#include "analytics/trends.h"
#include "core/status.h"
#include "core/time.h"
#include "measure/campaign.h"
#include "models/bgnbd.h"
#include "report/calibration_plot.h"
#include "report/p_alive_histogram.h"
#include "report/rfm_grid.h"
#include "store/store.h"

namespace winback::report {

// One campaign of the outbox, as the caller wants it measured for the report.
struct CampaignSpec {
  std::string name;
  // measure's options for it (`winback report` uses those of `winback measure`); their as_of
  // is replaced by the report's (through the end of UTC day ReportOptions::as_of). nullopt:
  // not measured, `skip_reason` says why (not in the config, no holdout).
  std::optional<measure::CampaignOptions> options;
  std::string skip_reason;
};

// The campaign section shows at most this many daily points of the cumulative lift (the
// latest ones).
inline constexpr std::int32_t kMaxLiftDays = 366;

struct ReportOptions {
  Date as_of;  // everything placed after this UTC day is ignored
  analytics::ScoringConfig scoring;
  // A customer is active at an instant when they ordered within this many days before it
  // (analytics/rates.h; winback.toml [rates] activity_days).
  std::int32_t activity_days = 180;
  // The revenue currency of the money columns (segments, cohorts). The caller resolves it
  // (`winback report` takes [rates] currency, else the main currency of most customers);
  // empty leaves every money column at 0.
  std::string currency;
  // Holdout of the calibration plot in days; nullopt: DefaultHoldoutDays of the history.
  std::optional<std::int32_t> holdout_days;
  int threads = 1;  // model fitting threads (0 = all cores); results do not depend on it
  // The campaigns of the outbox to measure (measure::CampaignNames), one section each. Empty:
  // no campaign section.
  std::vector<CampaignSpec> campaigns;
  // The campaign sections measure what happened through the end of this UTC day; nullopt:
  // as_of. Later than as_of when the campaigns' windows close after the report's date (the
  // demo scores as of its last simulated day and measures the win-back campaign 58 days on).
  std::optional<Date> campaigns_through;
};

// One day of a campaign's cumulative lift on the win-back rate: measure::MeasureCampaign with
// what happened through the end of UTC day `day` (as_of = day + 1, 00:00 UTC), its always-valid
// interval with the N* of the whole report (CampaignResult::planned_n as of the report date),
// so the band is one confidence sequence.
struct LiftPoint {
  Date day;
  std::int64_t treated = 0;  // customers whose campaign had started by the end of `day`
  std::int64_t holdout = 0;
  double treated_rate = 0;  // win-back rates (fractions) so far
  double holdout_rate = 0;
  bool srm_mismatch = false;  // the split is broken: no lift that day
  // The fixed-horizon comparison and the always-valid interval of treated - holdout; absent
  // while an arm has fewer than 2 customers, and on a day whose split is broken.
  std::optional<measure::Comparison> plain;
  std::optional<measure::SequentialInterval> sequential;
};

// One campaign's section.
struct CampaignReport {
  std::string name;
  std::string skip_reason;  // Not measured (CampaignSpec::skip_reason).
  std::string note;         // Measured, but nothing was planned by the report date.
  std::optional<measure::CampaignResult> result;  // As of the end of the report date.
  // One point per UTC day from the campaign's first step (result->first_start) to the report
  // date, the latest kMaxLiftDays of them; days_cut says how many earlier ones are left out.
  std::vector<LiftPoint> timeline;
  std::int32_t days_cut = 0;
};

// Headline numbers.
struct ReportSummary {
  std::int64_t customers = 0;      // scored (every customer in the store)
  std::int64_t buyers = 0;         // with a completed order up to as_of
  std::int64_t inactive = 0;       // matching the [inactivity] rules
  std::int64_t let_go = 0;         // with a let-go flag
  std::int64_t revenue_minor = 0;  // completed orders of buyers whose main currency is currency
  // A revenue sum (this one, the segment table's or the cohorts') passed the int64 range of
  // minor units: it stays at the limit instead of wrapping, so it is wrong.
  bool revenue_saturated = false;
};

// The P(alive) distribution from BG/NBD fitted as of as_of, plus the predictions it makes: the
// model columns `winback score` saves for that date (scoring::ScoreModels: weeks, completed
// orders, same local day merged), summed as the score run sums them (scoring::ModelTotals).
struct PAliveSection {
  models::BgNbdParams params;  // in weeks
  double log_likelihood = 0;
  PAliveHistogram histogram;            // customers with a first order before as_of
  double expected_purchases_90d = 0;    // sum over customers: repeat purchases expected
  std::optional<double> clv_12m_minor;  // sum of 12-month CLV in spend_currency, when fitted
  std::string spend_currency;
};

// The calibration plot: BG/NBD fitted in weeks on the orders up to calibration_end, compared with
// what the same customers did in (calibration_end, holdout_end = as_of].
struct CalibrationSection {
  Date calibration_end;
  Date holdout_end;
  double holdout_weeks = 0;
  models::BgNbdParams params;  // in weeks
  double log_likelihood = 0;
  std::int64_t customers = 0;              // in the calibration summary
  std::vector<CalibrationBucket> buckets;  // x = 0..6 and 7+
  double actual_total = 0;                 // holdout purchases observed, all customers
  double predicted_total = 0;              // and predicted
};

// Every number of the report. Built by BuildReport; rendered by RenderHtml and ReportJson.
struct ReportData {
  Date as_of;
  std::string currency;
  std::int32_t activity_days = 180;
  ReportSummary summary;
  RfmGrid rfm;
  analytics::SegmentTable segments;
  // Monthly rates over the complete calendar months from the first order's month up to as_of
  // (a month that as_of cuts short is left out: its end would count as churned those who order
  // later that month). Empty when no month is complete.
  std::vector<analytics::PeriodRates> monthly;
  // Churn by tenure and by calendar month pool the complete months from pooled_from: the first
  // month that starts activity_days or more after the first order (before it nobody can have
  // churned yet). Absent, with both empty, when no such month is complete.
  std::optional<Date> pooled_from;
  std::vector<analytics::TenureBucket> churn_by_tenure;
  std::array<std::optional<double>, 12> churn_by_calendar_month{};  // index 0 = January
  analytics::CohortTable cohorts;  // acquisition month cohorts up to as_of
  std::vector<analytics::ExitReasonMonth> exit_months;
  std::array<std::int64_t, analytics::kExitReasonCount> exit_totals{};  // index ExitReason
  // The model sections are absent when the data cannot support them (no repeat purchase, too
  // short a history); the note then says why.
  std::optional<PAliveSection> p_alive;
  std::string p_alive_note;
  std::optional<CalibrationSection> calibration;
  std::string calibration_note;
  std::vector<CampaignReport> campaigns;  // In the order of ReportOptions::campaigns.
};

// Builds the report from the store as of options.as_of: scores every customer
// (analytics::BuildScores, nothing is written), the RFM grid and segment table, monthly rates,
// churn by calendar month and tenure, acquisition cohorts, exit reasons, the P(alive)
// distribution and the calibration plot. Reads the store; never the wall clock. `readers` are
// one or more Stores open on the same database: the scores, and the orders and events the
// other sections take from the same scan, are read on one thread per reader (the numbers do
// not depend on how many). When the scores come from the order and event streams (a past
// date), those are read once for everything; when they come from the aggregates, the report
// reads the orders once and the exit events once more.
// Then one section per ReportOptions::campaigns (measure::MeasureCampaign as of the end of
// as_of, and once more per day since the campaign's first step for the cumulative lift), read
// through readers[0].
// Errors: InvalidArgument for invalid options (scoring config, activity_days < 1, holdout_days
// < 1) and measure's InvalidArgument (a campaign's money in two currencies); whatever the store
// returns. A model that cannot be fitted is not an error (see
// ReportData::p_alive_note and calibration_note).
Result<ReportData> BuildReport(std::span<store::Store* const> readers,
                               const ReportOptions& options);

// BuildReport with one reader.
Result<ReportData> BuildReport(store::Store& store, const ReportOptions& options);

}  // namespace winback::report
