#include "scoring/score_run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "scoring/internal/test_business.h"
#include "testutil/status_matchers.h"

namespace winback::scoring {
namespace {

using internal::TestBusiness;

// Every saved score of `as_of`.
std::vector<store::CustomerScore> Saved(store::Store& st, Date as_of) {
  std::vector<store::CustomerScore> out;
  EXPECT_THAT(st.ForEachScore(as_of,
                              [&](const store::CustomerScore& s) {
                                out.push_back(s);
                                return Status::Ok();
                              }),
              IsOk());
  return out;
}

class ScoreAndSaveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<TestBusiness>> b = TestBusiness::Create(2'000);
    ASSERT_THAT(b.status(), IsOk());
    business_ = b->release();
  }
  static void TearDownTestSuite() {
    delete business_;
    business_ = nullptr;
  }
  static TestBusiness* business_;
};

TestBusiness* ScoreAndSaveTest::business_ = nullptr;

TEST_F(ScoreAndSaveTest, SavesEveryCustomerWithTheModelColumns) {
  const Date as_of = business_->end();
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreRun run,
      ScoreAndSave(business_->readers(), analytics::ScoringConfig{}, as_of, ScoreModelOptions{}));
  EXPECT_EQ(run.summary.customers, 2'000);
  EXPECT_GT(run.summary.buyers, 0);
  ASSERT_TRUE(run.models.has_value());
  EXPECT_TRUE(run.models->notes().empty());

  const std::vector<store::CustomerScore> saved = Saved(business_->store(), as_of);
  ASSERT_EQ(static_cast<std::int64_t>(saved.size()), run.summary.customers);
  // The totals are those of the saved scores, and each saved score carries the model values.
  ModelTotals totals;
  std::int64_t buyers = 0;
  for (const store::CustomerScore& s : saved) {
    totals.Add(s);
    if (s.frequency > 0) ++buyers;
    store::CustomerScore expected = s;
    run.models->Fill(expected);
    EXPECT_EQ(s.p_alive, expected.p_alive) << s.key.value();
    EXPECT_EQ(s.churn_risk, expected.churn_risk) << s.key.value();
  }
  EXPECT_EQ(buyers, run.summary.buyers);
  EXPECT_EQ(totals.with_p_alive, run.totals.with_p_alive);
  EXPECT_GT(run.totals.with_p_alive, 0);
  EXPECT_DOUBLE_EQ(totals.p_alive_sum, run.totals.p_alive_sum);
  EXPECT_DOUBLE_EQ(totals.expected_purchases_sum, run.totals.expected_purchases_sum);
  EXPECT_EQ(totals.with_value, run.totals.with_value);
  EXPECT_DOUBLE_EQ(totals.clv_sum_minor, run.totals.clv_sum_minor);
  EXPECT_EQ(totals.with_churn, run.totals.with_churn);
  EXPECT_GT(run.totals.with_churn, 0);
  EXPECT_DOUBLE_EQ(totals.churn_sum, run.totals.churn_sum);
}

TEST_F(ScoreAndSaveTest, WithoutModelsTheColumnsStayEmpty) {
  const Date as_of = business_->end().PlusDays(-30);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreRun run,
      ScoreAndSave(business_->readers(), analytics::ScoringConfig{}, as_of, std::nullopt));
  EXPECT_FALSE(run.models.has_value());
  EXPECT_EQ(run.totals.with_p_alive, 0);
  EXPECT_EQ(run.totals.with_churn, 0);
  const std::vector<store::CustomerScore> saved = Saved(business_->store(), as_of);
  ASSERT_EQ(static_cast<std::int64_t>(saved.size()), run.summary.customers);
  for (const store::CustomerScore& s : saved) {
    EXPECT_FALSE(s.p_alive.has_value());
    EXPECT_FALSE(s.churn_risk.has_value());
  }
}

TEST_F(ScoreAndSaveTest, ARerunOfADateReplacesItsScores) {
  const Date as_of = business_->end().PlusDays(-60);
  ScoreModelOptions btyd_only;
  btyd_only.churn = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreRun first,
      ScoreAndSave(business_->readers(), analytics::ScoringConfig{}, as_of, btyd_only));
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreRun second,
      ScoreAndSave(business_->one_reader(), analytics::ScoringConfig{}, as_of, std::nullopt));
  const std::vector<store::CustomerScore> saved = Saved(business_->store(), as_of);
  EXPECT_EQ(static_cast<std::int64_t>(saved.size()), second.summary.customers);
  EXPECT_EQ(first.summary.customers, second.summary.customers);
  for (const store::CustomerScore& s : saved) EXPECT_FALSE(s.p_alive.has_value());
}

TEST_F(ScoreAndSaveTest, InvalidConfigSavesNothing) {
  const Date as_of = business_->end().PlusDays(-90);
  analytics::ScoringConfig config;
  config.lifecycle.lost_days = 10;  // below inactive_days
  EXPECT_THAT(ScoreAndSave(business_->readers(), config, as_of, ScoreModelOptions{}).status(),
              StatusIs(StatusCode::kInvalidArgument));
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::vector<Date> dates, business_->store().ScoreDates());
  for (const Date d : dates) EXPECT_NE(d, as_of);
}

TEST(ScoreReaderCountTest, OneToFour) {
  EXPECT_GE(ScoreReaderCount(), 1);
  EXPECT_LE(ScoreReaderCount(), 4);
}

}  // namespace
}  // namespace winback::scoring
