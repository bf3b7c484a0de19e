#include "measure/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>

namespace winback::measure {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEpsilon = 1e-16;
// Lentz's algorithm replaces a zero denominator by this tiny number.
constexpr double kTiny = 1e-300;
// Enough for the continued fractions below with a, b up to ~1e10: they need O(sqrt(max(a, b)))
// terms near the switch point x = (a + 1) / (a + b + 2).
constexpr int kMaxIterations = 1'000'000;

// Beyond this many degrees of freedom Student's t is the normal to double precision.
constexpr double kNormalDf = 1e16;
// From this many degrees of freedom on, the t tail is integrated numerically: the continued
// fraction of I_x(df/2, 1/2) loses about df * 5e-17 of relative accuracy (x is within 1/df of
// 1, and every one of its steps is 1 minus a number near 1), 5e-13 at 10^4.
constexpr double kQuadratureDf = 1e4;

// The continued fraction of I_x(a, b) (DLMF 8.17.22), evaluated by the modified Lentz method:
//   I_x(a, b) = x^a y^b / (a B(a, b)) * 1 / (1 + d_1 / (1 + d_2 / (1 + ...))),
//   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
//   d_{2m}   = m (b - m) x / ((a + 2m - 1)(a + 2m)),
// with y = 1 - x passed separately so that a y near 0 keeps its digits. It converges quickly
// for x < (a + 1) / (a + b + 2); the caller uses the symmetry I_x(a, b) = 1 - I_y(b, a) above.
double IncompleteBetaFraction(double a, double b, double x, double y) {
  const double qab = a + b;
  const double qap = a + 1.0;
  const double qam = a - 1.0;
  double c = 1.0;
  // 1 - (a + b) x / (a + 1), written as (1 - b x + a y) / (a + 1): for a ~ 10^7 and x near 1
  // the first form is 1 minus a number within 1e-7 of 1, and loses nine digits.
  double d = (1.0 - b * x + a * y) / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double dm = m;
    const double m2 = 2.0 * dm;
    double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEpsilon) break;
  }
  return h;
}

// The Stirling-series remainder w(z) = ln Gamma(z) - ((z - 1/2) ln z - z + ln(2 pi) / 2)
//   = sum_k B_2k / (2k (2k - 1) z^(2k - 1)) (DLMF 5.11.1), eight terms: for z >= 10 the
// first omitted term is below 2e-18.
double StirlingRemainder(double z) {
  static constexpr double kTerms[] = {1.0 / 12,   -1.0 / 360,      1.0 / 1260, -1.0 / 1680,
                                      1.0 / 1188, -691.0 / 360360, 1.0 / 156,  -3617.0 / 122400};
  const double inv = 1.0 / z;
  const double inv2 = inv * inv;
  double sum = 0;
  for (int k = 7; k >= 0; --k) sum = sum * inv2 + kTerms[k];
  return sum * inv;
}

// ln Gamma(a + b) - ln Gamma(a) for a, b > 0. For a >= 10 the two large logarithms are never
// formed: by Stirling, the difference is
//   (a - 1/2) ln(1 + b/a) + b ln(a + b) - b + w(a + b) - w(a),
// every term of which is computed to full relative accuracy (log1p), so the front factors of
// the incomplete beta function keep their digits at a = 10^6 (t with 2 * 10^6 degrees of
// freedom) instead of losing six to the cancellation of two 10^7-sized numbers.
double LogGammaDifference(double a, double b) {
  if (a < 10) return LogGamma(a + b) - LogGamma(a);
  return (a - 0.5) * std::log1p(b / a) + b * std::log(a + b) - b + StirlingRemainder(a + b) -
         StirlingRemainder(a);
}

// ln B(a, b) = ln Gamma(s) - (ln Gamma(s + l) - ln Gamma(l)) with s <= l.
double LogBeta(double a, double b) {
  const double s = std::min(a, b);
  const double l = std::max(a, b);
  return LogGamma(s) - LogGammaDifference(l, s);
}

// I_x(a, b) with y = 1 - x given by the caller (exactly, where it can).
double IncompleteBeta(double a, double b, double x, double y) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(y >= 0) || std::isinf(a) || std::isinf(b)) {
    return kNaN;
  }
  if (x == 0) return 0.0;
  if (y == 0) return 1.0;
  // ln x from y when x is near 1 (and the other way round): x = 1 - 1e-8 as a double knows
  // only half of the digits of y, which a * ln x multiplies by a ~ 10^7.
  const double log_x = x < 0.5 ? std::log(x) : std::log1p(-y);
  const double log_y = y < 0.5 ? std::log(y) : std::log1p(-x);
  const double log_front = a * log_x + b * log_y - LogBeta(a, b);
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return std::exp(log_front) * IncompleteBetaFraction(a, b, x, y) / a;
  }
  return 1.0 - std::exp(log_front) * IncompleteBetaFraction(b, a, y, x) / b;
}

// ln of x^a e^-x / Gamma(a), the common factor of the incomplete gamma series and fraction.
double GammaFront(double a, double x) { return a * std::log(x) - x - LogGamma(a); }

// P(a, x) by its series (DLMF 8.11.4 rearranged): e^-x x^a / Gamma(a + 1) sum_n x^n / (a+1)_n.
// Converges quickly for x < a + 1.
double GammaPSeries(double a, double x) {
  double ap = a;
  double term = 1.0 / a;
  double sum = term;
  for (int n = 0; n < kMaxIterations; ++n) {
    ap += 1.0;
    term *= x / ap;
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kEpsilon) break;
  }
  return sum * std::exp(GammaFront(a, x));
}

// Q(a, x) by its continued fraction (DLMF 8.9.2), modified Lentz; for x >= a + 1:
//   Q(a, x) = e^-x x^a / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...)).
double GammaQFraction(double a, double x) {
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i <= kMaxIterations; ++i) {
    const double di = i;
    const double an = -di * (di - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEpsilon) break;
  }
  return std::exp(GammaFront(a, x)) * h;
}

// The density of Student's t with df degrees of freedom:
//   f(t) = Gamma((df+1)/2) / (sqrt(df pi) Gamma(df/2)) (1 + t^2/df)^(-(df+1)/2).
double StudentTDensity(double t, double df) {
  const double log_f = LogGammaDifference(df / 2.0, 0.5) - 0.5 * std::log(df * std::numbers::pi) -
                       (df + 1.0) / 2.0 * std::log1p(t * t / df);
  return std::exp(log_f);
}

// P(T >= t) for t >= 0: I_x(df/2, 1/2) / 2 with x = df / (df + t^2), y = t^2 / (df + t^2)
// computed separately (neither is 1 minus the other in floating point).
double StudentTUpperTail(double t, double df);

// P(T >= t) = integral of f over [t, inf), by the exp-sinh rule (Takahasi & Mori's double
// exponential quadrature for a half line): with s = t + exp(pi/2 sinh u),
//   integral = int_R f(s(u)) (pi/2) cosh(u) exp(pi/2 sinh u) du,
// whose integrand falls double exponentially at both ends, so the trapezoidal rule converges
// geometrically; the step is halved until the sum stops changing. The integrand is a smooth
// bell of width ~1 here (df >= 10^4), and every density value is accurate to a few ulps, so the
// result is too (about 1e-15 relative against Boost at df = 10^4..10^15).
double StudentTUpperTailByQuadrature(double t, double df) {
  constexpr double kHalfPi = std::numbers::pi / 2.0;
  auto g = [&](double u) {
    const double e = std::exp(kHalfPi * std::sinh(u));
    return StudentTDensity(t + e, df) * kHalfPi * std::cosh(u) * e;
  };
  // u in [-5, 4]: below, the weight is under 1e-50; above, s > t + 10^11 and f(s) = 0.
  constexpr double kLow = -5.0;
  constexpr double kHigh = 4.0;
  double h = 0.25;
  double sum = 0;
  for (double u = kLow; u <= kHigh; u += h) sum += g(u);
  double integral = sum * h;
  for (int level = 0; level < 8; ++level) {
    // Halving the step adds the midpoints of the current grid.
    double mid = 0;
    for (double u = kLow + h / 2.0; u < kHigh; u += h) mid += g(u);
    sum += mid;
    h /= 2.0;
    const double next = sum * h;
    const bool done = std::fabs(next - integral) <= 1e-15 * std::fabs(next);
    integral = next;
    if (done && level >= 1) break;
  }
  return integral;
}

double StudentTUpperTail(double t, double df) {
  if (df > kNormalDf) return NormalCdf(-t);
  if (std::isinf(t)) return 0.0;
  if (df >= kQuadratureDf) return std::min(0.5, StudentTUpperTailByQuadrature(t, df));
  const double t2 = t * t;
  const double x = df / (df + t2);
  const double y = t2 / (df + t2);
  return 0.5 * IncompleteBeta(df / 2.0, 0.5, x, y);
}

// The t >= 0 with P(T >= t) = q, for q in (0, 0.5]: safeguarded Newton on the upper tail,
// started from the Cornish-Fisher expansion of the normal quantile (Abramowitz & Stegun
// 26.7.5), bisecting whenever a step leaves the bracket.
double StudentTUpperQuantile(double q, double df) {
  if (q >= 0.5) return 0.0;
  const double z = -NormalQuantile(q);
  if (df > kNormalDf) return z;
  // Closed forms: df = 1 is the Cauchy, t = cot(pi q) (not tan(pi (1/2 - q)), which loses
  // digits near pi / 2); df = 2 has t = (1 - 2q) / sqrt(2 q (1 - q)).
  if (df == 1.0) return 1.0 / std::tan(std::numbers::pi * q);
  if (df == 2.0) return (1.0 - 2.0 * q) / std::sqrt(2.0 * q * (1.0 - q));
  const double z2 = z * z;
  double t = z + (z2 * z + z) / (4.0 * df) +
             (5.0 * z2 * z2 * z + 16.0 * z2 * z + 3.0 * z) / (96.0 * df * df);
  if (!(t > 0) || !std::isfinite(t)) t = z;
  double lo = 0.0;
  double hi = std::max(t, 1.0);
  while (StudentTUpperTail(hi, df) > q) {
    lo = hi;
    hi *= 2.0;
    if (hi > 1e300) return kInf;
  }
  t = std::clamp(t, lo, hi);
  for (int i = 0; i < 200; ++i) {
    const double g = StudentTUpperTail(t, df) - q;  // decreasing in t
    if (g > 0) {
      lo = t;
    } else {
      hi = t;
    }
    double next = t + g / StudentTDensity(t, df);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::fabs(next - t) <= 1e-15 * std::max(1.0, std::fabs(t))) return next;
    t = next;
  }
  return t;
}

bool FiniteSummary(const SampleSummary& s) {
  return std::isfinite(s.mean) && std::isfinite(s.variance) && s.variance >= 0;
}

}  // namespace

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  // Work in the lower half, where p is exact; 1 - p is exact for p in [0.5, 1] (Sterbenz).
  if (p > 0.5) return -NormalQuantile(1.0 - p);
  // Acklam's rational approximation (relative error below 1.2e-9) ...
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  double x = 0;
  if (p < 0.02425) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // ... refined by Halley's method on Phi(x) - p, which triples the digits per step.
  for (int i = 0; i < 2; ++i) {
    const double e = NormalCdf(x) - p;
    const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(x * x / 2.0);
    x -= u / (1.0 + x * u / 2.0);
  }
  return x;
}

// Lanczos (1964) with g = 7 and nine coefficients (those of Numerical Recipes 3rd ed. 6.1 and
// of Godfrey), in the reflected form for x < 1/2:
//   Gamma(x) = sqrt(2 pi) t^(x - 1/2) e^-t A(x),  t = x + g - 1/2,
//   A(x) = c0 + sum_{k=1..8} c_k / (x - 1 + k).
double LogGamma(double x) {
  if (!(x > 0)) return kNaN;
  if (std::isinf(x)) return kInf;
  if (x < 0.5) {
    // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
    return std::log(std::numbers::pi / std::sin(std::numbers::pi * x)) - LogGamma(1.0 - x);
  }
  static constexpr double kCoefficients[] = {
      0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
      771.32342877765313,   -176.61502916214059,   12.507343278686905,
      -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  const double xm1 = x - 1.0;
  double sum = kCoefficients[0];
  for (int k = 1; k < 9; ++k) sum += kCoefficients[k] / (xm1 + k);
  const double t = xm1 + 7.5;
  return 0.5 * std::log(2.0 * std::numbers::pi) + (xm1 + 0.5) * std::log(t) - t + std::log(sum);
}

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (!(x >= 0 && x <= 1)) return kNaN;
  return IncompleteBeta(a, b, x, 1.0 - x);
}

double RegularizedGammaP(double a, double x) {
  if (!(a > 0) || !(x >= 0)) return kNaN;
  if (x == 0) return 0.0;
  if (std::isinf(x)) return 1.0;
  if (x < a + 1.0) return GammaPSeries(a, x);
  return 1.0 - GammaQFraction(a, x);
}

double RegularizedGammaQ(double a, double x) {
  if (!(a > 0) || !(x >= 0)) return kNaN;
  if (x == 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  if (x < a + 1.0) return 1.0 - GammaPSeries(a, x);
  return GammaQFraction(a, x);
}

// F(t) = 1 - I_x(df/2, 1/2) / 2 for t >= 0 and I_x(df/2, 1/2) / 2 for t < 0, x = df/(df + t^2)
// (Abramowitz & Stegun 26.7.1 with 26.5.27).
double StudentTCdf(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (t < 0) return StudentTUpperTail(-t, df);
  return 1.0 - StudentTUpperTail(t, df);
}

double StudentTTwoSidedP(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  return std::min(1.0, 2.0 * StudentTUpperTail(std::fabs(t), df));
}

double StudentTQuantile(double p, double df) {
  if (std::isnan(p) || p < 0 || p > 1 || !(df > 0)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p < 0.5) return -StudentTUpperQuantile(p, df);
  return StudentTUpperQuantile(1.0 - p, df);
}

double ChiSquareSurvival(double x, double df) {
  if (!(df > 0) || std::isnan(x)) return kNaN;
  if (x <= 0) return 1.0;
  return RegularizedGammaQ(df / 2.0, x / 2.0);
}

SampleSummary ProportionSummary(std::int64_t successes, std::int64_t n) {
  if (n <= 0) return {};
  const double p = static_cast<double>(successes) / static_cast<double>(n);
  return {n, p, p * (1.0 - p)};
}

// Welford's update: with delta = y - mean_old, mean += delta / n and
// M2 += delta (y - mean_new); the co-moment likewise, C += (x - mean_x_old)(y - mean_y_new).
void Moments::Add(double y, double x) {
  ++n_;
  const double dn = static_cast<double>(n_);
  const double dy = y - mean_y_;
  const double dx = x - mean_x_;
  mean_y_ += dy / dn;
  mean_x_ += dx / dn;
  m2_y_ += dy * (y - mean_y_);
  m2_x_ += dx * (x - mean_x_);
  c_xy_ += dx * (y - mean_y_);
}

// Chan, Golub & LeVeque (1979): M2 = M2_a + M2_b + delta^2 n_a n_b / n, and the co-moment with
// delta_x delta_y.
void Moments::Merge(const Moments& other) {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    *this = other;
    return;
  }
  const double na = static_cast<double>(n_);
  const double nb = static_cast<double>(other.n_);
  const double n = na + nb;
  const double dy = other.mean_y_ - mean_y_;
  const double dx = other.mean_x_ - mean_x_;
  mean_y_ += dy * nb / n;
  mean_x_ += dx * nb / n;
  m2_y_ += other.m2_y_ + dy * dy * na * nb / n;
  m2_x_ += other.m2_x_ + dx * dx * na * nb / n;
  c_xy_ += other.c_xy_ + dx * dy * na * nb / n;
  n_ += other.n_;
}

double Moments::variance_y() const { return n_ < 2 ? 0.0 : m2_y_ / static_cast<double>(n_ - 1); }
double Moments::variance_x() const { return n_ < 2 ? 0.0 : m2_x_ / static_cast<double>(n_ - 1); }
double Moments::covariance() const { return n_ < 2 ? 0.0 : c_xy_ / static_cast<double>(n_ - 1); }

// diff = mean_t - mean_c; se = sqrt(var_t/n_t + var_c/n_c) (unpooled);
// Welch-Satterthwaite: df = (v_t + v_c)^2 / (v_t^2/(n_t - 1) + v_c^2/(n_c - 1)), v = var/n;
// interval diff -+ q se with q = t_{1-alpha/2, df} (or z_{1-alpha/2}); p = P(|T_df| >= |diff/se|).
// Relative lift r = diff / mean_c = mean_t / mean_c - 1, with the delta-method variance of the
// ratio of independent means, Var(r) = var_t / (n_t mean_c^2) + mean_t^2 var_c / (n_c mean_c^4),
// and the interval r -+ q sqrt(Var(r)).
Result<Comparison> Compare(const SampleSummary& treated, const SampleSummary& control,
                           Reference reference, double alpha) {
  if (!(alpha > 0 && alpha < 1)) {
    return InvalidArgumentError("alpha must be in (0, 1), got " + std::to_string(alpha));
  }
  if (treated.n < 2 || control.n < 2) {
    return InvalidArgumentError("a comparison needs at least 2 observations per arm, got " +
                                std::to_string(treated.n) + " treated and " +
                                std::to_string(control.n) + " control");
  }
  if (!FiniteSummary(treated) || !FiniteSummary(control)) {
    return InvalidArgumentError("a mean or variance is not finite, or a variance is negative");
  }
  const double nt = static_cast<double>(treated.n);
  const double nc = static_cast<double>(control.n);
  const double vt = treated.variance / nt;
  const double vc = control.variance / nc;
  Comparison c;
  c.treated_n = treated.n;
  c.control_n = control.n;
  c.treated_mean = treated.mean;
  c.control_mean = control.mean;
  c.diff = treated.mean - control.mean;
  c.se = std::sqrt(vt + vc);
  if (reference == Reference::kNormal) {
    c.df = kInf;
  } else if (vt + vc > 0) {
    c.df = (vt + vc) * (vt + vc) / (vt * vt / (nt - 1.0) + vc * vc / (nc - 1.0));
  } else {
    c.df = nt + nc - 2.0;
  }
  c.critical = reference == Reference::kNormal ? NormalQuantile(1.0 - alpha / 2.0)
                                               : StudentTQuantile(1.0 - alpha / 2.0, c.df);
  c.ci_low = c.diff - c.critical * c.se;
  c.ci_high = c.diff + c.critical * c.se;
  if (c.se > 0) {
    const double stat = c.diff / c.se;
    c.p_value = reference == Reference::kNormal ? 2.0 * NormalCdf(-std::fabs(stat))
                                                : StudentTTwoSidedP(stat, c.df);
  } else {
    c.p_value = c.diff == 0 ? 1.0 : 0.0;
  }
  if (control.mean != 0) {
    const double mc = control.mean;
    const double mt = treated.mean;
    const double rel = c.diff / mc;
    const double var_rel =
        treated.variance / (nt * mc * mc) + mt * mt * control.variance / (nc * mc * mc * mc * mc);
    c.relative_lift = rel;
    c.relative_se = std::sqrt(var_rel);
    c.relative_ci_low = rel - c.critical * *c.relative_se;
    c.relative_ci_high = rel + c.critical * *c.relative_se;
  }
  return c;
}

Result<Comparison> CompareMeans(const SampleSummary& treated, const SampleSummary& control,
                                double alpha) {
  return Compare(treated, control, Reference::kStudentT, alpha);
}

Result<Comparison> CompareProportions(std::int64_t treated_successes, std::int64_t treated_n,
                                      std::int64_t control_successes, std::int64_t control_n,
                                      double alpha) {
  if (treated_successes < 0 || treated_successes > treated_n || control_successes < 0 ||
      control_successes > control_n) {
    return InvalidArgumentError(
        "successes must be between 0 and n, got " + std::to_string(treated_successes) + " of " +
        std::to_string(treated_n) + " treated and " + std::to_string(control_successes) + " of " +
        std::to_string(control_n) + " control");
  }
  return Compare(ProportionSummary(treated_successes, treated_n),
                 ProportionSummary(control_successes, control_n), Reference::kNormal, alpha);
}

// theta = cov(Y, X) / var(X) over both arms together; in each arm
//   mean(Y') = mean(Y) - theta (mean_arm(X) - mean_all(X)),
//   var(Y')  = var(Y) - 2 theta cov(Y, X) + theta^2 var(X),
// which is exactly the sample mean and variance of Y' = Y - theta (X - mean_all(X)) computed
// row by row, without a second pass.
Result<CupedComparison> CompareCuped(const Moments& treated, const Moments& control,
                                     Reference reference, double alpha) {
  Moments all = treated;
  all.Merge(control);
  CupedComparison out;
  out.theta = all.variance_x() > 0 ? all.covariance() / all.variance_x() : 0.0;
  WINBACK_ASSIGN_OR_RETURN(out.plain,
                           Compare(treated.Outcome(), control.Outcome(), reference, alpha));
  auto adjust = [&](const Moments& m) {
    const double theta = out.theta;
    const double variance =
        m.variance_y() - 2.0 * theta * m.covariance() + theta * theta * m.variance_x();
    return SampleSummary{m.n(), m.mean_y() - theta * (m.mean_x() - all.mean_x()),
                         std::max(0.0, variance)};
  };
  WINBACK_ASSIGN_OR_RETURN(out.adjusted,
                           Compare(adjust(treated), adjust(control), reference, alpha));
  if (out.plain.se > 0) {
    out.variance_reduction =
        1.0 - (out.adjusted.se * out.adjusted.se) / (out.plain.se * out.plain.se);
  }
  return out;
}

// chi^2 = sum_i (O_i - E_i)^2 / E_i with E_i = N s_i / sum(s); df = k - 1;
// p = P(chi^2_df >= chi^2) = Q(df/2, chi^2/2).
Result<SampleRatioCheck> CheckSampleRatio(std::span<const std::int64_t> counts,
                                          std::span<const double> expected_shares,
                                          double threshold) {
  if (counts.size() < 2) {
    return InvalidArgumentError("a sample-ratio check needs at least 2 arms, got " +
                                std::to_string(counts.size()));
  }
  if (!expected_shares.empty() && expected_shares.size() != counts.size()) {
    return InvalidArgumentError("a sample-ratio check got " +
                                std::to_string(expected_shares.size()) + " shares for " +
                                std::to_string(counts.size()) + " arms");
  }
  double total = 0;
  for (const std::int64_t c : counts) {
    if (c < 0) return InvalidArgumentError("an arm count is negative: " + std::to_string(c));
    total += static_cast<double>(c);
  }
  if (total == 0) return InvalidArgumentError("a sample-ratio check needs observations");
  double share_sum = 0;
  for (const double s : expected_shares) {
    if (!(s > 0) || !std::isfinite(s)) {
      return InvalidArgumentError("an expected share is not positive: " + std::to_string(s));
    }
    share_sum += s;
  }
  SampleRatioCheck out;
  const double k = static_cast<double>(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double share = expected_shares.empty() ? 1.0 / k : expected_shares[i] / share_sum;
    const double expected = total * share;
    const double d = static_cast<double>(counts[i]) - expected;
    out.chi_square += d * d / expected;
  }
  out.df = static_cast<int>(counts.size()) - 1;
  out.p_value = ChiSquareSurvival(out.chi_square, out.df);
  out.mismatch = out.p_value < threshold;
  return out;
}

double SequentialRho(double alpha, double planned_n) {
  const double l = -2.0 * std::log(alpha);
  return std::sqrt((l + std::log(l + 1.0)) / planned_n);
}

// With n = n_t + n_c, s^2 = se^2 n (the per-observation variance) and rho as above, the
// boundary of Waudby-Smith et al. (2023) eq. 9 is
//   halfwidth = s sqrt(2 (n rho^2 + 1) / (n^2 rho^2) ln(sqrt(n rho^2 + 1) / alpha))
//             = se sqrt(2 (n rho^2 + 1) / (n rho^2) ln(sqrt(n rho^2 + 1) / alpha)),
// and the always-valid p-value is 1 / e-value (their eq. 155, as gbstats computes it):
//   ln e = n rho^2 (diff / se)^2 / (2 (n rho^2 + 1)) - ln(n rho^2 + 1) / 2,  p = min(1, e^-ln e).
Result<SequentialInterval> AlwaysValidInterval(const Comparison& fixed,
                                               const SequentialOptions& options) {
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return InvalidArgumentError("alpha must be in (0, 1), got " + std::to_string(options.alpha));
  }
  if (!(options.planned_n > 0) || !std::isfinite(options.planned_n)) {
    return InvalidArgumentError("the planned sample must be positive, got " +
                                std::to_string(options.planned_n));
  }
  SequentialInterval out;
  out.rho = SequentialRho(options.alpha, options.planned_n);
  const double n = static_cast<double>(fixed.treated_n + fixed.control_n);
  const double nr2 = n * out.rho * out.rho;
  out.halfwidth = fixed.se * std::sqrt(2.0 * (nr2 + 1.0) / nr2 *
                                       std::log(std::sqrt(nr2 + 1.0) / options.alpha));
  out.ci_low = fixed.diff - out.halfwidth;
  out.ci_high = fixed.diff + out.halfwidth;
  if (fixed.se > 0) {
    const double z = fixed.diff / fixed.se;
    const double log_e = nr2 * z * z / (2.0 * (nr2 + 1.0)) - 0.5 * std::log(nr2 + 1.0);
    out.p_value = std::min(1.0, std::exp(-log_e));
  } else {
    out.p_value = fixed.diff == 0 ? 1.0 : 0.0;
  }
  return out;
}

std::vector<double> HolmAdjust(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m);
  double running = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double factor = static_cast<double>(m - i);
    running = std::max(running, std::min(1.0, factor * p_values[order[i]]));
    adjusted[order[i]] = running;
  }
  return adjusted;
}

double MinimumDetectableEffect(std::int64_t treated_n, std::int64_t control_n, double variance,
                               double alpha, double power) {
  if (treated_n <= 0 || control_n <= 0) return kInf;
  const double z = NormalQuantile(1.0 - alpha / 2.0) + NormalQuantile(power);
  return z * std::sqrt(variance * (1.0 / static_cast<double>(treated_n) +
                                   1.0 / static_cast<double>(control_n)));
}

}  // namespace winback::measure
