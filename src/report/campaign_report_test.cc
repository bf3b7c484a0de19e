// The report's campaign sections: the numbers BuildReport gathers against measure's own results
// on a small store, and the page that shows them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "report/campaign_json.h"
#include "report/html_report.h"
#include "report/report_data.h"
#include "report/report_json.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Instant At(const char* timestamp) { return ParseTimestamp(timestamp)->instant; }

// Campaign "winback", step "first" with variants a and b, on customers c1..c12: c1..c6 treated
// (sent 2024-07-01 10:00), c7..c12 held out. Won back within 30 days: c1 (07-03), c2 (07-05),
// c3 (07-20), c7 (07-10); c4 ordered before the campaign only.
class CampaignReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WINBACK_ASSERT_OK_AND_ASSIGN(store_, store::OpenSqliteStore(":memory:"));
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("test"));
    for (int i = 1; i <= 12; ++i) {
      store::CustomerRecord c;
      c.id = "c" + std::to_string(i);
      ASSERT_THAT(session->UpsertCustomer(c).status(), IsOk());
    }
    int n = 0;
    for (const auto& [customer, at] :
         {std::pair{1, "2024-07-03T10:00:00Z"}, std::pair{2, "2024-07-05T10:00:00Z"},
          std::pair{3, "2024-07-20T10:00:00Z"}, std::pair{4, "2024-03-01T10:00:00Z"},
          std::pair{7, "2024-07-10T10:00:00Z"}}) {
      store::OrderRecord o;
      o.id = "o" + std::to_string(++n);
      o.customer_id = "c" + std::to_string(customer);
      o.placed_at = At(at);
      o.amount_minor = 2500 * customer;
      o.currency = "USD";
      ASSERT_THAT(session->UpsertOrder(CustomerKey(customer), o), IsOk());
    }
    ASSERT_THAT(session->Commit(), IsOk());
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    for (int i = 1; i <= 12; ++i) {
      store::OutboxMessage m;
      m.key = "winback/first/c" + std::to_string(i) + "/1";
      m.customer = CustomerKey(i);
      m.campaign = "winback";
      m.step = "first";
      m.variant = i % 2 == 1 ? "a" : "b";
      m.planned_at = At("2024-06-30T00:00:00Z");
      m.scheduled_at = At("2024-07-01T10:00:00Z");
      m.currency = "USD";
      if (i <= 6) {
        m.status = store::MessageStatus::kSent;
        m.sent_at = At("2024-07-01T10:00:00Z");
      } else {
        m.status = store::MessageStatus::kHoldout;
      }
      ASSERT_THAT(write->AddMessage(m).status(), IsOk());
    }
    ASSERT_THAT(write->Commit(), IsOk());
  }

  measure::CampaignOptions Measure(const char* as_of) const {
    measure::CampaignOptions o;
    o.as_of = At(as_of);
    o.holdout_share = 0.5;
    return o;
  }

  ReportOptions Options() const {
    ReportOptions o;
    o.as_of = *Date::FromYmd(2024, 8, 31);
    o.activity_days = 30;
    o.currency = "USD";
    CampaignSpec winback;
    winback.name = "winback";
    winback.options = Measure("2000-01-01T00:00:00Z");  // as_of is the report's
    CampaignSpec skipped;
    skipped.name = "cart";
    skipped.skip_reason = "holdout = 0: no holdout to measure against";
    o.campaigns = {winback, skipped};
    return o;
  }

  std::unique_ptr<store::Store> store_;
};

TEST_F(CampaignReportTest, GathersMeasuresNumbersAndOnePointPerDay) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  ASSERT_EQ(d.campaigns.size(), 2u);
  const CampaignReport& c = d.campaigns[0];
  ASSERT_TRUE(c.result.has_value());
  // The report date's result is measure's, through the end of 2024-08-31.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      measure::CampaignResult want,
      measure::MeasureCampaign("winback", Measure("2024-09-01T00:00:00Z"), *store_, *store_));
  EXPECT_EQ(c.result->treated.customers, 6);
  EXPECT_EQ(c.result->treated.converted, 3);
  EXPECT_EQ(c.result->holdout.converted, 1);
  EXPECT_EQ(c.result->treated.converted, want.treated.converted);
  ASSERT_TRUE(c.result->conversion_rate && want.conversion_rate);
  EXPECT_DOUBLE_EQ(c.result->conversion_rate->plain.diff, 3.0 / 6 - 1.0 / 6);
  EXPECT_DOUBLE_EQ(c.result->conversion_rate->sequential.ci_low,
                   want.conversion_rate->sequential.ci_low);
  EXPECT_EQ(c.result->funnel.size(), want.funnel.size());

  // One point per day from the first step (07-01) to the report date (08-31).
  ASSERT_EQ(c.timeline.size(), 62u);
  EXPECT_EQ(c.timeline.front().day.ToString(), "2024-07-01");
  EXPECT_EQ(c.timeline.back().day.ToString(), "2024-08-31");
  EXPECT_EQ(c.days_cut, 0);
  // 07-04: c1 ordered on 07-03, nobody in the holdout yet; measured with data through 07-04
  // and the report's N* (12 customers), so the band is one confidence sequence.
  measure::CampaignOptions day = Measure("2024-07-05T00:00:00Z");
  day.planned_n = 12;
  WINBACK_ASSERT_OK_AND_ASSIGN(measure::CampaignResult then,
                               measure::MeasureCampaign("winback", day, *store_, *store_));
  const LiftPoint& p = c.timeline[3];
  EXPECT_EQ(p.day.ToString(), "2024-07-04");
  EXPECT_EQ(p.treated, 6);
  EXPECT_DOUBLE_EQ(p.treated_rate, 1.0 / 6);
  EXPECT_DOUBLE_EQ(p.holdout_rate, 0.0);
  ASSERT_TRUE(p.plain && p.sequential);
  EXPECT_DOUBLE_EQ(p.plain->diff, then.conversion_rate->plain.diff);
  EXPECT_DOUBLE_EQ(p.sequential->ci_high, then.conversion_rate->sequential.ci_high);
  // The cumulative lift moves as orders come in: +1/6 on 07-04, +2/6 on 07-05, +1/3 - 1/6
  // from 07-20 on.
  EXPECT_DOUBLE_EQ(c.timeline[4].plain->diff, 2.0 / 6);
  EXPECT_DOUBLE_EQ(c.timeline[19].plain->diff, 3.0 / 6 - 1.0 / 6);
  EXPECT_DOUBLE_EQ(c.timeline.back().plain->diff, c.result->conversion_rate->plain.diff);
  // The campaign not measured keeps its reason.
  EXPECT_FALSE(d.campaigns[1].result.has_value());
  EXPECT_EQ(d.campaigns[1].skip_reason, "holdout = 0: no holdout to measure against");

  // The JSON carries the same numbers.
  const nlohmann::json j = nlohmann::json::parse(ReportJson(d));
  ASSERT_EQ(j["campaigns"].size(), 2u);
  EXPECT_EQ(j["campaigns"][0]["treated"]["converted"], 3);
  EXPECT_EQ(j["campaigns"][0]["timeline"].size(), 62u);
  EXPECT_EQ(j["campaigns"][0]["timeline"][3]["day"], "2024-07-04");
  EXPECT_DOUBLE_EQ(j["campaigns"][0]["lift"]["conversion_rate"]["diff"].get<double>(),
                   3.0 / 6 - 1.0 / 6);
  EXPECT_EQ(j["campaigns"][1]["measured"], false);
}

// The section's funnel, arms, lift and variants are written by the code that writes `winback
// measure --json` (CampaignResultJson): the same numbers, with the report's fields only.
TEST_F(CampaignReportTest, TheSectionIsTheMeasurementWithTheReportsFields) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  const nlohmann::json report = nlohmann::json::parse(ReportJson(d))["campaigns"];
  const nlohmann::json& section = report[0];
  const nlohmann::json measured = nlohmann::json::parse(CampaignResultJson(*d.campaigns[0].result));

  // Funnel rows: the measurement's without replies and complaints.
  ASSERT_EQ(section["funnel"].size(), measured["funnel"].size());
  ASSERT_FALSE(section["funnel"].empty());
  for (std::size_t i = 0; i < section["funnel"].size(); ++i) {
    nlohmann::json row = measured["funnel"][i];
    row.erase("replied");
    row.erase("complained");
    EXPECT_EQ(section["funnel"][i], row);
  }
  // Arms: revenue in minor units instead of the formatted amount, no windows or order counts.
  EXPECT_EQ(section["treated"], nlohmann::json({{"customers", 6},
                                                {"converted", 3},
                                                {"conversion_rate", 0.5},
                                                {"revenue_minor", 2500 + 5000 + 7500},
                                                {"revenue_per_customer", 150.0 / 6}}));
  EXPECT_EQ(measured["treated"]["revenue"], "150.00");
  EXPECT_EQ(measured["treated"]["complete_windows"], 6);
  // Lift: the same comparison, without the relative interval, the always-valid half-width and N*.
  nlohmann::json lift = measured["lift"]["conversion_rate"];
  for (nlohmann::json* c : {&lift, &lift["cuped"]}) {
    c->erase("relative_ci_low");
    c->erase("relative_ci_high");
  }
  lift["sequential"].erase("halfwidth");
  lift["sequential"].erase("planned_n");
  EXPECT_EQ(section["lift"]["conversion_rate"], lift);
  // Variants: the difference with its always-valid interval, flat.
  ASSERT_EQ(section["variants"].size(), 1u);
  const nlohmann::json& b = section["variants"][0]["variants"][1];
  const nlohmann::json& b_lift = measured["variants"][0]["variants"][1]["lift"]["conversion_rate"];
  EXPECT_EQ(b["variant"], "b");
  EXPECT_EQ(b["diff"], b_lift["diff"]);
  EXPECT_EQ(b["ci_low"], b_lift["sequential"]["ci_low"]);
  EXPECT_EQ(b["ci_high"], b_lift["sequential"]["ci_high"]);
  EXPECT_EQ(b["holm_p_value"], b_lift["holm_p_value"]);
  EXPECT_EQ(b["mde"], measured["variants"][0]["variants"][1]["mde"]);
  EXPECT_FALSE(b.contains("lift"));
  // The campaign not measured has its name and reason only.
  EXPECT_EQ(report[1], nlohmann::json({{"campaign", "cart"},
                                       {"measured", false},
                                       {"skipped", "holdout = 0: no holdout to measure against"}}));
}

TEST_F(CampaignReportTest, AReportBeforeTheCampaignSaysSo) {
  ReportOptions o = Options();
  o.as_of = *Date::FromYmd(2024, 6, 29);
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, o));
  EXPECT_FALSE(d.campaigns[0].result.has_value());
  EXPECT_THAT(d.campaigns[0].note, HasSubstr("no message of the campaign was planned by"));
  EXPECT_THAT(RenderHtml(d), HasSubstr("Not measured: no message of the campaign was planned"));
}

TEST_F(CampaignReportTest, ThePageShowsTheSectionWithItsCharts) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, HasSubstr("<h2>Campaign: winback</h2>"));
  EXPECT_THAT(html, HasSubstr("<h2>Campaign: cart</h2>"));
  EXPECT_THAT(html, HasSubstr("Not measured: holdout = 0: no holdout to measure against."));
  // The split comes before the lift.
  EXPECT_LT(html.find("Sample ratio check"), html.find("Lift against the holdout"));
  EXPECT_THAT(html, HasSubstr("6 treated, 6 held out"));
  EXPECT_THAT(html, HasSubstr("<td class=\"l\">Treated</td><td>6</td><td>3</td><td>50.00%</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"l\">first</td><td class=\"l\">a</td><td>3</td>"));
  EXPECT_THAT(html, HasSubstr("Win-back rate</td><td>+33.33 pts</td>"));
  if (ChartsEmbedded()) {
    for (const char* chart : {"lift", "rates", "cumulative"}) {
      EXPECT_THAT(html, HasSubstr(std::string("<canvas id=\"chart-campaign-0-") + chart));
    }
    // Three for the campaign measured, none for the one skipped.
    std::size_t n = 0;
    for (std::size_t at = html.find("<canvas id=\"chart-campaign-"); at != std::string::npos;
         at = html.find("<canvas id=\"chart-campaign-", at + 1)) {
      ++n;
    }
    EXPECT_EQ(n, 3u);
  }
}

TEST_F(CampaignReportTest, ABrokenSplitGetsAWarningNotANumber) {
  ReportOptions o = Options();
  o.campaigns[0].options->holdout_share = 0.02;  // 6 of 12 held out against 2%
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, o));
  ASSERT_TRUE(d.campaigns[0].result->sample_ratio.mismatch);
  for (const LiftPoint& p : d.campaigns[0].timeline) EXPECT_FALSE(p.plain.has_value());
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, HasSubstr("SAMPLE RATIO MISMATCH"));
  EXPECT_THAT(html, Not(HasSubstr("Win-back rate</td><td>+")));
  EXPECT_THAT(html, Not(HasSubstr("chart-campaign-0-lift")));
  EXPECT_TRUE(nlohmann::json::parse(ReportJson(d))["campaigns"][0]["lift"].is_null());
}

TEST_F(CampaignReportTest, EscapesNamesAndWarnsWhenASampleIsTooSmall) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  const std::string evil = "<img src=x onerror=alert(1)>";
  d.campaigns[0].name = evil;
  d.campaigns[0].result->funnel[0].step = evil;
  d.campaigns[0].result->notes.push_back(evil);
  d.campaigns[1].skip_reason = evil;
  ASSERT_EQ(d.campaigns[0].result->variants.size(), 1u);
  measure::StepVariants& sv = d.campaigns[0].result->variants[0];
  sv.step = evil;
  // a: 2 of 3, b: 1 of 3; no winner at this size.
  EXPECT_EQ(sv.winner, "");
  ASSERT_TRUE(sv.variants[1].underpowered);
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, Not(HasSubstr(evil)));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("b against a cannot reach significance yet: with 3 and 3 messages"));
}

}  // namespace
}  // namespace winback::report
