#include "models/internal/pareto_integral.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/special.h"

namespace winback::models::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxSeriesTerms = 5000;

// Series expansion around the "main" factor (cm + tau)^-em; returns false when it did not
// converge. Derivatives are with respect to (em, cm, eo, co).
bool SeriesAround(double em, double cm, double eo, double co, double lo, double hi,
                  PowerPairIntegral& out) {
  const double a_lo = cm + lo;
  const double a_hi = cm + hi;
  const double z = (cm - co) / a_lo;
  const double m = em + eo - 1.0;
  const double one_minus_q = (hi - lo) / a_hi;
  const double log_q = std::log1p(-one_minus_q);
  const double q = a_lo / a_hi;
  const double az = std::fabs(z);
  const double peak = std::max(0.0, (eo - 1.0) * az / std::max(1e-300, 1.0 - az));

  const double ml = m * log_q;
  double p = std::exp(ml);                           // q^(m+k)
  double d = ml > -0.5 ? -std::expm1(ml) : 1.0 - p;  // 1 - q^(m+k), accurate near q = 1
  double t = 1.0;                                    // (eo)_k / k! z^k
  double tz = 0.0;                                   // t_{k-1} (eo + k - 1)
  double h = 0.0;                                    // sum_{j<k} 1/(eo + j)
  double s = 0, s_m = 0, s_b = 0, s_z = 0, s_tp = 0;
  bool converged = false;
  for (int k = 0; k < kMaxSeriesTerms; ++k) {
    const double dk = static_cast<double>(k);
    const double n = m + dk;
    const double e = eo + dk;
    const double k1 = dk + 1.0;
    // One division per term: 1/n, 1/e and 1/k1 from 1/(n e k1).
    const double inv = 1.0 / (n * e * k1);
    const double inv_n = e * k1 * inv;
    const double inv_e = n * k1 * inv;
    const double inv_k1 = n * e * inv;
    const double term = t * d * inv_n;
    s += term;
    s_m += t * (-p * log_q - d * inv_n) * inv_n;
    s_b += term * h;
    s_z += tz * d * inv_n;
    s_tp += t * p;
    tz = t * e;
    h += inv_e;
    t *= e * z * inv_k1;
    d += p * one_minus_q;
    p *= q;
    if (t == 0.0) {
      // z = 0: only the first derivative term with respect to z remains.
      s_z += tz * d / (n + 1.0);
      converged = true;
      break;
    }
    if ((k & 3) == 3 && k1 > peak) {
      const double ratio = az * (e + 1.0) / (k1 + 1.0);
      const double rmax = std::max(ratio, az);
      if (rmax < 1.0) {
        const double bound = std::fabs(t) * (1.0 + h + e + 1.0 + k1 / az) /
                             ((n + 1.0) * (1.0 - rmax));
        if (bound <= 1e-17 * std::fabs(s)) {
          converged = true;
          break;
        }
      }
    }
  }
  const double s_q = -s_tp / q;
  if (!converged || !(s > 0) || !std::isfinite(s)) return false;
  const double log_a = std::log(a_lo);
  out.log_value = -m * log_a + std::log(s);
  out.d_e1 = -log_a + s_m / s;
  out.d_e2 = -log_a + (s_m + s_b) / s;
  out.d_c1 = -m / a_lo + (s_z * (co + lo) / (a_lo * a_lo) + s_q * (hi - lo) / (a_hi * a_hi)) / s;
  out.d_c2 = -s_z / (a_lo * s);
  return std::isfinite(out.d_e1) && std::isfinite(out.d_e2) && std::isfinite(out.d_c1) &&
         std::isfinite(out.d_c2);
}

// Estimated number of series terms when expanding with ratio z and exponent eo; infinity when
// the expansion converges too slowly or cancels too much.
double SeriesCost(double z, double eo) {
  const double az = std::fabs(z);
  if (az == 0.0) return 1.0;
  if (az >= 0.95) return kInf;
  // ln((1+|z|)/(1-|z|)) = 2 atanh|z| <= 2|z|/(1-z^2): the alternating series loses at most
  // about e^4.6 = 100 (two digits) to cancellation.
  if (z < 0 && eo * 2.0 * az / (1.0 - az * az) > 4.6) return kInf;
  // -ln|z| >= 1 - |z|, so this over-estimates the tail length; fine for choosing.
  return std::max(0.0, eo - 1.0) * az / (1.0 - az) + 40.0 * az / (1.0 - az) + 1.0;
}

PowerPairIntegral Quadrature(double e1, double c1, double e2, double c2, double lo, double hi) {
  const double gamma = std::min(c1, c2);
  const double d1 = c1 - gamma;
  const double d2 = c2 - gamma;
  // psi(v) = ln integrand in v = ln(gamma + tau) (dtau = e^v dv); concave in v.
  auto log_terms = [&](double v, double& l1, double& l2) {
    const double ev = std::exp(-v);
    l1 = v + std::log1p(d1 * ev);
    l2 = v + std::log1p(d2 * ev);
  };
  auto psi = [&](double v) {
    double l1, l2;
    log_terms(v, l1, l2);
    return -e1 * l1 - e2 * l2 + v;
  };
  auto slope = [&](double v) {
    const double ev = std::exp(-v);
    return 1.0 - e1 / (1.0 + d1 * ev) - e2 / (1.0 + d2 * ev);
  };
  const double v0 = std::log(gamma + lo);
  const double v1 = std::log(gamma + hi);
  double vmax;
  if (slope(v0) <= 0) {
    vmax = v0;
  } else if (slope(v1) >= 0) {
    vmax = v1;
  } else {
    double a = v0, b = v1;
    for (int i = 0; i < 100 && b - a > 1e-12 * (1.0 + std::fabs(a)); ++i) {
      const double mid = 0.5 * (a + b);
      (slope(mid) > 0 ? a : b) = mid;
    }
    vmax = 0.5 * (a + b);
  }
  const double psi_max = psi(vmax);
  const double curvature_cap = 4.0 / std::sqrt(std::max(1e-3, 0.25 * (e1 + e2)));
  const GaussLegendreRule& rule = GaussLegendre16();
  double acc[5] = {0, 0, 0, 0, 0};
  auto panel = [&](double a, double b) {
    const double half = 0.5 * (b - a);
    const double mid = 0.5 * (a + b);
    for (std::size_t i = 0; i < rule.nodes.size(); ++i) {
      const double v = mid + half * rule.nodes[i];
      double l1, l2;
      log_terms(v, l1, l2);
      const double w = rule.weights[i] * half * std::exp(-e1 * l1 - e2 * l2 + v - psi_max);
      acc[0] += w;
      acc[1] += w * l1;
      acc[2] += w * l2;
      acc[3] += w * std::exp(-l1);
      acc[4] += w * std::exp(-l2);
    }
  };
  // March from the maximum towards each end; panels keep the log-integrand's variation small.
  for (int dir : {+1, -1}) {
    const double end = dir > 0 ? v1 : v0;
    double u = vmax;
    for (int panels = 0; panels < 4000 && (end - u) * dir > 0; ++panels) {
      double h = std::min({std::fabs(end - u), curvature_cap, 2.0});
      const double s0 = std::fabs(slope(u));
      if (s0 * h > 3.0) h = 3.0 / s0;
      for (int i = 0; i < 8; ++i) {
        const double s1 = std::fabs(slope(u + dir * h));
        if (s1 * h <= 3.0) break;
        h = 3.0 / s1;
      }
      const double next = (std::fabs(end - u) <= h) ? end : u + dir * h;
      panel(std::min(u, next), std::max(u, next));
      u = next;
      // Beyond u the integrand decays at least like exp(-|psi'(u)| |v - u|) (concavity).
      const double s_end = slope(u) * dir;
      if (s_end < 0) {
        const double tail = std::exp(psi(u) - psi_max) / -s_end;
        if (tail <= 1e-17 * acc[0]) break;
      }
    }
  }
  PowerPairIntegral out;
  out.log_value = psi_max + std::log(acc[0]);
  out.d_e1 = -acc[1] / acc[0];
  out.d_e2 = -acc[2] / acc[0];
  out.d_c1 = -e1 * acc[3] / acc[0];
  out.d_c2 = -e2 * acc[4] / acc[0];
  return out;
}

}  // namespace

PowerPairIntegral ComputePowerPairIntegral(double e1, double c1, double e2, double c2, double lo,
                                           double hi, PowerPairMethod method) {
  PowerPairIntegral out;
  if (!(hi > lo)) {
    out.log_value = -kInf;
    return out;
  }
  if (method != PowerPairMethod::kQuadrature) {
    const double z1 = (c1 - c2) / (c1 + lo);  // expand around c1: exponent e2 expanded
    const double z2 = (c2 - c1) / (c2 + lo);  // expand around c2: exponent e1 expanded
    const double cost1 = SeriesCost(z1, e2);
    const double cost2 = SeriesCost(z2, e1);
    const bool first = cost1 <= cost2;
    const double cost = std::min(cost1, cost2);
    if (cost <= 3000.0) {
      if (first) {
        if (SeriesAround(e1, c1, e2, c2, lo, hi, out)) return out;
      } else {
        PowerPairIntegral swapped;
        if (SeriesAround(e2, c2, e1, c1, lo, hi, swapped)) {
          out.log_value = swapped.log_value;
          out.d_e1 = swapped.d_e2;
          out.d_c1 = swapped.d_c2;
          out.d_e2 = swapped.d_e1;
          out.d_c2 = swapped.d_c1;
          return out;
        }
      }
    }
  }
  return Quadrature(e1, c1, e2, c2, lo, hi);
}

}  // namespace winback::models::internal
