#include "report/report_data.h"

#include <algorithm>
#include <utility>

#include "models/customer_values.h"
#include "models/store_summary.h"

namespace winback::report {
namespace {

// Rates, cohorts and exit reasons: one pass over the orders, one over the events.
Status AddActivity(store::Store& store, const ReportOptions& options, ReportData& data) {
  WINBACK_ASSIGN_OR_RETURN(store::TimeRange order_times, store.OrderTimeRange());
  analytics::CohortAccumulator cohorts(options.currency, options.as_of);
  // Complete months only: [month of the first order, first day of as_of's month if as_of is
  // not its last day, else of the next month).
  std::optional<analytics::RatesAccumulator> rates;
  // Seasonality and tenure pool the months from the first one starting at least activity_days
  // after the first order: before that nobody can have gone activity_days without an order, so
  // those months show no churn by construction and would dilute every pooled rate.
  std::optional<analytics::RatesAccumulator> pooled;
  Date rates_last_day;
  if (order_times.first && UtcDate(*order_times.first) <= options.as_of) {
    const Date first_day = UtcDate(*order_times.first);
    const Date first = analytics::PeriodStart(analytics::Period::kMonth, first_day);
    const Date end = analytics::PeriodStart(analytics::Period::kMonth, options.as_of.PlusDays(1));
    if (first < end) {
      rates_last_day = end.PlusDays(-1);
      WINBACK_ASSIGN_OR_RETURN(
          std::vector<Date> boundaries,
          analytics::PeriodBoundaries(analytics::Period::kMonth, first, rates_last_day));
      rates.emplace(std::move(boundaries), options.activity_days);
    }
    const Date warm_up_end = first_day.PlusDays(options.activity_days);
    Date pooled_first = analytics::PeriodStart(analytics::Period::kMonth, warm_up_end);
    if (pooled_first < warm_up_end) {
      pooled_first = analytics::NextPeriodStart(analytics::Period::kMonth, pooled_first);
    }
    if (pooled_first < end) {
      WINBACK_ASSIGN_OR_RETURN(
          std::vector<Date> boundaries,
          analytics::PeriodBoundaries(analytics::Period::kMonth, pooled_first, rates_last_day));
      pooled.emplace(std::move(boundaries), options.activity_days);
      data.pooled_from = pooled_first;
    }
  }
  std::vector<std::int32_t> days;
  WINBACK_RETURN_IF_ERROR(
      store.ForEachCustomerOrders([&](CustomerKey, std::span<const store::OrderPoint> orders) {
        if (rates) {
          analytics::CompletedOrderDays(orders, rates_last_day, days);
          rates->Add(days);
          if (pooled) pooled->Add(days);
        }
        cohorts.Add(orders);
        return Status::Ok();
      }));
  if (rates) data.monthly = rates->Rates();
  if (pooled) {
    const std::vector<analytics::PeriodRates> pooled_months = pooled->Rates();
    data.churn_by_tenure = pooled->Tenure();
    data.churn_by_calendar_month = analytics::ChurnByCalendarMonth(pooled_months);
  }
  data.cohorts = cohorts.Finish();

  analytics::ExitReasonAccumulator exits(options.as_of);
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerEventsOfTypes(
      analytics::ExitReasonAccumulator::kTypes,
      [&](CustomerKey, std::span<const store::EventPoint> events) {
        exits.Add(events);
        return Status::Ok();
      }));
  data.exit_months = exits.Months();
  data.exit_totals = exits.Totals();
  return Status::Ok();
}

// InvalidArgument from the models means "this data cannot support the model" (no repeat
// purchase, nobody in the summary): the section is left out with the reason. Anything else
// (the store failing) is an error of the whole report.
bool IsDataShortage(const Status& s) { return s.code() == StatusCode::kInvalidArgument; }

Status AddPAlive(store::Store& store, const ReportOptions& options,
                 std::span<const store::CustomerScore> scores, ReportData& data) {
  models::CustomerValueOptions value_options;
  value_options.threads = options.threads;
  Result<models::CustomerValueTable> values =
      models::ComputeCustomerValues(store, options.as_of, value_options);
  if (!values.ok()) {
    if (!IsDataShortage(values.status())) return values.status();
    data.p_alive_note = "BG/NBD could not be fitted as of " + options.as_of.ToString() + ": " +
                        values.status().message();
    return Status::Ok();
  }
  PAliveSection section;
  section.params = values->purchase_params;
  section.log_likelihood = values->purchase_report.log_likelihood;
  section.spend_currency = values->spend_currency;
  double clv = 0;
  bool any_clv = false;
  for (const store::CustomerScore& s : scores) {
    const auto key = static_cast<std::size_t>(s.key.value());
    if (key >= values->by_key.size() || !values->by_key[key]) continue;
    const models::CustomerValue& v = *values->by_key[key];
    // frequency counts distinct local purchase days, as the model summary does: more than one
    // day means at least one repeat purchase.
    section.histogram.Add(v.p_alive, s.frequency > 1);
    section.expected_purchases_90d += v.expected_purchases;
    if (v.clv_minor) {
      clv += *v.clv_minor;
      any_clv = true;
    }
  }
  if (any_clv) section.clv_12m_minor = clv;
  data.p_alive = std::move(section);
  return Status::Ok();
}

Status AddCalibration(store::Store& store, const ReportOptions& options,
                      std::span<const store::CustomerScore> scores, ReportData& data) {
  std::int64_t history_days = 0;
  for (const store::CustomerScore& s : scores) {
    if (s.tenure_days) history_days = std::max(history_days, *s.tenure_days);
  }
  const std::int32_t holdout_days =
      options.holdout_days.value_or(DefaultHoldoutDays(static_cast<std::int32_t>(history_days)));
  if (holdout_days < 1 || holdout_days >= history_days) {
    data.calibration_note =
        "the history (" + std::to_string(history_days) +
        " days up to as_of) is too short for a holdout period" +
        (holdout_days >= 1 ? " of " + std::to_string(holdout_days) + " days" : std::string());
    return Status::Ok();
  }
  CalibrationSection section;
  section.holdout_end = options.as_of;
  section.calibration_end = options.as_of.PlusDays(-holdout_days);
  models::StoreSummaryOptions summary_options;
  summary_options.calibration_end = section.calibration_end;
  summary_options.days_per_unit = 7.0;
  summary_options.holdout_end = section.holdout_end;
  WINBACK_ASSIGN_OR_RETURN(models::StoreSummary summary,
                           models::SummarizeStore(store, summary_options));
  models::FitOptions fit_options;
  fit_options.threads = options.threads;
  fit_options.standard_errors = false;  // the plot needs the estimates only
  Result<models::BgNbdFit> fit = models::FitBgNbd(summary.table, fit_options);
  if (!fit.ok()) {
    if (!IsDataShortage(fit.status())) return fit.status();
    data.calibration_note = "BG/NBD could not be fitted on the calibration period up to " +
                            section.calibration_end.ToString() + ": " + fit.status().message();
    return Status::Ok();
  }
  WINBACK_ASSIGN_OR_RETURN(section.buckets,
                           CalibrationBuckets(summary.table, summary.holdout_frequency, fit->model,
                                              summary.holdout_length));
  section.holdout_weeks = summary.holdout_length;
  section.params = fit->model.params();
  section.log_likelihood = fit->report.log_likelihood;
  section.customers = static_cast<std::int64_t>(summary.table.size());
  for (const CalibrationBucket& b : section.buckets) {
    section.actual_total += b.actual_mean * static_cast<double>(b.customers);
    section.predicted_total += b.predicted_mean * static_cast<double>(b.customers);
  }
  data.calibration = std::move(section);
  return Status::Ok();
}

}  // namespace

Result<ReportData> BuildReport(store::Store& store, const ReportOptions& options) {
  WINBACK_RETURN_IF_ERROR(analytics::ValidateScoringConfig(options.scoring));
  if (options.activity_days < 1) {
    return InvalidArgumentError("report: activity_days " + std::to_string(options.activity_days) +
                                " is below 1");
  }
  if (options.holdout_days && *options.holdout_days < 1) {
    return InvalidArgumentError("report: holdout of " + std::to_string(*options.holdout_days) +
                                " days is below 1");
  }
  ReportData data;
  data.as_of = options.as_of;
  data.currency = options.currency;
  data.activity_days = options.activity_days;

  WINBACK_ASSIGN_OR_RETURN(std::vector<store::CustomerScore> scores,
                           analytics::ScoreStore(store, options.scoring, options.as_of));
  const analytics::ScoreSummary summary = analytics::SummarizeScores(scores);
  data.summary.customers = summary.customers;
  data.summary.buyers = summary.buyers;
  data.summary.inactive = summary.inactive;
  data.summary.let_go = summary.let_go;
  data.rfm = BuildRfmGrid(scores);
  analytics::SegmentTableBuilder segments(options.currency);
  for (const store::CustomerScore& s : scores) segments.Add(s);
  data.segments = segments.Finish();
  for (const analytics::SegmentRow& g : data.segments.groups) {
    data.summary.revenue_minor += g.revenue_minor;
  }

  WINBACK_RETURN_IF_ERROR(AddActivity(store, options, data));
  WINBACK_RETURN_IF_ERROR(AddPAlive(store, options, scores, data));
  WINBACK_RETURN_IF_ERROR(AddCalibration(store, options, scores, data));
  return data;
}

}  // namespace winback::report
