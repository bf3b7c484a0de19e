// Built instead of the embedded Chart.js bundle when cmake is run with -DWINBACK_CHARTS=OFF:
// no chart code, so every report has tables only (report::ChartsEmbedded() is false).
#include <string_view>

#include "report/internal/chart_asset.h"

namespace winback::report::internal {

std::string_view ChartJsSource() { return {}; }
std::string_view ChartJsVersion() { return {}; }

}  // namespace winback::report::internal
