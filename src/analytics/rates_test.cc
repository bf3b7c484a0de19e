#include "analytics/rates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "analytics/internal/test_points.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using internal::D;

std::vector<std::int32_t> Days(std::initializer_list<const char*> ymds) {
  std::vector<std::int32_t> out;
  for (const char* s : ymds) out.push_back(D(s).days());
  return out;
}

RatesAccumulator March2024() {
  WINBACK_CHECK(true);
  Result<std::vector<Date>> b = PeriodBoundaries(Period::kMonth, D("2024-03-01"), D("2024-03-31"));
  WINBACK_CHECK(b.ok());
  return RatesAccumulator(*b, 180);
}

// Article 002: ten customers at the start of the month, two lost by its end, two new: the
// business ends with as many customers as it began with, and CRR is 80%, not 100%.
TEST(RatesTest, ArticleExampleGivesEightyPercent) {
  RatesAccumulator acc = March2024();
  // Eight stay active: an order on 2024-02-15 is inside the 180-day window at both ends.
  for (int i = 0; i < 8; ++i) acc.Add(Days({"2024-02-15"}));
  // Two churn: 2023-09-15 is within 180 days before 2024-03-01 but not before 2024-04-01
  // (the window at the end starts on 2023-10-04).
  for (int i = 0; i < 2; ++i) acc.Add(Days({"2023-09-15"}));
  // Two new customers.
  for (int i = 0; i < 2; ++i) acc.Add(Days({"2024-03-10"}));
  const std::vector<PeriodRates> rates = acc.Rates();
  ASSERT_EQ(rates.size(), 1u);
  const PeriodRates& r = rates[0];
  EXPECT_EQ(r.start, D("2024-03-01"));
  EXPECT_EQ(r.end, D("2024-04-01"));
  EXPECT_EQ(r.s, 10);
  EXPECT_EQ(r.e, 10);
  EXPECT_EQ(r.n, 2);
  EXPECT_EQ(r.retained, 8);
  EXPECT_EQ(r.churned, 2);
  EXPECT_EQ(r.reactivated, 0);
  ASSERT_TRUE(r.crr().has_value());
  EXPECT_DOUBLE_EQ(*r.crr(), 80.0);
  EXPECT_DOUBLE_EQ(*r.churn_rate(), 0.2);
}

TEST(RatesTest, WindowEdgesAreExact) {
  RatesAccumulator acc = March2024();
  // Window at 2024-03-01 is [2023-09-03, 2024-02-29]; at 2024-04-01 it is [2023-10-04, 2024-03-31].
  acc.Add(Days({"2023-09-03"}));  // active at start only: churned
  acc.Add(Days({"2023-09-02"}));  // never active, not new: nothing
  acc.Add(Days({"2023-10-04"}));  // active at both: retained
  acc.Add(Days({"2023-10-03"}));  // one day older: churned
  acc.Add(Days({"2024-03-31"}));  // new, active at end
  acc.Add(Days({"2024-04-01"}));  // after the range: ignored
  const PeriodRates r = acc.Rates()[0];
  EXPECT_EQ(r.s, 3);
  EXPECT_EQ(r.churned, 2);
  EXPECT_EQ(r.retained, 1);
  EXPECT_EQ(r.n, 1);
  EXPECT_EQ(r.e, 2);
  EXPECT_DOUBLE_EQ(*r.crr(), 100.0 / 3.0);  // (2 - 1) / 3
}

TEST(RatesTest, ReactivatedCountsInEButNotN) {
  RatesAccumulator acc = March2024();
  for (int i = 0; i < 10; ++i) acc.Add(Days({"2024-02-15"}));
  acc.Add(Days({"2023-01-01", "2024-03-20"}));  // inactive at start, back in March
  acc.Add(Days({"2024-03-05", "2024-03-06"}));  // new
  const PeriodRates r = acc.Rates()[0];
  EXPECT_EQ(r.s, 10);
  EXPECT_EQ(r.reactivated, 1);
  EXPECT_EQ(r.n, 1);
  EXPECT_EQ(r.e, 12);
  EXPECT_DOUBLE_EQ(*r.crr(), 110.0);  // (12 - 1) / 10: reactivation lifts CRR
  EXPECT_DOUBLE_EQ(*r.churn_rate(), 0.0);
}

TEST(RatesTest, SeveralMonthsAndEmptyStart) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Date> b,
                               PeriodBoundaries(Period::kMonth, D("2024-01-15"), D("2024-03-02")));
  ASSERT_EQ(b.size(), 4u);
  RatesAccumulator acc(b, 30);
  acc.Add(Days({"2024-01-10", "2024-02-20"}));
  // Jan: not active at 01-01; new; active at 02-01 (order 01-10 within 30 days).
  // Feb: active at 02-01; active at 03-01 (02-20). Mar: active at 03-01; not at 04-01.
  const std::vector<PeriodRates> r = acc.Rates();
  EXPECT_EQ(r[0].s, 0);
  EXPECT_EQ(r[0].n, 1);
  EXPECT_EQ(r[0].e, 1);
  EXPECT_EQ(r[0].crr(), std::nullopt);
  EXPECT_EQ(r[0].churn_rate(), std::nullopt);
  EXPECT_EQ(r[1].retained, 1);
  EXPECT_EQ(r[2].churned, 1);
  EXPECT_DOUBLE_EQ(*r[2].crr(), 0.0);
  // Merge doubles every count.
  RatesAccumulator twice(b, 30);
  twice.Add(Days({"2024-01-10", "2024-02-20"}));
  twice.Merge(acc);
  EXPECT_EQ(twice.Rates()[2].churned, 2);
}

TEST(RatesTest, ChurnByTenureBuckets) {
  RatesAccumulator acc = March2024();
  for (int i = 0; i < 8; ++i) acc.Add(Days({"2024-02-15"}));  // tenure 15 days at 03-01
  for (int i = 0; i < 2; ++i) acc.Add(Days({"2023-09-15"}));  // tenure 168 days, churn
  acc.Add(Days({"2022-01-01", "2024-02-01"}));                // tenure 790 days, retained
  const std::vector<TenureBucket> t = acc.Tenure();
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].at_risk, 8);
  EXPECT_EQ(t[0].churned, 0);
  EXPECT_EQ(t[1].min_days, 90);
  EXPECT_EQ(t[1].at_risk, 2);
  EXPECT_DOUBLE_EQ(*t[1].churn_rate(), 1.0);
  EXPECT_EQ(t[2].churn_rate(), std::nullopt);
  EXPECT_EQ(t[4].at_risk, 1);
}

TEST(RatesTest, ChurnByCalendarMonthPoolsYears) {
  std::vector<PeriodRates> rates(3);
  rates[0].start = D("2023-03-01");
  rates[0].s = 10;
  rates[0].churned = 1;
  rates[1].start = D("2024-03-01");
  rates[1].s = 30;
  rates[1].churned = 7;
  rates[2].start = D("2024-04-01");
  const auto by_month = ChurnByCalendarMonth(rates);
  EXPECT_DOUBLE_EQ(*by_month[2], 0.2);   // (1 + 7) / (10 + 30)
  EXPECT_EQ(by_month[3], std::nullopt);  // S = 0
  EXPECT_EQ(by_month[0], std::nullopt);
}

TEST(PeriodTest, StartsAndBoundaries) {
  EXPECT_EQ(PeriodStart(Period::kWeek, D("2024-06-30")), D("2024-06-24"));  // Sunday -> Monday
  EXPECT_EQ(PeriodStart(Period::kWeek, D("2024-06-24")), D("2024-06-24"));
  EXPECT_EQ(PeriodStart(Period::kMonth, D("2024-02-29")), D("2024-02-01"));
  EXPECT_EQ(PeriodStart(Period::kYear, D("2024-02-29")), D("2024-01-01"));
  EXPECT_EQ(NextPeriodStart(Period::kMonth, D("2024-12-01")), D("2025-01-01"));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Date> days,
                               PeriodBoundaries(Period::kDay, D("2024-01-01"), D("2024-01-03")));
  EXPECT_EQ(days, (std::vector<Date>{D("2024-01-01"), D("2024-01-02"), D("2024-01-03"),
                                     D("2024-01-04")}));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Date> years,
                               PeriodBoundaries(Period::kYear, D("2023-05-01"), D("2024-01-01")));
  EXPECT_EQ(years, (std::vector<Date>{D("2023-01-01"), D("2024-01-01"), D("2025-01-01")}));
  EXPECT_THAT(PeriodBoundaries(Period::kDay, D("2024-01-02"), D("2024-01-01")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PeriodBoundaries(Period::kDay, D("1900-01-01"), D("2200-01-01")),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("100,000")));
  EXPECT_EQ(ParsePeriod("week"), Period::kWeek);
  EXPECT_EQ(ParsePeriod("quarter"), std::nullopt);
}

// Every count straight from the definitions of rates.h, one customer and period at a time.
TEST(RatesTest, AgreesWithTheDefinitionsOnRandomHistories) {
  std::mt19937 rng(3);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Date> b,
                               PeriodBoundaries(Period::kMonth, D("2023-01-01"), D("2024-12-31")));
  const std::int32_t window = 180;
  RatesAccumulator acc(b, window);
  std::vector<PeriodRates> expected(b.size() - 1);
  for (int c = 0; c < 2000; ++c) {
    std::vector<std::int32_t> days;
    const int n = 1 + static_cast<int>(rng() % 6);
    days.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      days.push_back(D("2022-06-01").days() + static_cast<std::int32_t>(rng() % 1000));
    }
    std::sort(days.begin(), days.end());
    acc.Add(days);
    auto active = [&](Date t) {
      for (std::int32_t d : days) {
        if (d < t.days() && d >= t.days() - window) return true;
      }
      return false;
    };
    for (std::size_t i = 0; i + 1 < b.size(); ++i) {
      const bool at_start = active(b[i]), at_end = active(b[i + 1]);
      PeriodRates& r = expected[i];
      r.s += at_start;
      r.e += at_end;
      r.n += days.front() >= b[i].days() && days.front() < b[i + 1].days();
      r.retained += at_start && at_end;
      r.churned += at_start && !at_end;
      r.reactivated += !at_start && at_end && days.front() < b[i].days();
    }
  }
  const std::vector<PeriodRates> got = acc.Rates();
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].s, expected[i].s) << i;
    EXPECT_EQ(got[i].e, expected[i].e) << i;
    EXPECT_EQ(got[i].n, expected[i].n) << i;
    EXPECT_EQ(got[i].retained, expected[i].retained) << i;
    EXPECT_EQ(got[i].churned, expected[i].churned) << i;
    EXPECT_EQ(got[i].reactivated, expected[i].reactivated) << i;
  }
}

TEST(OrderDayHistoryTest, LoadsCompletedDaysPerCustomerFromOneReader) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> st,
                               store::OpenSqliteStore(":memory:"));
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, st->BeginImport("test"));
  for (int c = 0; c < 5; ++c) {
    store::CustomerRecord r;
    r.id = "c" + std::to_string(c);
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey k, session->UpsertCustomer(r));
    for (int o = 0; o < c; ++o) {
      store::OrderRecord order;
      order.id = r.id + "-" + std::to_string(o);
      order.placed_at = D("2024-01-01").StartUtc().PlusDays(10 * o + c);
      order.currency = "USD";
      order.status = o == 2 ? OrderStatus::kRefunded : OrderStatus::kCompleted;
      ASSERT_THAT(session->UpsertOrder(k, order), IsOk());
    }
  }
  ASSERT_THAT(session->Commit(), IsOk());
  // (Several readers, one thread each, are exercised in tests/analytics on a file store.)
  store::Scanner* readers[] = {st.get()};
  WINBACK_ASSERT_OK_AND_ASSIGN(OrderDayHistory h, OrderDayHistory::Load(readers));
  EXPECT_EQ(h.customers(), 4u);  // c0 has no order; customer(i) is the i-th with one
  EXPECT_EQ(h.orders(), 8u);     // c1 1, c2 2, c3 2 (its third is refunded), c4 3
  EXPECT_EQ(h.first_day(), D("2024-01-02").days());
  EXPECT_EQ(h.last_day(), D("2024-01-01").days() + 30 + 4);
  EXPECT_EQ(std::vector<std::int32_t>(h.customer(3).begin(), h.customer(3).end()),
            (std::vector<std::int32_t>{D("2024-01-05").days(), D("2024-01-15").days(),
                                       D("2024-02-04").days()}));
}

}  // namespace
}  // namespace winback::analytics
