#pragma once

// The dashboard's static files, compiled into the binary so the pages work offline: its style
// sheet, its drawing script, and the Chart.js bundle the HTML report embeds (fetched from npm
// at build time, src/report/assets). None holds data; they are served without a login.

#include <span>
#include <string_view>

namespace winback::server {

struct DashboardAsset {
  std::string_view path;          // "/assets/dashboard.css"
  std::string_view content_type;  // "text/css; charset=utf-8"
  std::string_view bytes;         // lives for the whole process
};

// Every asset. Chart.js is an empty script in a build without chart code
// (-DWINBACK_CHARTS=OFF): the pages then show their tables only.
std::span<const DashboardAsset> DashboardAssets();

}  // namespace winback::server
