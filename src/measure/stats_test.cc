#include "measure/stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "testutil/status_matchers.h"

// Reference values come from SciPy 1.10.1 (Debian python3-scipy, /usr/bin/python3), an
// implementation independent of this one (Cephes and Boost underneath), and are written with
// the expression that produced them; the derivations by hand are given where they are short.
// SciPy's t.ppf is accurate to about 1e-11 only (t.ppf(0.975, 1) = 12.706204736432095, while
// cot(0.025 pi) = 12.706204736174693), so the t quantiles and the incomplete beta at large a
// come from mpmath 1.3.0 at 40 digits instead: its betainc(a, b, 0, x, regularized=True) and
// findroot on 1 - betainc(v/2, 1/2, 0, v/(v+t^2))/2 - p. Boost.Math serves as a second oracle
// for the sweeps over many arguments.

namespace winback::measure {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;

// |actual - expected| <= rel * |expected|.
void ExpectRelNear(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, rel * std::fabs(expected)) << "expected " << expected;
}

TEST(NormalTest, CdfMatchesScipy) {
  // stats.norm.cdf(1.959963984540054), stats.norm.cdf(-8), stats.norm.cdf(0.5)
  ExpectRelNear(NormalCdf(1.959963984540054), 0.975, 1e-15);
  ExpectRelNear(NormalCdf(-8), 6.22096057427174e-16, 1e-13);
  ExpectRelNear(NormalCdf(0.5), 0.6914624612740131, 1e-15);
}

TEST(NormalTest, QuantileMatchesScipy) {
  // stats.norm.ppf(0.975), ppf(1e-10), ppf(0.8), ppf(0.3)
  ExpectRelNear(NormalQuantile(0.975), 1.959963984540054, 1e-14);
  ExpectRelNear(NormalQuantile(1e-10), -6.361340902404056, 1e-14);
  ExpectRelNear(NormalQuantile(0.8), 0.8416212335729143, 1e-14);
  ExpectRelNear(NormalQuantile(0.3), -0.5244005127080409, 1e-14);
  EXPECT_EQ(NormalQuantile(0.5), 0.0);
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(NormalQuantile(1), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
}

TEST(NormalTest, QuantileInvertsCdf) {
  for (double p = 1e-12; p < 1; p = p < 0.01 ? p * 10 : p + 0.01) {
    EXPECT_NEAR(NormalCdf(NormalQuantile(p)), p, 1e-14 * std::max(p, 1e-3)) << p;
  }
}

TEST(LogGammaTest, MatchesScipy) {
  // special.gammaln(0.5) = ln sqrt(pi); gammaln(2.5); gammaln(10) = ln 9! = ln 362880;
  // gammaln(1e6); gammaln(0.01)
  ExpectRelNear(LogGamma(0.5), 0.5723649429247, 1e-14);
  ExpectRelNear(LogGamma(2.5), 0.2846828704729192, 1e-13);
  ExpectRelNear(LogGamma(10), std::log(362880.0), 1e-14);
  ExpectRelNear(LogGamma(1e6), 12815504.569147611, 1e-14);
  ExpectRelNear(LogGamma(0.01), 4.599479878042022, 1e-14);
  EXPECT_NEAR(LogGamma(1), 0.0, 1e-15);
  EXPECT_NEAR(LogGamma(2), 0.0, 1e-15);
  EXPECT_TRUE(std::isnan(LogGamma(0)));
}

TEST(IncompleteBetaTest, MatchesScipyAndHand) {
  // I_0.4(2, 3) = sum_{j=2..4} C(4, j) 0.4^j 0.6^(4-j) = 0.3456 + 0.1536 + 0.0256 = 0.5248
  // (the Beta(2, 3) CDF is a binomial tail); special.betainc(2, 3, 0.4) agrees.
  ExpectRelNear(RegularizedIncompleteBeta(2, 3, 0.4), 0.5248, 1e-14);
  // I_0.9(1/2, 1/2) = (2/pi) asin(sqrt(0.9)), the arcsine law; betainc(0.5, 0.5, 0.9).
  ExpectRelNear(RegularizedIncompleteBeta(0.5, 0.5, 0.9),
                2.0 / std::numbers::pi * std::asin(std::sqrt(0.9)), 1e-14);
  ExpectRelNear(RegularizedIncompleteBeta(0.5, 0.5, 0.9), 0.7951672353008662, 1e-14);
  // betainc(50, 0.5, 0.9); mpmath betainc(1000.5, 0.5, 0, 0.999) and (5e5, 0.5, 0, 0.999999)
  ExpectRelNear(RegularizedIncompleteBeta(50, 0.5, 0.9), 0.0012041498325598130, 1e-13);
  ExpectRelNear(RegularizedIncompleteBeta(1000.5, 0.5, 0.999), 0.15714352336551866, 1e-13);
  ExpectRelNear(RegularizedIncompleteBeta(5e5, 0.5, 0.999999), 0.31731050785589558, 1e-12);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 0), 0.0);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 1), 1.0);
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(-1, 3, 0.5)));
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(1, 3, 1.5)));
}

TEST(IncompleteBetaTest, AgreesWithBoostOnAGrid) {
  for (double a : {0.5, 1.0, 2.5, 17.0, 250.0, 1e4, 5e5}) {
    for (double b : {0.5, 1.0, 3.0, 40.0, 2e3}) {
      for (double x : {1e-6, 0.01, 0.2, 0.5, 0.77, 0.99, 0.999999}) {
        const double want = boost::math::ibeta(a, b, x);
        EXPECT_NEAR(RegularizedIncompleteBeta(a, b, x), want, 1e-12 + 1e-9 * want)
            << "a=" << a << " b=" << b << " x=" << x;
      }
    }
  }
}

TEST(IncompleteGammaTest, MatchesScipyAndHand) {
  // P(1/2, x) = erf(sqrt(x)): P(0.5, 2) = erf(sqrt 2); special.gammainc(0.5, 2.0),
  // gammaincc(0.5, 2.0).
  ExpectRelNear(RegularizedGammaP(0.5, 2.0), std::erf(std::sqrt(2.0)), 1e-14);
  ExpectRelNear(RegularizedGammaP(0.5, 2.0), 0.9544997361036415, 1e-14);
  ExpectRelNear(RegularizedGammaQ(0.5, 2.0), 0.04550026389635857, 1e-13);
  // Q(3, 30) = e^-30 (1 + 30 + 30^2 / 2) (integer a: a Poisson CDF); gammaincc(3, 30).
  ExpectRelNear(RegularizedGammaQ(3, 30), std::exp(-30.0) * (1 + 30 + 450), 1e-13);
  ExpectRelNear(RegularizedGammaQ(3, 30), 4.501016648012131e-11, 1e-13);
  // gammainc(10, 3)
  ExpectRelNear(RegularizedGammaP(10, 3), 0.0011024881301154815, 1e-13);
  EXPECT_EQ(RegularizedGammaP(2, 0), 0.0);
  EXPECT_EQ(RegularizedGammaQ(2, 0), 1.0);
  EXPECT_TRUE(std::isnan(RegularizedGammaQ(0, 1)));
}

TEST(StudentTTest, CdfMatchesScipy) {
  // stats.t.cdf(2.0, 5), t.cdf(-1.5, 3.5), t.cdf(0.3, 1) = 1/2 + atan(0.3)/pi, t.cdf(4, 1000)
  ExpectRelNear(StudentTCdf(2.0, 5), 0.9490302605850709, 1e-14);
  ExpectRelNear(StudentTCdf(-1.5, 3.5), 0.10890909350767256, 1e-13);
  ExpectRelNear(StudentTCdf(0.3, 1), 0.5 + std::atan(0.3) / std::numbers::pi, 1e-14);
  ExpectRelNear(StudentTCdf(4, 1000), 0.9999659950403956, 1e-14);
  EXPECT_EQ(StudentTCdf(0, 7), 0.5);
}

TEST(StudentTTest, TwoSidedPKeepsSmallValues) {
  // 2 * stats.t.sf(6, 10), 2 * t.sf(20, 30), 2 * t.sf(2.5, 1e6)
  ExpectRelNear(StudentTTwoSidedP(6, 10), 0.00013210886035478557, 1e-12);
  ExpectRelNear(StudentTTwoSidedP(-20, 30), 6.749083665771285e-19, 1e-10);
  ExpectRelNear(StudentTTwoSidedP(2.5, 1e6), 0.012419489502163228, 1e-9);
  EXPECT_EQ(StudentTTwoSidedP(0, 4), 1.0);
}

TEST(StudentTTest, QuantileMatchesScipy) {
  // The t with CDF 0.975, by mpmath (see the top). df = 1 is cot(0.025 pi) and df = 2 is
  // 0.95 / sqrt(2 * 0.975 * 0.025) = 0.95 / sqrt(0.04875) in closed form.
  const struct {
    double df;
    double want;
  } cases[] = {{1, 12.706204736174693},  {2, 4.3026527297494618},  {3.5, 2.9400886379827288},
               {10, 2.2281388519862742}, {30, 2.0422724563012379}, {1000, 1.9623390808264081},
               {1e6, 1.9599663568141067}};
  for (const auto& c : cases) ExpectRelNear(StudentTQuantile(0.975, c.df), c.want, 1e-14);
  EXPECT_NEAR(StudentTQuantile(0.975, 1), 1 / std::tan(0.025 * std::numbers::pi), 1e-13);
  EXPECT_NEAR(StudentTQuantile(0.975, 2), 0.95 / std::sqrt(0.04875), 1e-14);
  // mpmath: the t with CDF 1e-6 at df 4, and 0.9 at df 7.25
  ExpectRelNear(StudentTQuantile(1e-6, 4), -41.577854150450975, 1e-13);
  ExpectRelNear(StudentTQuantile(0.9, 7.25), 1.4098848953259020, 1e-14);
  EXPECT_EQ(StudentTQuantile(0.5, 9), 0.0);
}

TEST(StudentTTest, AgreesWithBoostOnAGrid) {
  for (double df : {1.0, 1.7, 3.0, 8.4, 29.0, 151.5, 4000.0, 9999.0, 2.5e5, 3e7, 1e13}) {
    const boost::math::students_t dist(df);
    for (double t : {0.0, 0.1, 0.9, 1.96, 3.3, 7.0, 25.0}) {
      EXPECT_NEAR(StudentTCdf(t, df), boost::math::cdf(dist, t), 1e-12) << df << " " << t;
      const double tail = 2 * boost::math::cdf(boost::math::complement(dist, t));
      EXPECT_NEAR(StudentTTwoSidedP(t, df), tail, 1e-15 + 1e-12 * tail) << df << " " << t;
    }
    for (double p : {0.6, 0.9, 0.975, 0.995, 1 - 1e-8}) {
      const double want = boost::math::quantile(dist, p);
      EXPECT_NEAR(StudentTQuantile(p, df), want, 1e-12 * want) << df << " " << p;
    }
  }
}

TEST(ChiSquareTest, SurvivalMatchesScipy) {
  // stats.chi2.sf(4, 1) = erfc(sqrt 2); chi2.sf(36, 1); chi2.sf(7.5, 2) = exp(-3.75);
  // chi2.sf(3, 5)
  ExpectRelNear(ChiSquareSurvival(4, 1), 0.04550026389635857, 1e-13);
  ExpectRelNear(ChiSquareSurvival(36, 1), 1.9731752900753933e-09, 1e-12);
  ExpectRelNear(ChiSquareSurvival(7.5, 2), std::exp(-3.75), 1e-14);
  ExpectRelNear(ChiSquareSurvival(3, 5), 0.6999858358786276, 1e-13);
  EXPECT_EQ(ChiSquareSurvival(0, 3), 1.0);
  for (double df : {1.0, 2.0, 3.0, 9.0, 40.0}) {
    const boost::math::chi_squared dist(df);
    for (double x : {0.5, 3.0, 11.0, 60.0}) {
      const double want = boost::math::cdf(boost::math::complement(dist, x));
      EXPECT_NEAR(ChiSquareSurvival(x, df), want, 1e-14 + 1e-11 * want) << df << " " << x;
    }
  }
}

TEST(MomentsTest, WelfordAndMergeMatchTwoPassFormulas) {
  // y = 1..5: mean 3, sample variance 10 / 4 = 2.5; x = 2y + 1: var 10, cov 5.
  Moments m;
  for (int i = 1; i <= 5; ++i) m.Add(i, 2 * i + 1);
  EXPECT_EQ(m.n(), 5);
  EXPECT_DOUBLE_EQ(m.mean_y(), 3.0);
  EXPECT_DOUBLE_EQ(m.mean_x(), 7.0);
  EXPECT_DOUBLE_EQ(m.variance_y(), 2.5);
  EXPECT_DOUBLE_EQ(m.variance_x(), 10.0);
  EXPECT_DOUBLE_EQ(m.covariance(), 5.0);
  Moments a;
  Moments b;
  for (int i = 1; i <= 2; ++i) a.Add(i, 2 * i + 1);
  for (int i = 3; i <= 5; ++i) b.Add(i, 2 * i + 1);
  a.Merge(b);
  EXPECT_EQ(a.n(), 5);
  EXPECT_DOUBLE_EQ(a.mean_y(), 3.0);
  EXPECT_DOUBLE_EQ(a.variance_y(), 2.5);
  EXPECT_DOUBLE_EQ(a.covariance(), 5.0);
  Moments empty;
  empty.Merge(m);
  EXPECT_DOUBLE_EQ(empty.variance_x(), 10.0);
  // Large offsets do not cancel: 1e9 + {1, 2, 3} has variance 1.
  Moments big;
  for (int i = 1; i <= 3; ++i) big.Add(1e9 + i);
  EXPECT_DOUBLE_EQ(big.variance_y(), 1.0);
  EXPECT_EQ(Moments().variance_y(), 0.0);
}

TEST(CompareMeansTest, WelchMatchesHandAndScipy) {
  // treated {1, 2, 3, 4, 5}: mean 3, s^2 = 2.5; control {2, 4, 6, 8}: mean 5, s^2 = 20/3.
  // diff = -2; se = sqrt(2.5/5 + (20/3)/4) = sqrt(0.5 + 1.6667) = 1.47196;
  // df = 2.16667^2 / (0.5^2/4 + 1.66667^2/3) = 4.69444 / 0.98843 = 4.74941;
  // q = t.ppf(0.975, 4.74941) = 2.61192; CI = -2 -+ 3.84464; p from
  // stats.ttest_ind(t, c, equal_var=False).pvalue = 0.23519411138940569.
  // Relative: -2 / 5 = -0.4; Var = 2.5 / (5 * 25) + 9 * (20/3) / (4 * 625) = 0.044;
  // se 0.209762, CI -0.4 -+ 2.61192 * 0.209762.
  Moments t;
  Moments c;
  for (double v : {1, 2, 3, 4, 5}) t.Add(v);
  for (double v : {2, 4, 6, 8}) c.Add(v);
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison r, CompareMeans(t.Outcome(), c.Outcome()));
  EXPECT_EQ(r.treated_n, 5);
  EXPECT_EQ(r.control_n, 4);
  EXPECT_DOUBLE_EQ(r.diff, -2.0);
  ExpectRelNear(r.se, 1.4719601443879746, 1e-14);
  ExpectRelNear(r.df, 4.749414519906324, 1e-13);
  ExpectRelNear(r.critical, 2.6119160893032536, 1e-12);
  ExpectRelNear(r.ci_low, -5.844636383940092, 1e-12);
  ExpectRelNear(r.ci_high, 1.8446363839400912, 1e-11);
  ExpectRelNear(r.p_value, 0.23519411138940569, 1e-12);
  ASSERT_TRUE(r.relative_lift.has_value());
  EXPECT_DOUBLE_EQ(*r.relative_lift, -0.4);
  ExpectRelNear(*r.relative_se, 0.20976176963403032, 1e-14);
  ExpectRelNear(*r.relative_ci_low, -0.9478801410278465, 1e-12);
  ExpectRelNear(*r.relative_ci_high, 0.1478801410278464, 1e-11);
}

TEST(CompareProportionsTest, UnpooledWaldMatchesHand) {
  // 120 / 1000 against 100 / 1000: diff 0.02; se = sqrt(.12 * .88 / 1000 + .1 * .9 / 1000)
  // = sqrt(1.956e-4) = 0.0139857; z = 1.959964; CI 0.02 -+ 0.0274115; p = 2 (1 - Phi(1.43004))
  // = 0.152708. Relative: 0.2, Var = .1056 / (1000 * .01) + .0144 * .09 / (1000 * 1e-4) =
  // 0.02352, se 0.153362.
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison r, CompareProportions(120, 1000, 100, 1000));
  EXPECT_NEAR(r.diff, 0.02, 1e-15);
  EXPECT_EQ(r.df, std::numeric_limits<double>::infinity());
  ExpectRelNear(r.se, 0.013985706989637671, 1e-14);
  ExpectRelNear(r.ci_low, -0.0074114819980199455, 1e-12);
  ExpectRelNear(r.ci_high, 0.04741148199801992, 1e-13);
  ExpectRelNear(r.p_value, 0.15270801019387792, 1e-12);
  ExpectRelNear(*r.relative_lift, 0.2, 1e-14);
  ExpectRelNear(*r.relative_se, 0.1533623161014465, 1e-13);
  ExpectRelNear(*r.relative_ci_low, -0.10058461614448244, 1e-12);
  ExpectRelNear(*r.relative_ci_high, 0.5005846161444822, 1e-13);
}

TEST(CompareTest, IntervalExcludesZeroExactlyWhenPBelowAlpha) {
  for (int x = 80; x <= 160; x += 4) {
    WINBACK_ASSERT_OK_AND_ASSIGN(Comparison r, CompareProportions(x, 1000, 120, 1000));
    EXPECT_EQ(r.p_value<0.05, r.ci_low> 0 || r.ci_high < 0) << x;
  }
}

TEST(CompareTest, ZeroControlMeanHasNoRelativeLift) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison r, CompareProportions(3, 100, 0, 100));
  EXPECT_FALSE(r.relative_lift.has_value());
  EXPECT_FALSE(r.relative_ci_low.has_value());
  EXPECT_GT(r.p_value, 0.0);
}

TEST(CompareTest, NoVariationGivesAPointInterval) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison same, CompareProportions(0, 50, 0, 60));
  EXPECT_EQ(same.se, 0.0);
  EXPECT_EQ(same.p_value, 1.0);
  EXPECT_EQ(same.ci_low, 0.0);
  EXPECT_EQ(same.ci_high, 0.0);
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison apart, CompareMeans({10, 2.0, 0}, {10, 1.0, 0}));
  EXPECT_EQ(apart.p_value, 0.0);
  EXPECT_EQ(apart.ci_low, 1.0);
  EXPECT_EQ(apart.df, 18.0);
}

TEST(CompareTest, RejectsBadInput) {
  EXPECT_THAT(CompareMeans({1, 0, 0}, {5, 0, 1}),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("at least 2 observations")));
  EXPECT_THAT(CompareMeans({5, 0, -1}, {5, 0, 1}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CompareMeans({5, NAN, 1}, {5, 0, 1}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CompareMeans({5, 0, 1}, {5, 0, 1}, 1.0),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("alpha")));
  EXPECT_THAT(CompareProportions(11, 10, 1, 10),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("between 0 and n")));
  EXPECT_THAT(CompareProportions(1, 10, -1, 10), StatusIs(StatusCode::kInvalidArgument));
}

TEST(CupedTest, MatchesRowByRowAdjustmentInScipy) {
  // Y, X per arm below. Over all 11 rows theta = cov(Y, X) / var(X) = 0.993233 (np.cov with
  // ddof=1), mean X = 11.090909. Y' = Y - theta (X - mean X) row by row, then Welch on Y'
  // (stats.ttest_ind(equal_var=False); the same to 1e-14 in mpmath at 40 digits):
  //   plain: diff 3.5, se 1.936492, df 8.664510, CI [-0.906641, 7.906641], p 0.105453
  //   CUPED: diff 1.877719, se 0.422544, df 6.515461, CI [0.863298, 2.892140], p 0.003567
  // variance reduction 1 - 0.422544^2 / 1.936492^2 = 0.952388.
  const double yt[] = {12, 15, 9, 20, 14, 11};
  const double xt[] = {10, 14, 7, 18, 12, 10};
  const double yc[] = {10, 8, 13, 7, 12};
  const double xc[] = {11, 8, 14, 6, 12};
  Moments t;
  Moments c;
  for (int i = 0; i < 6; ++i) t.Add(yt[i], xt[i]);
  for (int i = 0; i < 5; ++i) c.Add(yc[i], xc[i]);
  WINBACK_ASSERT_OK_AND_ASSIGN(CupedComparison r, CompareCuped(t, c));
  ExpectRelNear(r.theta, 0.9932330827067669, 1e-13);
  EXPECT_DOUBLE_EQ(r.plain.diff, 3.5);
  ExpectRelNear(r.plain.se, 1.9364916731037085, 1e-14);
  ExpectRelNear(r.plain.df, 8.664510166358596, 1e-13);
  ExpectRelNear(r.plain.p_value, 0.10545341345034454, 1e-12);
  ExpectRelNear(r.adjusted.diff, 1.8777192982456175, 1e-13);
  ExpectRelNear(r.adjusted.se, 0.42254439536780725, 1e-12);
  ExpectRelNear(r.adjusted.df, 6.515460727855497, 1e-11);
  // The interval's bounds with the t quantile from mpmath (scipy's t.ppf is off by 2e-10 here).
  ExpectRelNear(r.adjusted.ci_low, 0.86329840831435270, 1e-13);
  ExpectRelNear(r.adjusted.ci_high, 2.8921401881768754, 1e-13);
  ExpectRelNear(r.adjusted.p_value, 0.003567319028112444, 1e-10);
  ExpectRelNear(r.variance_reduction, 0.9523883290515345, 1e-12);
}

TEST(CupedTest, ConstantCovariateChangesNothing) {
  Moments t;
  Moments c;
  for (double v : {1, 4, 2, 8}) t.Add(v, 3.0);
  for (double v : {2, 2, 5, 1}) c.Add(v, 3.0);
  WINBACK_ASSERT_OK_AND_ASSIGN(CupedComparison r, CompareCuped(t, c));
  EXPECT_EQ(r.theta, 0.0);
  EXPECT_DOUBLE_EQ(r.adjusted.diff, r.plain.diff);
  EXPECT_DOUBLE_EQ(r.adjusted.se, r.plain.se);
  EXPECT_NEAR(r.variance_reduction, 0.0, 1e-15);
}

TEST(CupedTest, PropagatesCompareErrors) {
  Moments t;
  Moments c;
  t.Add(1, 1);
  c.Add(1, 2);
  c.Add(2, 2);
  EXPECT_THAT(CompareCuped(t, c), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SampleRatioTest, MatchesScipyChisquare) {
  // 5100 / 4900 against 50/50: chi^2 = 2 * 100^2 / 5000 = 4, df 1, p = chi2.sf(4, 1) = 0.0455:
  // not flagged at 0.001. 5300 / 4700: chi^2 = 2 * 300^2 / 5000 = 36, p = 1.97e-9: flagged.
  // (stats.chisquare([5100, 4900]).pvalue, stats.chisquare([5300, 4700]).pvalue)
  const std::int64_t ok_counts[] = {5100, 4900};
  WINBACK_ASSERT_OK_AND_ASSIGN(SampleRatioCheck ok, CheckSampleRatio(ok_counts));
  EXPECT_DOUBLE_EQ(ok.chi_square, 4.0);
  EXPECT_EQ(ok.df, 1);
  ExpectRelNear(ok.p_value, 0.04550026389635857, 1e-13);
  EXPECT_FALSE(ok.mismatch);
  const std::int64_t bad_counts[] = {5300, 4700};
  WINBACK_ASSERT_OK_AND_ASSIGN(SampleRatioCheck bad, CheckSampleRatio(bad_counts));
  EXPECT_DOUBLE_EQ(bad.chi_square, 36.0);
  ExpectRelNear(bad.p_value, 1.9731752900753933e-09, 1e-12);
  EXPECT_TRUE(bad.mismatch);
}

TEST(SampleRatioTest, UsesDesignedShares) {
  // 520 / 240 / 240 against 50/25/25 of 1000: chi^2 = 20^2/500 + 10^2/250 * 2 = 0.8 + 0.8 =
  // 1.6, df 2, p = exp(-0.8) = 0.449329 (chi2.sf(1.6, 2)); weights {2, 1, 1} mean the same.
  const std::int64_t counts[] = {520, 240, 240};
  const double shares[] = {2, 1, 1};
  WINBACK_ASSERT_OK_AND_ASSIGN(SampleRatioCheck r, CheckSampleRatio(counts, shares));
  EXPECT_NEAR(r.chi_square, 1.6, 1e-12);
  EXPECT_EQ(r.df, 2);
  ExpectRelNear(r.p_value, std::exp(-0.8), 1e-12);
  // The same counts against equal thirds are a clear mismatch.
  WINBACK_ASSERT_OK_AND_ASSIGN(SampleRatioCheck equal, CheckSampleRatio(counts));
  EXPECT_TRUE(equal.mismatch);
}

TEST(SampleRatioTest, RejectsBadInput) {
  const std::int64_t one[] = {10};
  EXPECT_THAT(CheckSampleRatio(one),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("at least 2 arms")));
  const std::int64_t zero[] = {0, 0};
  EXPECT_THAT(CheckSampleRatio(zero), StatusIs(StatusCode::kInvalidArgument));
  const std::int64_t negative[] = {5, -1};
  EXPECT_THAT(CheckSampleRatio(negative), StatusIs(StatusCode::kInvalidArgument));
  const std::int64_t two[] = {5, 5};
  const double three_shares[] = {1, 1, 1};
  EXPECT_THAT(CheckSampleRatio(two, three_shares),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("3 shares for 2 arms")));
  const double bad_share[] = {1, 0};
  EXPECT_THAT(CheckSampleRatio(two, bad_share), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SequentialTest, MatchesTheFormulaByHand) {
  // alpha 0.05, N* 5000: rho^2 = (-2 ln .05 + ln(-2 ln .05 + 1)) / 5000
  //   = (5.991465 + ln 6.991465) / 5000 = 7.936126 / 5000, rho = 0.0398401.
  // The proportions example (120 / 1000 against 100 / 1000, se 0.0139857) at n = 2000:
  //   n rho^2 = 3.174450; halfwidth = se sqrt(2 * 4.174450 / 3.174450 * ln(sqrt 4.174450 / .05))
  //   = 0.0436883 (against 0.0274115 for the fixed interval); p = 1 / e with
  //   ln e = 3.174450 * 1.430036^2 / (2 * 4.174450) - ln(4.174450) / 2 = 0.0630 -> p 0.938886.
  // (Computed in NumPy with GrowthBook's gbstats expressions; see stats.cc.)
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison fixed, CompareProportions(120, 1000, 100, 1000));
  WINBACK_ASSERT_OK_AND_ASSIGN(SequentialInterval s,
                               AlwaysValidInterval(fixed, {.alpha = 0.05, .planned_n = 5000}));
  ExpectRelNear(s.rho, 0.03984006677137368, 1e-14);
  ExpectRelNear(s.halfwidth, 0.043688259076519284, 1e-13);
  ExpectRelNear(s.ci_low, -0.023688259076519284, 1e-12);
  ExpectRelNear(s.ci_high, 0.06368825907651929, 1e-13);
  ExpectRelNear(s.p_value, 0.9388856039651486, 1e-12);
  // 150 / 1000 against 100 / 1000: fixed p 0.000698, sequential p 0.025838, halfwidth 0.046069.
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison big, CompareProportions(150, 1000, 100, 1000));
  WINBACK_ASSERT_OK_AND_ASSIGN(SequentialInterval sb, AlwaysValidInterval(big));
  ExpectRelNear(big.p_value, 0.0006981171463178017, 1e-11);
  ExpectRelNear(sb.halfwidth, 0.046069122950785205, 1e-13);
  ExpectRelNear(sb.p_value, 0.025838257929312044, 1e-11);
}

TEST(SequentialTest, WiderThanFixedAndConsistentWithItsPValue) {
  for (int x = 90; x <= 170; x += 5) {
    WINBACK_ASSERT_OK_AND_ASSIGN(Comparison fixed, CompareProportions(x, 1000, 110, 1000));
    WINBACK_ASSERT_OK_AND_ASSIGN(SequentialInterval s, AlwaysValidInterval(fixed));
    EXPECT_GT(s.halfwidth, fixed.ci_high - fixed.diff);
    EXPECT_EQ(s.p_value<0.05, s.ci_low> 0 || s.ci_high < 0) << x;
    EXPECT_GE(s.p_value, fixed.p_value);
  }
}

TEST(SequentialTest, RejectsBadOptions) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Comparison fixed, CompareProportions(12, 100, 10, 100));
  EXPECT_THAT(AlwaysValidInterval(fixed, {.alpha = 0, .planned_n = 100}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AlwaysValidInterval(fixed, {.alpha = 0.05, .planned_n = 0}),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("planned sample")));
}

TEST(HolmTest, StepDownByHand) {
  // p = {0.01, 0.04, 0.03, 0.005}, m = 4. Sorted: 0.005 * 4 = 0.02; 0.01 * 3 = 0.03;
  // 0.03 * 2 = 0.06; 0.04 * 1 = 0.04 -> max(0.06, 0.04) = 0.06 (monotone). Back in order:
  // {0.03, 0.06, 0.06, 0.02}. At alpha 0.05 Holm rejects the first and the last.
  const double p[] = {0.01, 0.04, 0.03, 0.005};
  EXPECT_THAT(HolmAdjust(p),
              ::testing::ElementsAre(DoubleNear(0.03, 1e-15), DoubleNear(0.06, 1e-15),
                                     DoubleNear(0.06, 1e-15), DoubleNear(0.02, 1e-15)));
  // {0.5, 0.7, 0.1}: 0.1 * 3 = 0.3; 0.5 * 2 = 1.0; 0.7 -> 1.0 (capped at 1).
  const double q[] = {0.5, 0.7, 0.1};
  EXPECT_THAT(HolmAdjust(q), ::testing::ElementsAre(1.0, 1.0, DoubleNear(0.3, 1e-15)));
  const double single[] = {0.2};
  EXPECT_THAT(HolmAdjust(single), ::testing::ElementsAre(0.2));
  EXPECT_TRUE(HolmAdjust({}).empty());
}

TEST(MdeTest, MatchesHand) {
  // (z_.975 + z_.8) = 1.959964 + 0.841621 = 2.801585.
  // 1000 per arm, rate 10%: variance 0.09; 2.801585 * sqrt(0.09 * 2 / 1000) = 0.0375872.
  ExpectRelNear(MinimumDetectableEffect(1000, 1000, 0.09), 0.037587209954755035, 1e-13);
  // 500 treated, 1500 control, variance 4: 2.801585 * sqrt(4 (1/500 + 1/1500)) = 0.289346.
  ExpectRelNear(MinimumDetectableEffect(500, 1500, 4.0), 0.28934647713953066, 1e-13);
  EXPECT_EQ(MinimumDetectableEffect(0, 10, 1.0), std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace winback::measure
