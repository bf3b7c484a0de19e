#include "models/internal/bg_family.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "models/internal/parallel.h"
#include "models/special.h"

namespace winback::models::internal {
namespace {

constexpr std::size_t kChunk = 4096;

double Offset(BgVariant v) { return v == BgVariant::kMbg ? 1.0 : 0.0; }

// P(X(t) = n) of a customer alive at 0 who drops out only after purchases (the BG/NBD form).
double BgFormProbability(double r, double alpha, double a, double b, int n, double t,
                         bool dropout_at_zero) {
  if (n < 0) return 0.0;
  if (!(t > 0)) return n == 0 ? 1.0 : 0.0;
  const double dn = static_cast<double>(n);
  const double log_nb = LogGamma(r + dn) - LogGamma(r) - LogGamma(dn + 1.0) -
                        r * std::log1p(t / alpha) + dn * std::log(t / (alpha + t));
  const double log_beta_ab = LogBeta(a, b);
  const double z = t / (alpha + t);
  if (!dropout_at_zero) {
    double p = std::exp(LogBeta(a, b + dn) - log_beta_ab + log_nb);
    if (n > 0) {
      p += std::exp(LogBeta(a + 1.0, b + dn - 1.0) - log_beta_ab) *
           RegularizedIncompleteBeta(dn, r, z);
    }
    return p;
  }
  double p = std::exp(LogBeta(a, b + dn + 1.0) - log_beta_ab + log_nb);
  const double tail = n == 0 ? 1.0 : RegularizedIncompleteBeta(dn, r, z);
  p += std::exp(LogBeta(a + 1.0, b + dn) - log_beta_ab) * tail;
  return p;
}

}  // namespace

double BgLogLikelihood(BgVariant v, const BgParams& p, const CustomerRfm& c) {
  const double o = Offset(v);
  const double x = c.frequency;
  double ll = LogGamma(p.r + x) - LogGamma(p.r) + p.r * std::log(p.alpha) +
              LogGamma(p.b + x + o) - LogGamma(p.b) - LogGamma(p.a + p.b + x + o) +
              LogGamma(p.a + p.b);
  const double u1 = -(p.r + x) * std::log(p.alpha + c.age);
  if (x + o > 0) {
    const double u2 = std::log(p.a) - std::log(p.b + x + o - 1.0) -
                      (p.r + x) * std::log(p.alpha + c.recency);
    ll += LogAddExp(u1, u2);
  } else {
    ll += u1;
  }
  return ll;
}

double BgProbabilityAlive(BgVariant v, const BgParams& p, const CustomerRfm& c) {
  const double o = Offset(v);
  const double x = c.frequency;
  if (x + o <= 0) return 1.0;
  // P(alive) = 1 / (1 + a/(b+x+o-1) ((alpha+T)/(alpha+t_x))^(r+x)).
  const double log_odds_dead = std::log(p.a) - std::log(p.b + x + o - 1.0) +
                               (p.r + x) * std::log1p((c.age - c.recency) /
                                                      (p.alpha + c.recency));
  return Logistic(-log_odds_dead);
}

double BgConditionalExpected(BgVariant v, const BgParams& p, const CustomerRfm& c, double t) {
  const double x = c.frequency;
  return BgProbabilityAlive(v, p, c) *
         BgExpectedCount(p.r + x, p.alpha + c.age, p.a, p.b + x + Offset(v), t);
}

double BgExpected(BgVariant v, const BgParams& p, double t) {
  if (v == BgVariant::kBg) return BgExpectedCount(p.r, p.alpha, p.a, p.b, t);
  return p.b / (p.a + p.b) * BgExpectedCount(p.r, p.alpha, p.a, p.b + 1.0, t);
}

double BgProbabilityOfPurchases(BgVariant v, const BgParams& p, int n, double t) {
  return BgFormProbability(p.r, p.alpha, p.a, p.b, n, t, v == BgVariant::kMbg);
}

double BgConditionalProbabilityOfPurchases(BgVariant v, const BgParams& p, int n,
                                           const CustomerRfm& c, double t) {
  if (n < 0) return 0.0;
  const double alive = BgProbabilityAlive(v, p, c);
  const double x = c.frequency;
  const double q = BgFormProbability(p.r + x, p.alpha + c.age, p.a, p.b + x + Offset(v), n, t,
                                     /*dropout_at_zero=*/false);
  return alive * q + (n == 0 ? 1.0 - alive : 0.0);
}

double BgGroupLikelihood::operator()(std::span<const double> theta, const Groups& data,
                                     std::span<double> grad) const {
  const double r = theta[0];
  const double alpha = theta[1];
  const double a = theta[2];
  const double b = theta[3];
  const double o = Offset(variant_);
  const auto shift = static_cast<std::size_t>(o);
  double max_x = 0;
  for (double x : data.a) max_x = std::max(max_x, x);
  const auto max_k = static_cast<std::size_t>(max_x);
  LogPochhammerTable tr, tb, tab;
  tr.Reset(r, max_k);
  tb.Reset(b, max_k + shift);
  tab.Reset(a + b, max_k + shift);
  // Per frequency: the constant part of ln L and of its gradient, and ln/inv of b+x+o-1.
  std::vector<double> constant(max_k + 1), log_b1(max_k + 1), inv_b1(max_k + 1);
  const double log_alpha = std::log(alpha);
  const double log_a = std::log(a);
  for (std::size_t k = 0; k <= max_k; ++k) {
    constant[k] = tr.log(k) + r * log_alpha + tb.log(k + shift) - tab.log(k + shift);
    const double b1 = b + static_cast<double>(k) + o - 1.0;
    log_b1[k] = b1 > 0 ? std::log(b1) : 0.0;
    inv_b1[k] = b1 > 0 ? 1.0 / b1 : 0.0;
  }
  const std::size_t n = data.size();
  const std::size_t chunks = ChunkCount(n, kChunk);
  std::vector<std::array<double, 5>> partial(chunks);
  ForEachChunk(n, kChunk, threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    double ll = 0, g_r = 0, g_alpha = 0, g_a = 0, g_b = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const double x = data.a[i];
      const auto k = static_cast<std::size_t>(x);
      const double w = data.weight[i];
      const double rx = r + x;
      const double log_at = std::log(alpha + data.c[i]);
      const double u1 = -rx * log_at;
      double lse = u1;
      double w2 = 0.0;
      double log_ax = 0.0;
      if (x + o > 0) {
        log_ax = std::log(alpha + data.b[i]);
        const double u2 = log_a - log_b1[k] - rx * log_ax;
        const double d = u1 - u2;
        const double e = std::exp(-std::fabs(d));
        lse = std::max(u1, u2) + std::log1p(e);
        w2 = d >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
      }
      const double w1 = 1.0 - w2;
      ll += w * (constant[k] + lse);
      g_r += w * (tr.digamma(k) + log_alpha - w1 * log_at - w2 * log_ax);
      g_alpha += w * (r / alpha - rx * (w1 / (alpha + data.c[i]) +
                                        (w2 > 0 ? w2 / (alpha + data.b[i]) : 0.0)));
      g_a += w * (-tab.digamma(k + shift) + w2 / a);
      g_b += w * (tb.digamma(k + shift) - tab.digamma(k + shift) - w2 * inv_b1[k]);
    }
    partial[chunk] = {ll, g_r, g_alpha, g_a, g_b};
  });
  double total = 0;
  for (double& g : grad) g = 0;
  for (const auto& p : partial) {
    total += p[0];
    for (std::size_t j = 0; j < 4; ++j) grad[j] += p[j + 1];
  }
  return total;
}

}  // namespace winback::models::internal
