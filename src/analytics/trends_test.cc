#include "analytics/trends.h"

#include <gtest/gtest.h>

#include <limits>

#include "analytics/internal/test_points.h"

namespace winback::analytics {
namespace {

using internal::D;
using internal::Event;

TEST(ExitReasonAccumulatorTest, CountsByMonthAndReason) {
  ExitReasonAccumulator acc(D("2024-03-31"));
  acc.Add(std::vector<store::EventPoint>{
      Event("2024-01-05", EventType::kExitSurvey, "price"), Event("2024-01-06", EventType::kVisit),
      Event("2024-03-01", EventType::kSubscriptionCancelled, "service")});
  acc.Add(std::vector<store::EventPoint>{Event("2024-01-20", EventType::kExitSurvey, "price"),
                                         Event("2024-04-01", EventType::kExitSurvey, "moved")});
  const std::vector<ExitReasonMonth> months = acc.Months();
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].month, 1);
  EXPECT_EQ(months[0].by_reason[static_cast<std::size_t>(ExitReason::kPrice)], 2);
  EXPECT_EQ(months[1].month, 3);
  EXPECT_EQ(months[1].by_reason[static_cast<std::size_t>(ExitReason::kService)], 1);
  const auto totals = acc.Totals();
  EXPECT_EQ(totals[static_cast<std::size_t>(ExitReason::kPrice)], 2);
  EXPECT_EQ(totals[static_cast<std::size_t>(ExitReason::kMoved)], 0);  // after last_day
}

TEST(ExitReasonAccumulatorTest, MergeAddsTheCounts) {
  ExitReasonAccumulator a(D("2024-03-31")), b(D("2024-03-31"));
  a.Add(std::vector<store::EventPoint>{Event("2024-01-05", EventType::kExitSurvey, "price")});
  b.Add(std::vector<store::EventPoint>{Event("2024-01-20", EventType::kExitSurvey, "price"),
                                       Event("2024-02-01", EventType::kExitSurvey, "moved")});
  a.Merge(b);
  const std::vector<ExitReasonMonth> months = a.Months();
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].by_reason[static_cast<std::size_t>(ExitReason::kPrice)], 2);
  EXPECT_EQ(months[1].month, 2);
  EXPECT_EQ(months[1].by_reason[static_cast<std::size_t>(ExitReason::kMoved)], 1);
  EXPECT_EQ(a.Totals()[static_cast<std::size_t>(ExitReason::kPrice)], 2);
}

store::CustomerScore Score(std::int64_t key, std::string segment, std::string group,
                           std::int64_t total, std::string currency = "USD") {
  store::CustomerScore s;
  s.key = CustomerKey(key);
  s.segment = std::move(segment);
  s.group = std::move(group);
  s.monetary_total_minor = total;
  s.currency = std::move(currency);
  return s;
}

TEST(SegmentTableBuilderTest, RevenuePastTheInt64RangeSaturatesAndIsFlagged) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  SegmentTableBuilder b("USD");
  b.Add(Score(1, "champions", "loyal", kMax / 2 + 1));
  b.Add(Score(2, "champions", "loyal", kMax / 2 + 1));  // the segment's sum is kMax + 1
  b.Add(Score(3, "lost", "lost", 100));
  const SegmentTable t = b.Finish();
  EXPECT_TRUE(t.revenue_saturated);
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].name, "champions");
  EXPECT_EQ(t.segments[0].revenue_minor, kMax);             // at the limit, never wrapped negative
  EXPECT_EQ(t.segments[0].mean_value_minor, kMax / 2 + 1);  // kMax / 2 = ...903.5, half up
  EXPECT_GT(t.segments[0].revenue_share, 0.99);
  EXPECT_EQ(t.segments[1].revenue_minor, 100);
  EXPECT_EQ(t.groups[0].revenue_minor, kMax);
  for (const SegmentRow& r : t.segments) EXPECT_GE(r.revenue_share, 0);

  // kMax = 3 * third + 1: three customers whose revenue adds up to exactly kMax.
  constexpr std::int64_t third = kMax / 3;
  SegmentTableBuilder fits("USD");
  fits.Add(Score(1, "champions", "loyal", third));
  fits.Add(Score(2, "champions", "loyal", third));
  fits.Add(Score(3, "champions", "loyal", third + 1));
  const SegmentTable exact = fits.Finish();
  EXPECT_FALSE(exact.revenue_saturated);
  EXPECT_EQ(exact.segments[0].revenue_minor, kMax);
  EXPECT_EQ(exact.segments[0].mean_value_minor, third);  // rounding half up cannot overflow
}

TEST(SegmentTableBuilderTest, CountsSharesAndMeans) {
  SegmentTableBuilder b("USD");
  b.Add(Score(1, "champions", "loyal", 9000));
  b.Add(Score(2, "champions", "loyal", 3001));
  b.Add(Score(3, "lost", "lost", 2000));
  b.Add(Score(4, "lost", "lost", 500, "EUR"));  // counted, not in revenue
  b.Add(Score(5, "", "", 0));                   // never ordered: not segmented
  const SegmentTable t = b.Finish();
  EXPECT_EQ(t.segmented, 4);
  EXPECT_EQ(t.other_currency_customers, 1);
  ASSERT_EQ(t.segments.size(), 2u);
  // Ties in size keep name order: champions before lost.
  EXPECT_EQ(t.segments[0].name, "champions");
  EXPECT_EQ(t.segments[0].customers, 2);
  EXPECT_DOUBLE_EQ(t.segments[0].share, 0.5);
  EXPECT_EQ(t.segments[0].revenue_minor, 12001);
  EXPECT_DOUBLE_EQ(t.segments[0].revenue_share, 12001.0 / 14001.0);
  EXPECT_EQ(t.segments[0].mean_value_minor, 6001);  // 12001 / 2 = 6000.5, half up
  EXPECT_EQ(t.segments[1].mean_value_minor, 2000);  // one USD customer
  ASSERT_EQ(t.groups.size(), 5u);
  EXPECT_EQ(t.groups[0].name, "loyal");
  EXPECT_EQ(t.groups[0].customers, 2);
  EXPECT_EQ(t.groups[1].name, "potentially_loyal");
  EXPECT_EQ(t.groups[1].customers, 0);
  EXPECT_EQ(t.groups[4].customers, 2);
}

TEST(MigrationBuilderTest, MatrixWithNone) {
  MigrationBuilder b;
  b.AddFrom(CustomerKey(1), "loyal");
  b.AddFrom(CustomerKey(2), "loyal");
  b.AddFrom(CustomerKey(3), "at_risk");
  b.AddFrom(CustomerKey(4), "");
  b.AddTo(CustomerKey(1), "loyal");
  b.AddTo(CustomerKey(2), "at_risk");
  b.AddTo(CustomerKey(3), "lost");
  b.AddTo(CustomerKey(4), "new");
  b.AddTo(CustomerKey(5), "new");  // not scored at the earlier date
  const MigrationMatrix m = b.Finish();
  EXPECT_EQ(m.labels, (std::vector<std::string>{"at_risk", "lost", "loyal", "new", "none"}));
  EXPECT_EQ(m.counts[2][2], 1);  // loyal -> loyal
  EXPECT_EQ(m.counts[2][0], 1);  // loyal -> at_risk
  EXPECT_EQ(m.counts[0][1], 1);  // at_risk -> lost
  EXPECT_EQ(m.counts[4][3], 2);  // none -> new
  EXPECT_EQ(m.moved, 4);
}

TEST(SegmentChurnBuilderTest, ShareOfActiveNotActiveAfterHorizon) {
  // Score date 2024-03-31: boundary 2024-04-01; horizon 30 days: 2024-05-01; window 30 days.
  SegmentChurnBuilder b(D("2024-03-31"), 30, 30);
  auto days = [](std::initializer_list<const char*> ymds) {
    std::vector<std::int32_t> out;
    for (const char* s : ymds) out.push_back(D(s).days());
    return out;
  };
  b.Add("loyal", days({"2024-03-20", "2024-04-20"}));  // stays
  b.Add("loyal", days({"2024-03-20"}));                // churns
  b.Add("loyal", days({"2024-01-01"}));                // not active at the score date
  b.Add("lost", days({"2024-03-30"}));                 // churns
  b.Add("", days({"2024-03-30"}));                     // no segment
  const std::vector<SegmentChurn> c = b.Finish();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].segment, "lost");
  EXPECT_EQ(c[0].active, 1);
  EXPECT_DOUBLE_EQ(c[0].churn_rate, 1.0);
  EXPECT_EQ(c[1].segment, "loyal");
  EXPECT_EQ(c[1].active, 2);
  EXPECT_EQ(c[1].churned, 1);
  EXPECT_DOUBLE_EQ(c[1].churn_rate, 0.5);
}

}  // namespace
}  // namespace winback::analytics
