#include "analytics/cohorts.h"

#include <gtest/gtest.h>

#include <limits>

#include "analytics/internal/test_points.h"

namespace winback::analytics {
namespace {

using internal::D;
using internal::Order;

TEST(CohortAccumulatorTest, HandComputedTable) {
  CohortAccumulator acc("USD", D("2024-03-31"));
  // A: January cohort, orders in months 0 and 2.
  acc.Add(std::vector<store::OrderPoint>{Order("2024-01-05", 1000), Order("2024-01-20", 500),
                                         Order("2024-03-02", 2000)});
  // B: January cohort, months 0 and 1; an April order is after last_day.
  acc.Add(std::vector<store::OrderPoint>{Order("2024-01-31", 1000), Order("2024-02-01", 1000),
                                         Order("2024-04-01", 9999)});
  // C: February cohort, one EUR order left out of revenue.
  acc.Add(
      std::vector<store::OrderPoint>{Order("2024-02-10", 3000, "EUR"), Order("2024-02-11", 700)});
  // D: only a refunded order: no cohort.
  acc.Add(std::vector<store::OrderPoint>{Order("2024-01-01", 5, "USD", OrderStatus::kRefunded)});
  const CohortTable t = acc.Finish();
  EXPECT_EQ(t.currency, "USD");
  EXPECT_EQ(t.other_currency_orders, 1);
  ASSERT_EQ(t.rows.size(), 2u);
  const CohortRow& jan = t.rows[0];
  EXPECT_EQ(jan.year, 2024);
  EXPECT_EQ(jan.month, 1);
  EXPECT_EQ(jan.customers, 2);
  EXPECT_EQ(jan.active, (std::vector<std::int64_t>{2, 1, 1}));
  EXPECT_EQ(jan.revenue_minor, (std::vector<std::int64_t>{2500, 1000, 2000}));
  EXPECT_EQ(jan.ActiveShare(), (std::vector<double>{1.0, 0.5, 0.5}));
  EXPECT_EQ(jan.RevenueRetention(), (std::vector<double>{1.0, 0.4, 0.8}));
  const CohortRow& feb = t.rows[1];
  EXPECT_EQ(feb.month, 2);
  EXPECT_EQ(feb.customers, 1);
  EXPECT_EQ(feb.active, (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(feb.revenue_minor, (std::vector<std::int64_t>{700, 0}));
}

TEST(CohortAccumulatorTest, RevenuePastTheInt64RangeSaturatesAndIsFlagged) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  CohortAccumulator acc("USD", D("2024-03-31"));
  acc.Add(std::vector<store::OrderPoint>{Order("2024-01-05", kMax / 2 + 1)});
  CohortAccumulator other("USD", D("2024-03-31"));
  other.Add(std::vector<store::OrderPoint>{Order("2024-01-06", kMax / 2 + 1)});
  acc.Merge(other);  // the cohort's month 0 is kMax + 1
  const CohortTable t = acc.Finish();
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].revenue_minor[0], kMax);  // not wrapped negative
  EXPECT_TRUE(t.revenue_saturated);

  CohortAccumulator one("USD", D("2024-03-31"));
  one.Add(std::vector<store::OrderPoint>{Order("2024-01-05", kMax), Order("2024-01-06", 1)});
  EXPECT_EQ(one.Finish().rows[0].revenue_minor[0], kMax);
  EXPECT_TRUE(one.Finish().revenue_saturated);

  CohortAccumulator fits("USD", D("2024-03-31"));
  fits.Add(std::vector<store::OrderPoint>{Order("2024-01-05", kMax - 1), Order("2024-01-06", 1)});
  EXPECT_EQ(fits.Finish().rows[0].revenue_minor[0], kMax);
  EXPECT_FALSE(fits.Finish().revenue_saturated);
}

TEST(CohortAccumulatorTest, MergedAccumulatorsEqualOne) {
  const std::vector<std::vector<store::OrderPoint>> customers = {
      {Order("2024-01-05", 1000), Order("2024-03-02", 2000)},
      {Order("2024-01-31", 1000), Order("2024-02-01", 1000)},
      {Order("2024-02-10", 3000, "EUR"), Order("2024-02-11", 700)},
      {Order("2023-12-30", 400)}};
  CohortAccumulator one("USD", D("2024-03-31")), first("USD", D("2024-03-31")),
      second("USD", D("2024-03-31"));
  for (std::size_t i = 0; i < customers.size(); ++i) {
    one.Add(customers[i]);
    (i % 2 == 0 ? first : second).Add(customers[i]);
  }
  first.Merge(second);
  const CohortTable a = one.Finish(), b = first.Finish();
  EXPECT_EQ(a.other_currency_orders, b.other_currency_orders);
  ASSERT_EQ(a.rows.size(), 3u);
  ASSERT_EQ(b.rows.size(), a.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].year, b.rows[i].year);
    EXPECT_EQ(a.rows[i].month, b.rows[i].month);
    EXPECT_EQ(a.rows[i].customers, b.rows[i].customers);
    EXPECT_EQ(a.rows[i].active, b.rows[i].active);
    EXPECT_EQ(a.rows[i].revenue_minor, b.rows[i].revenue_minor);
  }
}

TEST(CohortAccumulatorTest, CohortsSpanYearEnds) {
  CohortAccumulator acc("USD", D("2024-01-15"));
  acc.Add(std::vector<store::OrderPoint>{Order("2023-12-30"), Order("2024-01-02")});
  const CohortTable t = acc.Finish();
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].year, 2023);
  EXPECT_EQ(t.rows[0].month, 12);
  EXPECT_EQ(t.rows[0].active, (std::vector<std::int64_t>{1, 1}));
}

TEST(CohortAccumulatorTest, ZeroFirstMonthRevenueHasNoRetention) {
  CohortAccumulator acc("USD", D("2024-02-15"));
  acc.Add(std::vector<store::OrderPoint>{Order("2024-01-02", 0), Order("2024-02-02", 100)});
  EXPECT_TRUE(acc.Finish().rows[0].RevenueRetention().empty());
}

}  // namespace
}  // namespace winback::analytics
