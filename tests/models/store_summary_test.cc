// SummarizeStore on a small hand-made store imported through ingest::Import.

#include "models/store_summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "models/customer_values.h"
#include "tests/models/test_store.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

// c1: first order 2024-01-01; same LOCAL day twice on 2024-01-10 (one at 23:30 -05:00, which is
//     2024-01-11 in UTC, merged with the 09:00 -05:00 order), a refunded order ignored, one
//     on 2024-01-31 (calibration end, counted), one after the end.
// c2: one order 2024-01-05 only.
// c3: first order on the calibration end: T = 0, left out.
// c4: no orders.
constexpr char kCustomers[] = "id\nc1\nc2\nc3\nc4\n";
constexpr char kOrders[] =
    "id,customer_id,time,amount,currency,status\n"
    "o1,c1,2024-01-01T10:00:00Z,10.00,USD,completed\n"
    "o2,c1,2024-01-10T09:00:00-05:00,5.00,USD,completed\n"
    "o3,c1,2024-01-10T23:30:00-05:00,7.50,USD,completed\n"
    "o4,c1,2024-01-20T12:00:00Z,99.00,USD,refunded\n"
    "o5,c1,2024-01-31T12:00:00Z,20.00,USD,completed\n"
    "o6,c1,2024-02-05T12:00:00Z,40.00,USD,completed\n"
    "o7,c2,2024-01-05T12:00:00Z,8.00,USD,completed\n"
    "o8,c3,2024-01-31T08:00:00Z,8.00,USD,completed\n";

class StoreSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(testing::WriteText(dir_.File("customers.csv"), kCustomers), IsOk());
    ASSERT_THAT(testing::WriteText(dir_.File("orders.csv"), kOrders), IsOk());
    auto db = testing::ImportCsv(dir_.File("winback.db"), dir_.File("customers.csv"),
                                 dir_.File("orders.csv"), "");
    ASSERT_THAT(db, IsOk());
    db_ = std::move(db).value();
  }
  testing::ScratchDir dir_{"store_summary"};
  std::unique_ptr<store::Store> db_;
};

TEST_F(StoreSummaryTest, MergesLocalDaysAndSkipsRefundsInDays) {
  StoreSummaryOptions options;
  options.calibration_end = Date::FromYmd(2024, 1, 31).value();
  options.days_per_unit = 1.0;
  options.holdout_end = Date::FromYmd(2024, 2, 29).value();
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary s, SummarizeStore(*db_, options));
  ASSERT_EQ(s.table.size(), 2u);
  EXPECT_EQ(s.customers_skipped, 1);
  EXPECT_EQ(s.table.ids[0], "c1");
  EXPECT_EQ(s.table.frequency[0], 2.0);  // 01-10 (two orders merged) and 01-31
  EXPECT_EQ(s.table.recency[0], 30.0);
  EXPECT_EQ(s.table.age[0], 30.0);
  EXPECT_DOUBLE_EQ(s.table.monetary_value[0], (12.5 + 20.0) / 2);
  EXPECT_EQ(s.currencies[0], "USD");
  EXPECT_EQ(s.holdout_frequency[0], 1.0);
  EXPECT_DOUBLE_EQ(s.holdout_value[0], 40.0);
  EXPECT_EQ(s.table.ids[1], "c2");
  EXPECT_EQ(s.table.frequency[1], 0.0);
  EXPECT_EQ(s.table.recency[1], 0.0);
  EXPECT_EQ(s.table.age[1], 26.0);
  EXPECT_EQ(s.table.monetary_value[1], 0.0);
  EXPECT_DOUBLE_EQ(s.holdout_length, 29.0);
  EXPECT_THAT(ValidateSummaryTable(s.table), IsOk());
}

TEST_F(StoreSummaryTest, WeeksDivideBySeven) {
  StoreSummaryOptions options;
  options.calibration_end = Date::FromYmd(2024, 1, 31).value();
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary s, SummarizeStore(*db_, options));
  ASSERT_EQ(s.table.size(), 2u);
  EXPECT_DOUBLE_EQ(s.table.age[0], 30.0 / 7.0);
  EXPECT_TRUE(s.holdout_frequency.empty());
}

TEST_F(StoreSummaryTest, RejectsBadOptions) {
  StoreSummaryOptions options;
  options.calibration_end = Date::FromYmd(2024, 1, 31).value();
  options.days_per_unit = 0;
  EXPECT_THAT(SummarizeStore(*db_, options), StatusIs(StatusCode::kInvalidArgument));
  options.days_per_unit = 7;
  options.holdout_end = Date::FromYmd(2024, 1, 1).value();
  EXPECT_THAT(SummarizeStore(*db_, options), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(StoreSummaryTest, WritesACsvThatReadsBack) {
  StoreSummaryOptions options;
  options.calibration_end = Date::FromYmd(2024, 1, 31).value();
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary s, SummarizeStore(*db_, options));
  ASSERT_THAT(WriteStoreSummaryCsv(s, dir_.File("summary.csv")), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable back, ReadSummaryCsv(dir_.File("summary.csv")));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back.ids, s.table.ids);
  EXPECT_EQ(back.age, s.table.age);
  EXPECT_EQ(back.monetary_value, s.table.monetary_value);
  EXPECT_THAT(WriteStoreSummaryCsv(s, dir_.File("missing/dir/x.csv")),
              StatusIs(StatusCode::kUnavailable));
}

void ExpectSameSummary(const StoreSummary& a, const StoreSummary& b) {
  EXPECT_EQ(a.table.frequency, b.table.frequency);
  EXPECT_EQ(a.table.recency, b.table.recency);
  EXPECT_EQ(a.table.age, b.table.age);
  EXPECT_EQ(a.table.monetary_value, b.table.monetary_value);
  EXPECT_EQ(a.keys, b.keys);
  EXPECT_EQ(a.currencies, b.currencies);
  EXPECT_EQ(a.holdout_frequency, b.holdout_frequency);
  EXPECT_EQ(a.holdout_value, b.holdout_value);
  EXPECT_EQ(a.holdout_length, b.holdout_length);
  EXPECT_EQ(a.customers_skipped, b.customers_skipped);
}

TEST_F(StoreSummaryTest, PurchaseHistoriesGiveTheStoreSummaries) {
  const Date last = Date::FromYmd(2024, 2, 29).value();
  // One part, and two parts (c1, then the others) joined as the report joins its threads'.
  PurchaseHistories whole(last), first(last), second(last);
  ASSERT_THAT(
      db_->ForEachCustomerOrders([&](CustomerKey key, std::span<const store::OrderPoint> orders) {
        whole.Add(key, orders);
        (key.value() <= 1 ? first : second).Add(key, orders);
        return Status::Ok();
      }),
      IsOk());
  EXPECT_EQ(first.customers(), 1u);
  first.Append(std::move(second));
  EXPECT_EQ(whole.customers(), 3u);  // c4 has no order
  EXPECT_EQ(first.customers(), 3u);

  StoreSummaryOptions holdout;
  holdout.calibration_end = Date::FromYmd(2024, 1, 31).value();
  holdout.days_per_unit = 1.0;
  holdout.holdout_end = last;
  holdout.with_ids = false;
  StoreSummaryOptions to_last;
  to_last.calibration_end = last;
  to_last.with_ids = false;
  for (const StoreSummaryOptions& options : {holdout, to_last}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary expected, SummarizeStore(*db_, options));
    WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary from_whole, whole.Summarize(options));
    WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary from_parts, first.Summarize(options));
    ExpectSameSummary(from_whole, expected);
    ExpectSameSummary(from_parts, expected);
    EXPECT_TRUE(from_whole.table.ids.empty());
  }
  // The main currency is counted up to the histories' last day: another last day is refused.
  StoreSummaryOptions earlier;
  earlier.calibration_end = Date::FromYmd(2024, 1, 31).value();
  EXPECT_THAT(whole.Summarize(earlier), StatusIs(StatusCode::kInvalidArgument));
  earlier.holdout_end = Date::FromYmd(2024, 1, 1).value();
  EXPECT_THAT(whole.Summarize(earlier), StatusIs(StatusCode::kInvalidArgument));
}

TEST(PurchaseHistoriesTest, AppendKeepsEachCustomersCurrency) {
  const Date last = Date::FromYmd(2024, 3, 31).value();
  auto order = [](const char* time, std::int64_t cents, const char* currency) {
    store::OrderPoint o;
    o.placed_at = ParseTimestamp(time).value().instant;
    o.amount_minor = cents;
    o.currency = currency;
    return o;
  };
  const std::vector<store::OrderPoint> lira = {order("2024-01-01T10:00:00Z", 1000, "TRY"),
                                               order("2024-02-01T10:00:00Z", 3000, "TRY")};
  const std::vector<store::OrderPoint> dollars = {order("2024-01-02T10:00:00Z", 500, "USD"),
                                                  order("2024-03-02T10:00:00Z", 700, "USD")};
  PurchaseHistories a(last), b(last);
  a.Add(CustomerKey(1), lira);
  b.Add(CustomerKey(2), dollars);
  b.Add(CustomerKey(3), lira);
  a.Append(std::move(b));
  StoreSummaryOptions options;
  options.calibration_end = last;
  options.days_per_unit = 1.0;
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary s, a.Summarize(options));
  EXPECT_EQ(s.currencies, (std::vector<std::string>{"TRY", "USD", "TRY"}));
  EXPECT_EQ(s.keys, (std::vector<CustomerKey>{CustomerKey(1), CustomerKey(2), CustomerKey(3)}));
  EXPECT_EQ(s.table.frequency, (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(s.table.monetary_value, (std::vector<double>{30, 7, 30}));
}

TEST_F(StoreSummaryTest, CustomerValuesNeedRepeatPurchases) {
  // Only c1 has repeat purchases before 2024-01-15 (none): BG/NBD cannot be fitted.
  EXPECT_THAT(ComputeCustomerValues(*db_, Date::FromYmd(2024, 1, 5).value()),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ComputeCustomerValues(*db_, Date::FromYmd(2023, 1, 5).value()),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::models
