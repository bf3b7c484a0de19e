#pragma once

#include <string_view>

namespace winback::report::internal {

// The minified UMD bundle of Chart.js (it defines window.Chart), fetched from the npm registry
// by `npm ci` at build time (src/report/assets/package-lock.json pins the version and its
// integrity hash) and compiled into the binary by cmake/embed_file.cmake, so a report works
// offline. Its trailing source-map comment is removed; the build fails if it contains
// "</script", so it can be inlined into a <script> element as is. The bytes live for the whole
// process.
std::string_view ChartJsSource();

// The bundled Chart.js version, e.g. "4.6.1" (from its package.json).
// Both are empty in a build without chart code (cmake -DWINBACK_CHARTS=OFF).
std::string_view ChartJsVersion();

}  // namespace winback::report::internal
