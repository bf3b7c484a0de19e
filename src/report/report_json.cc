#include "report/report_json.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "report/campaign_json.h"

namespace winback::report {
namespace {

using nlohmann::json;

json Optional(const std::optional<double>& x) { return x ? json(*x) : json(nullptr); }

json SegmentRowJson(const analytics::SegmentRow& r) {
  return {{"name", r.name},
          {"group", r.group},
          {"customers", r.customers},
          {"share", r.share},
          {"revenue_minor", r.revenue_minor},
          {"revenue_share", r.revenue_share},
          {"mean_value_minor", r.mean_value_minor}};
}

json ParamsJson(const models::BgNbdParams& p) {
  return {{"r", p.r}, {"alpha", p.alpha}, {"a", p.a}, {"b", p.b}};
}

json RfmJson(const RfmGrid& grid) {
  json by_group = json::object();
  for (int g = 0; g < analytics::kGroupCount; ++g) {
    by_group[std::string(analytics::GroupName(static_cast<analytics::Group>(g)))] =
        grid.by_group[static_cast<std::size_t>(g)];
  }
  json cells = json::array();
  for (const RfmCell& c : grid.cells) {
    json segments = json::array();
    for (const RfmCellSegment& s : c.segments) {
      segments.push_back({{"segment", s.segment}, {"group", s.group}, {"customers", s.customers}});
    }
    cells.push_back({{"r", c.r}, {"f", c.f}, {"customers", c.customers}, {"segments", segments}});
  }
  return {{"rows", "f"},
          {"columns", "r"},
          {"customers", grid.customers},
          {"by_group", by_group},
          {"cells", cells}};
}

// One period's rates; with `data_end`, whether the period ends after the data does.
json PeriodJson(const analytics::PeriodRates& r, std::optional<Date> data_end) {
  json out = {{"start", r.start.ToString()},
              {"end", r.end.ToString()},
              {"S", r.s},
              {"E", r.e},
              {"N", r.n},
              {"crr", Optional(r.crr())},
              {"retained", r.retained},
              {"churned", r.churned},
              {"reactivated", r.reactivated},
              {"churn_rate", Optional(r.churn_rate())}};
  if (data_end) out["partial"] = r.end > *data_end;
  return out;
}

json PeriodsJson(std::span<const analytics::PeriodRates> rates, std::optional<Date> data_end) {
  json periods = json::array();
  for (const analytics::PeriodRates& r : rates) periods.push_back(PeriodJson(r, data_end));
  return periods;
}

json RatesSectionJson(const ReportData& d) {
  return {{"period", std::string(analytics::PeriodName(analytics::Period::kMonth))},
          {"activity_days", d.activity_days},
          {"periods", PeriodsJson(d.monthly, std::nullopt)},
          {"pooled_from", d.pooled_from ? json(d.pooled_from->ToString()) : json(nullptr)}};
}

json CalendarMonthsJson(const std::array<std::optional<double>, 12>& rates) {
  json out = json::array();
  for (const std::optional<double>& x : rates) out.push_back(Optional(x));
  return out;
}

json TenureJson(std::span<const analytics::TenureBucket> tenure) {
  json out = json::array();
  for (const analytics::TenureBucket& b : tenure) {
    out.push_back(
        {{"min_days", b.min_days},
         {"max_days", b.max_days == std::numeric_limits<std::int32_t>::max() ? json(nullptr)
                                                                             : json(b.max_days)},
         {"active_at_start", b.at_risk},
         {"churned", b.churned},
         {"churn_rate", Optional(b.churn_rate())}});
  }
  return out;
}

json SegmentRowsJson(std::span<const analytics::SegmentRow> rows) {
  json out = json::array();
  for (const analytics::SegmentRow& r : rows) out.push_back(SegmentRowJson(r));
  return out;
}

json CohortRowsJson(const analytics::CohortTable& t) {
  json rows = json::array();
  for (const analytics::CohortRow& r : t.rows) {
    rows.push_back({{"cohort", fmt::format("{:04}-{:02}", r.year, r.month)},
                    {"customers", r.customers},
                    {"active", r.active},
                    {"active_share", r.ActiveShare()},
                    {"revenue_minor", r.revenue_minor},
                    {"revenue_retention", r.RevenueRetention()}});
  }
  return rows;
}

json CohortsSectionJson(const analytics::CohortTable& t) {
  return {{"currency", t.currency},
          {"other_currency_orders", t.other_currency_orders},
          {"rows", CohortRowsJson(t)}};
}

// Strings come from the store and the config, which hold validated UTF-8; replacing instead of
// throwing keeps a bad byte from ever becoming an exception.
std::string Dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json ExitReasonsJson(const ReportData& d) {
  // Reasons by count, largest first (ties in reason order); "none" is not a reason.
  std::vector<int> order;
  for (int i = 1; i < analytics::kExitReasonCount; ++i) {
    if (d.exit_totals[static_cast<std::size_t>(i)] > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return d.exit_totals[static_cast<std::size_t>(a)] > d.exit_totals[static_cast<std::size_t>(b)];
  });
  json totals = json::array();
  for (int i : order) {
    totals.push_back(
        {{"reason", std::string(analytics::ExitReasonName(static_cast<analytics::ExitReason>(i)))},
         {"count", d.exit_totals[static_cast<std::size_t>(i)]}});
  }
  json months = json::array();
  for (const analytics::ExitReasonMonth& m : d.exit_months) {
    json by_reason = json::object();
    for (int i = 1; i < analytics::kExitReasonCount; ++i) {
      by_reason[std::string(analytics::ExitReasonName(static_cast<analytics::ExitReason>(i)))] =
          m.by_reason[static_cast<std::size_t>(i)];
    }
    months.push_back(
        {{"month", fmt::format("{:04}-{:02}", m.year, m.month)}, {"by_reason", by_reason}});
  }
  return {{"totals", totals}, {"by_month", months}};
}

json PAliveJson(const ReportData& d) {
  if (!d.p_alive) return {{"available", false}, {"note", d.p_alive_note}};
  const PAliveSection& p = *d.p_alive;
  json bins = json::array();
  for (int b = 0; b < PAliveHistogram::kBins; ++b) {
    const auto i = static_cast<std::size_t>(b);
    bins.push_back({{"lo", b / 10.0},
                    {"hi", (b + 1) / 10.0},
                    {"one_time", p.histogram.one_time[i]},
                    {"repeat", p.histogram.repeat[i]}});
  }
  return {{"available", true},
          {"model", "bgnbd"},
          {"unit", "week"},
          {"params", ParamsJson(p.params)},
          {"log_likelihood", p.log_likelihood},
          {"customers", p.histogram.customers},
          {"mean", p.histogram.mean()},
          {"bins", bins},
          {"expected_purchases_90d", p.expected_purchases_90d},
          {"clv_12m_minor", Optional(p.clv_12m_minor)},
          {"spend_currency", p.spend_currency}};
}

json CalibrationJson(const ReportData& d) {
  if (!d.calibration) return {{"available", false}, {"note", d.calibration_note}};
  const CalibrationSection& c = *d.calibration;
  json buckets = json::array();
  for (const CalibrationBucket& b : c.buckets) {
    const bool empty = b.customers == 0;
    buckets.push_back({{"frequency", b.frequency},
                       {"label", std::to_string(b.frequency) + (b.open_ended ? "+" : "")},
                       {"customers", b.customers},
                       {"actual_mean", empty ? json(nullptr) : json(b.actual_mean)},
                       {"predicted_mean", empty ? json(nullptr) : json(b.predicted_mean)}});
  }
  return {{"available", true},
          {"model", "bgnbd"},
          {"unit", "week"},
          {"calibration_end", c.calibration_end.ToString()},
          {"holdout_end", c.holdout_end.ToString()},
          {"holdout_weeks", c.holdout_weeks},
          {"params", ParamsJson(c.params)},
          {"log_likelihood", c.log_likelihood},
          {"customers", c.customers},
          {"buckets", buckets},
          {"actual_total", c.actual_total},
          {"predicted_total", c.predicted_total}};
}

}  // namespace

std::string ReportJson(const ReportData& d, int indent) {
  json j;
  j["as_of"] = d.as_of.ToString();
  j["currency"] = d.currency;
  j["activity_days"] = d.activity_days;
  j["summary"] = {{"customers", d.summary.customers},
                  {"buyers", d.summary.buyers},
                  {"inactive", d.summary.inactive},
                  {"let_go", d.summary.let_go},
                  {"revenue_minor", d.summary.revenue_minor},
                  {"revenue_saturated", d.summary.revenue_saturated},
                  {"segmented", d.segments.segmented},
                  {"other_currency_customers", d.segments.other_currency_customers}};
  j["rfm_grid"] = RfmJson(d.rfm);
  j["segments"] = SegmentRowsJson(d.segments.segments);
  j["groups"] = SegmentRowsJson(d.segments.groups);
  j["rates"] = RatesSectionJson(d);
  j["churn_by_tenure"] = TenureJson(d.churn_by_tenure);
  j["churn_by_calendar_month"] = CalendarMonthsJson(d.churn_by_calendar_month);
  j["cohorts"] = CohortsSectionJson(d.cohorts);
  j["exit_reasons"] = ExitReasonsJson(d);
  j["p_alive"] = PAliveJson(d);
  j["calibration"] = CalibrationJson(d);
  json campaigns = json::array();
  // The sections are written in campaign_json.cc with the same pieces as `winback measure
  // --json`; nlohmann's types stay out of headers, so each comes back as text (valid JSON, with
  // invalid UTF-8 already replaced, so parsing it cannot fail).
  for (const CampaignReport& c : d.campaigns) {
    campaigns.push_back(json::parse(CampaignReportJson(c)));
  }
  j["campaigns"] = campaigns;
  return Dump(j, indent);
}

std::string RatesJson(analytics::Period period, int activity_days,
                      std::span<const analytics::PeriodRates> rates,
                      std::span<const analytics::TenureBucket> tenure, Date data_end, int indent) {
  json j;
  j["period"] = std::string(analytics::PeriodName(period));
  j["activity_days"] = activity_days;
  j["periods"] = PeriodsJson(rates, data_end);
  j["churn_by_tenure"] = TenureJson(tenure);
  if (period == analytics::Period::kMonth) {
    j["churn_by_calendar_month"] = CalendarMonthsJson(analytics::ChurnByCalendarMonth(rates));
  }
  return Dump(j, indent);
}

std::string SegmentsJson(Date as_of, const analytics::SegmentTable& table,
                         const std::optional<SegmentMigration>& migration, int indent) {
  json j;
  j["as_of"] = as_of.ToString();
  j["currency"] = table.currency;
  j["segmented"] = table.segmented;
  j["other_currency_customers"] = table.other_currency_customers;
  j["revenue_saturated"] = table.revenue_saturated;
  j["segments"] = SegmentRowsJson(table.segments);
  j["groups"] = SegmentRowsJson(table.groups);
  if (migration) {
    j["migration"] = {{"from", migration->from.ToString()},
                      {"to", migration->to.ToString()},
                      {"labels", migration->matrix.labels},
                      {"counts", migration->matrix.counts},
                      {"moved", migration->matrix.moved}};
  }
  return Dump(j, indent);
}

std::string CohortsJson(Date to, const analytics::CohortTable& table, int indent) {
  json j;
  j["by"] = "month";
  j["to"] = to.ToString();
  j["currency"] = table.currency;
  j["other_currency_orders"] = table.other_currency_orders;
  j["revenue_saturated"] = table.revenue_saturated;
  j["cohorts"] = CohortRowsJson(table);
  return Dump(j, indent);
}

}  // namespace winback::report
