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
    // Campaigns: lift with interval bars, win-back rates and the cumulative lift over time.
    var green = '#3a9d8f', orange = '#e07b39';
    function pts(x) { return x === null || x === undefined ? null : 100 * x; }
    function ptsTooltip(c) {
      var v = c.raw;
      if (Array.isArray(v)) {
        return c.dataset.label + ': [' + v[0].toFixed(2) + ', ' + v[1].toFixed(2) + '] pts';
      }
      return c.dataset.label + ': ' + (c.parsed.y === null ? '–' : c.parsed.y.toFixed(2) + ' pts');
    }
    (d.campaigns || []).forEach(function (c, i) {
      if (!c.measured) return;
      var conf = Math.round(100 * c.confidence) + '%';
      if (c.lift) {
        var l = c.lift.conversion_rate;
        draw('chart-campaign-' + i + '-lift', {
          type: 'bar',
          data: {
            labels: ['fixed', 'CUPED', 'always-valid'],
            datasets: [
              {type: 'line', label: 'difference', showLine: false, pointRadius: 5,
               borderColor: '#1f2933', backgroundColor: '#1f2933',
               data: [pts(l.diff), pts(l.cuped.diff), pts(l.diff)]},
              {label: conf + ' interval', backgroundColor: [blue, green, orange],
               data: [[pts(l.ci_low), pts(l.ci_high)],
                      [pts(l.cuped.ci_low), pts(l.cuped.ci_high)],
                      [pts(l.sequential.ci_low), pts(l.sequential.ci_high)]]}
            ]
          },
          options: {
            plugins: {tooltip: {callbacks: {label: ptsTooltip}}},
            scales: {y: {title: axisTitle('win-back rate, treated − holdout (pts)')}}
          }
        });
      }
      var t = c.timeline || [];
      var days = t.map(function (p) { return p.day; });
      draw('chart-campaign-' + i + '-rates', {
        type: 'line',
        data: {
          labels: days,
          datasets: [
            {label: 'Treated', data: t.map(function (p) { return pct(p.treated_rate); }),
             borderColor: blue, backgroundColor: blue, pointRadius: 1},
            {label: 'Holdout', data: t.map(function (p) { return pct(p.holdout_rate); }),
             borderColor: grey, backgroundColor: grey, pointRadius: 1}
          ]
        },
        options: {interaction: {mode: 'index', intersect: false},
                  plugins: {tooltip: {callbacks: {label: pctTooltip}}},
                  scales: {y: {beginAtZero: true, ticks: pctAxis.ticks,
                               title: axisTitle('win-back rate so far')}}}
      });
      function band(key) { return t.map(function (p) { return pts(p[key]); }); }
      draw('chart-campaign-' + i + '-cumulative', {
        type: 'line',
        data: {
          labels: days,
          datasets: [
            {label: 'always-valid band', data: band('seq_low'), borderColor: 'rgba(224,123,57,.5)',
             backgroundColor: 'rgba(224,123,57,.15)', pointRadius: 0, fill: '+1'},
            {label: 'always-valid (high)', data: band('seq_high'),
             borderColor: 'rgba(224,123,57,.5)', pointRadius: 0, fill: false},
            {label: 'fixed ' + conf + ' interval', data: band('ci_low'),
             borderColor: 'rgba(47,111,173,.5)', backgroundColor: 'rgba(47,111,173,.18)',
             pointRadius: 0, fill: '+1'},
            {label: 'fixed (high)', data: band('ci_high'), borderColor: 'rgba(47,111,173,.5)',
             pointRadius: 0, fill: false},
            {label: 'cumulative lift', data: band('diff'), borderColor: '#1f2933',
             backgroundColor: '#1f2933', pointRadius: 1}
          ]
        },
        options: {
          interaction: {mode: 'index', intersect: false},
          plugins: {
            legend: {labels: {filter: function (item) { return item.text.indexOf('(high)') < 0; }}},
            tooltip: {callbacks: {label: ptsTooltip}}
          },
          scales: {y: {title: axisTitle('treated − holdout (pts)')}}
        }
      });
    });
    status.textContent = 'charts rendered: ' + drawn;
  } catch (e) {
    status.textContent = 'charts failed: ' + (e && e.message ? e.message : e);
  }
})();
