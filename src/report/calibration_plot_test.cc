#include "report/calibration_plot.h"

#include <gtest/gtest.h>

#include <vector>

#include "models/bgnbd.h"
#include "testutil/status_matchers.h"

namespace winback::report {
namespace {

models::SummaryTable Table(const std::vector<double>& x) {
  models::SummaryTable t;
  for (double xi : x) {
    t.frequency.push_back(xi);
    t.recency.push_back(xi > 0 ? 20 : 0);
    t.age.push_back(30);
  }
  return t;
}

models::BgNbdModel Model() {
  // The CDNOW estimates (weeks).
  Result<models::BgNbdModel> m = models::BgNbdModel::Create({0.243, 4.414, 0.793, 2.426});
  EXPECT_TRUE(m.ok());
  return std::move(m).value();
}

TEST(CalibrationBucketsTest, GroupsByCalibrationFrequencyWithAnOpenLastBucket) {
  // x: 0, 0, 1, 3, 7, 12 -> buckets 0 (2 customers), 1, 3, and 7+ (2 customers).
  const models::SummaryTable t = Table({0, 0, 1, 3, 7, 12});
  const std::vector<double> holdout = {0, 1, 2, 4, 5, 9};
  const models::BgNbdModel model = Model();
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<CalibrationBucket> b,
                               CalibrationBuckets(t, holdout, model, 39.0));
  ASSERT_EQ(b.size(), 8u);
  for (std::size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b[i].frequency, static_cast<int>(i));
    EXPECT_EQ(b[i].open_ended, i == 7);
  }
  EXPECT_EQ(b[0].customers, 2);
  EXPECT_DOUBLE_EQ(b[0].actual_mean, 0.5);
  EXPECT_DOUBLE_EQ(b[0].predicted_mean,
                   model.ConditionalExpectedPurchases({0, 0, 30}, 39.0));  // both alike
  EXPECT_EQ(b[1].customers, 1);
  EXPECT_DOUBLE_EQ(b[1].actual_mean, 2);
  EXPECT_EQ(b[2].customers, 0);
  EXPECT_EQ(b[2].actual_mean, 0);
  EXPECT_EQ(b[2].predicted_mean, 0);
  EXPECT_EQ(b[3].customers, 1);
  EXPECT_DOUBLE_EQ(b[3].actual_mean, 4);
  EXPECT_EQ(b[7].customers, 2);
  EXPECT_DOUBLE_EQ(b[7].actual_mean, 7);
  EXPECT_DOUBLE_EQ(b[7].predicted_mean, (model.ConditionalExpectedPurchases({7, 20, 30}, 39.0) +
                                         model.ConditionalExpectedPurchases({12, 20, 30}, 39.0)) /
                                            2);
  // More past purchases, more predicted future ones.
  EXPECT_LT(b[0].predicted_mean, b[1].predicted_mean);
  EXPECT_LT(b[3].predicted_mean, b[7].predicted_mean);
}

TEST(CalibrationBucketsTest, HonoursMaxFrequency) {
  const models::SummaryTable t = Table({0, 1, 2, 5});
  const std::vector<double> holdout = {0, 1, 1, 3};
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<CalibrationBucket> b,
                               CalibrationBuckets(t, holdout, Model(), 10.0, 2));
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2].customers, 2);  // x = 2 and x = 5
  EXPECT_DOUBLE_EQ(b[2].actual_mean, 2);
  EXPECT_TRUE(b[2].open_ended);
}

TEST(CalibrationBucketsTest, RejectsMismatchedOrInvalidInputs) {
  const models::SummaryTable t = Table({0, 1});
  const std::vector<double> one = {0};
  const std::vector<double> two = {0, 1};
  EXPECT_THAT(CalibrationBuckets(t, one, Model(), 10.0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CalibrationBuckets(t, two, Model(), 0.0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CalibrationBuckets(t, two, Model(), 10.0, 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST(DefaultHoldoutDaysTest, TwentySixWeeksOrAThirdOfTheHistory) {
  EXPECT_EQ(DefaultHoldoutDays(730), 26 * 7);
  EXPECT_EQ(DefaultHoldoutDays(546), 26 * 7);  // exactly three half-years
  EXPECT_EQ(DefaultHoldoutDays(300), 14 * 7);  // 300 / 3 = 100 days -> 14 whole weeks
  EXPECT_EQ(DefaultHoldoutDays(21), 7);
  EXPECT_EQ(DefaultHoldoutDays(20), 0);
  EXPECT_EQ(DefaultHoldoutDays(0), 0);
}

}  // namespace
}  // namespace winback::report
