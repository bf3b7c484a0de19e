#include "models/clv.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/bgnbd.h"
#include "models/pareto_nbd.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

SummaryTable Table() {
  SummaryTable t;
  t.ids = {"a", "b", "c", "d"};
  t.frequency = {2, 0, 2, 7};
  t.recency = {30.43, 0, 30.43, 35};
  t.age = {38.86, 38.86, 38.86, 38.86};
  t.monetary_value = {22.35, 0, 40, 15};
  return t;
}

TEST(PredictCustomersTest, MatchesPerCustomerCallsForAnyThreadCount) {
  const BgNbdModel m = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  const SummaryTable t = Table();
  WINBACK_ASSERT_OK_AND_ASSIGN(Predictions one, PredictCustomers(m, t, 39.0, 1));
  WINBACK_ASSERT_OK_AND_ASSIGN(Predictions two, PredictCustomers(m, t, 39.0, 2));
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(one.p_alive[i], m.ProbabilityAlive(t.rfm(i)));
    EXPECT_EQ(one.expected_purchases[i], m.ConditionalExpectedPurchases(t.rfm(i), 39.0));
    EXPECT_EQ(one.expected_purchases[i], two.expected_purchases[i]);
  }
  EXPECT_EQ(one.expected_purchases[0], one.expected_purchases[2]);  // same (x, t_x, T)
}

TEST(PredictCustomersTest, RejectsBadHorizonAndRows) {
  const BgNbdModel m = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  EXPECT_THAT(PredictCustomers(m, Table(), -1.0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PredictCustomers(m, Table(), NAN), StatusIs(StatusCode::kInvalidArgument));
  SummaryTable bad = Table();
  bad.recency[0] = 40;
  EXPECT_THAT(PredictCustomers(m, bad, 39.0), StatusIs(StatusCode::kInvalidArgument));
}

TEST(CustomerLifetimeValuesTest, FollowsTheDocumentedSum) {
  const ParetoNbdModel m = ParetoNbdModel::Create({0.553, 10.578, 0.606, 11.669}).value();
  const GammaGammaModel g = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  const SummaryTable t = Table();
  ClvOptions o;
  o.months = 12;
  o.monthly_discount_rate = 0.01;
  o.units_per_month = 4.345;
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerValues v, CustomerLifetimeValues(m, g, t, o));
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double value = g.ConditionalExpectedAverageValue(t.frequency[i], t.monetary_value[i]);
    double clv = 0;
    for (int k = 1; k <= 12; ++k) {
      const double step = m.ConditionalExpectedPurchases(t.rfm(i), k * 4.345) -
                          m.ConditionalExpectedPurchases(t.rfm(i), (k - 1) * 4.345);
      clv += value * step / std::pow(1.01, k);
    }
    EXPECT_DOUBLE_EQ(v.expected_value[i], value);
    EXPECT_NEAR(v.clv[i], clv, 1e-10 * clv);
    EXPECT_GT(v.clv[i], 0);
  }
  o.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerValues v2, CustomerLifetimeValues(m, g, t, o));
  EXPECT_EQ(v.clv, v2.clv);
}

TEST(CustomerLifetimeValuesTest, EveryDocumentedError) {
  const BgNbdModel m = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  const GammaGammaModel g = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  SummaryTable no_money = Table();
  no_money.monetary_value.clear();
  EXPECT_THAT(CustomerLifetimeValues(m, g, no_money, {}), StatusIs(StatusCode::kInvalidArgument));
  ClvOptions o;
  o.months = 0;
  EXPECT_THAT(CustomerLifetimeValues(m, g, Table(), o), StatusIs(StatusCode::kInvalidArgument));
  o = {};
  o.units_per_month = 0;
  EXPECT_THAT(CustomerLifetimeValues(m, g, Table(), o), StatusIs(StatusCode::kInvalidArgument));
  o = {};
  o.monthly_discount_rate = -1;
  EXPECT_THAT(CustomerLifetimeValues(m, g, Table(), o), StatusIs(StatusCode::kInvalidArgument));
  SummaryTable bad = Table();
  bad.frequency[1] = -3;
  EXPECT_THAT(CustomerLifetimeValues(m, g, bad, {}), StatusIs(StatusCode::kInvalidArgument));
  const GammaGammaModel heavy = GammaGammaModel::Create({1, 0.9, 10}).value();
  EXPECT_THAT(CustomerLifetimeValues(m, heavy, Table(), {}),
              StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace winback::models
