#include "server/dashboard_assets.h"

#include <array>

#include "report/html_report.h"

namespace winback::server {
namespace {

constexpr std::string_view kCss = R"css(
:root { --ink: #1d2433; --muted: #5b6475; --line: #d9dee7; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7fa; }
nav { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: center; padding: 0.6rem 1.2rem; background: #14213d; color: #fff; }
nav a { color: #cfd8ea; text-decoration: none; }
nav a.here, nav a:hover { color: #fff; text-decoration: underline; }
nav .brand { font-weight: 700; margin-right: 1rem; }
nav .user { margin-left: auto; color: #cfd8ea; }
nav form { display: inline-flex; gap: 0.3rem; margin: 0; }
nav input { padding: 0.15rem 0.4rem; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: 0.3rem 0; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 0.5rem; }
.asof, .note { color: var(--muted); }
.error { color: #b00020; font-weight: 600; }
.stats { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.9rem; min-width: 9rem; }
.stat .label { color: var(--muted); font-size: 0.85rem; }
.stat .value { font-size: 1.45rem; font-weight: 650; }
.stat .note { font-size: 0.75rem; }
table { border-collapse: collapse; background: #fff; margin: 0.4rem 0; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f6; }
table.kv th { font-weight: 500; color: var(--muted); }
.columns { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.chart { max-width: 900px; height: 320px; background: #fff; border: 1px solid var(--line); padding: 0.5rem; }
table.rfm td { width: 11rem; height: 5.5rem; }
table.rfm .n { font-size: 1.2rem; font-weight: 650; }
table.rfm .seg { font-size: 0.8rem; }
.g-loyal { background: #1b7f3b; color: #fff; }
.g-loyal a { color: #fff; }
.g-potentially_loyal { background: #a8dba8; }
.g-loyal_at_risk { background: #f5d33f; }
.g-high_value_lost { background: #f0913a; }
.g-lost { background: #c4c4c4; }
.g-none { background: #fff; }
table.heat td { text-align: right; min-width: 3.2rem; }
.h0 { background: #f7fbff; } .h1 { background: #deebf7; } .h2 { background: #c6dbef; }
.h3 { background: #9ecae1; } .h4 { background: #6baed6; } .h5 { background: #4292c6; color: #fff; }
.h6 { background: #2171b5; color: #fff; } .h7 { background: #08519c; color: #fff; }
.h8 { background: #08306b; color: #fff; } .h9 { background: #041c40; color: #fff; }
tr.t-order td:nth-child(2) { color: #1b7f3b; font-weight: 600; }
tr.t-message td:nth-child(2) { color: var(--accent); }
main.login { max-width: 22rem; margin: 4rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem; }
main.login label { display: block; margin: 0.6rem 0; }
main.login input { display: block; width: 100%; padding: 0.4rem; margin-top: 0.2rem; }
main.login button { margin-top: 0.8rem; padding: 0.45rem 1.2rem; }
.pager a { margin-left: 0.6rem; }
)css";

// Draws every <canvas data-chart="{type, labels, series: [{label, data}]}"> with Chart.js and
// writes "charts rendered: N" into <body data-charts>, which the end-to-end test reads.
constexpr std::string_view kJs = R"js(
(function () {
  'use strict';
  function draw() {
    var canvases = document.querySelectorAll('canvas[data-chart]');
    var drawn = 0;
    if (typeof window.Chart !== 'function') {
      document.body.setAttribute('data-charts', 'unavailable');
      return;
    }
    var colours = ['#1f5fbf', '#c0392b', '#1b7f3b', '#f0913a'];
    canvases.forEach(function (canvas) {
      try {
        var spec = JSON.parse(canvas.getAttribute('data-chart'));
        new window.Chart(canvas, {
          type: spec.type,
          data: {
            labels: spec.labels,
            datasets: spec.series.map(function (s, i) {
              return { label: s.label, data: s.data, borderColor: colours[i % 4],
                       backgroundColor: colours[i % 4], spanGaps: true, tension: 0.2 };
            })
          },
          options: { animation: false, responsive: true, maintainAspectRatio: false }
        });
        drawn += 1;
      } catch (e) {
        document.body.setAttribute('data-chart-error', String(e));
      }
    });
    document.body.setAttribute('data-charts', 'charts rendered: ' + drawn);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
)js";

}  // namespace

std::span<const DashboardAsset> DashboardAssets() {
  static const std::array<DashboardAsset, 3> kAssets = {{
      {"/assets/dashboard.css", "text/css; charset=utf-8", kCss},
      {"/assets/dashboard.js", "text/javascript; charset=utf-8", kJs},
      {"/assets/chart.js", "text/javascript; charset=utf-8", report::ChartJsBundle()},
  }};
  return kAssets;
}

}  // namespace winback::server
