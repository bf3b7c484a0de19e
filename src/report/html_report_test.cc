#include "report/html_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/internal/chart_asset.h"
#include "report/internal/html.h"
#include "report/internal/sample_report.h"
#include "report/report_json.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(EscapeJsonForScriptTest, CannotCloseTheScriptElementAndParsesToTheSameValue) {
  const nlohmann::json value = {{"name", "</script><script>alert(1)</script><!-- & -->"}};
  const std::string escaped = internal::EscapeJsonForScript(value.dump());
  EXPECT_THAT(escaped, Not(HasSubstr("</")));
  EXPECT_THAT(escaped, Not(HasSubstr("<!--")));
  EXPECT_THAT(escaped, Not(HasSubstr("<")));
  EXPECT_EQ(nlohmann::json::parse(escaped), value);
}

TEST(FormatTest, CompactMoneyAndPercentages) {
  EXPECT_EQ(internal::FormatCompactMoney(1'234'550, "USD"), "12,346");
  EXPECT_EQ(internal::FormatCompactMoney(151'052'950, "USD"), "1.51M");
  EXPECT_EQ(internal::FormatCompactMoney(-2'346'000'000'00, "USD"), "-2.35B");
  EXPECT_EQ(internal::FormatCompactMoney(45'600'000, "JPY"), "45.6M");
  EXPECT_EQ(internal::FormatPercent(0.1234), "12.3%");
  EXPECT_EQ(internal::FormatPercent(1, 0), "100%");
}

TEST(ColourTest, GroupsUseTheArticleColoursAndHeatIsMonotone) {
  EXPECT_EQ(internal::GroupColour("loyal"), "#1a7f4b");
  EXPECT_EQ(internal::GroupColour("lost"), "#b8bec6");
  EXPECT_EQ(internal::GroupColour("unknown"), "#b8bec6");
  EXPECT_TRUE(internal::GroupNeedsLightText("loyal"));
  EXPECT_EQ(internal::GroupLabel("high_value_lost"), "High-value lost");
  EXPECT_EQ(internal::SegmentLabel("cant_lose_them"), "can't lose them");
  EXPECT_EQ(internal::HeatColour(0), "#f7fbff");
  EXPECT_EQ(internal::HeatColour(1), "#084594");
  EXPECT_EQ(internal::HeatColour(7), internal::HeatColour(1));  // clamped
}

TEST(ChartAssetTest, IsTheChartJsBundleWithoutSourceMap) {
  if (!ChartsEmbedded()) GTEST_SKIP() << "built with -DWINBACK_CHARTS=OFF: no chart code";
  const std::string_view js = internal::ChartJsSource();
  EXPECT_GT(js.size(), 100'000u);
  EXPECT_THAT(std::string(js.substr(0, 200)),
              HasSubstr("Chart.js v" + std::string(internal::ChartJsVersion())));
  EXPECT_EQ(js.find("sourceMappingURL"), std::string_view::npos);
  EXPECT_EQ(js.find("</script"), std::string_view::npos);
}

TEST(RenderHtmlTest, IsOneSelfContainedPageWithEverySection) {
  if (!ChartsEmbedded()) GTEST_SKIP() << "built with -DWINBACK_CHARTS=OFF: see ChartsOff";
  const std::string html = RenderHtml(internal::SampleReport());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  for (const char* heading :
       {"RFM grid", "Segments", "Retention and churn by month", "Cohorts", "When customers leave",
        "Exit reasons", "P(alive)", "Model calibration"}) {
    EXPECT_THAT(html, HasSubstr(std::string("<h2>") + heading)) << heading;
  }
  // Nothing is loaded from elsewhere.
  EXPECT_THAT(html, Not(HasSubstr("src=\"http")));
  EXPECT_THAT(html, Not(HasSubstr("href=\"http")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  // The chart code, the data and the drawing script: three script elements.
  EXPECT_EQ(Count(html, "</script>"), 3);
  EXPECT_THAT(html, HasSubstr(std::string(internal::ChartJsSource().substr(0, 64))));
  // Seven canvases: rates, churn by month and by tenure, exits (2), P(alive), calibration.
  EXPECT_EQ(Count(html, "<canvas"), 7);
  EXPECT_THAT(html, HasSubstr("<span id=\"charts-status\" data-expected=\"7\">"));
  EXPECT_THAT(html, HasSubstr("'charts rendered: ' + drawn"));
  // Numbers rendered by C++: group counts, a cohort cell, the calibration table.
  EXPECT_THAT(html, HasSubstr("potential loyalist"));
  EXPECT_THAT(html, HasSubstr("title=\"2024-01 cohort, month 1: 50.0% ordered (1 of 2)\""));
  EXPECT_THAT(html, HasSubstr("<td class=\"l\">1+</td><td>1</td><td>1.000</td><td>0.750</td>"));
  EXPECT_THAT(html, HasSubstr("<div class=\"v\">220</div>"));  // revenue 22,000 cents
  EXPECT_THAT(html, HasSubstr("<td>110.00</td>"));             // the lost group: 2 x $55
}

TEST(RenderHtmlTest, ChartsOffGivesTablesOnly) {
  const std::string html = RenderHtml(internal::SampleReport(), Charts::kOff);
  for (const char* heading :
       {"RFM grid", "Segments", "Retention and churn by month", "Cohorts", "When customers leave",
        "Exit reasons", "P(alive)", "Model calibration"}) {
    EXPECT_THAT(html, HasSubstr(std::string("<h2>") + heading)) << heading;
  }
  // No canvas and no script but the numbers; each of the seven charts is a note instead.
  EXPECT_EQ(Count(html, "<canvas"), 0);
  EXPECT_EQ(Count(html, "<div class=\"chart"), 0);
  EXPECT_EQ(Count(html, "</script>"), 1);
  EXPECT_THAT(html, HasSubstr("<script type=\"application/json\" id=\"report-data\">"));
  EXPECT_THAT(html, Not(HasSubstr("charts rendered")));
  EXPECT_EQ(Count(html, "<p class=\"note\">Charts are off;"), 7);
  EXPECT_THAT(html, HasSubstr("Charts are off"));
  EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
  // The tables are all there.
  EXPECT_THAT(html, HasSubstr("title=\"2024-01 cohort, month 1: 50.0% ordered (1 of 2)\""));
  EXPECT_THAT(html, HasSubstr("<td class=\"l\">1+</td><td>1</td><td>1.000</td><td>0.750</td>"));
  EXPECT_THAT(html, HasSubstr("<td>110.00</td>"));
  if (ChartsEmbedded()) {
    EXPECT_THAT(html, Not(HasSubstr(std::string(internal::ChartJsSource().substr(0, 64)))));
  } else {
    EXPECT_THAT(html, HasSubstr("-DWINBACK_CHARTS=OFF"));
    EXPECT_EQ(RenderHtml(internal::SampleReport()), html) << "the build default is off";
  }
}

TEST(RenderHtmlTest, EscapesTextFromTheData) {
  ReportData d = internal::SampleReport();
  const std::string evil = "<img src=x onerror=alert(1)>";
  d.segments.segments[0].name = evil + "</script>";
  d.rfm.cells[0].segments.push_back({evil, "lost", 1});
  d.rfm.cells[0].customers += 1;
  d.currency = "<b>";
  d.calibration.reset();
  d.calibration_note = "too short <script>";
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, Not(HasSubstr(evil)));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, HasSubstr("too short &lt;script&gt;"));
  // The data block still closes only where it should.
  EXPECT_EQ(Count(html, "</script>"), ChartsEmbedded() ? 3 : 1);
  EXPECT_EQ(Count(html, "<canvas"), ChartsEmbedded() ? 6 : 0);  // no calibration chart
}

TEST(RenderHtmlTest, SameDataGiveTheSameBytes) {
  EXPECT_EQ(RenderHtml(internal::SampleReport()), RenderHtml(internal::SampleReport()));
}

TEST(RenderHtmlTest, LeavesOutChartsWithoutData) {
  ReportData d = internal::SampleReport();
  d.monthly.clear();
  d.pooled_from.reset();
  d.exit_totals = {};
  d.exit_months.clear();
  d.p_alive.reset();
  d.p_alive_note = "no repeat purchase";
  d.calibration.reset();
  const std::string html = RenderHtml(d);
  EXPECT_EQ(Count(html, "<canvas"), 0);
  if (ChartsEmbedded()) {
    EXPECT_THAT(html, HasSubstr("data-expected=\"0\""));
  }
  EXPECT_THAT(html, HasSubstr("Not available: no repeat purchase."));
  EXPECT_THAT(html, HasSubstr("No complete month of orders"));
}

TEST(WriteHtmlReportTest, WritesTheFileAndReportsUnwritablePaths) {
  const testutil::ScratchDir dir("winback_html_report_test");
  const std::string path = dir.File("report.html");
  ASSERT_THAT(WriteHtmlReport(internal::SampleReport(), path), IsOk());
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), RenderHtml(internal::SampleReport()));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_THAT(WriteHtmlReport(internal::SampleReport(), dir.File("missing/r.html")),
              StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace winback::report
