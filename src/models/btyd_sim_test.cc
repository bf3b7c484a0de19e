// The simulator and parameter recovery: fitting simulated customers must give back the true
// parameters within a few standard errors.

#include "models/btyd_sim.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "models/pareto_nbd.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

TEST(RngTest, DeterministicAndSamplersHaveTheRightMoments) {
  Rng a(42), b(42);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.Next(), b.Next());
  Rng rng(7);
  const int n = 200000;
  for (double shape : {0.3, 1.0, 4.5}) {
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
      const double g = rng.Gamma(shape);
      sum += g;
      sum2 += g * g;
    }
    const double mean = sum / n;
    const double var = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, shape, 5 * std::sqrt(shape / n)) << shape;
    EXPECT_NEAR(var, shape, 0.05 * shape) << shape;
  }
  double beta_sum = 0;
  for (int i = 0; i < n; ++i) beta_sum += rng.Beta(0.793, 2.426);
  EXPECT_NEAR(beta_sum / n, 0.793 / (0.793 + 2.426), 0.002);
}

TEST(SimulateTest, RejectsInvalidParametersAndOptions) {
  SimulationOptions o;
  o.customers = 10;
  EXPECT_THAT(SimulateBgNbd({0, 1, 1, 1}, o), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SimulateMbgNbd({1, 1, 1, -1}, o), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SimulateParetoNbd({1, 1, 0, 1}, o), StatusIs(StatusCode::kInvalidArgument));
  o.min_age = 0;
  EXPECT_THAT(SimulateBgNbd({1, 1, 1, 1}, o), StatusIs(StatusCode::kInvalidArgument));
  o.min_age = 5;
  o.max_age = 4;
  EXPECT_THAT(SimulateBgNbd({1, 1, 1, 1}, o), StatusIs(StatusCode::kInvalidArgument));
  o.max_age = 6;
  o.time_resolution = -1;
  EXPECT_THAT(SimulateBgNbd({1, 1, 1, 1}, o), StatusIs(StatusCode::kInvalidArgument));
  SummaryTable t;
  EXPECT_THAT(SimulateGammaGammaSpend({1, 0, 1}, 1, t), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SimulateTest, SimulatedCustomersAreValidAndOnTheGrid) {
  SimulationOptions o;
  o.customers = 5000;
  o.time_resolution = 1.0 / 7.0;
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable t, SimulateBgNbd({0.243, 4.414, 0.793, 2.426}, o));
  EXPECT_THAT(ValidateSummaryTable(t), IsOk());
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_NEAR(t.age[i] * 7, std::round(t.age[i] * 7), 1e-9);
    EXPECT_NEAR(t.recency[i] * 7, std::round(t.recency[i] * 7), 1e-9);
  }
}

void ExpectRecovered(const FitReport& report, const std::vector<double>& truth) {
  ASSERT_TRUE(report.converged) << report.message;
  for (std::size_t j = 0; j < truth.size(); ++j) {
    const double se = report.standard_errors[j];
    ASSERT_TRUE(std::isfinite(se));
    // 4 standard errors: a false alarm has probability ~6e-5 per parameter.
    EXPECT_NEAR(report.estimates[j], truth[j], 4 * se) << report.parameter_names[j] << " se " << se;
    std::printf("  %s: true %.4f estimate %.4f (se %.4f, %.2f%%)\n",
                report.parameter_names[j].c_str(), truth[j], report.estimates[j], se,
                100 * std::fabs(report.estimates[j] / truth[j] - 1));
  }
}

TEST(RecoveryTest, BgNbdRecoversTrueParametersFrom200kCustomers) {
  const BgNbdParams truth{0.243, 4.414, 0.793, 2.426};
  SimulationOptions o;
  o.customers = 200000;
  o.time_resolution = 1.0 / 7.0;
  o.seed = 2005;
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable t, SimulateBgNbd(truth, o));
  FitOptions f;
  f.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit fit, FitBgNbd(t, f));
  ExpectRecovered(fit.report, {truth.r, truth.alpha, truth.a, truth.b});
}

TEST(RecoveryTest, ParetoNbdRecoversTrueParametersFrom50kCustomers) {
  const ParetoNbdParams truth{0.553, 10.578, 0.606, 11.669};
  SimulationOptions o;
  o.customers = 50000;
  o.time_resolution = 1.0 / 7.0;
  o.seed = 1987;
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable t, SimulateParetoNbd(truth, o));
  FitOptions f;
  f.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(ParetoNbdFit fit, FitParetoNbd(t, f));
  ExpectRecovered(fit.report, {truth.r, truth.alpha, truth.s, truth.beta});
}

TEST(RecoveryTest, GammaGammaRecoversTrueParameters) {
  const GammaGammaParams truth{6.25, 3.74, 15.44};
  SimulationOptions o;
  o.customers = 100000;
  o.seed = 2013;
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable t, SimulateBgNbd({0.243, 4.414, 0.793, 2.426}, o));
  ASSERT_THAT(SimulateGammaGammaSpend(truth, 99, t), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(GammaGammaFit fit, FitGammaGamma(t));
  ExpectRecovered(fit.report, {truth.p, truth.q, truth.gamma});
}

}  // namespace
}  // namespace winback::models
