#pragma once

// The one non-elementary piece of the Pareto/NBD likelihood:
//
//   I(e1, c1, e2, c2; lo, hi) = integral_lo^hi (c1 + tau)^-e1 (c2 + tau)^-e2 dtau
//
// with c1, c2 > 0, e1 + e2 > 1, 0 <= lo < hi. In the Pareto/NBD, e1 = r + x, c1 = alpha,
// e2 = s + 1, c2 = beta, lo = t_x, hi = T, and s * I is the probability weight of "died
// between t_x and T" (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related
// expressions", where I is written with Gauss hypergeometric functions:
//   I = [2F1(m, e2; m+1; z(t_x)) / (c1+t_x)^m - 2F1(m, e2; m+1; z(T)) / (c1+T)^m] / m,
//   m = e1 + e2 - 1, z(t) = (c1 - c2)/(c1 + t), for c1 >= c2; symmetric otherwise).
//
// Evaluation. Writing (c2+tau) = (c1+tau)(1 - (c1-c2)/(c1+tau)) and expanding binomially,
//   I = (c1+lo)^-m * sum_k (e2)_k/k! z^k (1 - q^(m+k)) / (m+k),  z = (c1-c2)/(c1+lo),
//   q = (c1+lo)/(c1+hi),
// which merges the two hypergeometric series term by term: with z >= 0 every term is positive,
// and 1 - q^(m+k) is accumulated without cancellation (1 - q^(m+k+1) = (1 - q^(m+k)) +
// q^(m+k)(1 - q), 1 - q = (hi-lo)/(c1+hi)). The derivatives with respect to e1, c1, e2, c2 are
// accumulated from the same terms. Either factor may play the role of c1; the cheaper
// convergent expansion is used (|z| < 0.95, bounded cancellation for z < 0). When neither
// converges fast (|z| near 1: one of alpha, beta is tiny compared with the other), the integral
// is computed by Gauss-Legendre quadrature in v = ln(min(c1,c2) + tau), where the log-integrand
// is concave, on panels sized by its slope, in log-space. No NaN or overflow for any
// x, t_x, T of real data (tested to x = 10^4).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace winback::models::internal {

struct PowerPairIntegral {
  double log_value = 0;  // ln I (-infinity when lo == hi)
  double d_e1 = 0;       // d ln I / d e1
  double d_c1 = 0;       // d ln I / d c1
  double d_e2 = 0;       // d ln I / d e2
  double d_c2 = 0;       // d ln I / d c2
};

enum class PowerPairMethod { kAuto, kSeries, kQuadrature };

// Computes I and its log-derivatives. kSeries forces the series (falls back to quadrature if
// no expansion converges); kQuadrature forces quadrature (used to test the series).
PowerPairIntegral ComputePowerPairIntegral(double e1, double c1, double e2, double c2, double lo,
                                           double hi,
                                           PowerPairMethod method = PowerPairMethod::kAuto);

// The Pareto/NBD case of I at one parameter point (r, alpha, s, beta) for many customers:
// e1 = r + x with x a non-negative integer, c1 = alpha, e2 = s + 1, c2 = beta, and lo, hi taken
// from a list of distinct times (t_x and T values). Everything that depends on the parameters
// and one time only (ln(alpha + t), ln(beta + t), 1/(alpha + t), 1/(beta + t), z, the cost of
// each expansion) is computed once per distinct time, and the series' divisions
// 1/(r+s+x+k), 1/(e_k), (e_k)/(k+1) come from tables, so a customer costs its series terms
// plus two transcendental calls. Same series and convergence rule as ComputePowerPairIntegral;
// ln q is taken as ln(c + lo) - ln(c + hi), whose absolute error (~1e-16 ln(c + hi)) makes the
// relative error of I large only when hi - lo is tiny, where I's share of the likelihood is
// proportionally small: the error of ln L stays at the level of rounding. Falls back to
// ComputePowerPairIntegral when neither expansion converges fast.
class ParetoIntegralTables {
 public:
  ParetoIntegralTables(double r, double alpha, double s, double beta, std::size_t max_x,
                       std::span<const double> times);

  // I(r + x, alpha, s + 1, beta; times[lo], times[hi]) and its log-derivatives, for
  // times[lo] < times[hi] and x <= max_x.
  PowerPairIntegral Compute(std::size_t x, std::uint32_t lo, std::uint32_t hi) const;

  double log_alpha_plus(std::uint32_t t) const { return time_[t].log_a; }
  double log_beta_plus(std::uint32_t t) const { return time_[t].log_b; }
  double inv_alpha_plus(std::uint32_t t) const { return time_[t].inv_a; }
  double inv_beta_plus(std::uint32_t t) const { return time_[t].inv_b; }

 private:
  struct TimeTerms {
    double value;
    double log_a, log_b;      // ln(alpha + t), ln(beta + t)
    double inv_a, inv_b;      // 1/(alpha + t), 1/(beta + t)
    double z_a, z_b;          // (alpha - beta)/(alpha + t), (beta - alpha)/(beta + t)
    double ratio_a, ratio_b;  // |z|/(1 - |z|) of each expansion (infinity if |z| >= 0.95)
    double alt_a, alt_b;      // 2|z|/(1 - z^2) when z < 0 (cancellation bound), else 0
  };
  template <bool kAroundAlpha>
  bool Series(std::size_t x, const TimeTerms& lo, const TimeTerms& hi,
              PowerPairIntegral& out) const;

  double r_, alpha_, s_, beta_;
  std::vector<TimeTerms> time_;
  std::vector<double> inv_rs_;  // 1/(r + s + j), j = 0..max_x + kMaxTerms
  std::vector<double> inv_r_;   // 1/(r + j)
  std::vector<double> inv_s1_;  // 1/(s + 1 + k), k = 0..kMaxTerms
  std::vector<double> inv_k1_;  // 1/(k + 1)
};

}  // namespace winback::models::internal
