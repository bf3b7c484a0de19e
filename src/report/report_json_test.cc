#include "report/report_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/internal/sample_report.h"

namespace winback::report {
namespace {

using nlohmann::json;

TEST(ReportJsonTest, HasEverySectionWithItsFields) {
  const json j = json::parse(ReportJson(internal::SampleReport()));
  for (const char* key : {"as_of", "currency", "activity_days", "summary", "rfm_grid", "segments",
                          "groups", "rates", "churn_by_tenure", "churn_by_calendar_month",
                          "cohorts", "exit_reasons", "p_alive", "calibration"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["as_of"], "2024-03-31");
  EXPECT_EQ(j["currency"], "USD");
  EXPECT_EQ(j["summary"]["customers"], 5);
  EXPECT_EQ(j["summary"]["revenue_minor"], 22000);

  const json& grid = j["rfm_grid"];
  EXPECT_EQ(grid["customers"], 4);
  ASSERT_EQ(grid["cells"].size(), 25u);
  EXPECT_EQ(grid["cells"][0]["r"], 1);
  EXPECT_EQ(grid["cells"][0]["f"], 1);
  EXPECT_EQ(grid["cells"][0]["customers"], 1);
  EXPECT_EQ(grid["cells"][0]["segments"][0]["segment"], "lost");
  EXPECT_EQ(grid["by_group"]["lost"], 2);
  EXPECT_EQ(grid["by_group"]["high_value_lost"], 0);

  ASSERT_EQ(j["segments"].size(), 4u);
  EXPECT_TRUE(j["segments"][0].contains("revenue_share"));
  EXPECT_TRUE(j["segments"][0].contains("mean_value_minor"));
  ASSERT_EQ(j["groups"].size(), 5u);
  EXPECT_EQ(j["groups"][0]["name"], "loyal");

  const json& periods = j["rates"]["periods"];
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0]["start"], "2024-01-01");
  EXPECT_TRUE(periods[0]["crr"].is_null());  // S = 0
  EXPECT_DOUBLE_EQ(periods[1]["crr"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(periods[1]["churn_rate"].get<double>(), 0.5);
  EXPECT_EQ(periods[1]["S"], 2);
  EXPECT_EQ(j["rates"]["pooled_from"], "2024-02-01");

  ASSERT_EQ(j["churn_by_calendar_month"].size(), 12u);
  EXPECT_TRUE(j["churn_by_calendar_month"][0].is_null());
  EXPECT_DOUBLE_EQ(j["churn_by_calendar_month"][1].get<double>(), 0.5);
  EXPECT_EQ(j["churn_by_tenure"][0]["active_at_start"], 2);

  const json& cohort = j["cohorts"]["rows"][0];
  EXPECT_EQ(cohort["cohort"], "2024-01");
  EXPECT_DOUBLE_EQ(cohort["active_share"][1].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(cohort["revenue_retention"][2].get<double>(), 0.5);

  const json& exits = j["exit_reasons"];
  ASSERT_EQ(exits["totals"].size(), 2u);
  EXPECT_EQ(exits["totals"][0]["reason"], "price");
  EXPECT_EQ(exits["totals"][0]["count"], 3);
  EXPECT_EQ(exits["by_month"][0]["month"], "2024-02");
  EXPECT_EQ(exits["by_month"][0]["by_reason"]["service"], 1);

  const json& p = j["p_alive"];
  EXPECT_EQ(p["available"], true);
  ASSERT_EQ(p["bins"].size(), 10u);
  EXPECT_EQ(p["bins"][9]["one_time"], 1);
  EXPECT_EQ(p["bins"][3]["repeat"], 1);
  EXPECT_DOUBLE_EQ(p["params"]["r"].get<double>(), 0.25);
  EXPECT_TRUE(p["clv_12m_minor"].is_null());

  const json& c = j["calibration"];
  EXPECT_EQ(c["available"], true);
  EXPECT_EQ(c["calibration_end"], "2024-03-03");
  EXPECT_EQ(c["buckets"][1]["label"], "1+");
  EXPECT_DOUBLE_EQ(c["buckets"][1]["predicted_mean"].get<double>(), 0.75);
}

TEST(ReportJsonTest, AbsentModelSectionsSayWhy) {
  ReportData d = internal::SampleReport();
  d.p_alive.reset();
  d.p_alive_note = "no repeat purchase";
  d.calibration.reset();
  d.calibration_note = "history too short";
  const json j = json::parse(ReportJson(d));
  EXPECT_EQ(j["p_alive"], json({{"available", false}, {"note", "no repeat purchase"}}));
  EXPECT_EQ(j["calibration"]["available"], false);
  EXPECT_EQ(j["calibration"]["note"], "history too short");
}

TEST(ReportJsonTest, EmptyCalibrationBucketsAreNull) {
  ReportData d = internal::SampleReport();
  d.calibration->buckets[0].customers = 0;
  const json j = json::parse(ReportJson(d));
  EXPECT_TRUE(j["calibration"]["buckets"][0]["actual_mean"].is_null());
}

// The commands' documents share their rows with the report's sections.
TEST(CommandJsonTest, RatesRowsAreTheReportRowsWithPartial) {
  const ReportData d = internal::SampleReport();
  ASSERT_FALSE(d.monthly.empty());
  const json report = json::parse(ReportJson(d));
  const Date data_end = d.monthly.back().end.PlusDays(-1);
  const json rates = json::parse(RatesJson(analytics::Period::kMonth, d.activity_days, d.monthly,
                                           d.churn_by_tenure, data_end));
  EXPECT_EQ(rates["period"], "month");
  EXPECT_EQ(rates["activity_days"], d.activity_days);
  ASSERT_EQ(rates["periods"].size(), d.monthly.size());
  for (std::size_t i = 0; i < d.monthly.size(); ++i) {
    json row = rates["periods"][i];
    EXPECT_EQ(row["partial"], i + 1 == d.monthly.size()) << i;
    row.erase("partial");
    EXPECT_EQ(row, report["rates"]["periods"][i]) << i;
  }
  EXPECT_EQ(rates["churn_by_tenure"], report["churn_by_tenure"]);
  ASSERT_EQ(rates["churn_by_calendar_month"].size(), 12u);
  // Only monthly periods have a calendar-month breakdown.
  const json weekly = json::parse(
      RatesJson(analytics::Period::kWeek, d.activity_days, d.monthly, d.churn_by_tenure, data_end));
  EXPECT_EQ(weekly["period"], "week");
  EXPECT_FALSE(weekly.contains("churn_by_calendar_month"));
}

TEST(CommandJsonTest, SegmentsAndCohortsUseTheReportRows) {
  const ReportData d = internal::SampleReport();
  const json report = json::parse(ReportJson(d));
  const json segments = json::parse(SegmentsJson(d.as_of, d.segments, std::nullopt));
  EXPECT_EQ(segments["as_of"], "2024-03-31");
  EXPECT_EQ(segments["segments"], report["segments"]);
  EXPECT_EQ(segments["groups"], report["groups"]);
  EXPECT_EQ(segments["segmented"], report["summary"]["segmented"]);
  EXPECT_FALSE(segments.contains("migration"));
  const SegmentMigration migration{
      *Date::FromYmd(2024, 1, 31), d.as_of, {{"lost", "none"}, {{1, 2}, {3, 4}}, 5}};
  const json compared = json::parse(SegmentsJson(d.as_of, d.segments, migration));
  EXPECT_EQ(compared["migration"]["from"], "2024-01-31");
  EXPECT_EQ(compared["migration"]["to"], "2024-03-31");
  EXPECT_EQ(compared["migration"]["labels"], json({"lost", "none"}));
  EXPECT_EQ(compared["migration"]["counts"], json({{1, 2}, {3, 4}}));
  EXPECT_EQ(compared["migration"]["moved"], 5);

  const json cohorts = json::parse(CohortsJson(d.as_of, d.cohorts));
  EXPECT_EQ(cohorts["by"], "month");
  EXPECT_EQ(cohorts["to"], "2024-03-31");
  EXPECT_EQ(cohorts["cohorts"], report["cohorts"]["rows"]);
  EXPECT_EQ(cohorts["currency"], report["cohorts"]["currency"]);
}

TEST(ReportJsonTest, IndentMinusOnePrintsOneLine) {
  const std::string text = ReportJson(internal::SampleReport(), -1);
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(ReportJsonTest, InvalidUtf8IsReplacedNotThrown) {
  ReportData d = internal::SampleReport();
  d.segments.segments[0].name = "bad \xff byte";
  const json j = json::parse(ReportJson(d));
  EXPECT_NE(j["segments"][0]["name"].get<std::string>().find("bad"), std::string::npos);
}

}  // namespace
}  // namespace winback::report
