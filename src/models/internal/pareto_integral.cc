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
        const double bound =
            std::fabs(t) * (1.0 + h + e + 1.0 + k1 / az) / ((n + 1.0) * (1.0 - rmax));
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

ParetoIntegralTables::ParetoIntegralTables(double r, double alpha, double s, double beta,
                                           std::size_t max_x, std::span<const double> times)
    : r_(r), alpha_(alpha), s_(s), beta_(beta) {
  const auto terms = static_cast<std::size_t>(kMaxSeriesTerms) + 2;
  inv_rs_.resize(max_x + terms);
  inv_r_.resize(max_x + terms);
  for (std::size_t j = 0; j < inv_rs_.size(); ++j) {
    const double dj = static_cast<double>(j);
    inv_rs_[j] = 1.0 / (r + s + dj);
    inv_r_[j] = 1.0 / (r + dj);
  }
  inv_s1_.resize(terms);
  inv_k1_.resize(terms);
  for (std::size_t k = 0; k < terms; ++k) {
    const double dk = static_cast<double>(k);
    inv_s1_[k] = 1.0 / (s + 1.0 + dk);
    inv_k1_[k] = 1.0 / (dk + 1.0);
  }
  time_.resize(times.size());
  auto cost_terms = [](double z, double& ratio, double& alt) {
    const double az = std::fabs(z);
    ratio = az >= 0.95 ? kInf : az / (1.0 - az);
    alt = z < 0 ? 2.0 * az / (1.0 - az * az) : 0.0;
  };
  for (std::size_t i = 0; i < times.size(); ++i) {
    TimeTerms& t = time_[i];
    t.value = times[i];
    t.log_a = std::log(alpha + t.value);
    t.log_b = std::log(beta + t.value);
    t.inv_a = 1.0 / (alpha + t.value);
    t.inv_b = 1.0 / (beta + t.value);
    t.z_a = (alpha - beta) / (alpha + t.value);
    t.z_b = (beta - alpha) / (beta + t.value);
    cost_terms(t.z_a, t.ratio_a, t.alt_a);
    cost_terms(t.z_b, t.ratio_b, t.alt_b);
  }
}

namespace {

// SeriesCost from the per-time terms: z == 0 costs 1 term; see SeriesCost.
double TabledCost(double z, double ratio, double alt, double eo) {
  if (z == 0.0) return 1.0;
  if (!std::isfinite(ratio)) return kInf;
  if (eo * alt > 4.6) return kInf;
  return std::max(0.0, eo - 1.0) * ratio + 40.0 * ratio + 1.0;
}

}  // namespace

// SeriesAround with the divisions from tables. Around alpha: em = r+x, eo = s+1 (e_k = s+1+k);
// around beta: em = s+1, eo = r+x (e_k = r+x+k); in both n_k = r+s+x+k. Derivatives are with
// respect to (em, cm, eo, co).
template <bool kAroundAlpha>
bool ParetoIntegralTables::Series(std::size_t x, const TimeTerms& lo, const TimeTerms& hi,
                                  PowerPairIntegral& out) const {
  const double dx = static_cast<double>(x);
  const double eo = kAroundAlpha ? s_ + 1.0 : r_ + dx;
  const double co = kAroundAlpha ? beta_ : alpha_;
  const double a_lo = (kAroundAlpha ? alpha_ : beta_) + lo.value;
  const double inv_a_lo = kAroundAlpha ? lo.inv_a : lo.inv_b;
  const double inv_a_hi = kAroundAlpha ? hi.inv_a : hi.inv_b;
  const double log_a_lo = kAroundAlpha ? lo.log_a : lo.log_b;
  const double z = kAroundAlpha ? lo.z_a : lo.z_b;
  const double m = r_ + s_ + dx;
  const double one_minus_q = (hi.value - lo.value) * inv_a_hi;
  const double log_q = log_a_lo - (kAroundAlpha ? hi.log_a : hi.log_b);
  const double q = a_lo * inv_a_hi;
  const double az = std::fabs(z);
  const double inv_az = 1.0 / az;
  const double peak = std::max(0.0, (eo - 1.0) * (kAroundAlpha ? lo.ratio_a : lo.ratio_b));
  const double* inv_n = inv_rs_.data() + x;
  const double* inv_e = kAroundAlpha ? inv_s1_.data() : inv_r_.data() + x;
  const double* inv_k1 = inv_k1_.data();

  const double ml = m * log_q;
  double p;  // q^(m+k)
  double d;  // 1 - q^(m+k), accurate near q = 1
  if (ml > -0.5) {
    d = -std::expm1(ml);
    p = 1.0 - d;
  } else {
    p = std::exp(ml);
    d = 1.0 - p;
  }
  double t = 1.0;   // (eo)_k / k! z^k
  double tz = 0.0;  // t_{k-1} (eo + k - 1)
  double h = 0.0;   // sum_{j<k} 1/(eo + j)
  double sum = 0, s_m = 0, s_b = 0, s_z = 0, s_tp = 0;
  bool converged = false;
  for (int k = 0; k < kMaxSeriesTerms; ++k) {
    const auto uk = static_cast<std::size_t>(k);
    const double dk = static_cast<double>(k);
    const double e = eo + dk;
    const double in = inv_n[uk];
    const double term = t * d * in;
    sum += term;
    s_m += t * (-p * log_q - d * in) * in;
    s_b += term * h;
    s_z += tz * d * in;
    s_tp += t * p;
    tz = t * e;
    h += inv_e[uk];
    t *= e * z * inv_k1[uk];
    d += p * one_minus_q;
    p *= q;
    if (t == 0.0) {
      s_z += tz * d * inv_n[uk + 1];
      converged = true;
      break;
    }
    const double k1 = dk + 1.0;
    if ((k & 3) == 3 && k1 > peak) {
      const double ratio = az * (e + 1.0) * inv_k1[uk + 1];
      const double rmax = std::max(ratio, az);
      if (rmax < 1.0) {
        // The remaining terms carry 1 - q^(m+j) <= (m+j) ln(1/q): when hi - lo is small,
        // they are smaller than the general bound by the factor min(1, (m+k+1) ln(1/q)).
        const double n1 = m + k1;
        if (std::fabs(t) * (1.0 + h + e + 1.0 + k1 * inv_az) * std::min(1.0, -n1 * log_q) <=
            1e-17 * std::fabs(sum) * n1 * (1.0 - rmax)) {
          converged = true;
          break;
        }
      }
    }
  }
  if (!converged || !(sum > 0) || !std::isfinite(sum)) return false;
  const double s_q = -s_tp / q;
  const double inv_sum = 1.0 / sum;
  out.log_value = -m * log_a_lo + std::log(sum);
  out.d_e1 = -log_a_lo + s_m * inv_sum;
  out.d_e2 = -log_a_lo + (s_m + s_b) * inv_sum;
  out.d_c1 = -m * inv_a_lo + (s_z * (co + lo.value) * inv_a_lo * inv_a_lo +
                              s_q * (hi.value - lo.value) * inv_a_hi * inv_a_hi) *
                                 inv_sum;
  out.d_c2 = -s_z * inv_a_lo * inv_sum;
  return std::isfinite(out.d_e1) && std::isfinite(out.d_e2) && std::isfinite(out.d_c1) &&
         std::isfinite(out.d_c2);
}

PowerPairIntegral ParetoIntegralTables::Compute(std::size_t x, std::uint32_t lo,
                                                std::uint32_t hi) const {
  const TimeTerms& tl = time_[lo];
  const TimeTerms& th = time_[hi];
  const double e1 = r_ + static_cast<double>(x);
  const double cost1 = TabledCost(tl.z_a, tl.ratio_a, tl.alt_a, s_ + 1.0);
  const double cost2 = TabledCost(tl.z_b, tl.ratio_b, tl.alt_b, e1);
  PowerPairIntegral out;
  if (std::min(cost1, cost2) <= 3000.0) {
    if (cost1 <= cost2) {
      if (Series<true>(x, tl, th, out)) return out;
    } else {
      PowerPairIntegral swapped;
      if (Series<false>(x, tl, th, swapped)) {
        out.log_value = swapped.log_value;
        out.d_e1 = swapped.d_e2;
        out.d_c1 = swapped.d_c2;
        out.d_e2 = swapped.d_e1;
        out.d_c2 = swapped.d_c1;
        return out;
      }
    }
  }
  return ComputePowerPairIntegral(e1, alpha_, s_ + 1.0, beta_, tl.value, th.value);
}

}  // namespace winback::models::internal
