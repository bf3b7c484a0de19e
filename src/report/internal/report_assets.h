#pragma once

#include <string_view>

namespace winback::report::internal {

// The HTML report's own style sheet and drawing script, kept as plain files in
// src/report/assets (report.css, report.js) and compiled into the binary by
// cmake/embed_file.cmake, so a report needs no file at run time. The build fails if the CSS
// contains "</style" or the script "</script", so both can be inlined as they are. The bytes
// live for the whole process.

// The style sheet, inlined into the page's <style> element.
std::string_view ReportCss();

// Draws every chart whose canvas is on the page from the page's embedded JSON
// (#report-data), then reports how many it drew in #charts-status (a headless browser test
// reads it). Inlined into the last <script> element, after Chart.js.
std::string_view ReportJs();

}  // namespace winback::report::internal
