// Model functions: parameter validation, internal consistency of the predictive
// distributions, closed forms, purchase timing, Gamma-Gamma, and fit errors.

#include <gtest/gtest.h>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <cmath>
#include <memory>

#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "models/mbgnbd.h"
#include "models/pareto_nbd.h"
#include "models/purchase_timing.h"
#include "models/special.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

using ::testing::HasSubstr;

std::vector<std::unique_ptr<TransactionModel>> Models() {
  std::vector<std::unique_ptr<TransactionModel>> m;
  m.push_back(
      std::make_unique<BgNbdModel>(BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value()));
  m.push_back(std::make_unique<MbgNbdModel>(MbgNbdModel::Create({0.5, 6.0, 1.4, 3.0}).value()));
  m.push_back(std::make_unique<ParetoNbdModel>(
      ParetoNbdModel::Create({0.553, 10.578, 0.606, 11.669}).value()));
  return m;
}

TEST(ModelCreateTest, RejectsNonPositiveOrNonFiniteParameters) {
  EXPECT_THAT(BgNbdModel::Create({0, 1, 1, 1}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(MbgNbdModel::Create({1, -1, 1, 1}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParetoNbdModel::Create({1, 1, NAN, 1}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(GammaGammaModel::Create({1, 1, INFINITY}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(BgNbdModel::Create({1, 1, 1, 1}), IsOk());
}

TEST(ModelConsistencyTest, ProbabilitiesSumToOneAndMatchTheMean) {
  for (const auto& model : Models()) {
    for (double t : {1.0, 39.0, 150.0}) {
      double total = 0;
      double mean = 0;
      for (int n = 0; n < 400; ++n) {
        const double p = model->ProbabilityOfPurchases(n, t);
        ASSERT_TRUE(p >= 0 && p <= 1) << model->name() << " n=" << n;
        total += p;
        mean += n * p;
      }
      EXPECT_NEAR(total, 1.0, 1e-8) << model->name() << " t=" << t;
      EXPECT_NEAR(mean, model->ExpectedPurchases(t), 1e-6 * (1 + mean))
          << model->name() << " t=" << t;
    }
  }
}

TEST(ModelConsistencyTest, ConditionalDistributionSumsToOneAndMatchesTheMean) {
  for (const auto& model : Models()) {
    for (const CustomerRfm c :
         {CustomerRfm{0, 0, 38.86}, CustomerRfm{2, 30.43, 38.86}, CustomerRfm{7, 10, 38.86}}) {
      double total = 0, mean = 0;
      for (int n = 0; n < 400; ++n) {
        const double p = model->ConditionalProbabilityOfPurchases(n, c, 39.0);
        total += p;
        mean += n * p;
      }
      EXPECT_NEAR(total, 1.0, 1e-8) << model->name();
      EXPECT_NEAR(mean, model->ConditionalExpectedPurchases(c, 39.0), 1e-6 * (1 + mean))
          << model->name() << " x=" << c.frequency;
    }
  }
}

TEST(ModelConsistencyTest, NewCustomerEqualsConditionalAtTimeZero) {
  // A customer observed for an instant with no repeat purchase is a new customer.
  for (const auto& model : Models()) {
    if (model->name() == "mbgnbd") continue;  // may have died at time 0
    EXPECT_NEAR(model->ConditionalExpectedPurchases({0, 0, 1e-12}, 39.0),
                model->ExpectedPurchases(39.0), 1e-9)
        << model->name();
  }
}

TEST(BgExpectedCountTest, MatchesTheHypergeometricClosedForm) {
  for (const auto& [r, alpha, a, b, t] :
       std::vector<std::tuple<double, double, double, double, double>>{
           {0.243, 4.414, 0.793, 2.426, 39.0},
           {2.243, 43.27, 0.793, 4.426, 39.0},
           {1.5, 2.0, 3.0, 2.0, 10.0},
           {0.5, 40.0, 1.7, 0.9, 5.0}}) {
    const double z = t / (alpha + t);
    const double f = boost::math::hypergeometric_pFq({r, b}, {a + b - 1}, z);
    const double closed = (a + b - 1) / (a - 1) * (1 - std::pow(alpha / (alpha + t), r) * f);
    EXPECT_NEAR(BgExpectedCount(r, alpha, a, b, t), closed, 1e-10 * closed);
  }
  // a = 1 is a removable singularity of the closed form; the series is smooth through it.
  const double below = BgExpectedCount(0.5, 4.0, 1.0 - 1e-7, 2.0, 39.0);
  const double at = BgExpectedCount(0.5, 4.0, 1.0, 2.0, 39.0);
  EXPECT_NEAR(at, below, 1e-6);
}

// An oracle for E[X(t)] independent of special.cc: the BG/NBD mean as a mixture over the
// drop-out probability p ~ Beta(a, b) of the mean of a customer who never drops out before his
// geometric number of purchases, E[X(t) | p] = (1 - (alpha / (alpha + p t))^r) / p (Fader, Hardie
// & Lee 2005, the derivation of eq. 9: lambda integrated out against Gamma(r, alpha)),
// integrated with Boost's tanh-sinh rule on p itself (special.cc integrates in u = p^a with its
// own Gauss-Legendre rule). The integrand bends at p ~ alpha / t, so the range is split there.
double BgExpectedCountOracle(double r, double alpha, double a, double b, double t) {
  const double log_norm = -(std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
  auto integrand = [&](double p, double p_complement) {
    if (p <= 0) return 0.0;
    const double given_p = -std::expm1(-r * std::log1p(p * t / alpha)) / p;
    return given_p * std::exp(log_norm + (a - 1) * std::log(p) + (b - 1) * std::log(p_complement));
  };
  boost::math::quadrature::tanh_sinh<double> rule;
  std::vector<double> cuts = {0.0};
  for (double c = alpha / t / 100; c < 0.5; c *= 10) cuts.push_back(c);
  cuts.push_back(1.0);
  double total = 0;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const double lo = cuts[i];
    const double hi = cuts[i + 1];
    // tanh_sinh passes the distance to the nearer endpoint as the second argument, which keeps
    // 1 - p exact near p = 1.
    total += rule.integrate(
        [&](double p, double distance) {
          const double complement = (hi == 1.0 && p > 0.5 && distance > 0) ? distance : 1.0 - p;
          return integrand(p, complement);
        },
        lo, hi, 1e-13);
  }
  return total;
}

TEST(BgExpectedCountTest, SeriesAndQuadratureMatchAnIndependentOracleAcrossTheSwitch) {
  // BgExpectedCount sums a series up to about 2e6 terms and integrates beyond (special.cc); for
  // r <= 1 the series needs about 51 (alpha + t) / alpha terms, so the switch is near
  // t / alpha = 3.9e4. The grid runs from t / alpha = 10 to 1e7, through the switch in small
  // steps, so both methods are compared with the oracle, at the same arguments, on both sides
  // of wherever the switch lies.
  for (const auto& [r, alpha, a, b] : std::vector<std::tuple<double, double, double, double>>{
           {0.243, 4.414, 0.793, 2.426},  // CDNOW (Fader, Hardie & Lee 2005)
           {2.243, 43.27, 0.793, 4.426},  // r > 1: the series' mode moves out with t
           {0.5, 4.0, 1.7, 0.9}}) {       // a > 1, b < 1
    std::vector<double> ratios = {10, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
    for (double q = 2e4; q <= 8e4; q *= 1.25) ratios.push_back(q);
    for (double ratio : ratios) {
      const double t = ratio * alpha;
      const double oracle = BgExpectedCountOracle(r, alpha, a, b, t);
      EXPECT_NEAR(BgExpectedCount(r, alpha, a, b, t), oracle, 1e-9 * oracle)
          << "r=" << r << " alpha=" << alpha << " a=" << a << " b=" << b << " t=" << t;
    }
  }
  // Where Boost's 2F1 series converges quickly, the oracle reproduces eq. 9 itself, so it is
  // not merely a restatement of special.cc's quadrature.
  const double z = 39.0 / (4.414 + 39.0);
  const double closed =
      (0.793 + 2.426 - 1) / (0.793 - 1) *
      (1 - std::pow(4.414 / (4.414 + 39.0), 0.243) *
               boost::math::hypergeometric_pFq({0.243, 2.426}, {0.793 + 2.426 - 1}, z));
  EXPECT_NEAR(BgExpectedCountOracle(0.243, 4.414, 0.793, 2.426, 39.0), closed, 1e-10 * closed);
}

TEST(BgNbdTest, ProbabilityAliveIsOneWithoutRepeatPurchases) {
  const BgNbdModel m = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  EXPECT_EQ(m.ProbabilityAlive({0, 0, 38.86}), 1.0);
  EXPECT_LT(m.ProbabilityAlive({2, 1, 38.86}), m.ProbabilityAlive({2, 30, 38.86}));
  const MbgNbdModel mbg = MbgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  EXPECT_LT(mbg.ProbabilityAlive({0, 0, 38.86}), 1.0);
}

TEST(PurchaseTimingTest, FollowsTheDocumentedFormulas) {
  const BgNbdModel m = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  const PurchaseTiming t = ComputePurchaseTiming(m, {2, 30.43, 38.86});
  EXPECT_DOUBLE_EQ(t.expected_interpurchase_time, (4.414 + 38.86) / (0.243 + 2));
  EXPECT_DOUBLE_EQ(t.time_since_last_purchase, 38.86 - 30.43);
  EXPECT_DOUBLE_EQ(t.overdue_ratio, (38.86 - 30.43) / t.expected_interpurchase_time);
  EXPECT_DOUBLE_EQ(t.expected_next_purchase, 30.43 + t.expected_interpurchase_time);
  EXPECT_DOUBLE_EQ(t.p_alive, m.ProbabilityAlive({2, 30.43, 38.86}));
  EXPECT_GT(ComputePurchaseTiming(m, {10, 5, 38.86}).overdue_ratio, 1.0);
}

TEST(GammaGammaTest, ExpectedValueIsAWeightedAverage) {
  const GammaGammaModel g = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  const double population = 6.25 * 15.44 / (3.74 - 1);
  EXPECT_DOUBLE_EQ(g.PopulationMeanValue(), population);
  EXPECT_DOUBLE_EQ(g.ConditionalExpectedAverageValue(0, 0), population);
  const double w = 6.25 * 2 / (6.25 * 2 + 3.74 - 1);
  EXPECT_NEAR(g.ConditionalExpectedAverageValue(2, 22.35), (1 - w) * population + w * 22.35, 1e-12);
  EXPECT_THAT(g.CheckFiniteMean(), IsOk());
  const GammaGammaModel heavy = GammaGammaModel::Create({1, 0.5, 10}).value();
  EXPECT_THAT(heavy.CheckFiniteMean(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_TRUE(std::isinf(heavy.ConditionalExpectedAverageValue(0, 0)));
}

SummaryTable Tiny() {
  SummaryTable t;
  t.frequency = {0, 1, 2, 0, 3};
  t.recency = {0, 5, 10, 0, 12};
  t.age = {20, 20, 20, 15, 15};
  return t;
}

TEST(FitErrorsTest, EveryDocumentedErrorIsInvalidArgument) {
  EXPECT_THAT(FitBgNbd(SummaryTable()),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("no customers")));
  SummaryTable bad = Tiny();
  bad.recency[1] = 50;
  EXPECT_THAT(FitParetoNbd(bad), StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("row 1")));
  SummaryTable none = Tiny();
  none.frequency = {0, 0, 0, 0, 0};
  none.recency = {0, 0, 0, 0, 0};
  EXPECT_THAT(FitMbgNbd(none), StatusIsWith(StatusCode::kInvalidArgument,
                                            HasSubstr("no customer has a repeat purchase")));
  FitOptions wrong_start;
  wrong_start.initial = {1, 1, 1};
  EXPECT_THAT(FitBgNbd(Tiny(), wrong_start), StatusIs(StatusCode::kInvalidArgument));
  wrong_start.initial = {1, -1, 1, 1};
  EXPECT_THAT(FitBgNbd(Tiny(), wrong_start),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("positive")));
  wrong_start.initial = {1e300, 1e-300, 1, 1};
  EXPECT_THAT(FitBgNbd(Tiny(), wrong_start),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("not finite")));
}

TEST(FitErrorsTest, GammaGammaErrors) {
  EXPECT_THAT(FitGammaGamma(Tiny()),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("no monetary_value")));
  SummaryTable zero_value = Tiny();
  zero_value.monetary_value = {0, 10, 0, 0, 5};
  EXPECT_THAT(FitGammaGamma(zero_value),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("must be > 0")));
  SummaryTable none = Tiny();
  none.frequency = {0, 0, 0, 0, 0};
  none.recency = {0, 0, 0, 0, 0};
  none.monetary_value = {0, 0, 0, 0, 0};
  EXPECT_THAT(FitGammaGamma(none), StatusIsWith(StatusCode::kInvalidArgument,
                                                HasSubstr("no customer has a repeat purchase")));
  FitOptions wrong;
  wrong.initial = {1, 1};
  SummaryTable ok = Tiny();
  ok.monetary_value = {0, 10, 12, 0, 5};
  EXPECT_THAT(FitGammaGamma(ok, wrong), StatusIs(StatusCode::kInvalidArgument));
}

TEST(FitTest, MbgNbdFitsAndThreadsDoNotChangeTheResult) {
  SummaryTable t;
  for (int i = 0; i < 300; ++i) {
    const double x = i % 5;
    t.frequency.push_back(x);
    t.recency.push_back(x == 0 ? 0 : 1.0 + (i % 31));
    t.age.push_back(32.0 + (i % 7));
  }
  FitOptions one;
  FitOptions two;
  two.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(MbgNbdFit a, FitMbgNbd(t, one));
  WINBACK_ASSERT_OK_AND_ASSIGN(MbgNbdFit b, FitMbgNbd(t, two));
  EXPECT_TRUE(a.report.converged) << a.report.message;
  EXPECT_EQ(a.model.params().r, b.model.params().r);
  EXPECT_EQ(a.report.log_likelihood, b.report.log_likelihood);
}

}  // namespace
}  // namespace winback::models
