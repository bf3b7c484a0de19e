#include "report/html_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/check.h"
#include "core/html.h"
#include "core/money.h"
#include "report/internal/chart_asset.h"
#include "report/internal/html.h"
#include "report/internal/report_assets.h"
#include "report/report_json.h"

namespace winback::report {
namespace {

using internal::FormatPercent;

// Heatmaps show at most this many cohorts (the latest) and months since acquisition; the JSON
// has all of them.
constexpr std::size_t kMaxCohortRows = 36;
constexpr std::size_t kMaxCohortMonths = 24;

std::string Num(double x, int decimals) {
  if (!std::isfinite(x)) return "–";
  return fmt::format("{:.{}f}", x, decimals);
}

std::string Swatch(std::string_view group) {
  return "<span class=\"swatch\" style=\"background:" + internal::GroupColour(group) + "\"></span>";
}

void Kpi(std::string& out, std::string_view label, const std::string& value,
         const std::string& sub) {
  fmt::format_to(std::back_inserter(out),
                 "<div class=\"kpi\"><div class=\"l\">{}</div><div class=\"v\">{}</div>"
                 "<div class=\"s\">{}</div></div>\n",
                 EscapeHtml(label), EscapeHtml(value), EscapeHtml(sub));
}

void Kpis(std::string& out, const ReportData& d) {
  out += "<div class=\"kpis\">\n";
  const ReportSummary& s = d.summary;
  Kpi(out, "Customers", FormatCount(s.customers), FormatCount(s.buyers) + " have ordered");
  Kpi(out, "Revenue", internal::FormatCompactMoney(s.revenue_minor, d.currency),
      d.currency + ", completed orders");
  Kpi(out, "Inactive", FormatCount(s.inactive),
      s.buyers > 0
          ? FormatPercent(static_cast<double>(s.inactive) / static_cast<double>(s.buyers)) +
                " of buyers, by the rules"
          : std::string("by the inactivity rules"));
  if (!d.monthly.empty()) {
    const analytics::PeriodRates& last = d.monthly.back();
    const std::string month = last.start.ToString().substr(0, 7);
    Kpi(out, "CRR", last.crr() ? Num(*last.crr(), 1) + "%" : "–", "month " + month);
    Kpi(out, "Churn rate", last.churn_rate() ? FormatPercent(*last.churn_rate()) : "–",
        "month " + month);
  }
  if (d.p_alive) {
    Kpi(out, "Mean P(alive)", Num(d.p_alive->histogram.mean(), 2), "BG/NBD, buyers");
    Kpi(out, "Expected purchases",
        FormatCount(static_cast<std::int64_t>(std::llround(d.p_alive->expected_purchases_90d))),
        "repeat purchases, next 90 days");
  }
  out += "</div>\n";
}

void RfmSection(std::string& out, const ReportData& d) {
  out += "<section id=\"rfm\"><h2>RFM grid</h2>\n";
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">Customers who have ordered ({}), by recency score R "
                 "(columns; 5 = bought most recently) and frequency score F (rows; 5 = most "
                 "purchase days), quintiles with ties kept together. Each block is a segment, "
                 "coloured by its group (article 004); a cell holds several when M (mean order "
                 "value) splits it. A score nobody has stays empty: ties are never split, so "
                 "where most customers bought on one day only, F jumps from 1 to 3 or 4.</p>\n",
                 FormatCount(d.rfm.customers));
  out += "<div class=\"rfm-wrap\"><div>\n";
  out +=
      "<div class=\"axis\" style=\"text-align:center;margin-left:92px\">recency score R "
      "&rarr; more recent</div>\n";
  out += "<table class=\"rfm\"><thead><tr><th></th>";
  for (int r = 1; r <= 5; ++r) {
    fmt::format_to(std::back_inserter(out), "<th>R {}<small>{}</small></th>", r,
                   r == 1   ? "longest ago"
                   : r == 5 ? "most recent"
                            : "&nbsp;");
  }
  out += "</tr></thead>\n<tbody>\n";
  for (int f = 5; f >= 1; --f) {
    fmt::format_to(std::back_inserter(out), "<tr><th>F {}<small>{}</small></th>", f,
                   f == 5   ? "most often"
                   : f == 1 ? "once"
                            : "&nbsp;");
    for (int r = 1; r <= 5; ++r) {
      const RfmCell& cell = d.rfm.at(r, f);
      if (cell.customers == 0) {
        out += "<td><div class=\"cell empty\">–</div></td>";
        continue;
      }
      out += "<td><div class=\"cell\">";
      for (const RfmCellSegment& s : cell.segments) {
        const std::string text_colour =
            internal::GroupNeedsLightText(s.group) ? "#ffffff" : "#1f2933";
        fmt::format_to(std::back_inserter(out),
                       "<div class=\"band\" style=\"flex-grow:{};background:{};color:{}\" "
                       "title=\"R {} F {}: {} {} ({})\"><span class=\"n\">{}</span>"
                       "<span class=\"s\">{}</span></div>",
                       s.customers, internal::GroupColour(s.group), text_colour, r, f,
                       FormatCount(s.customers), EscapeHtml(internal::SegmentLabel(s.segment)),
                       EscapeHtml(internal::GroupLabel(s.group)), FormatCount(s.customers),
                       EscapeHtml(internal::SegmentLabel(s.segment)));
      }
      out += "</div></td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
  out += "<div class=\"legend\"><h3>Groups</h3><table>\n";
  for (int g = 0; g < analytics::kGroupCount; ++g) {
    const std::string name(analytics::GroupName(static_cast<analytics::Group>(g)));
    const std::int64_t n = d.rfm.by_group[static_cast<std::size_t>(g)];
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}{}</td><td style=\"text-align:right\">{}</td>"
                   "<td style=\"text-align:right\">{}</td></tr>\n",
                   Swatch(name), EscapeHtml(internal::GroupLabel(name)), FormatCount(n),
                   d.rfm.customers > 0 ? FormatPercent(static_cast<double>(n) /
                                                       static_cast<double>(d.rfm.customers))
                                       : "–");
  }
  out += "</table></div></div></section>\n";
}

enum class RowKind : std::uint8_t { kSegment, kGroup };

void SegmentRows(std::string& out, const std::vector<analytics::SegmentRow>& rows,
                 const std::string& currency, RowKind kind) {
  for (const analytics::SegmentRow& r : rows) {
    out += "<tr>";
    if (kind == RowKind::kSegment) {
      fmt::format_to(std::back_inserter(out), "<td class=\"l\">{}</td><td class=\"l\">{}{}</td>",
                     EscapeHtml(internal::SegmentLabel(r.name)), Swatch(r.group),
                     EscapeHtml(internal::GroupLabel(r.group)));
    } else {
      fmt::format_to(std::back_inserter(out), "<td class=\"l\">{}{}</td>", Swatch(r.group),
                     EscapeHtml(internal::GroupLabel(r.name)));
    }
    fmt::format_to(std::back_inserter(out),
                   "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                   FormatCount(r.customers), FormatPercent(r.share),
                   FormatMoney(r.revenue_minor, currency, DigitGrouping::kThousands),
                   FormatPercent(r.revenue_share),
                   FormatMoney(r.mean_value_minor, currency, DigitGrouping::kThousands));
  }
}

void SegmentSection(std::string& out, const ReportData& d) {
  const std::string cur = EscapeHtml(d.currency);
  out += "<section id=\"segments\"><h2>Segments</h2>\n";
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">Customers, revenue share and mean value (revenue per "
                 "customer) per RFM segment, in {} from completed orders up to {}.{}</p>\n",
                 cur, d.as_of.ToString(),
                 d.segments.other_currency_customers > 0
                     ? " " + FormatCount(d.segments.other_currency_customers) +
                           " customers whose main currency is another are counted but left "
                           "out of the money columns."
                     : std::string());
  const std::string head = fmt::format(
      "<th>Customers</th><th>Share</th><th>Revenue ({0})</th><th>Revenue share</th>"
      "<th>Mean value ({0})</th></tr></thead><tbody>\n",
      cur);
  out += "<table class=\"data\"><thead><tr><th class=\"l\">Segment</th><th class=\"l\">Group</th>" +
         head;
  SegmentRows(out, d.segments.segments, d.currency, RowKind::kSegment);
  out += "</tbody></table>\n<h3>Groups (article 004)</h3>\n";
  out += "<table class=\"data\"><thead><tr><th class=\"l\">Group</th>" + head;
  SegmentRows(out, d.segments.groups, d.currency, RowKind::kGroup);
  out += "</tbody></table></section>\n";
}

void RatesSection(std::string& out, const ReportData& d) {
  out += "<section id=\"rates\"><h2>Retention and churn by month</h2>\n";
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">A customer is active at an instant when they ordered in the "
                 "{} days before it. Per calendar month: S = active at the start, E = active at "
                 "the end, N = first order in the month; CRR = (E − N) / S × 100 and churn rate "
                 "= (active at the start, not at the end) / S. Complete months only.</p>\n",
                 d.activity_days);
  if (d.monthly.empty()) {
    out += "<p class=\"note\">No complete month of orders up to the report date.</p></section>\n";
    return;
  }
  out += "<div class=\"chart tall\"><canvas id=\"chart-rates\"></canvas></div></section>\n";
}

enum class HeatValues : std::uint8_t { kActiveShare, kRevenueRetention };

void HeatTable(std::string& out, const analytics::CohortTable& t, HeatValues what) {
  const bool revenue = what == HeatValues::kRevenueRetention;
  const std::size_t first_row = t.rows.size() > kMaxCohortRows ? t.rows.size() - kMaxCohortRows : 0;
  std::size_t columns = 0;
  double max_value = 0;
  std::vector<std::vector<double>> values;
  for (std::size_t i = first_row; i < t.rows.size(); ++i) {
    values.push_back(revenue ? t.rows[i].RevenueRetention() : t.rows[i].ActiveShare());
    const std::vector<double>& v = values.back();
    if (!v.empty()) columns = std::max(columns, std::min(v.size() - 1, kMaxCohortMonths));
    for (std::size_t k = 1; k < v.size() && k <= kMaxCohortMonths; ++k) {
      if (std::isfinite(v[k])) max_value = std::max(max_value, v[k]);
    }
  }
  out += "<div class=\"scroll\"><table class=\"heat\"><thead><tr><th>cohort</th><th>";
  out += revenue ? "revenue m0" : "customers";
  out += "</th>";
  for (std::size_t k = 1; k <= columns; ++k)
    fmt::format_to(std::back_inserter(out), "<th>m{}</th>", k);
  out += "</tr></thead><tbody>\n";
  for (std::size_t i = first_row; i < t.rows.size(); ++i) {
    const analytics::CohortRow& row = t.rows[i];
    const std::vector<double>& v = values[i - first_row];
    const std::string cohort = fmt::format("{:04}-{:02}", row.year, row.month);
    fmt::format_to(
        std::back_inserter(out), "<tr><th>{}</th><td class=\"n\">{}</td>", cohort,
        revenue ? (row.revenue_minor.empty()
                       ? std::string("–")
                       : FormatMoney(row.revenue_minor[0], t.currency, DigitGrouping::kThousands))
                : FormatCount(row.customers));
    for (std::size_t k = 1; k <= columns; ++k) {
      if (k >= v.size() || !std::isfinite(v[k])) {
        out += "<td class=\"na\"></td>";
        continue;
      }
      const double scaled = max_value > 0 ? v[k] / max_value : 0;
      const std::string detail =
          revenue
              ? fmt::format("{} revenue in month {}: {} of month 0", cohort, k, FormatPercent(v[k]))
              : fmt::format("{} cohort, month {}: {} ordered ({} of {})", cohort, k,
                            FormatPercent(v[k]), FormatCount(row.active[k]),
                            FormatCount(row.customers));
      fmt::format_to(std::back_inserter(out),
                     "<td style=\"background:{};color:{}\" title=\"{}\">{}</td>",
                     internal::HeatColour(scaled),
                     internal::HeatNeedsLightText(scaled) ? "#ffffff" : "#1f2933",
                     EscapeHtml(detail), Num(100 * v[k], 1));
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">Colour scale: white = 0, darkest blue = {} (the largest "
                 "value shown).{}</p>\n",
                 FormatPercent(max_value),
                 t.rows.size() > kMaxCohortRows || columns == kMaxCohortMonths
                     ? fmt::format(" Shown: the latest {} cohorts and up to {} months; "
                                   "--json has them all.",
                                   kMaxCohortRows, kMaxCohortMonths)
                     : std::string());
}

void CohortSection(std::string& out, const ReportData& d) {
  out += "<section id=\"cohorts\"><h2>Cohorts</h2>\n";
  out +=
      "<p class=\"note\">Customers by the calendar month of their first completed order. "
      "Month k is k calendar months after it; m1, m2, ... show the share of the cohort "
      "that ordered again in that month (in %).</p>\n";
  if (d.cohorts.rows.empty()) {
    out += "<p class=\"note\">No completed orders up to the report date.</p></section>\n";
    return;
  }
  out += "<h3>Share of the cohort ordering, by months since acquisition (%)</h3>\n";
  HeatTable(out, d.cohorts, HeatValues::kActiveShare);
  fmt::format_to(std::back_inserter(out),
                 "<h3>Revenue retention: revenue in month k / revenue in month 0 (%, {})</h3>\n",
                 EscapeHtml(d.cohorts.currency));
  HeatTable(out, d.cohorts, HeatValues::kRevenueRetention);
  out += "</section>\n";
}

void ChurnSection(std::string& out, const ReportData& d) {
  out += "<section id=\"churn\"><h2>When customers leave</h2>\n";
  if (!d.pooled_from) {
    fmt::format_to(std::back_inserter(out),
                   "<p class=\"note\">Not enough history: churn by season and tenure needs a "
                   "complete month starting {} days (the activity window) after the first "
                   "order.</p></section>\n",
                   d.activity_days);
    return;
  }
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">Monthly churn rates pooled by calendar month (seasonality) "
                 "and by the customer's tenure (days since the first order) at the start of the "
                 "month, over the months from {}: before then, less than {} days after the first "
                 "order, nobody could have churned yet.</p>\n",
                 d.pooled_from->ToString().substr(0, 7), d.activity_days);
  out +=
      "<div class=\"two\"><div><h3>Churn by calendar month</h3><div class=\"chart\">"
      "<canvas id=\"chart-churn-month\"></canvas></div></div>\n"
      "<div><h3>Churn by tenure</h3><div class=\"chart\"><canvas id=\"chart-churn-tenure\">"
      "</canvas></div></div></div></section>\n";
}

void ExitSection(std::string& out, const ReportData& d) {
  std::int64_t total = 0;
  for (std::size_t i = 1; i < d.exit_totals.size(); ++i) total += d.exit_totals[i];
  out += "<section id=\"exit-reasons\"><h2>Exit reasons</h2>\n";
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">Reasons given in exit surveys and cancellations up to {}: "
                 "{} in all.</p>\n",
                 d.as_of.ToString(), FormatCount(total));
  if (total == 0) {
    out += "</section>\n";
    return;
  }
  out +=
      "<div class=\"two\"><div><h3>Top exit reasons</h3><div class=\"chart\">"
      "<canvas id=\"chart-exit-totals\"></canvas></div></div>\n"
      "<div><h3>Exit reasons by month</h3><div class=\"chart\"><canvas "
      "id=\"chart-exit-months\"></canvas></div></div></div></section>\n";
}

std::string ParamsText(const models::BgNbdParams& p) {
  return fmt::format("r = {:.4g}, α = {:.4g} weeks, a = {:.4g}, b = {:.4g}", p.r, p.alpha, p.a,
                     p.b);
}

void PAliveSectionHtml(std::string& out, const ReportData& d) {
  out += "<section id=\"p-alive\"><h2>P(alive)</h2>\n";
  if (!d.p_alive) {
    fmt::format_to(std::back_inserter(out), "<p class=\"note\">Not available: {}.</p></section>\n",
                   EscapeHtml(d.p_alive_note));
    return;
  }
  const PAliveSection& p = *d.p_alive;
  std::int64_t one_time = 0;
  for (std::int64_t n : p.histogram.one_time) one_time += n;
  fmt::format_to(
      std::back_inserter(out),
      "<p class=\"note\">The probability that each customer is still a customer as of {}, from "
      "BG/NBD (Fader, Hardie &amp; Lee 2005) fitted in weeks on {} customers' completed orders: "
      "{}; log-likelihood {}. BG/NBD lets customers drop out only after a repeat purchase, so "
      "the {} one-time buyers all get P(alive) = 1: the chart shows the {} repeat buyers (click "
      "the legend to add the others). Mean P(alive) of all {}; expected repeat purchases in "
      "the next 90 days: {}{}.</p>\n",
      d.as_of.ToString(), FormatCount(p.histogram.customers), ParamsText(p.params),
      Num(p.log_likelihood, 2), FormatCount(one_time),
      FormatCount(p.histogram.customers - one_time), Num(p.histogram.mean(), 3),
      FormatCount(static_cast<std::int64_t>(std::llround(p.expected_purchases_90d))),
      p.clv_12m_minor
          ? fmt::format("; 12-month CLV (Gamma-Gamma spend, 1% monthly discount): {} {}",
                        FormatMoney(static_cast<std::int64_t>(std::llround(*p.clv_12m_minor)),
                                    p.spend_currency, DigitGrouping::kThousands),
                        EscapeHtml(p.spend_currency))
          : std::string());
  out += "<div class=\"chart\"><canvas id=\"chart-p-alive\"></canvas></div></section>\n";
}

void CalibrationSectionHtml(std::string& out, const ReportData& d) {
  out += "<section id=\"calibration\"><h2>Model calibration: actual vs predicted</h2>\n";
  if (!d.calibration) {
    fmt::format_to(std::back_inserter(out), "<p class=\"note\">Not available: {}.</p></section>\n",
                   EscapeHtml(d.calibration_note));
    return;
  }
  const CalibrationSection& c = *d.calibration;
  fmt::format_to(
      std::back_inserter(out),
      "<p class=\"note\">BG/NBD fitted in weeks on the {} customers who had ordered by {} "
      "(calibration period; {}), then asked how many purchases each would make in the next {} "
      "weeks up to {} (holdout period). Customers are grouped by their repeat purchases in "
      "calibration; the lines are the group means of what they actually bought and of what the "
      "model predicted. In total: {} purchases observed, {} predicted.</p>\n",
      FormatCount(c.customers), c.calibration_end.ToString(), ParamsText(c.params),
      Num(c.holdout_weeks, 1), c.holdout_end.ToString(),
      FormatCount(static_cast<std::int64_t>(std::llround(c.actual_total))),
      FormatCount(static_cast<std::int64_t>(std::llround(c.predicted_total))));
  out +=
      "<div class=\"two\"><div class=\"chart\"><canvas id=\"chart-calibration\"></canvas>"
      "</div>\n<div><table class=\"data\"><thead><tr><th class=\"l\">Repeat purchases in "
      "calibration</th><th>Customers</th><th>Actual mean</th><th>Predicted mean</th></tr>"
      "</thead><tbody>\n";
  for (const CalibrationBucket& b : c.buckets) {
    const bool empty = b.customers == 0;
    fmt::format_to(std::back_inserter(out),
                   "<tr><td class=\"l\">{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                   b.frequency, b.open_ended ? "+" : "", FormatCount(b.customers),
                   empty ? "–" : Num(b.actual_mean, 3), empty ? "–" : Num(b.predicted_mean, 3));
  }
  out += "</tbody></table></div></div></section>\n";
}

// Money per customer (major units) with the currency's decimals.
int MoneyDecimals(const std::string& currency) {
  if (currency.empty()) return 2;
  const Result<Currency> c = Currency::FromCode(currency);
  return c.ok() ? c->exponent() : 2;
}

// "[-1.20, +3.45]" of fractions in percentage points, or of amounts.
std::string Interval(double low, double high, double factor, int decimals) {
  return fmt::format("[{:+.{}f}, {:+.{}f}]", low * factor, decimals, high * factor, decimals);
}

std::string PValue(double p) { return p < 0.0001 ? "&lt;0.0001" : Num(p, 4); }

void FunnelTable(std::string& out, const measure::CampaignResult& r) {
  out +=
      "<div class=\"scroll\"><table class=\"data\"><thead><tr><th class=\"l\">Step</th>"
      "<th class=\"l\">Variant</th><th>Planned</th><th>Held out</th><th>Sent</th>"
      "<th>Delivered</th><th>Opened</th><th>Clicked</th><th>Unsubscribed</th><th>Bounced</th>"
      "<th>Converted</th><th>Held out, converted</th><th>Coupons redeemed</th></tr></thead>"
      "<tbody>\n";
  for (const measure::FunnelRow& f : r.funnel) {
    fmt::format_to(std::back_inserter(out),
                   "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td>"
                   "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                   "<td>{}</td><td>{}</td></tr>\n",
                   EscapeHtml(f.step), f.variant.empty() ? "–" : EscapeHtml(f.variant),
                   FormatCount(f.planned), FormatCount(f.held_out), FormatCount(f.sent),
                   FormatCount(f.delivered), FormatCount(f.opened), FormatCount(f.clicked),
                   FormatCount(f.unsubscribed), FormatCount(f.bounced), FormatCount(f.converted),
                   FormatCount(f.held_out_converted), FormatCount(f.coupons_redeemed));
  }
  out += "</tbody></table></div>\n";
}

void LiftRows(std::string& out, std::string_view name, const measure::LiftMetric& m, double factor,
              int decimals, std::string_view unit) {
  const measure::Comparison& c = m.plain;
  const measure::Comparison& a = m.cuped.adjusted;
  fmt::format_to(std::back_inserter(out),
                 "<tr><td class=\"l\">{}</td><td>{:+.{}f}{}</td><td>{}</td><td>{}</td>"
                 "<td>{} (variance {})</td><td>{}</td><td>{}</td></tr>\n",
                 name, c.diff * factor, decimals, unit,
                 Interval(c.ci_low, c.ci_high, factor, decimals), PValue(c.p_value),
                 Interval(a.ci_low, a.ci_high, factor, decimals),
                 m.cuped.variance_reduction > 0 ? "−" + FormatPercent(m.cuped.variance_reduction, 0)
                                                : std::string("not reduced"),
                 Interval(m.sequential.ci_low, m.sequential.ci_high, factor, decimals),
                 c.relative_lift ? fmt::format("{:+.1f}%", 100 * *c.relative_lift) : "–");
}

void VariantTables(std::string& out, const measure::CampaignResult& r) {
  if (r.variants.empty()) return;
  out += "<h3>A/B variants</h3>\n";
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">Each variant of a step against its first variant, on the "
                 "win-back conversion of its planned messages (intention to treat): the "
                 "difference in percentage points with its always-valid {:.0f}% interval, and "
                 "the p-value adjusted by Holm's method over the step's comparisons. A winner is "
                 "declared only when that adjusted p-value is below {:.2f}. MDE: the smallest "
                 "true difference the comparison detects with 80% power at its current sample, "
                 "(z<sub>1−α/2</sub> + z<sub>0.8</sub>) √(p (1 − p) (1/n<sub>variant</sub> + "
                 "1/n<sub>first</sub>)), p the first variant's rate.</p>\n",
                 100 * (1 - r.alpha), r.alpha);
  for (const measure::StepVariants& sv : r.variants) {
    fmt::format_to(std::back_inserter(out), "<h3>Step {}</h3>\n", EscapeHtml(sv.step));
    if (sv.srm_mismatch) {
      fmt::format_to(std::back_inserter(out),
                     "<p class=\"warn\">Sample ratio mismatch between the variants (p = {}): "
                     "the split is broken, no winner is declared.</p>\n",
                     PValue(sv.srm_p_value));
    }
    out +=
        "<table class=\"data\"><thead><tr><th class=\"l\">Variant</th><th>Planned</th>"
        "<th>Converted</th><th>Rate</th><th>Difference</th><th>Always-valid interval</th>"
        "<th>Holm p</th><th>MDE</th></tr></thead><tbody>\n";
    for (const measure::VariantLift& v : sv.variants) {
      const bool first = &v == &sv.variants.front();
      fmt::format_to(
          std::back_inserter(out), "<tr><td class=\"l\">{}{}</td><td>{}</td><td>{}</td><td>{}</td>",
          EscapeHtml(v.variant), v.variant == sv.winner ? " (winner)" : "", FormatCount(v.n),
          FormatCount(v.converted), FormatPercent(v.conversion_rate, 2));
      if (first) {
        out += "<td>reference</td><td></td><td></td><td></td></tr>\n";
        continue;
      }
      fmt::format_to(
          std::back_inserter(out), "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          v.comparison ? fmt::format("{:+.2f} pts", 100 * v.comparison->diff) : "–",
          v.sequential ? Interval(v.sequential->ci_low, v.sequential->ci_high, 100, 2) : "–",
          v.holm_p_value ? PValue(*v.holm_p_value) : "–",
          std::isfinite(v.mde) ? fmt::format("{:.2f} pts", 100 * v.mde) : "–");
    }
    out += "</tbody></table>\n";
    fmt::format_to(std::back_inserter(out), "<p class=\"note\">Winner: {}.{}</p>\n",
                   sv.winner.empty() ? "none yet" : EscapeHtml(sv.winner),
                   sv.after_takeover > 0
                       ? fmt::format(" {} later messages went to the winner (auto_winner) and "
                                     "are not part of the test.",
                                     FormatCount(sv.after_takeover))
                       : std::string());
    for (const measure::VariantLift& v : sv.variants) {
      if (!v.underpowered) continue;
      fmt::format_to(
          std::back_inserter(out),
          "<p class=\"warn\">{} against {} cannot reach significance yet: with {} and {} "
          "messages the smallest detectable difference (80% power) is {}; the difference seen "
          "is {:+.2f} pts.</p>\n",
          EscapeHtml(v.variant), EscapeHtml(sv.variants.front().variant), FormatCount(v.n),
          FormatCount(sv.variants.front().n),
          std::isfinite(v.mde) ? fmt::format("{:.2f} pts", 100 * v.mde)
                               : std::string("unbounded (an arm is empty)"),
          v.comparison ? 100 * v.comparison->diff : 0.0);
    }
  }
}

void CampaignSectionHtml(std::string& out, const CampaignReport& c, std::size_t index, Date as_of) {
  fmt::format_to(std::back_inserter(out),
                 "<section id=\"campaign-{}\" class=\"campaign\"><h2>Campaign: {}</h2>\n", index,
                 EscapeHtml(c.name));
  if (!c.result) {
    fmt::format_to(std::back_inserter(out), "<p class=\"note\">Not measured: {}.</p></section>\n",
                   EscapeHtml(c.skip_reason.empty() ? c.note : c.skip_reason));
    return;
  }
  const measure::CampaignResult& r = *c.result;
  const int decimals = MoneyDecimals(r.currency);
  const std::string cur = EscapeHtml(r.currency);
  fmt::format_to(
      std::back_inserter(out),
      "<p class=\"note\">{} customers targeted since {}, measured with what happened up to the "
      "end of {}. Won back: a completed order within {} days of the customer's first message "
      "(for the holdout, of when it would have gone). Each customer counts once, in the arm of "
      "its first entry (intention to treat).{}</p>\n",
      FormatCount(r.targeted), UtcDate(r.first_start).ToString(), as_of.ToString(),
      r.attribution_days,
      r.not_started > 0 ? fmt::format(" {} of them had not started yet and are not measured.",
                                      FormatCount(r.not_started))
                        : std::string());
  // The split first: a broken one gets a warning, not a number.
  fmt::format_to(std::back_inserter(out),
                 "<h3>Sample ratio check</h3>\n<p class=\"{}\">{} treated, {} held out against "
                 "a designed holdout of {}: chi-square {}, p = {}: {}.</p>\n",
                 r.sample_ratio.mismatch ? "warn" : "note", FormatCount(r.treated.customers),
                 FormatCount(r.holdout.customers), FormatPercent(r.holdout_share),
                 Num(r.sample_ratio.chi_square, 3), PValue(r.sample_ratio.p_value),
                 r.sample_ratio.mismatch
                     ? "SAMPLE RATIO MISMATCH (p &lt; 0.001): customers were lost or added "
                       "unevenly between the arms, so no lift is shown"
                     : "consistent with the design");
  out +=
      "<h3>Win-back rate</h3>\n<table class=\"data\"><thead><tr><th class=\"l\">Arm</th>"
      "<th>Customers</th><th>Won back</th><th>Win-back rate</th>";
  fmt::format_to(std::back_inserter(out),
                 "<th>Revenue per customer ({})</th></tr></thead><tbody>\n", cur);
  for (const auto& [name, a] :
       {std::pair{"Treated", &r.treated}, std::pair{"Holdout", &r.holdout}}) {
    fmt::format_to(std::back_inserter(out),
                   "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                   "</tr>\n",
                   name, FormatCount(a->customers), FormatCount(a->converted),
                   FormatPercent(a->conversion_rate, 2), Num(a->revenue_per_customer, decimals));
  }
  out += "</tbody></table>\n<h3>Lift against the holdout</h3>\n";
  if (r.sample_ratio.mismatch) {
    out += "<p class=\"warn\">Not shown: the split is broken (see the sample ratio check).</p>\n";
  } else if (!r.conversion_rate || !r.revenue_per_customer) {
    out +=
        "<p class=\"note\">Not yet: each arm needs at least 2 customers whose campaign has "
        "started.</p>\n";
  } else {
    fmt::format_to(
        std::back_inserter(out),
        "<p class=\"note\">Treated minus holdout. Fixed: the {0:.0f}% interval diff ± critical "
        "× se with the unpooled (Welch) standard error, valid for one look. CUPED: the same "
        "after adjusting each customer's outcome by their orders (conversion) or spend "
        "(revenue) before the campaign, Y − θ (X − mean X), θ = cov(Y, X) / var(X). "
        "Always-valid: the confidence sequence that stays valid however often it is looked at "
        "(safe to read every day). Conversion in percentage points, revenue in {1} per "
        "customer.</p>\n",
        100 * (1 - r.alpha), cur);
    out +=
        "<div class=\"scroll\"><table class=\"data\"><thead><tr><th class=\"l\">Metric</th>"
        "<th>Difference</th><th>Fixed interval</th><th>p</th><th>CUPED interval</th>"
        "<th>Always-valid interval</th><th>Relative</th></tr></thead><tbody>\n";
    LiftRows(out, "Win-back rate", *r.conversion_rate, 100, 2, " pts");
    LiftRows(out, "Revenue per customer", *r.revenue_per_customer, 1, decimals, "");
    out += "</tbody></table></div>\n";
    fmt::format_to(
        std::back_inserter(out),
        "<p class=\"note\">Incremental customers {:+.1f} {}; incremental revenue "
        "{:+.{}f} {} {}; incremental profit {:+.{}f} {} {} (net of {} {} in "
        "redeemed offers and {} {} in messages).</p>",
        r.incremental_customers->value,
        Interval(r.incremental_customers->ci_low, r.incremental_customers->ci_high, 1, 1),
        r.incremental_revenue->value, decimals, cur,
        Interval(r.incremental_revenue->ci_low, r.incremental_revenue->ci_high, 1, decimals),
        r.incremental_profit->value, decimals, cur,
        Interval(r.incremental_profit->ci_low, r.incremental_profit->ci_high, 1, decimals),
        FormatMoney(r.offer_cost_minor, r.currency, DigitGrouping::kThousands), cur,
        FormatMoney(r.message_cost_minor, r.currency, DigitGrouping::kThousands), cur);
    fmt::format_to(std::back_inserter(out),
                   "<div class=\"chart\"><canvas id=\"chart-campaign-{}-lift\"></canvas>"
                   "</div>\n",
                   index);
  }
  out += "<h3>Funnel per step and variant</h3>\n";
  out +=
      "<p class=\"note\">Messages, not customers. Planned: for treated customers (any status "
      "but holdout); held out: recorded for holdout customers, never sent; delivered: sent "
      "without a bounce; opened, clicked, unsubscribed, bounced: with at least one such "
      "tracking event; converted: the customer completed an order within the attribution "
      "window of the message; coupons redeemed: the message's coupon was on a completed "
      "order.</p>\n";
  FunnelTable(out, r);
  VariantTables(out, r);
  if (!c.timeline.empty()) {
    fmt::format_to(
        std::back_inserter(out),
        "<h3>Over time</h3>\n<p class=\"note\">One point per day since the first step, each "
        "computed with the data up to the end of that day: the win-back rate of each arm so "
        "far, and the cumulative lift (treated − holdout, percentage points) with its fixed "
        "{0:.0f}% interval and the always-valid band, which holds for every day at once (N* = "
        "{1} customers). Days with a broken split or fewer than 2 customers in an arm have no "
        "lift.{2}</p>\n",
        100 * (1 - r.alpha), FormatCount(static_cast<std::int64_t>(std::llround(r.planned_n))),
        c.days_cut > 0 ? fmt::format(" The first {} days are left out (at most {} are shown).",
                                     c.days_cut, kMaxLiftDays)
                       : std::string());
    fmt::format_to(std::back_inserter(out),
                   "<div class=\"two\"><div class=\"chart\"><canvas "
                   "id=\"chart-campaign-{0}-rates\"></canvas></div>\n<div class=\"chart\">"
                   "<canvas id=\"chart-campaign-{0}-cumulative\"></canvas></div></div>\n",
                   index);
  }
  for (const std::string& note : r.notes) {
    fmt::format_to(std::back_inserter(out), "<p class=\"note\">Note: {}.</p>\n", EscapeHtml(note));
  }
  out += "</section>\n";
}

void CampaignsSection(std::string& out, const ReportData& d) {
  if (d.campaigns.empty()) {
    out +=
        "<section id=\"campaigns\"><h2>Campaigns</h2><p class=\"note\">No campaign has "
        "messages in the outbox yet (<code>winback plan</code>).</p></section>\n";
    return;
  }
  for (std::size_t i = 0; i < d.campaigns.size(); ++i) {
    CampaignSectionHtml(out, d.campaigns[i], i, d.as_of);
  }
}

int CanvasCount(const std::string& html) {
  int n = 0;
  for (std::size_t at = html.find("<canvas"); at != std::string::npos;
       at = html.find("<canvas", at + 1)) {
    ++n;
  }
  return n;
}

// Replaces every chart (a <div class="chart..."> holding one canvas) with a note.
std::string WithoutCharts(const std::string& body) {
  constexpr std::string_view kOpen = "<div class=\"chart";
  constexpr std::string_view kClose = "</canvas></div>";
  std::string out;
  out.reserve(body.size());
  std::size_t at = 0;
  for (std::size_t open = body.find(kOpen); open != std::string::npos;
       open = body.find(kOpen, at)) {
    const std::size_t close = body.find(kClose, open);
    WINBACK_CHECK(close != std::string::npos);
    out.append(body, at, open - at);
    out +=
        "<p class=\"note\">Charts are off; <code>winback report --json</code> has these "
        "numbers.</p>";
    at = close + kClose.size();
  }
  out.append(body, at);
  return out;
}

}  // namespace

bool ChartsEmbedded() { return !internal::ChartJsSource().empty(); }

std::string_view ChartJsBundle() { return internal::ChartJsSource(); }

std::string RenderHtml(const ReportData& d, Charts charts) {
  std::string body;
  Kpis(body, d);
  RfmSection(body, d);
  SegmentSection(body, d);
  RatesSection(body, d);
  CohortSection(body, d);
  ChurnSection(body, d);
  ExitSection(body, d);
  PAliveSectionHtml(body, d);
  CalibrationSectionHtml(body, d);
  CampaignsSection(body, d);
  const bool draw = charts == Charts::kIfEmbedded && ChartsEmbedded();
  if (!draw) body = WithoutCharts(body);

  const std::string_view chart_js = draw ? internal::ChartJsSource() : std::string_view();
  std::string out;
  out.reserve(body.size() + chart_js.size() + std::size_t{64} * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  fmt::format_to(std::back_inserter(out), "<title>winback report as of {}</title>\n",
                 d.as_of.ToString());
  out += "<style>\n";
  out += internal::ReportCss();
  out += "</style>\n</head>\n<body>\n<header><h1>Customer retention report</h1>";
  fmt::format_to(std::back_inserter(out),
                 "<p>as of {} · {} customers · money in {} · winback</p></header>\n<main>\n",
                 d.as_of.ToString(), FormatCount(d.summary.customers), EscapeHtml(d.currency));
  out += body;
  out += "</main>\n";
  if (draw) {
    fmt::format_to(
        std::back_inserter(out),
        "<footer>Self-contained page: it loads nothing from the network. Charts drawn "
        "with Chart.js {} (MIT License), embedded. <span id=\"charts-status\" "
        "data-expected=\"{}\">charts not rendered (JavaScript is off?)</span></footer>\n",
        EscapeHtml(internal::ChartJsVersion()), CanvasCount(body));
  } else {
    out += ChartsEmbedded()
               ? "<footer>Self-contained page: it loads nothing from the network. Charts are "
                 "off: tables only.</footer>\n"
               : "<footer>Self-contained page: it loads nothing from the network. Charts are "
                 "off: this winback was built without chart code (-DWINBACK_CHARTS=OFF), so the "
                 "page has tables only.</footer>\n";
  }
  out += "<script type=\"application/json\" id=\"report-data\">";
  out += internal::EscapeJsonForScript(ReportJson(d, -1));
  out += "</script>\n";
  if (!draw) {
    out += "</body>\n</html>\n";
    return out;
  }
  out += "<script>";
  out += chart_js;
  out += "</script>\n<script>\n";
  out += internal::ReportJs();
  out += "</script>\n</body>\n</html>\n";
  return out;
}

Status WriteHtmlReport(const ReportData& data, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string html = RenderHtml(data);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return UnavailableError("cannot write '" + tmp + "'");
    file.write(html.data(), static_cast<std::streamsize>(html.size()));
    file.close();
    if (!file) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      return UnavailableError("cannot write '" + tmp + "' (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return UnavailableError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
  return Status::Ok();
}

}  // namespace winback::report
