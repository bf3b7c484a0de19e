#include "models/special.h"

#include <algorithm>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <numbers>

namespace winback::models {
namespace {

// Boost.Math reports errors by returning NaN/inf instead of throwing, and computes doubles
// in double precision (no promotion to long double: faster, and accurate enough here).
using NoThrow = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::denorm_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::rounding_error<boost::math::policies::ignore_error>,
    boost::math::policies::indeterminate_result_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double LogAddExp(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  const double hi = std::max(a, b);
  return hi + std::log1p(std::exp(-std::fabs(a - b)));
}

double Log1pExp(double v) {
  if (v > 0) return v + std::log1p(std::exp(-v));
  return std::log1p(std::exp(v));
}

double Logistic(double v) {
  if (v >= 0) return 1.0 / (1.0 + std::exp(-v));
  const double e = std::exp(v);
  return e / (1.0 + e);
}

double LogGamma(double v) {
  if (!(v > 0)) return kNaN;
  return boost::math::lgamma(v, NoThrow());
}

double Digamma(double v) {
  if (!(v > 0)) return kNaN;
  return boost::math::digamma(v, NoThrow());
}

double LogBeta(double a, double b) { return LogGamma(a) + LogGamma(b) - LogGamma(a + b); }

double RegularizedIncompleteBeta(double a, double b, double z) {
  if (!(a > 0) || !(b > 0) || !(z >= 0) || !(z <= 1)) return kNaN;
  return boost::math::ibeta(a, b, z, NoThrow());
}

void LogPochhammerTable::Reset(double v, std::size_t max_k) {
  log_.resize(max_k + 1);
  digamma_.resize(max_k + 1);
  trigamma_.resize(max_k + 1);
  double log_sum = 0.0;
  double inv_sum = 0.0;
  double inv2_sum = 0.0;
  log_[0] = 0.0;
  digamma_[0] = 0.0;
  trigamma_[0] = 0.0;
  for (std::size_t k = 1; k <= max_k; ++k) {
    const double base = v + static_cast<double>(k - 1);
    const double inv = 1.0 / base;
    log_sum += std::log(base);
    inv_sum += inv;
    inv2_sum += inv * inv;
    log_[k] = log_sum;
    digamma_[k] = inv_sum;
    trigamma_[k] = -inv2_sum;
  }
}

GaussLegendreRule MakeGaussLegendre(int n) {
  GaussLegendreRule rule;
  const auto count = static_cast<std::size_t>(n);
  rule.nodes.resize(count);
  rule.weights.resize(count);
  const double dn = static_cast<double>(n);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    // Newton's method on P_n from the Chebyshev-like initial guess.
    double x = std::cos(std::numbers::pi * (static_cast<double>(i) + 0.75) / (dn + 0.5));
    double dp = 1.0;
    for (int iter = 0; iter < 100; ++iter) {
      double p0 = 1.0;
      double p1 = x;
      for (int k = 2; k <= n; ++k) {
        const double dk = static_cast<double>(k);
        const double p2 = ((2.0 * dk - 1.0) * x * p1 - (dk - 1.0) * p0) / dk;
        p0 = p1;
        p1 = p2;
      }
      dp = dn * (x * p1 - p0) / (x * x - 1.0);
      const double dx = p1 / dp;
      x -= dx;
      if (std::fabs(dx) < 1e-16) break;
    }
    const double w = 2.0 / ((1.0 - x * x) * dp * dp);
    const auto lo = static_cast<std::size_t>(i);
    const auto hi = count - 1 - lo;
    rule.nodes[lo] = -x;
    rule.nodes[hi] = x;
    rule.weights[lo] = w;
    rule.weights[hi] = w;
  }
  return rule;
}

const GaussLegendreRule& GaussLegendre16() {
  static const GaussLegendreRule rule = MakeGaussLegendre(16);
  return rule;
}

namespace {

double Gl16(const std::function<double(double)>& f, double a, double b) {
  const GaussLegendreRule& rule = GaussLegendre16();
  const double half = 0.5 * (b - a);
  const double mid = 0.5 * (a + b);
  double sum = 0.0;
  for (std::size_t i = 0; i < rule.nodes.size(); ++i) {
    sum += rule.weights[i] * f(mid + half * rule.nodes[i]);
  }
  return sum * half;
}

double AdaptivePass(const std::function<double(double)>& f, double lo, double hi, double tol,
                    int max_depth, double whole) {
  struct Panel {
    double a;
    double b;
    double whole;
    int depth;
  };
  std::vector<Panel> stack;
  stack.push_back({lo, hi, whole, 0});
  double total = 0.0;
  const double width = hi - lo;
  while (!stack.empty()) {
    const Panel p = stack.back();
    stack.pop_back();
    const double m = 0.5 * (p.a + p.b);
    const double left = Gl16(f, p.a, m);
    const double right = Gl16(f, m, p.b);
    const double local_tol = tol * (p.b - p.a) / width;
    if (std::fabs(left + right - p.whole) <= local_tol || p.depth >= max_depth ||
        !std::isfinite(left + right)) {
      total += left + right;
    } else {
      stack.push_back({p.a, m, left, p.depth + 1});
      stack.push_back({m, p.b, right, p.depth + 1});
    }
  }
  return total;
}

}  // namespace

double AdaptiveIntegrate(const std::function<double(double)>& f, double lo, double hi,
                         double rel_tol, double abs_tol, int max_depth) {
  if (!(hi > lo)) return 0.0;
  const double whole = Gl16(f, lo, hi);
  double reference = std::fabs(whole);
  double total = AdaptivePass(f, lo, hi, std::max(abs_tol, rel_tol * reference), max_depth, whole);
  // The first estimate of the scale can be far off for peaked integrands; redo once with the
  // better scale so that the relative tolerance means what it says.
  if (std::fabs(total) < 0.5 * reference || std::fabs(total) > 2.0 * reference) {
    reference = std::fabs(total);
    total = AdaptivePass(f, lo, hi, std::max(abs_tol, rel_tol * reference), max_depth, whole);
  }
  return total;
}

namespace {

// E[X(t)] = E_p[(1 - (1 + p t / alpha)^-r) / p] with p ~ Beta(a, b), by quadrature in
// u = p^a (which removes the p^(a-1) endpoint singularity of the Beta density).
double BgExpectedCountByQuadrature(double r, double alpha, double a, double b, double t) {
  const double log_norm = -std::log(a) - LogBeta(a, b);
  auto integrand = [&](double u) {
    if (u <= 0) return std::exp(log_norm) * r * t / alpha;  // limit p -> 0
    const double p = std::pow(u, 1.0 / a);
    const double g = -std::expm1(-r * std::log1p(p * t / alpha)) / p;
    if (p >= 1.0) return 0.0;
    return std::exp(log_norm + (b - 1.0) * std::log1p(-p)) * g;
  };
  return AdaptiveIntegrate(integrand, 0.0, 1.0, 1e-11);
}

}  // namespace

double BgExpectedCount(double r, double alpha, double a, double b, double t) {
  if (!(t > 0)) return 0.0;
  const double z = t / (alpha + t);
  const double one_minus_z = alpha / (alpha + t);
  const double mode = std::max(0.0, (r - 1.0) * z / one_minus_z);
  const double spread = std::sqrt(std::max(r, 1.0) * z) / one_minus_z;
  const double estimated_terms = mode + 6.0 * spread + 45.0 / one_minus_z;
  if (estimated_terms > 2e6) return BgExpectedCountByQuadrature(r, alpha, a, b, t);

  constexpr double kRescale = 1e250;
  const double log_rescale = std::log(kRescale);
  double log_scale = -r * std::log1p(t / alpha);  // ln NB(0) = r ln(1 - z)
  double term = 1.0;                              // NB(k) / exp(log_scale)
  double rho = 1.0;                               // (b)_k / (a+b)_k
  double u = 0.0;                                 // sum_{j<k} (b)_j / (a+b)_j
  double sum = 0.0;
  const auto max_terms = static_cast<long>(estimated_terms * 4.0 + 1000.0);
  for (long k = 0; k < max_terms; ++k) {
    const double dk = static_cast<double>(k);
    const double summand = term * u;
    sum += summand;
    if (dk > mode && summand <= 1e-17 * one_minus_z * sum) break;
    u += rho;
    rho *= (b + dk) / (a + b + dk);
    term *= (r + dk) * z / (dk + 1.0);
    if (term > kRescale) {
      term /= kRescale;
      sum /= kRescale;
      log_scale += log_rescale;
    }
  }
  if (!(sum > 0)) return 0.0;
  return std::exp(log_scale + std::log(sum));
}

}  // namespace winback::models
