#include "report/report_data.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "analytics/revenue.h"
#include "core/check.h"
#include "models/store_summary.h"
#include "scoring/score_models.h"
#include "scoring/score_run.h"

namespace winback::report {
namespace {

// What the report needs from the order and event streams, for the customers of one key range:
// filled from the rows the scores read (analytics::StreamObserver), or by a pass of its own
// when the scores came from the aggregates. One per reader thread, merged in key order.
struct StreamPart {
  StreamPart(const ReportOptions& options, Date last_day)
      : rates_last_day(last_day),
        cohorts(options.currency, options.as_of),
        exits(options.as_of),
        histories(options.as_of) {}

  // One customer's orders, all statuses, oldest first.
  void AddOrders(CustomerKey key, std::span<const store::OrderPoint> orders) {
    if (!first_order || orders.front().placed_at < *first_order) {
      first_order = orders.front().placed_at;
    }
    analytics::CompletedOrderDays(orders, rates_last_day, scratch);
    order_days.insert(order_days.end(), scratch.begin(), scratch.end());
    day_ends.push_back(static_cast<std::uint32_t>(order_days.size()));
    cohorts.Add(orders);
    histories.Add(key, orders);
  }

  // Adds the customers of `next` (the following key range), except their order days, which
  // the rates read part by part.
  void Merge(StreamPart& next) {
    if (next.first_order && (!first_order || *next.first_order < *first_order)) {
      first_order = next.first_order;
    }
    cohorts.Merge(next.cohorts);
    exits.Merge(next.exits);
    histories.Append(std::move(next.histories));
  }

  Date rates_last_day;
  std::optional<Instant> first_order;  // of any status
  // Every customer's completed-order UTC days up to rates_last_day (CompletedOrderDays),
  // customer i's ending at day_ends[i]: the rates' months are known only once first_order is.
  std::vector<std::int32_t> order_days;
  std::vector<std::uint32_t> day_ends;
  analytics::CohortAccumulator cohorts;
  analytics::ExitReasonAccumulator exits;
  models::PurchaseHistories histories;  // up to as_of: both model summaries
  std::vector<std::int32_t> scratch;
};

// Rates, cohorts and exit reasons from the merged parts (parts[0] holds the merged
// accumulators; every part still holds its own order days).
Status AddActivity(std::span<const StreamPart> parts, const ReportOptions& options,
                   ReportData& data) {
  const StreamPart& all = parts.front();
  // Complete months only: [month of the first order, first day of as_of's month if as_of is
  // not its last day, else of the next month).
  std::optional<analytics::RatesAccumulator> rates;
  // Seasonality and tenure pool the months from the first one starting at least activity_days
  // after the first order: before that nobody can have gone activity_days without an order, so
  // those months show no churn by construction and would dilute every pooled rate.
  std::optional<analytics::RatesAccumulator> pooled;
  if (all.first_order && UtcDate(*all.first_order) <= options.as_of) {
    const Date first_day = UtcDate(*all.first_order);
    const Date first = analytics::PeriodStart(analytics::Period::kMonth, first_day);
    const Date end = all.rates_last_day.PlusDays(1);
    if (first < end) {
      WINBACK_ASSIGN_OR_RETURN(
          std::vector<Date> boundaries,
          analytics::PeriodBoundaries(analytics::Period::kMonth, first, all.rates_last_day));
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
          analytics::PeriodBoundaries(analytics::Period::kMonth, pooled_first, all.rates_last_day));
      pooled.emplace(std::move(boundaries), options.activity_days);
      data.pooled_from = pooled_first;
    }
  }
  if (rates) {
    for (const StreamPart& part : parts) {
      std::uint32_t begin = 0;
      for (const std::uint32_t end : part.day_ends) {
        const std::span<const std::int32_t> days(part.order_days.data() + begin, end - begin);
        rates->Add(days);
        if (pooled) pooled->Add(days);
        begin = end;
      }
    }
    data.monthly = rates->Rates();
  }
  if (pooled) {
    const std::vector<analytics::PeriodRates> pooled_months = pooled->Rates();
    data.churn_by_tenure = pooled->Tenure();
    data.churn_by_calendar_month = analytics::ChurnByCalendarMonth(pooled_months);
  }
  data.cohorts = all.cohorts.Finish();
  data.exit_months = all.exits.Months();
  data.exit_totals = all.exits.Totals();
  return Status::Ok();
}

// InvalidArgument from the models means "this data cannot support the model" (no repeat
// purchase, nobody in the summary): the section is left out with the reason. Anything else
// (the store failing) is an error of the whole report.
bool IsDataShortage(const Status& s) { return s.code() == StatusCode::kInvalidArgument; }

// The P(alive) section: the model columns of the score run (scoring::ScoreModels, the numbers
// `winback score` saves) are computed before the scores are handed out; each score then gets
// its customer's and adds them (in key order, so the sums do not depend on the readers).
class PAliveBuilder {
 public:
  // Fits the purchase and spend models on `histories`, as a score run of options.as_of does.
  // A model that cannot be fitted leaves the section out with the reason; only a store error
  // fails (scoring's error policy).
  Status Prepare(const models::PurchaseHistories& histories, const ReportOptions& options,
                 ReportData& data) {
    scoring::ScoreModelOptions model_options;
    model_options.churn = false;
    model_options.threads = options.threads;
    WINBACK_ASSIGN_OR_RETURN(
        models_, scoring::ScoreModels::ComputeValues(histories, options.as_of, model_options));
    if (!models_.bgnbd()) {
      data.p_alive_note = "BG/NBD could not be fitted as of " + options.as_of.ToString() + ": " +
                          models_.btyd_status().message();
      return Status::Ok();
    }
    PAliveSection& section = section_.emplace();
    section.params = *models_.bgnbd();
    section.log_likelihood = models_.bgnbd_log_likelihood();
    section.spend_currency = models_.spend_currency();
    return Status::Ok();
  }

  void Add(store::CustomerScore& s) {
    if (!section_) return;
    models_.Fill(s);
    totals_.Add(s);
    // frequency counts distinct local purchase days, as the model summary does: more than one
    // day means at least one repeat purchase.
    if (s.p_alive)
      section_->histogram.Add(*s.p_alive,
                              s.frequency > 1 ? BuyerKind::kRepeat : BuyerKind::kOneTime);
  }

  void Finish(ReportData& data) {
    if (!section_) return;
    section_->expected_purchases_90d = totals_.expected_purchases_sum;
    if (totals_.with_value > 0) section_->clv_12m_minor = totals_.clv_sum_minor;
    data.p_alive = std::move(section_);
    models_ = scoring::ScoreModels();
  }

 private:
  scoring::ScoreModels models_;
  std::optional<PAliveSection> section_;
  scoring::ModelTotals totals_;
};

// `history_days`: the longest tenure of a customer as of options.as_of.
Status AddCalibration(const models::PurchaseHistories& histories, std::int64_t history_days,
                      const ReportOptions& options, ReportData& data) {
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
  WINBACK_ASSIGN_OR_RETURN(models::StoreSummary summary, histories.Summarize(summary_options));
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

// Measures one campaign for the report: as of the end of `as_of`, then day by day.
Result<CampaignReport> MeasureForReport(store::Store& store, const CampaignSpec& spec, Date as_of) {
  CampaignReport out;
  out.name = spec.name;
  if (!spec.options) {
    out.skip_reason = spec.skip_reason;
    return out;
  }
  measure::CampaignOptions options = *spec.options;
  options.as_of = as_of.PlusDays(1).StartUtc();
  Result<measure::CampaignResult> r = measure::MeasureCampaign(spec.name, options, store, store);
  if (r.status().code() == StatusCode::kNotFound) {
    out.note = "no message of the campaign was planned by " + as_of.ToString();
    return out;
  }
  if (!r.ok()) return r.status();
  out.result = *std::move(r);
  if (!(out.result->first_start < options.as_of)) return out;
  // One confidence sequence: the same N* every day.
  options.planned_n = out.result->planned_n;
  Date first = UtcDate(out.result->first_start);
  const std::int32_t days = as_of.days() - first.days() + 1;
  if (days > kMaxLiftDays) {
    out.days_cut = days - kMaxLiftDays;
    first = first.PlusDays(out.days_cut);
  }
  // The store is read once for all days (measure::MeasureConversionByDay gives each day what
  // MeasureCampaign as of its end gives).
  WINBACK_ASSIGN_OR_RETURN(
      std::vector<measure::DailyConversion> daily,
      measure::MeasureConversionByDay(spec.name, options, first, as_of, store, store));
  const auto rate = [](std::int64_t k, std::int64_t n) {
    return n > 0 ? static_cast<double>(k) / static_cast<double>(n) : 0.0;
  };
  for (const measure::DailyConversion& d : daily) {
    LiftPoint p;
    p.day = d.day;
    p.treated = d.treated;
    p.holdout = d.holdout;
    p.treated_rate = rate(d.treated_converted, d.treated);
    p.holdout_rate = rate(d.holdout_converted, d.holdout);
    p.srm_mismatch = d.sample_ratio.mismatch;
    if (d.plain && !p.srm_mismatch) {
      p.plain = d.plain;
      p.sequential = d.sequential;
    }
    out.timeline.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<ReportData> BuildReport(std::span<store::Store* const> readers,
                               const ReportOptions& options) {
  WINBACK_CHECK(!readers.empty());
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

  // The rates end with the last complete month: the day before the first of as_of's month, or
  // as_of itself when it is the last day of its month.
  const Date rates_last_day =
      analytics::PeriodStart(analytics::Period::kMonth, options.as_of.PlusDays(1)).PlusDays(-1);
  std::vector<StreamPart> parts;
  parts.reserve(readers.size());
  for (std::size_t i = 0; i < readers.size(); ++i) parts.emplace_back(options, rates_last_day);
  // Scoring a past date reads every order and event: the rest of the report is computed from
  // the same rows rather than from passes of its own.
  analytics::StreamObserver observer;
  observer.orders = [&parts](std::size_t part, CustomerKey key,
                             std::span<const store::OrderPoint> orders) {
    parts[part].AddOrders(key, orders);
    return Status::Ok();
  };
  observer.events = [&parts](std::size_t part, CustomerKey,
                             std::span<const store::EventPoint> events) {
    parts[part].exits.Add(events);
    return Status::Ok();
  };
  WINBACK_ASSIGN_OR_RETURN(
      analytics::BuiltScores built,
      analytics::BuildScores(store::AsScanners(readers), options.scoring, options.as_of,
                             analytics::ScoreSource::kAuto, &observer));
  if (built.source != analytics::ScoreSource::kStreams) {
    // The aggregates gave the scores without the streams: one pass over the orders, and one
    // over the only events that carry an exit reason.
    StreamPart& part = parts.front();
    WINBACK_RETURN_IF_ERROR(readers[0]->ForEachCustomerOrders(
        [&part](CustomerKey key, std::span<const store::OrderPoint> orders) {
          part.AddOrders(key, orders);
          return Status::Ok();
        }));
    WINBACK_RETURN_IF_ERROR(readers[0]->ForEachCustomerEventsOfTypes(
        analytics::ExitReasonAccumulator::kTypes,
        [&part](CustomerKey, std::span<const store::EventPoint> events) {
          part.exits.Add(events);
          return Status::Ok();
        }));
  }
  for (std::size_t i = 1; i < parts.size(); ++i) parts.front().Merge(parts[i]);
  WINBACK_RETURN_IF_ERROR(AddActivity(parts, options, data));
  for (StreamPart& part : parts) {
    std::vector<std::int32_t>().swap(part.order_days);
    std::vector<std::uint32_t>().swap(part.day_ends);
  }
  const models::PurchaseHistories& histories = parts.front().histories;
  PAliveBuilder p_alive;
  WINBACK_RETURN_IF_ERROR(p_alive.Prepare(histories, options, data));

  // The scores are handed out one at a time and never kept: every section needs only counts
  // and sums over them.
  RfmGridBuilder rfm;
  analytics::SegmentTableBuilder segments(options.currency);
  std::int64_t history_days = 0;
  WINBACK_ASSIGN_OR_RETURN(const analytics::ScoreSummary summary,
                           built.builder.Finish([&](store::CustomerScore& s) {
                             rfm.Add(s);
                             segments.Add(s);
                             p_alive.Add(s);
                             if (s.tenure_days) {
                               history_days = std::max(history_days, *s.tenure_days);
                             }
                             return Status::Ok();
                           }));
  data.summary.customers = summary.customers;
  data.summary.buyers = summary.buyers;
  data.summary.inactive = summary.inactive;
  data.summary.let_go = summary.let_go;
  data.rfm = rfm.Finish();
  data.segments = segments.Finish();
  analytics::MoneySum revenue;
  for (const analytics::SegmentRow& g : data.segments.groups) revenue.Add(g.revenue_minor);
  data.summary.revenue_minor = revenue.minor();
  data.summary.revenue_saturated =
      revenue.saturated() || data.segments.revenue_saturated || data.cohorts.revenue_saturated;
  p_alive.Finish(data);
  WINBACK_RETURN_IF_ERROR(AddCalibration(histories, history_days, options, data));
  for (const CampaignSpec& spec : options.campaigns) {
    WINBACK_ASSIGN_OR_RETURN(
        CampaignReport c,
        MeasureForReport(*readers[0], spec, options.campaigns_through.value_or(options.as_of)));
    data.campaigns.push_back(std::move(c));
  }
  return data;
}

Result<ReportData> BuildReport(store::Store& store, const ReportOptions& options) {
  store::Store* readers[] = {&store};
  return BuildReport(readers, options);
}

}  // namespace winback::report
