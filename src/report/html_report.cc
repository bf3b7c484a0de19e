#include "report/html_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "report/internal/chart_asset.h"
#include "report/internal/html.h"
#include "report/report_json.h"

namespace winback::report {
namespace {

using internal::EscapeHtml;
using internal::FormatCount;
using internal::FormatPercent;

// Heatmaps show at most this many cohorts (the latest) and months since acquisition; the JSON
// has all of them.
constexpr std::size_t kMaxCohortRows = 36;
constexpr std::size_t kMaxCohortMonths = 24;

constexpr std::string_view kStyle = R"css(
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f3f5f8;--card:#fff;--head:#102a43}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--head);color:#fff;padding:22px 32px}
header h1{margin:0;font-size:24px;font-weight:600;letter-spacing:.01em}
header p{margin:4px 0 0;color:#bcccdc}
main{max-width:1280px;margin:0 auto;padding:24px 32px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:0 0 22px}
h2{font-size:18px;margin:0 0 4px}
h3{font-size:14px;margin:16px 0 6px;color:#334e68}
p.note{color:var(--muted);margin:0 0 14px;font-size:13px;max-width:980px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:0 0 22px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.kpi .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.kpi .s{color:var(--muted);font-size:12px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
table.data{width:100%}
table.data th,table.data td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
table.data th{font-weight:600;color:#334e68;background:#f8fafc}
table.data .l{text-align:left}
table.data tbody tr:hover{background:#f8fafc}
.swatch{display:inline-block;width:11px;height:11px;border-radius:3px;margin-right:7px;vertical-align:-1px;border:1px solid rgba(0,0,0,.12)}
.two{display:grid;grid-template-columns:1fr 1fr;gap:28px}
.chart{position:relative;height:300px}
.chart.tall{height:340px}
.rfm-wrap{display:flex;gap:28px;align-items:flex-start;flex-wrap:wrap}
table.rfm{table-layout:fixed}
table.rfm th{font-weight:600;color:#334e68;font-size:12px;padding:4px 6px}
table.rfm thead th{text-align:center}
table.rfm tbody th{text-align:right;width:92px}
table.rfm td{padding:3px;width:150px}
table.rfm small{display:block;font-weight:400;color:var(--muted)}
.cell{display:flex;flex-direction:column;gap:2px;height:100%;min-height:86px}
.cell.empty{align-items:center;justify-content:center;background:#f8fafc;border:1px dashed var(--line);border-radius:6px;color:var(--muted)}
.band{display:flex;flex-direction:column;justify-content:center;padding:2px 8px;border-radius:6px;min-height:26px;line-height:1.2}
.band .n{font-weight:600;font-size:15px}
.band .s{font-size:11px;opacity:.9}
.legend{min-width:260px}
.legend table td{padding:4px 8px;border-bottom:1px solid var(--line)}
.axis{color:var(--muted);font-size:12px;margin:4px 0}
.scroll{overflow-x:auto}
table.heat th,table.heat td{padding:3px 5px;font-size:11px;text-align:center;border:1px solid #fff;min-width:38px}
table.heat thead th{color:#334e68;background:#f8fafc}
table.heat tbody th{text-align:left;white-space:nowrap;color:#334e68}
table.heat td.n{text-align:right;color:var(--ink);background:#f8fafc}
table.heat td.na{background:#fbfcfd}
footer{color:var(--muted);font-size:12px;text-align:center;padding:8px 0 28px}
#charts-status{font-variant-numeric:tabular-nums}
@media (max-width:900px){.two{grid-template-columns:1fr}}
@media print{body{background:#fff}section{break-inside:avoid;border-color:#ccc}}
)css";

// Draws every chart whose canvas is on the page from the embedded JSON, then reports how many
// it drew in #charts-status (a headless browser test reads it).
constexpr std::string_view kScript = R"js(
(function () {
  var status = document.getElementById('charts-status');
  var drawn = 0;
  try {
    if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
    var d = JSON.parse(document.getElementById('report-data').textContent);
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#3e4c59';
    Chart.defaults.plugins.legend.labels.boxWidth = 12;
    var blue = '#2f6fad', red = '#d64545', grey = '#9aa5b1';
    var reasonColours = {price: '#2f6fad', service: '#d64545', selection: '#f0a202',
                         feature: '#7b5ea7', moved: '#3a9d8f', other: '#9aa5b1'};
    function draw(id, config) {
      var canvas = document.getElementById(id);
      if (!canvas) return;
      new Chart(canvas, config);
      drawn++;
    }
    function pct(x) { return x === null || x === undefined ? null : 100 * x; }
    function fmtPct(v) { return v === null || v === undefined ? '–' : v.toFixed(1) + '%'; }
    var pctAxis = {ticks: {callback: function (v) { return v + '%'; }}};
    function pctTooltip(c) {
      return c.dataset.label + ': ' + fmtPct(c.parsed.y === undefined ? c.parsed.x : c.parsed.y);
    }
    function axisTitle(text) { return {display: true, text: text}; }

    var periods = d.rates.periods;
    draw('chart-rates', {
      type: 'line',
      data: {
        labels: periods.map(function (p) { return p.start.slice(0, 7); }),
        datasets: [
          {label: 'CRR', data: periods.map(function (p) { return p.crr; }), yAxisID: 'y',
           borderColor: blue, backgroundColor: blue, cubicInterpolationMode: 'monotone',
           pointRadius: 2},
          {label: 'Churn rate', data: periods.map(function (p) { return pct(p.churn_rate); }),
           yAxisID: 'y1', borderColor: red, backgroundColor: red,
           cubicInterpolationMode: 'monotone', pointRadius: 2}
        ]
      },
      options: {
        interaction: {mode: 'index', intersect: false},
        scales: {
          y: {title: axisTitle('CRR = (E − N) / S'), ticks: pctAxis.ticks},
          y1: {position: 'right', beginAtZero: true, grid: {drawOnChartArea: false},
               title: axisTitle('churn rate = churned / S'), ticks: pctAxis.ticks}
        },
        plugins: {tooltip: {callbacks: {label: pctTooltip}}}
      }
    });

    var months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun',
                  'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    draw('chart-churn-month', {
      type: 'bar',
      data: {labels: months, datasets: [{label: 'Churn rate', backgroundColor: red,
             data: d.churn_by_calendar_month.map(pct)}]},
      options: {plugins: {legend: {display: false}, tooltip: {callbacks: {label: pctTooltip}}},
                scales: {y: {beginAtZero: true, ticks: pctAxis.ticks,
                             title: axisTitle('churned / active at month start')}}}
    });

    var tenure = d.churn_by_tenure;
    draw('chart-churn-tenure', {
      type: 'bar',
      data: {
        labels: tenure.map(function (b) {
          return b.max_days === null ? b.min_days + '+ days'
                                     : b.min_days + '–' + (b.max_days - 1) + ' days';
        }),
        datasets: [{label: 'Churn rate', backgroundColor: '#e07b39',
                    data: tenure.map(function (b) { return pct(b.churn_rate); })}]
      },
      options: {
        plugins: {legend: {display: false}, tooltip: {callbacks: {
          label: pctTooltip,
          afterLabel: function (c) {
            var b = tenure[c.dataIndex];
            return b.churned.toLocaleString('en-US') + ' of ' +
                   b.active_at_start.toLocaleString('en-US') + ' churned';
          }}}},
        scales: {y: {beginAtZero: true, ticks: pctAxis.ticks,
                     title: axisTitle('monthly churn rate')},
                 x: {title: axisTitle('tenure at month start')}}
      }
    });

    var totals = d.exit_reasons.totals;
    draw('chart-exit-totals', {
      type: 'bar',
      data: {labels: totals.map(function (t) { return t.reason; }),
             datasets: [{label: 'Exits', data: totals.map(function (t) { return t.count; }),
                         backgroundColor: totals.map(function (t) {
                           return reasonColours[t.reason] || grey;
                         })}]},
      options: {indexAxis: 'y', plugins: {legend: {display: false}},
                scales: {x: {beginAtZero: true,
                             title: axisTitle('exit surveys and cancellations')}}}
    });

    var exitMonths = d.exit_reasons.by_month;
    draw('chart-exit-months', {
      type: 'bar',
      data: {
        labels: exitMonths.map(function (m) { return m.month; }),
        datasets: totals.map(function (t) {
          return {label: t.reason, backgroundColor: reasonColours[t.reason] || grey,
                  data: exitMonths.map(function (m) { return m.by_reason[t.reason]; })};
        })
      },
      options: {scales: {x: {stacked: true},
                         y: {stacked: true, beginAtZero: true,
                             title: axisTitle('exits per month')}}}
    });

    if (d.p_alive.available) {
      var bins = d.p_alive.bins;
      draw('chart-p-alive', {
        type: 'bar',
        data: {
          labels: bins.map(function (b) { return b.lo.toFixed(1) + '–' + b.hi.toFixed(1); }),
          datasets: [
            {label: 'Repeat buyers', backgroundColor: blue,
             data: bins.map(function (b) { return b.repeat; })},
            {label: 'One-time buyers (P(alive) = 1 by the model)', backgroundColor: grey,
             hidden: true, data: bins.map(function (b) { return b.one_time; })}
          ]
        },
        options: {scales: {x: {stacked: true, title: axisTitle('P(alive) as of ' + d.as_of)},
                           y: {stacked: true, beginAtZero: true, title: axisTitle('customers')}}}
      });
    }

    if (d.calibration.available) {
      var buckets = d.calibration.buckets;
      draw('chart-calibration', {
        type: 'line',
        data: {
          labels: buckets.map(function (b) { return b.label; }),
          datasets: [
            {label: 'Actual', data: buckets.map(function (b) { return b.actual_mean; }),
             borderColor: '#1f2933', backgroundColor: '#1f2933', pointRadius: 3},
            {label: 'BG/NBD', data: buckets.map(function (b) { return b.predicted_mean; }),
             borderColor: blue, backgroundColor: blue, borderDash: [6, 4], pointRadius: 3}
          ]
        },
        options: {
          interaction: {mode: 'index', intersect: false},
          plugins: {tooltip: {callbacks: {label: function (c) {
            return c.dataset.label + ': ' + (c.parsed.y === null ? '–' : c.parsed.y.toFixed(2));
          }}}},
          scales: {x: {title: axisTitle('repeat purchases in the calibration period')},
                   y: {beginAtZero: true, title: axisTitle('mean purchases in the holdout period')}}
        }
      });
    }
    status.textContent = 'charts rendered: ' + drawn;
  } catch (e) {
    status.textContent = 'charts failed: ' + (e && e.message ? e.message : e);
  }
})();
)js";

std::string Num(double x, int decimals) {
  if (!std::isfinite(x)) return "–";
  return fmt::format("{:.{}f}", x, decimals);
}

std::string Money(std::int64_t minor, const std::string& currency) {
  return internal::FormatMoney(minor, currency);
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
    fmt::format_to(
        std::back_inserter(out), "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        FormatCount(r.customers), FormatPercent(r.share), Money(r.revenue_minor, currency),
        FormatPercent(r.revenue_share), Money(r.mean_value_minor, currency));
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
    fmt::format_to(std::back_inserter(out), "<tr><th>{}</th><td class=\"n\">{}</td>", cohort,
                   revenue ? (row.revenue_minor.empty() ? std::string("–")
                                                        : Money(row.revenue_minor[0], t.currency))
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
          ? fmt::format(
                "; 12-month CLV (Gamma-Gamma spend, 1% monthly discount): {} {}",
                Money(static_cast<std::int64_t>(std::llround(*p.clv_12m_minor)), p.spend_currency),
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

int CanvasCount(const std::string& html) {
  int n = 0;
  for (std::size_t at = html.find("<canvas"); at != std::string::npos;
       at = html.find("<canvas", at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

std::string RenderHtml(const ReportData& d) {
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

  const std::string_view chart_js = internal::ChartJsSource();
  std::string out;
  out.reserve(body.size() + chart_js.size() + 64 * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  fmt::format_to(std::back_inserter(out), "<title>winback report as of {}</title>\n",
                 d.as_of.ToString());
  out += "<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<header><h1>Customer retention report</h1>";
  fmt::format_to(std::back_inserter(out),
                 "<p>as of {} · {} customers · money in {} · winback</p></header>\n<main>\n",
                 d.as_of.ToString(), FormatCount(d.summary.customers), EscapeHtml(d.currency));
  out += body;
  out += "</main>\n";
  fmt::format_to(std::back_inserter(out),
                 "<footer>Self-contained page: it loads nothing from the network. Charts drawn "
                 "with Chart.js {} (MIT License), embedded. <span id=\"charts-status\" "
                 "data-expected=\"{}\">charts not rendered (JavaScript is off?)</span></footer>\n",
                 EscapeHtml(internal::ChartJsVersion()), CanvasCount(body));
  out += "<script type=\"application/json\" id=\"report-data\">";
  out += internal::EscapeJsonForScript(ReportJson(d, -1));
  out += "</script>\n<script>";
  out += chart_js;
  out += "</script>\n<script>";
  out += kScript;
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
