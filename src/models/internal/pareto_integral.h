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

}  // namespace winback::models::internal
