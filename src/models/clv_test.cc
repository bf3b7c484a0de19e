#include "models/clv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "models/bgnbd.h"
#include "models/mbgnbd.h"
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

enum class Times { kMixed, kDailyGrid };

// Random customers (half of them with continuous times, so mostly distinct, unless all are on
// a daily grid, where many are identical), then extreme ones.
SummaryTable RandomCustomers(std::size_t n, std::uint64_t seed, Times times) {
  std::uint64_t state = seed;
  auto uniform = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1p-53;
  };
  SummaryTable t;
  for (std::size_t i = 0; i < n; ++i) {
    const bool grid = times == Times::kDailyGrid || i % 2 == 0;
    double age = grid ? std::floor(uniform() * 273 + 1) / 7.0 : 0.01 + 300 * uniform();
    double x = std::floor(-std::log(1 - uniform()) * (i % 5 == 0 ? 15 : 2));
    double recency = x == 0 ? 0.0 : age * uniform();
    if (grid) recency = std::floor(recency * 7) / 7.0;
    t.frequency.push_back(x);
    t.recency.push_back(recency);
    t.age.push_back(age);
    t.monetary_value.push_back(x == 0 ? 0.0 : 1 + 100 * uniform());
  }
  const std::vector<CustomerRfm> extreme = {{221, 254, 254},     {221, 10, 254}, {221, 253.99, 254},
                                            {500, 1, 600},       {0, 0, 1e-6},   {1, 1e-9, 1e5},
                                            {10000, 5000, 5200}, {1, 0.5, 0.5},  {2, 30.43, 38.86},
                                            {2, 30.43, 38.86}};
  for (const CustomerRfm& c : extreme) {
    t.frequency.push_back(c.frequency);
    t.recency.push_back(c.recency);
    t.age.push_back(c.age);
    t.monetary_value.push_back(c.frequency == 0 ? 0.0 : 35.5);
  }
  return t;
}

std::vector<std::unique_ptr<TransactionModel>> AllModels() {
  std::vector<std::unique_ptr<TransactionModel>> m;
  m.push_back(
      std::make_unique<BgNbdModel>(BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value()));
  m.push_back(std::make_unique<MbgNbdModel>(MbgNbdModel::Create({0.5, 6.0, 1.4, 3.0}).value()));
  m.push_back(std::make_unique<ParetoNbdModel>(
      ParetoNbdModel::Create({0.553, 10.578, 0.606, 11.669}).value()));
  return m;
}

// The batch paths (one evaluation per distinct (x, t_x, T) and per distinct (x, T)) against the
// straightforward per-customer formulas: P(alive) and E[Y(t)] bit for bit; CLV, whose sum the
// batch path factors as P(alive) * sum_k (g(k u) - g((k-1) u)) / (1+d)^k, within 1e-9 relative.
TEST(CustomerLifetimeValuesTest, FastPathMatchesPerCustomerFormulaOnRandomAndExtremeCustomers) {
  const SummaryTable t = RandomCustomers(2000, 99, Times::kMixed);
  const GammaGammaModel spend = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  ClvOptions o;
  o.months = 12;
  o.monthly_discount_rate = 0.01;
  o.units_per_month = 4.345;
  o.threads = 2;
  for (const auto& model : AllModels()) {
    WINBACK_ASSERT_OK_AND_ASSIGN(Predictions p, PredictCustomers(*model, t, 39.0, 2));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerValues v, CustomerLifetimeValues(*model, spend, t, o));
    double max_relative = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const CustomerRfm c = t.rfm(i);
      ASSERT_EQ(p.p_alive[i], model->ProbabilityAlive(c)) << model->name() << " row " << i;
      ASSERT_EQ(p.expected_purchases[i], model->ConditionalExpectedPurchases(c, 39.0))
          << model->name() << " row " << i;
      const double value = spend.ConditionalExpectedAverageValue(c.frequency, t.monetary_value[i]);
      double previous = 0, discount = 1, sum = 0;
      for (int k = 1; k <= o.months; ++k) {
        const double e = model->ConditionalExpectedPurchases(c, k * o.units_per_month);
        discount *= 1.0 / (1.0 + o.monthly_discount_rate);
        sum += (e - previous) * discount;
        previous = e;
      }
      const double clv = value * sum;
      ASSERT_EQ(v.expected_value[i], value);
      ASSERT_TRUE(std::isfinite(v.clv[i]) && v.clv[i] >= 0) << model->name() << " row " << i;
      EXPECT_NEAR(v.clv[i], clv, 1e-9 * clv + 1e-300)
          << model->name() << " x=" << c.frequency << " t_x=" << c.recency << " T=" << c.age;
      if (clv > 0) max_relative = std::max(max_relative, std::fabs(v.clv[i] / clv - 1));
    }
    EXPECT_LT(max_relative, 1e-12) << model->name();
  }
}

TEST(CustomerLifetimeValuesTest, ResultsDoNotDependOnTheThreadCount) {
  // Enough rows for the grouping to split the input into blocks.
  const SummaryTable t = RandomCustomers(300'000, 7, Times::kDailyGrid);
  const BgNbdModel m = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  const GammaGammaModel spend = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  ClvOptions o;
  o.threads = 1;
  WINBACK_ASSERT_OK_AND_ASSIGN(Predictions p1, PredictCustomers(m, t, 39.0, 1));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerValues v1, CustomerLifetimeValues(m, spend, t, o));
  o.threads = 3;
  WINBACK_ASSERT_OK_AND_ASSIGN(Predictions p3, PredictCustomers(m, t, 39.0, 3));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerValues v3, CustomerLifetimeValues(m, spend, t, o));
  EXPECT_EQ(p1.p_alive, p3.p_alive);
  EXPECT_EQ(p1.expected_purchases, p3.expected_purchases);
  EXPECT_EQ(v1.clv, v3.clv);
  for (std::size_t i = 0; i < t.size(); i += 1013) {
    EXPECT_EQ(p1.expected_purchases[i], m.ConditionalExpectedPurchases(t.rfm(i), 39.0));
  }
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
