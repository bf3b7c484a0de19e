#include "scoring/score_models.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "scoring/internal/test_business.h"
#include "testutil/status_matchers.h"

namespace winback::scoring {
namespace {

using internal::TestBusiness;
using ::testing::HasSubstr;

class ScoreModelsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<TestBusiness>> b = TestBusiness::Create(3'000);
    ASSERT_THAT(b.status(), IsOk());
    business_ = b->release();
  }
  static void TearDownTestSuite() {
    delete business_;
    business_ = nullptr;
  }

  // The model fields `models` gives each key of the store, in key order.
  static std::vector<store::CustomerScore> Filled(const ScoreModels& models) {
    Result<std::int64_t> limit = business_->store().CustomerKeyLimit();
    EXPECT_THAT(limit.status(), IsOk());
    std::vector<store::CustomerScore> out;
    for (std::int64_t k = 1; limit.ok() && k < *limit; ++k) {
      store::CustomerScore s;
      s.key = CustomerKey(k);
      models.Fill(s);
      out.push_back(s);
    }
    return out;
  }

  static TestBusiness* business_;
};

TestBusiness* ScoreModelsTest::business_ = nullptr;

void ExpectNear(const std::optional<double>& a, const std::optional<double>& b, const char* what,
                std::int64_t key) {
  ASSERT_EQ(a.has_value(), b.has_value()) << what << " of key " << key;
  if (!a) return;
  EXPECT_NEAR(*a, *b, 1e-9 * std::max(1.0, std::abs(*a))) << what << " of key " << key;
}

void ExpectSameModelFields(const std::vector<store::CustomerScore>& a,
                           const std::vector<store::CustomerScore>& b, bool churn) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::int64_t key = a[i].key.value();
    ExpectNear(a[i].p_alive, b[i].p_alive, "p_alive", key);
    ExpectNear(a[i].expected_purchases_90d, b[i].expected_purchases_90d, "expected purchases", key);
    ExpectNear(a[i].expected_value_minor, b[i].expected_value_minor, "expected value", key);
    ExpectNear(a[i].clv_12m_minor, b[i].clv_12m_minor, "CLV", key);
    if (churn) ExpectNear(a[i].churn_risk, b[i].churn_risk, "churn risk", key);
  }
}

TEST_F(ScoreModelsTest, FitsEveryModelForTheBuyers) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels models,
      ScoreModels::Compute(business_->readers(), business_->end(), ScoreModelOptions{}));
  EXPECT_TRUE(models.notes().empty()) << models.notes().front();
  EXPECT_THAT(models.btyd_status(), IsOk());
  ASSERT_TRUE(models.bgnbd().has_value());
  EXPECT_GT(models.bgnbd()->r, 0);
  EXPECT_LT(models.bgnbd_log_likelihood(), 0);
  ASSERT_TRUE(models.gamma_gamma().has_value());
  EXPECT_EQ(models.spend_currency(), "USD");
  EXPECT_TRUE(models.churn_fitted());
  std::int64_t with_p_alive = 0, with_churn = 0;
  for (const store::CustomerScore& s : Filled(models)) {
    if (s.p_alive) {
      ++with_p_alive;
      EXPECT_GE(*s.p_alive, 0);
      EXPECT_LE(*s.p_alive, 1);
      ASSERT_TRUE(s.expected_purchases_90d.has_value());
      EXPECT_GE(*s.expected_purchases_90d, 0);
      ASSERT_TRUE(s.clv_12m_minor.has_value());  // one currency: everyone has a value
      EXPECT_GE(*s.clv_12m_minor, 0);
    } else {
      EXPECT_FALSE(s.expected_purchases_90d.has_value());
      EXPECT_FALSE(s.clv_12m_minor.has_value());
    }
    if (s.churn_risk) {
      ++with_churn;
      EXPECT_GE(*s.churn_risk, 0);
      EXPECT_LE(*s.churn_risk, 1);
    }
  }
  EXPECT_GT(with_p_alive, 500);
  EXPECT_GT(with_churn, 500);
}

TEST_F(ScoreModelsTest, SameNumbersWithOneOrTwoReaders) {
  // Two readers take the parallel path (one pass over the orders for both models).
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels two,
      ScoreModels::Compute(business_->readers(), business_->end(), ScoreModelOptions{}));
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels one,
      ScoreModels::Compute(business_->one_reader(), business_->end(), ScoreModelOptions{}));
  ExpectSameModelFields(Filled(one), Filled(two), /*churn=*/true);
}

TEST_F(ScoreModelsTest, ComputeValuesFromHistoriesMatchesTheStoreRun) {
  // What `winback report` does: the orders it has read anyway, fitted by the same code.
  models::PurchaseHistories histories(business_->end());
  ASSERT_THAT(business_->store().ForEachCustomerOrders(
                  [&](CustomerKey key, std::span<const store::OrderPoint> orders) {
                    histories.Add(key, orders);
                    return Status::Ok();
                  }),
              IsOk());
  ScoreModelOptions btyd_only;
  btyd_only.churn = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels from_store,
      ScoreModels::Compute(business_->one_reader(), business_->end(), btyd_only));
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels from_histories,
      ScoreModels::ComputeValues(histories, business_->end(), ScoreModelOptions{}));
  EXPECT_FALSE(from_histories.churn_fitted());
  ASSERT_TRUE(from_histories.bgnbd().has_value());
  EXPECT_EQ(from_histories.bgnbd()->r, from_store.bgnbd()->r);
  EXPECT_EQ(from_histories.bgnbd()->alpha, from_store.bgnbd()->alpha);
  EXPECT_EQ(from_histories.bgnbd_log_likelihood(), from_store.bgnbd_log_likelihood());
  EXPECT_EQ(from_histories.spend_currency(), from_store.spend_currency());
  ExpectSameModelFields(Filled(from_histories), Filled(from_store), /*churn=*/false);
}

TEST_F(ScoreModelsTest, OnlyTheModelsAskedFor) {
  ScoreModelOptions churn_only;
  churn_only.btyd = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels churn,
      ScoreModels::Compute(business_->readers(), business_->end(), churn_only));
  EXPECT_FALSE(churn.bgnbd().has_value());
  EXPECT_THAT(churn.btyd_status(), IsOk());  // not asked for, not failed
  EXPECT_TRUE(churn.churn_fitted());
  EXPECT_TRUE(churn.notes().empty());

  ScoreModelOptions btyd_only;
  btyd_only.churn = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels btyd,
      ScoreModels::Compute(business_->readers(), business_->end(), btyd_only));
  EXPECT_TRUE(btyd.bgnbd().has_value());
  EXPECT_FALSE(btyd.churn_fitted());

  std::int64_t churn_values = 0, btyd_values = 0;
  for (const store::CustomerScore& s : Filled(churn)) {
    EXPECT_FALSE(s.p_alive.has_value());
    churn_values += s.churn_risk.has_value();
  }
  for (const store::CustomerScore& s : Filled(btyd)) {
    EXPECT_FALSE(s.churn_risk.has_value());
    btyd_values += s.p_alive.has_value();
  }
  EXPECT_GT(churn_values, 0);
  EXPECT_GT(btyd_values, 0);
}

TEST_F(ScoreModelsTest, UnfittableDataIsANoteNotAnError) {
  // A date before the first order: nobody has a purchase to fit on.
  const Date before = business_->end().PlusDays(-5000);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      const ScoreModels models,
      ScoreModels::Compute(business_->readers(), before, ScoreModelOptions{}));
  EXPECT_FALSE(models.bgnbd().has_value());
  EXPECT_FALSE(models.churn_fitted());
  EXPECT_EQ(models.btyd_status().code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(models.notes().size(), 2u);
  EXPECT_THAT(models.notes()[0], HasSubstr("BG/NBD not fitted"));
  EXPECT_THAT(models.notes()[1], HasSubstr("no churn risk"));

  models::PurchaseHistories empty(before);
  WINBACK_ASSERT_OK_AND_ASSIGN(const ScoreModels values,
                               ScoreModels::ComputeValues(empty, before, ScoreModelOptions{}));
  EXPECT_FALSE(values.bgnbd().has_value());
  EXPECT_EQ(values.btyd_status().code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(values.notes().size(), 1u);
  EXPECT_THAT(values.notes()[0], HasSubstr("BG/NBD not fitted"));
}

TEST(ScoreModelsFillTest, ClearsTheFieldsOfACustomerWithoutPredictions) {
  const ScoreModels none;  // nothing fitted
  store::CustomerScore s;
  s.key = CustomerKey(3);
  s.p_alive = 0.5;
  s.expected_purchases_90d = 1;
  s.expected_value_minor = 100;
  s.clv_12m_minor = 1000;
  s.churn_risk = 0.25;
  none.Fill(s);
  EXPECT_FALSE(s.p_alive.has_value());
  EXPECT_FALSE(s.expected_purchases_90d.has_value());
  EXPECT_FALSE(s.expected_value_minor.has_value());
  EXPECT_FALSE(s.clv_12m_minor.has_value());
  EXPECT_FALSE(s.churn_risk.has_value());
}

}  // namespace
}  // namespace winback::scoring
