#include "analytics/scorer.h"

#include <gtest/gtest.h>

#include "analytics/internal/test_points.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using internal::D;
using internal::Event;
using internal::Order;
using store::EventType;

const Date kAsOf = D("2024-06-30");

void AddCustomer(ScoreBuilder& builder, std::int64_t key,
                 const std::vector<store::OrderPoint>& orders,
                 const std::vector<store::EventPoint>& events = {}) {
  builder.Add(CustomerKey(key), ComputeOrderMetrics(orders, kAsOf, 180),
              ComputeEngagementMetrics(events, kAsOf));
}

// Hand-computed: see the comments for each customer's R, F, M.
TEST(ScoreBuilderTest, HandComputedScoresSegmentsAndStates) {
  const ScoringConfig config;
  ScoreBuilder builder(config, kAsOf);
  // Added out of key order on purpose.
  AddCustomer(builder, 6, {Order("2024-06-01", 5000, "TRY"), Order("2024-06-15", 5000, "TRY")});
  AddCustomer(builder, 1,
              {Order("2024-04-01", 10000), Order("2024-05-01", 10000), Order("2024-06-10", 10000),
               Order("2024-06-20", 10000), Order("2024-06-29", 10000)});
  AddCustomer(builder, 2, {Order("2024-06-25", 500)});
  AddCustomer(builder, 3,
              {Order("2023-01-01", 20000), Order("2023-02-01", 20000), Order("2023-03-01", 20000),
               Order("2023-04-01", 20000)},
              {Event("2023-05-01", EventType::kReferral),
               Event("2023-06-01", EventType::kExitSurvey, "price")});
  AddCustomer(builder, 4, {Order("2023-10-01", 100)});
  AddCustomer(builder, 5, {}, {Event("2024-01-01", EventType::kPaymentDefault)});
  EXPECT_EQ(builder.size(), 6u);
  const std::vector<store::CustomerScore> s = builder.Finish();
  ASSERT_EQ(s.size(), 6u);
  for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i].key.value(), std::int64_t(i + 1));

  // Recency (days): 1, 5, 456, 273, -, 15. Frequency: 5, 1, 4, 1, -, 2.
  // R (lower is better, n = 5): worse = 4, 3, 0, 1, 2 -> 5, 4, 1, 2, 3.
  // F: worse = 4, 0, 3, 0, 2 -> 5, 1, 4, 1, 3.
  // M within USD (n = 4; means 10000, 500, 20000, 100): worse 2, 1, 3, 0 -> 3, 2, 4, 1;
  // the only TRY customer: 1.
  const int expected[6][3] = {{5, 5, 3}, {4, 1, 2}, {1, 4, 4}, {2, 1, 1}, {0, 0, 0}, {3, 3, 1}};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(s[i].r, expected[i][0]) << "customer " << i + 1;
    EXPECT_EQ(s[i].f, expected[i][1]) << "customer " << i + 1;
    EXPECT_EQ(s[i].m, expected[i][2]) << "customer " << i + 1;
  }
  EXPECT_EQ(s[0].segment, "loyal");
  EXPECT_EQ(s[0].group, "loyal");
  EXPECT_EQ(s[1].segment, "promising");
  EXPECT_EQ(s[1].group, "potentially_loyal");
  EXPECT_EQ(s[2].segment, "cant_lose_them");
  EXPECT_EQ(s[2].group, "high_value_lost");
  EXPECT_EQ(s[3].segment, "hibernating");
  EXPECT_EQ(s[3].group, "lost");
  EXPECT_EQ(s[4].segment, "");
  EXPECT_EQ(s[5].segment, "need_attention");  // (3, 3, 1)
  EXPECT_EQ(s[5].group, "loyal_at_risk");

  EXPECT_EQ(s[0].lifecycle, "active");  // first order exactly 90 days ago: no longer new
  EXPECT_EQ(s[1].lifecycle, "new");
  EXPECT_EQ(s[2].lifecycle, "lost");
  EXPECT_EQ(s[3].lifecycle, "inactive");
  EXPECT_EQ(s[4].lifecycle, "prospect");
  EXPECT_EQ(s[5].lifecycle, "new");

  EXPECT_EQ(s[0].recency_days, 1);
  EXPECT_EQ(s[0].tenure_days, 90);
  EXPECT_EQ(s[0].frequency, 5);
  EXPECT_EQ(s[0].monetary_total_minor, 50000);
  EXPECT_EQ(s[0].monetary_mean_minor, 10000);
  EXPECT_EQ(s[0].currency, "USD");
  EXPECT_EQ(s[5].currency, "TRY");
  EXPECT_EQ(s[4].recency_days, std::nullopt);

  EXPECT_FALSE(s[0].inactive);
  EXPECT_EQ(s[0].inactive_rules, "no_email_90d,no_chat_90d");
  EXPECT_TRUE(s[3].inactive);
  EXPECT_EQ(s[3].inactive_rules, "no_order_180d,no_email_90d,no_chat_90d");
  EXPECT_FALSE(s[4].inactive);  // never bought

  EXPECT_DOUBLE_EQ(s[2].readiness, 0.75);
  EXPECT_EQ(s[2].readiness_reasons, "referred_others,never_complained,left_over_price");
  EXPECT_EQ(s[4].let_go, "payment_default");
  EXPECT_EQ(s[0].let_go, "");

  const ScoreSummary summary = SummarizeScores(s);
  EXPECT_EQ(summary.customers, 6);
  EXPECT_EQ(summary.buyers, 5);
  EXPECT_EQ(summary.inactive, 2);
  EXPECT_EQ(summary.let_go, 1);
  EXPECT_EQ(summary.by_group.at("loyal"), 1);
  EXPECT_EQ(summary.by_group.at("loyal_at_risk"), 1);
  EXPECT_EQ(summary.by_lifecycle.at("new"), 2);
  EXPECT_EQ(summary.by_segment.at("hibernating"), 1);
}

TEST(ScoreBuilderTest, MonetaryTotalBasis) {
  ScoringConfig config;
  config.monetary = MonetaryBasis::kTotal;
  ScoreBuilder builder(config, kAsOf);
  // Means 100 and 60, totals 100 and 300: the total basis ranks customer 2 higher.
  AddCustomer(builder, 1, {Order("2024-06-01", 100)});
  AddCustomer(builder, 2, {Order("2024-06-01", 60), Order("2024-06-02", 120), Order("2024-06-03", 120)});
  const std::vector<store::CustomerScore> s = builder.Finish();
  EXPECT_EQ(s[0].m, 1);
  EXPECT_EQ(s[1].m, 3);  // worse = 1 of 2 -> 1 + 5/2 = 3
}

TEST(ScoringConfigTest, ValidatesEveryPart) {
  ScoringConfig config;
  EXPECT_THAT(ValidateScoringConfig(config), IsOk());
  config.lifecycle.lost_days = 10;
  EXPECT_THAT(ValidateScoringConfig(config), StatusIs(StatusCode::kInvalidArgument));
  config = ScoringConfig{};
  config.inactivity.rules.push_back({"", ActivitySignal::kOrder, 5});
  EXPECT_THAT(ValidateScoringConfig(config), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::analytics
