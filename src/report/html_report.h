#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "report/report_data.h"

namespace winback::report {

// The report as one self-contained HTML page that works offline: styles, the numbers
// (ReportJson) and the Chart.js bundle are all inline; nothing is loaded from anywhere. Grids
// and heatmaps are HTML tables coloured by the C++ side, so they show without JavaScript; the
// line, bar and histogram charts are drawn by Chart.js. Once the charts exist, the page's
// script writes "charts rendered: N" into <span id="charts-status"> (N = canvases drawn; its
// data-expected attribute holds the number the page has), or "charts failed: <error>". Every
// text from the data is HTML-escaped and the embedded JSON cannot close its <script> element.
// The output depends only on `data` (no timestamps), so equal data give equal bytes.
//
// Charts: kIfEmbedded draws them when the build embeds Chart.js (ChartsEmbedded()); kOff, and
// every page of a build configured with -DWINBACK_CHARTS=OFF, has tables only: each chart is
// replaced by a note, the footer says that charts are off, and no script is inlined except the
// numbers.
enum class Charts : std::uint8_t { kIfEmbedded, kOff };
std::string RenderHtml(const ReportData& data, Charts charts = Charts::kIfEmbedded);

// False when the build has no chart code (cmake -DWINBACK_CHARTS=OFF, which needs no npm).
bool ChartsEmbedded();

// The embedded Chart.js bundle (the one the report inlines), for the dashboard to serve as a
// script of its own; empty when ChartsEmbedded() is false. Lives for the whole process.
std::string_view ChartJsBundle();

// Writes RenderHtml(data) to `path` through a temporary file in the same directory renamed
// over it, so a reader never sees half a report. Unavailable when the file cannot be written.
Status WriteHtmlReport(const ReportData& data, const std::string& path);

}  // namespace winback::report
