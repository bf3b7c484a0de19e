#include "models/classification_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/logistic_regression.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

TEST(AreaUnderRocTest, CountsOrderedPairsAndHalvesTies) {
  const std::vector<double> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(AreaUnderRoc(y, std::vector<double>{0.1, 0.2, 0.8, 0.9}), 1.0);
  EXPECT_DOUBLE_EQ(AreaUnderRoc(y, std::vector<double>{0.9, 0.8, 0.2, 0.1}), 0.0);
  // Pairs (neg, pos): (0.1,0.5) ok, (0.1,0.3) ok, (0.5,0.5) tie, (0.5,0.3) wrong -> 2.5 / 4.
  EXPECT_DOUBLE_EQ(AreaUnderRoc(y, std::vector<double>{0.1, 0.5, 0.5, 0.3}), 0.625);
  EXPECT_TRUE(std::isnan(AreaUnderRoc(std::vector<double>{1, 1}, std::vector<double>{0.1, 0.2})));
}

TEST(LogLossTest, MatchesTheDefinitionAndClips) {
  const std::vector<double> y = {1, 0};
  EXPECT_NEAR(LogLoss(y, std::vector<double>{0.8, 0.4}), -(std::log(0.8) + std::log(0.6)) / 2,
              1e-15);
  EXPECT_TRUE(std::isfinite(LogLoss(y, std::vector<double>{0.0, 1.0})));
  EXPECT_NEAR(BrierScore(y, std::vector<double>{0.8, 0.4}), (0.04 + 0.16) / 2, 1e-15);
}

TEST(CalibrationTableTest, BinsByPredictedProbability) {
  const std::vector<double> y = {0, 1, 1, 0, 1};
  const std::vector<double> p = {0.05, 0.15, 0.95, 1.0, 0.12};
  const std::vector<CalibrationBin> t = CalibrationTable(y, p, 10);
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t[0].count, 1);
  EXPECT_EQ(t[1].count, 2);
  EXPECT_DOUBLE_EQ(t[1].observed_rate, 1.0);
  EXPECT_DOUBLE_EQ(t[1].mean_predicted, (0.15 + 0.12) / 2);
  EXPECT_EQ(t[9].count, 2);  // 1.0 falls in the last bin
  EXPECT_DOUBLE_EQ(t[9].observed_rate, 0.5);
  EXPECT_TRUE(std::isnan(t[5].observed_rate));
}

TEST(LogisticRegressionTest, RecoversASimulatedModel) {
  // y ~ Bernoulli(sigmoid(-0.5 + 1.5 x1 - 2 x2)) on a deterministic grid of x.
  std::vector<double> x;
  std::vector<double> y;
  std::uint64_t state = 12345;
  auto uniform = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  for (int i = 0; i < 20000; ++i) {
    const double x1 = uniform() * 2 - 1;
    const double x2 = uniform() * 2 - 1;
    const double p = 1 / (1 + std::exp(-(-0.5 + 1.5 * x1 - 2 * x2)));
    x.push_back(x1);
    x.push_back(x2);
    y.push_back(uniform() < p ? 1.0 : 0.0);
  }
  LogisticOptions options;
  options.l2 = 1e-6;
  WINBACK_ASSERT_OK_AND_ASSIGN(LogisticRegression model, LogisticRegression::Fit(x, 2, y, options));
  // Weights are per standard deviation (uniform on [-1, 1]: sd = 1/sqrt(3)).
  const double sd = 1 / std::sqrt(3.0);
  EXPECT_NEAR(model.weights()[0] / sd, 1.5, 0.1);
  EXPECT_NEAR(model.weights()[1] / sd, -2.0, 0.1);
  const std::vector<double> p = model.PredictProbability(std::vector<double>{0.0, 0.0});
  EXPECT_NEAR(p[0], 1 / (1 + std::exp(0.5)), 0.03);
}

TEST(LogisticRegressionTest, RejectsBadInput) {
  EXPECT_THAT(LogisticRegression::Fit(std::vector<double>{}, 1, std::vector<double>{}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(LogisticRegression::Fit(std::vector<double>{1, 2}, 1, std::vector<double>{0, 2}),
              StatusIs(StatusCode::kInvalidArgument));
  LogisticOptions options;
  options.l2 = -1;
  EXPECT_THAT(
      LogisticRegression::Fit(std::vector<double>{1, 2}, 1, std::vector<double>{0, 1}, options),
      StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::models
