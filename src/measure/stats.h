#pragma once

// The statistics of measuring: two-sample comparisons of means and proportions (Welch), CUPED
// variance reduction, the sample-ratio check, an always-valid (sequential) interval, Holm's
// correction and the minimum detectable effect, with the distribution functions they need.
// Every function here is pure: no state, no I/O, thread-safe, never throws. The formulas are in
// src/measure/README.md and beside each definition in stats.cc.
//
// Units: a comparison is in the unit of its metric (a proportion for rates, money in major
// units for revenue per customer); `relative_*` are fractions (0.05 = +5%); p-values and
// shares are probabilities in [0, 1].

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/status.h"

namespace winback::measure {

// --- Distribution functions -------------------------------------------------------------------

// Phi(z), the standard normal CDF, from erfc (no cancellation in the lower tail).
double NormalCdf(double z);

// Phi^-1(p) for p in (0, 1); -inf / +inf at 0 / 1, NaN outside [0, 1]. Accurate to a few ulps
// (Acklam's rational start refined by Halley steps on erfc).
double NormalQuantile(double p);

// ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9: relative error below 1e-14); NaN for x <= 0.
// Unlike std::lgamma it writes no global (`signgam`).
double LogGamma(double x);

// The regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1]: the CDF at x
// of a Beta(a, b) variable. NaN for arguments outside those ranges.
double RegularizedIncompleteBeta(double a, double b, double x);

// The regularized lower and upper incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x)
// for a > 0 and x >= 0 (Q is computed directly, so it keeps its relative accuracy in the tail).
double RegularizedGammaP(double a, double x);
double RegularizedGammaQ(double a, double x);

// The CDF of Student's t with `df` > 0 degrees of freedom (any real df; +inf is the normal):
// through I_x(df/2, 1/2) below 10^4 degrees of freedom, and by double-exponential quadrature of
// the density above, where the continued fraction loses digits. Relative error of the tails
// below 1e-12 for every df (checked against Boost.Math from 1 to 10^13).
double StudentTCdf(double t, double df);

// The two-sided tail P(|T| >= |t|) for `df` > 0 degrees of freedom, computed without
// cancellation (small p-values keep their relative accuracy).
double StudentTTwoSidedP(double t, double df);

// The quantile of Student's t: the t with StudentTCdf(t, df) = p, for p in (0, 1).
double StudentTQuantile(double p, double df);

// P(X >= x) for X chi-square with `df` > 0 degrees of freedom: Q(df / 2, x / 2).
double ChiSquareSurvival(double x, double df);

// --- Samples ------------------------------------------------------------------------------------

// What a comparison needs of one arm: its size, the mean of its outcome and the variance of one
// observation (for a mean, the sample variance with n - 1 in the denominator; for a proportion
// p, p (1 - p)). Value type.
struct SampleSummary {
  std::int64_t n = 0;
  double mean = 0;
  double variance = 0;
};

// The summary of a proportion: `successes` out of `n`, mean p = successes / n and variance
// p (1 - p) (the maximum-likelihood variance of a Bernoulli draw, as the textbook unpooled
// two-proportion interval uses). n = 0 gives an all-zero summary.
SampleSummary ProportionSummary(std::int64_t successes, std::int64_t n);

// Running moments of an outcome y and a covariate x over one arm, updated one observation at a
// time (Welford) or merged (Chan, Golub & LeVeque), so sums of large values never cancel. The
// covariate is optional: Add(y) records x = 0. Value type; not thread-safe.
class Moments {
 public:
  void Add(double y, double x = 0.0);
  // Adds every observation of `other`, as if they had been added one by one.
  void Merge(const Moments& other);

  std::int64_t n() const { return n_; }
  double mean_y() const { return mean_y_; }
  double mean_x() const { return mean_x_; }
  // Sample variances and covariance, with n - 1 in the denominator; 0 when n < 2.
  double variance_y() const;
  double variance_x() const;
  double covariance() const;
  // {n, mean_y, variance_y}.
  SampleSummary Outcome() const { return {n_, mean_y_, variance_y()}; }

 private:
  std::int64_t n_ = 0;
  double mean_y_ = 0;
  double mean_x_ = 0;
  double m2_y_ = 0;  // sum (y - mean_y)^2
  double m2_x_ = 0;  // sum (x - mean_x)^2
  double c_xy_ = 0;  // sum (x - mean_x)(y - mean_y)
};

// --- Two-sample comparison ----------------------------------------------------------------------

// The reference distribution of (diff / se): Student's t with Welch-Satterthwaite degrees of
// freedom (for means), or the standard normal (for proportions, and what t tends to for large
// samples; at 1,000 customers per arm the two 95% intervals differ by 0.1%).
enum class Reference : std::uint8_t { kStudentT, kNormal };

// Treated against control for one metric. Value type.
struct Comparison {
  std::int64_t treated_n = 0;
  std::int64_t control_n = 0;
  double treated_mean = 0;
  double control_mean = 0;
  double diff = 0;      // treated_mean - control_mean, in the metric's unit
  double se = 0;        // unpooled: sqrt(var_t / n_t + var_c / n_c)
  double df = 0;        // Welch-Satterthwaite; +inf for Reference::kNormal
  double critical = 0;  // the quantile the interval uses: t_{1-alpha/2, df} or z_{1-alpha/2}
  double ci_low = 0;    // diff -+ critical * se: the (1 - alpha) interval
  double ci_high = 0;
  double p_value = 1;  // two-sided, for H0: diff = 0, with the same se and reference
  // diff / control_mean and its delta-method interval; absent when control_mean is 0.
  std::optional<double> relative_lift;
  std::optional<double> relative_se;
  std::optional<double> relative_ci_low;
  std::optional<double> relative_ci_high;
};

// Compares two summaries: diff, unpooled standard error, interval and two-sided p-value under
// `reference`, relative lift with its delta-method interval. `alpha` in (0, 1) (0.05: a 95%
// interval). When neither arm varies (se = 0) the interval is the point [diff, diff] and the
// p-value is 1 when diff = 0, else 0. InvalidArgument when an arm has fewer than 2
// observations, a variance is negative or not finite, or alpha is outside (0, 1).
Result<Comparison> Compare(const SampleSummary& treated, const SampleSummary& control,
                           Reference reference, double alpha = 0.05);

// Welch's unequal-variances comparison of two means (Reference::kStudentT).
Result<Comparison> CompareMeans(const SampleSummary& treated, const SampleSummary& control,
                                double alpha = 0.05);

// The unpooled (Wald) comparison of two proportions, successes out of n in each arm, with the
// normal reference. InvalidArgument as Compare, and for successes outside [0, n].
Result<Comparison> CompareProportions(std::int64_t treated_successes, std::int64_t treated_n,
                                      std::int64_t control_successes, std::int64_t control_n,
                                      double alpha = 0.05);

// --- CUPED ----------------------------------------------------------------------------------

// A comparison with and without CUPED (Deng, Xu, Kohavi & Walker 2013): the outcome adjusted by
// a covariate measured before the treatment, Y' = Y - theta (X - mean X), with theta =
// cov(Y, X) / var(X) pooled over both arms. Value type.
struct CupedComparison {
  double theta = 0;  // 0 when the covariate does not vary
  // 1 - se_adjusted^2 / se_plain^2: the share of the estimator's variance CUPED removed (0
  // when se_plain is 0). Can be slightly negative when the covariate is useless.
  double variance_reduction = 0;
  Comparison plain;     // Compare on Y
  Comparison adjusted;  // Compare on Y'
};

// CUPED on the moments of (outcome, covariate) per arm, both comparisons with `reference`.
// Errors as Compare.
Result<CupedComparison> CompareCuped(const Moments& treated, const Moments& control,
                                     Reference reference = Reference::kStudentT,
                                     double alpha = 0.05);

// --- Sample-ratio check -------------------------------------------------------------------

// The chi-square goodness-of-fit test of the observed arm sizes against the shares the split
// was designed with. Value type.
struct SampleRatioCheck {
  double chi_square = 0;
  int df = 0;             // arms - 1
  double p_value = 1;     // P(chi-square_df >= chi_square)
  bool mismatch = false;  // p_value < the threshold: the split is broken, lifts are not to be read
};

// The threshold below which a split is flagged (p < 0.001, as Kohavi et al. recommend: a flag
// at 0.05 would cry wolf in one test of twenty).
inline constexpr double kSampleRatioThreshold = 0.001;

// Tests `counts` (one per arm, >= 0) against `expected_shares` (one per arm, > 0, normalized
// here, so weights like {9, 1} work), or equal shares when `expected_shares` is empty.
// InvalidArgument for fewer than 2 arms, a negative count, no observations at all, a share
// count that differs from the arm count, or a share that is not positive and finite.
Result<SampleRatioCheck> CheckSampleRatio(std::span<const std::int64_t> counts,
                                          std::span<const double> expected_shares = {},
                                          double threshold = kSampleRatioThreshold);

// --- Always-valid (sequential) interval -----------------------------------------------------

// The asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2023,
// "Time-uniform central limit theory and asymptotic confidence sequences", arXiv:2103.06476,
// eq. 9), built on the normal-mixture boundary of Howard, Ramdas, McAuliffe & Sekhon (2021,
// Ann. Statist. 49(2)), as GrowthBook's sequential testing uses it. It stays valid however often
// it is looked at: the probability that it ever excludes the truth is at most alpha. Value type.
struct SequentialOptions {
  double alpha = 0.05;
  // N*: the total sample (both arms) at which the interval is narrowest, usually the planned
  // size of the test. GrowthBook's default is 5,000. Must be > 0.
  double planned_n = 5000;
};

struct SequentialInterval {
  double rho = 0;  // the mixture's tuning parameter for (alpha, planned_n)
  double halfwidth = 0;
  double ci_low = 0;
  double ci_high = 0;
  double p_value = 1;  // always-valid: min(1, 1 / e-value); below alpha exactly when the
                       // interval excludes 0
};

// rho = sqrt((-2 ln alpha + ln(-2 ln alpha + 1)) / planned_n).
double SequentialRho(double alpha, double planned_n);

// The always-valid interval around `fixed.diff` at the sample n = treated_n + control_n, with
// the per-observation variance s^2 = se^2 n. InvalidArgument for alpha outside (0, 1) or
// planned_n <= 0.
Result<SequentialInterval> AlwaysValidInterval(const Comparison& fixed,
                                               const SequentialOptions& options = {});

// --- Multiple comparisons and power ---------------------------------------------------------

// Holm's step-down adjusted p-values, in the order given: with p_(1) <= ... <= p_(m),
// adj_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)). Rejecting every hypothesis whose adjusted
// p-value is <= alpha is Holm's procedure at family-wise error rate alpha. Empty in, empty out.
std::vector<double> HolmAdjust(std::span<const double> p_values);

// The smallest true difference a two-sided test at level `alpha` detects with probability
// `power`, for arms of treated_n and control_n observations whose outcome has per-observation
// `variance` in both arms (p (1 - p) for a rate): (z_{1-alpha/2} + z_power) sqrt(variance
// (1/n_t + 1/n_c)), in the metric's unit. +inf when an arm is empty.
double MinimumDetectableEffect(std::int64_t treated_n, std::int64_t control_n, double variance,
                               double alpha = 0.05, double power = 0.8);

}  // namespace winback::measure
