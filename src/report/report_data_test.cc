#include "report/report_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "models/bgnbd.h"
#include "report/report_json.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::report {
namespace {

Instant Noon(int year, int month, int day) {
  Result<Date> d = Date::FromYmd(year, month, day);
  return d->StartUtc().PlusSeconds(std::int64_t{12} * 3600);
}

// Five customers, hand-computed below (activity window 30 days, as of 2024-03-31):
//   c1 orders 2024-01-05 $10, 02-10 $20, 03-20 $30   recency 11, F 3 days, mean $20
//   c2 orders 2024-01-10 $50                          recency 81, F 1, mean $50; exit: price
//   c3 orders 2024-02-01 $5, 03-30 $5                 recency 1,  F 2, mean $5
//   c4 orders 2024-03-01 $100                         recency 30, F 1, mean $100; exit: service
//   c5 no completed order (a cancelled one); an exit survey after as_of that must not count.
class ReportDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Store>> opened = store::OpenSqliteStore(":memory:");
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(opened).value();
    Populate(*store_);
  }

  static void Populate(store::Store& store) {
    Result<std::unique_ptr<store::ImportSession>> session = store.BeginImport("test");
    ASSERT_THAT(session, IsOk());
    store::ImportSession& s = **session;
    int order_id = 0, event_id = 0;
    auto customer = [&](const std::string& id) {
      store::CustomerRecord c;
      c.id = id;
      Result<CustomerKey> key = s.UpsertCustomer(c);
      EXPECT_THAT(key, IsOk());
      return *key;
    };
    auto order = [&](CustomerKey key, const std::string& id, Instant at, std::int64_t cents,
                     OrderStatus status = OrderStatus::kCompleted) {
      store::OrderRecord o;
      o.id = "o" + std::to_string(++order_id);
      o.customer_id = id;
      o.placed_at = at;
      o.amount_minor = cents;
      o.currency = "USD";
      o.status = status;
      EXPECT_THAT(s.UpsertOrder(key, o), IsOk());
    };
    auto exit = [&](CustomerKey key, const std::string& id, EventType type, Instant at,
                    const std::string& reason) {
      store::EventRecord e;
      e.id = "e" + std::to_string(++event_id);
      e.customer_id = id;
      e.type = type;
      e.at = at;
      e.reason = reason;
      EXPECT_THAT(s.UpsertEvent(key, e), IsOk());
    };
    const CustomerKey c1 = customer("c1"), c2 = customer("c2"), c3 = customer("c3"),
                      c4 = customer("c4"), c5 = customer("c5");
    order(c1, "c1", Noon(2024, 1, 5), 1000);
    order(c1, "c1", Noon(2024, 2, 10), 2000);
    order(c1, "c1", Noon(2024, 3, 20), 3000);
    order(c2, "c2", Noon(2024, 1, 10), 5000);
    order(c3, "c3", Noon(2024, 2, 1), 500);
    order(c3, "c3", Noon(2024, 3, 30), 500);
    order(c4, "c4", Noon(2024, 3, 1), 10000);
    order(c5, "c5", Noon(2024, 2, 2), 700, OrderStatus::kCancelled);
    // After as_of: ignored everywhere.
    order(c4, "c4", Noon(2024, 4, 2), 9999);
    exit(c2, "c2", EventType::kExitSurvey, Noon(2024, 2, 15), "price");
    exit(c4, "c4", EventType::kSubscriptionCancelled, Noon(2024, 3, 5), "service");
    exit(c5, "c5", EventType::kExitSurvey, Noon(2024, 4, 5), "price");
    ASSERT_THAT(s.Commit(), IsOk());
  }

  ReportOptions Options() const {
    ReportOptions o;
    o.as_of = *Date::FromYmd(2024, 3, 31);
    o.activity_days = 30;
    o.currency = "USD";
    return o;
  }

  std::unique_ptr<store::Store> store_;
};

TEST_F(ReportDataTest, RfmGridAndSegmentsMatchHandComputedQuintiles) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  EXPECT_EQ(d.summary.customers, 5);
  EXPECT_EQ(d.summary.buyers, 4);
  EXPECT_EQ(d.summary.revenue_minor, 22'000);
  // score = 1 + floor(5 * worse / 4). R (recency 11, 81, 1, 30): c1 3, c2 1, c3 4, c4 2.
  // F (days 3, 1, 2, 1): c1 4, c2 1, c3 3, c4 1. M (mean 20, 50, 5, 100): c1 2, c2 3, c3 1, c4 4.
  EXPECT_EQ(d.rfm.customers, 4);
  ASSERT_EQ(d.rfm.at(3, 4).segments.size(), 1u);
  EXPECT_EQ(d.rfm.at(3, 4).segments[0].segment, "loyal");
  ASSERT_EQ(d.rfm.at(4, 3).segments.size(), 1u);
  EXPECT_EQ(d.rfm.at(4, 3).segments[0].segment, "potential_loyalist");
  ASSERT_EQ(d.rfm.at(2, 1).segments.size(), 1u);
  EXPECT_EQ(d.rfm.at(2, 1).segments[0].segment, "hibernating");
  ASSERT_EQ(d.rfm.at(1, 1).segments.size(), 1u);
  EXPECT_EQ(d.rfm.at(1, 1).segments[0].segment, "lost");
  EXPECT_EQ(d.rfm.by_group[static_cast<std::size_t>(analytics::Group::kLoyal)], 1);
  EXPECT_EQ(d.rfm.by_group[static_cast<std::size_t>(analytics::Group::kPotentiallyLoyal)], 1);
  EXPECT_EQ(d.rfm.by_group[static_cast<std::size_t>(analytics::Group::kLost)], 2);

  EXPECT_EQ(d.segments.segmented, 4);
  ASSERT_EQ(d.segments.groups.size(), 5u);
  const analytics::SegmentRow& lost = d.segments.groups[4];
  EXPECT_EQ(lost.name, "lost");
  EXPECT_EQ(lost.customers, 2);
  EXPECT_EQ(lost.revenue_minor, 15'000);  // c2 $50 + c4 $100
  EXPECT_DOUBLE_EQ(lost.revenue_share, 15'000.0 / 22'000.0);
  EXPECT_EQ(lost.mean_value_minor, 7'500);
}

TEST_F(ReportDataTest, MonthlyRatesOverCompleteMonthsOnly) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  // January: nobody active at the start; c1, c2 new and active at the end.
  // February: S = {c1, c2}; c3 new; E (orders in Jan 31 .. Feb 29) = {c1, c3}: c2 churned.
  //   CRR = (2 - 1) / 2 = 50%.
  // March: S = {c1, c3}; c4 new on Mar 1 but not active at Apr 1 (window Mar 2 .. Mar 31);
  //   E = {c1, c3}: CRR = (2 - 1) / 2 = 50%, nobody churned.
  ASSERT_EQ(d.monthly.size(), 3u);
  EXPECT_EQ(d.monthly[0].start.ToString(), "2024-01-01");
  EXPECT_EQ(d.monthly[0].s, 0);
  EXPECT_EQ(d.monthly[0].n, 2);
  EXPECT_FALSE(d.monthly[0].crr());
  EXPECT_EQ(d.monthly[1].s, 2);
  EXPECT_EQ(d.monthly[1].e, 2);
  EXPECT_EQ(d.monthly[1].churned, 1);
  EXPECT_DOUBLE_EQ(*d.monthly[1].crr(), 50.0);
  EXPECT_DOUBLE_EQ(*d.monthly[1].churn_rate(), 0.5);
  EXPECT_EQ(d.monthly[2].s, 2);
  EXPECT_EQ(d.monthly[2].n, 1);
  EXPECT_EQ(d.monthly[2].churned, 0);
  EXPECT_DOUBLE_EQ(*d.monthly[2].crr(), 50.0);
  // Pooled statistics start with the first month beginning 30 days or more after the first
  // order (Jan 5 + 30 = Feb 4): March. Tenure at Mar 1: c1 56 days, c3 29, nobody churned.
  ASSERT_TRUE(d.pooled_from.has_value());
  EXPECT_EQ(d.pooled_from->ToString(), "2024-03-01");
  EXPECT_FALSE(d.churn_by_calendar_month[0]);
  EXPECT_FALSE(d.churn_by_calendar_month[1]);
  EXPECT_DOUBLE_EQ(*d.churn_by_calendar_month[2], 0.0);
  ASSERT_FALSE(d.churn_by_tenure.empty());
  EXPECT_EQ(d.churn_by_tenure[0].at_risk, 2);
  EXPECT_EQ(d.churn_by_tenure[0].churned, 0);
}

TEST_F(ReportDataTest, AMonthCutShortByAsOfIsLeftOut) {
  ReportOptions o = Options();
  o.as_of = *Date::FromYmd(2024, 3, 30);
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, o));
  ASSERT_EQ(d.monthly.size(), 2u);
  EXPECT_EQ(d.monthly.back().start.ToString(), "2024-02-01");
  // March is the first month after the warm-up, and it is incomplete: nothing to pool.
  EXPECT_FALSE(d.pooled_from.has_value());
  EXPECT_TRUE(d.churn_by_tenure.empty());
}

TEST_F(ReportDataTest, CohortsAndExitReasons) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  ASSERT_EQ(d.cohorts.rows.size(), 3u);
  const analytics::CohortRow& jan = d.cohorts.rows[0];
  EXPECT_EQ(jan.customers, 2);
  EXPECT_EQ(jan.active, (std::vector<std::int64_t>{2, 1, 1}));
  EXPECT_EQ(jan.revenue_minor, (std::vector<std::int64_t>{6'000, 2'000, 3'000}));
  EXPECT_EQ(d.cohorts.rows[1].active, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(d.cohorts.rows[2].customers, 1);

  EXPECT_EQ(d.exit_totals[static_cast<std::size_t>(analytics::ExitReason::kPrice)], 1);
  EXPECT_EQ(d.exit_totals[static_cast<std::size_t>(analytics::ExitReason::kService)], 1);
  ASSERT_EQ(d.exit_months.size(), 2u);
  EXPECT_EQ(d.exit_months[0].month, 2);
  EXPECT_EQ(d.exit_months[1].month, 3);
}

TEST_F(ReportDataTest, CalibrationPlotSplitsTheHistory) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  // History: 2024-01-05 .. 03-31 = 86 days -> holdout 4 weeks, calibration up to 03-03.
  // In calibration: c1 (x = 1: Jan 5, Feb 10), c2, c3 and c4 (first order Mar 1) with x = 0;
  // in the holdout c1 buys on Mar 20, c3 on Mar 30 (c4's Apr 2 order is after as_of).
  ASSERT_TRUE(d.calibration.has_value()) << d.calibration_note;
  EXPECT_EQ(d.calibration->calibration_end.ToString(), "2024-03-03");
  EXPECT_DOUBLE_EQ(d.calibration->holdout_weeks, 4.0);
  EXPECT_EQ(d.calibration->customers, 4);
  ASSERT_EQ(d.calibration->buckets.size(), 8u);
  EXPECT_EQ(d.calibration->buckets[0].customers, 3);
  EXPECT_DOUBLE_EQ(d.calibration->buckets[0].actual_mean, 1.0 / 3.0);
  EXPECT_EQ(d.calibration->buckets[1].customers, 1);
  EXPECT_DOUBLE_EQ(d.calibration->buckets[1].actual_mean, 1.0);
  EXPECT_DOUBLE_EQ(d.calibration->actual_total, 2.0);
  // The predicted total is every customer's E[Y(4 weeks) | x, t_x, T] under the fitted model,
  // summed: (x, t_x, T) in days from the orders above, T up to the calibration end day (as
  // SummarizeStore counts it), divided by 7. Also the buckets' customers x predicted_mean.
  WINBACK_ASSERT_OK_AND_ASSIGN(models::BgNbdModel model,
                               models::BgNbdModel::Create(d.calibration->params));
  double expected = 0;
  for (const models::CustomerRfm& c :
       {models::CustomerRfm{1, 36 / 7.0, 58 / 7.0}, models::CustomerRfm{0, 0, 53 / 7.0},
        models::CustomerRfm{0, 0, 31 / 7.0}, models::CustomerRfm{0, 0, 2 / 7.0}}) {
    expected += model.ConditionalExpectedPurchases(c, 4.0);
  }
  EXPECT_NEAR(d.calibration->predicted_total, expected, 1e-9 * expected);
  double by_bucket = 0;
  for (const CalibrationBucket& b : d.calibration->buckets) {
    by_bucket += static_cast<double>(b.customers) * b.predicted_mean;
  }
  EXPECT_NEAR(d.calibration->predicted_total, by_bucket, 1e-9 * by_bucket);
  EXPECT_GT(expected, 0.0);
}

TEST_F(ReportDataTest, AHoldoutLongerThanTheHistoryGivesANote) {
  ReportOptions o = Options();
  o.holdout_days = 200;
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, o));
  EXPECT_FALSE(d.calibration.has_value());
  EXPECT_THAT(d.calibration_note, ::testing::HasSubstr("too short"));
}

TEST_F(ReportDataTest, PAliveCoversEveryBuyerWithHistory) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, Options()));
  ASSERT_TRUE(d.p_alive.has_value()) << d.p_alive_note;
  EXPECT_EQ(d.p_alive->histogram.customers, 4);
  // c2 and c4 have no repeat purchase: P(alive) = 1 under BG/NBD.
  std::int64_t one_time = 0;
  for (std::int64_t n : d.p_alive->histogram.one_time) one_time += n;
  EXPECT_EQ(one_time, 2);
  EXPECT_EQ(d.p_alive->histogram.one_time[9], 2);
}

TEST_F(ReportDataTest, NoRepeatPurchaseLeavesTheModelsOutWithANote) {
  ReportOptions o = Options();
  o.as_of = *Date::FromYmd(2024, 1, 31);  // only c1's and c2's first orders
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, o));
  EXPECT_FALSE(d.p_alive.has_value());
  EXPECT_FALSE(d.p_alive_note.empty());
  EXPECT_FALSE(d.calibration.has_value());
  EXPECT_FALSE(d.calibration_note.empty());
  EXPECT_EQ(d.summary.buyers, 2);
  EXPECT_EQ(d.monthly.size(), 1u);
}

TEST_F(ReportDataTest, AsOfAfterEveryRowCountsThemAll) {
  // Every order and event is on or before the date: the scores come from the aggregates and
  // the report reads the orders and exit events itself.
  ReportOptions o = Options();
  o.as_of = *Date::FromYmd(2024, 4, 30);
  WINBACK_ASSERT_OK_AND_ASSIGN(ReportData d, BuildReport(*store_, o));
  EXPECT_EQ(d.summary.buyers, 4);
  EXPECT_EQ(d.summary.revenue_minor, 31'999);  // c4's April order too
  EXPECT_EQ(d.exit_totals[static_cast<std::size_t>(analytics::ExitReason::kPrice)], 2);
  EXPECT_EQ(d.exit_totals[static_cast<std::size_t>(analytics::ExitReason::kService)], 1);
  ASSERT_EQ(d.cohorts.rows.size(), 3u);  // January, February, March
  EXPECT_EQ(d.cohorts.rows[2].active, (std::vector<std::int64_t>{1, 1}));  // c4: March, April
  EXPECT_EQ(d.monthly.size(), 4u);                                         // January to April
  EXPECT_TRUE(d.p_alive.has_value()) << d.p_alive_note;
}

TEST_F(ReportDataTest, SeveralReadersGiveTheSameReport) {
  const testutil::ScratchDir dir("winback_report_data_test");
  const std::string path = dir.File("winback.db");
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> writer,
                                 store::OpenSqliteStore(path));
    Populate(*writer);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> a, store::OpenSqliteStore(path));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> b, store::OpenSqliteStore(path));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> c, store::OpenSqliteStore(path));
  store::Store* two[] = {a.get(), b.get()};
  store::Store* three[] = {a.get(), b.get(), c.get()};
  // 2024-03-31 scores from the streams, 2024-04-30 from the aggregates.
  for (const Date as_of : {*Date::FromYmd(2024, 3, 31), *Date::FromYmd(2024, 4, 30)}) {
    ReportOptions o = Options();
    o.as_of = as_of;
    WINBACK_ASSERT_OK_AND_ASSIGN(ReportData one_reader, BuildReport(*store_, o));
    WINBACK_ASSERT_OK_AND_ASSIGN(ReportData two_readers, BuildReport(two, o));
    WINBACK_ASSERT_OK_AND_ASSIGN(ReportData three_readers, BuildReport(three, o));
    const std::string expected = ReportJson(one_reader);
    EXPECT_EQ(ReportJson(two_readers), expected) << as_of.ToString();
    EXPECT_EQ(ReportJson(three_readers), expected) << as_of.ToString();
  }
}

TEST_F(ReportDataTest, RejectsInvalidOptions) {
  ReportOptions o = Options();
  o.activity_days = 0;
  EXPECT_THAT(BuildReport(*store_, o), StatusIs(StatusCode::kInvalidArgument));
  o = Options();
  o.holdout_days = 0;
  EXPECT_THAT(BuildReport(*store_, o), StatusIs(StatusCode::kInvalidArgument));
}

// Two customers whose revenue adds up past the int64 range of minor units: the report's sums
// stay at the limit and say so instead of wrapping to a negative amount.
TEST(ReportRevenueTest, RevenuePastTheInt64RangeSaturatesAndIsFlagged) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> st,
                               store::OpenSqliteStore(":memory:"));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::ImportSession> session,
                               st->BeginImport("test"));
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (const char* id : {"big1", "big2"}) {
    store::CustomerRecord c;
    c.id = id;
    WINBACK_ASSERT_OK_AND_ASSIGN(const CustomerKey key, session->UpsertCustomer(c));
    store::OrderRecord o;
    o.id = std::string("o-") + id;
    o.customer_id = id;
    o.placed_at = Noon(2024, 3, 1);
    o.amount_minor = kMax / 2 + 1;
    o.currency = "USD";
    ASSERT_THAT(session->UpsertOrder(key, o), IsOk());
  }
  ASSERT_THAT(session->Commit(), IsOk());
  ReportOptions o;
  o.as_of = *Date::FromYmd(2024, 3, 31);
  o.currency = "USD";
  WINBACK_ASSERT_OK_AND_ASSIGN(const ReportData data, BuildReport(*st, o));
  EXPECT_EQ(data.summary.buyers, 2);
  EXPECT_EQ(data.summary.revenue_minor, kMax);
  EXPECT_TRUE(data.summary.revenue_saturated);
  EXPECT_TRUE(data.segments.revenue_saturated);
  for (const analytics::SegmentRow& r : data.segments.segments) EXPECT_GT(r.revenue_minor, 0);
  EXPECT_EQ(ReportJson(data).find("\"revenue_minor\": -"), std::string::npos);
}

}  // namespace
}  // namespace winback::report
