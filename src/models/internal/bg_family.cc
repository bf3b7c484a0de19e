#include "models/internal/bg_family.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "core/check.h"
#include "core/parallel.h"
#include "models/internal/fit_driver.h"
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
  double ll = LogGamma(p.r + x) - LogGamma(p.r) + p.r * std::log(p.alpha) + LogGamma(p.b + x + o) -
              LogGamma(p.b) - LogGamma(p.a + p.b + x + o) + LogGamma(p.a + p.b);
  const double u1 = -(p.r + x) * std::log(p.alpha + c.age);
  if (x + o > 0) {
    const double u2 =
        std::log(p.a) - std::log(p.b + x + o - 1.0) - (p.r + x) * std::log(p.alpha + c.recency);
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
                               (p.r + x) * std::log1p((c.age - c.recency) / (p.alpha + c.recency));
  return Logistic(-log_odds_dead);
}

double BgExpectedIfAlive(BgVariant v, const BgParams& p, double x, double age, double t) {
  return BgExpectedCount(p.r + x, p.alpha + age, p.a, p.b + x + Offset(v), t);
}

double BgConditionalExpected(BgVariant v, const BgParams& p, const CustomerRfm& c, double t) {
  return BgProbabilityAlive(v, p, c) * BgExpectedIfAlive(v, p, c.frequency, c.age, t);
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
  return Evaluate(theta, data, grad, {});
}

namespace {

// Per-evaluation tables shared by all groups.
struct BgTables {
  double r, alpha, a, b, o;
  std::size_t shift;
  LogPochhammerTable tr, tb, tab;
  std::vector<double> constant, log_b1, inv_b1;  // per frequency k
  std::vector<double> log_av, inv_av;            // per distinct time value v
  double log_alpha, log_a;
};

// Partial sums over one chunk: ln L, the gradient (4) and the upper triangle of the Hessian
// (rr, r alpha, r a, r b, alpha alpha, alpha a, alpha b, aa, ab, bb).
using BgPartial = std::array<double, 15>;

template <bool kHessian>
BgPartial BgChunk(const BgTables& t, const Groups& data, std::size_t begin, std::size_t end) {
  const double r = t.r, alpha = t.alpha, a = t.a, o = t.o;
  const std::size_t shift = t.shift;
  const double inv_a = 1.0 / a;
  double ll = 0, g_r = 0, g_alpha = 0, g_a = 0, g_b = 0;
  double h_rr = 0, h_ral = 0, h_ra = 0, h_rb = 0, h_alal = 0, h_ala = 0, h_alb = 0, h_aa = 0,
         h_ab = 0, h_bb = 0;
  const double* xs = data.a.data();
  const double* ws = data.weight.data();
  const std::uint32_t* bc = data.b_code.data();
  const std::uint32_t* cc = data.c_code.data();
  for (std::size_t i = begin; i < end; ++i) {
    const double x = xs[i];
    const auto k = static_cast<std::size_t>(x);
    const double w = ws[i];
    const double rx = r + x;
    const double log_at = t.log_av[cc[i]];
    const double inv_at = t.inv_av[cc[i]];
    const double u1 = -rx * log_at;
    double lse = u1;
    double w2 = 0.0;
    double log_ax = 0.0;
    double inv_ax = 0.0;
    if (x + o > 0) {
      log_ax = t.log_av[bc[i]];
      inv_ax = t.inv_av[bc[i]];
      const double u2 = t.log_a - t.log_b1[k] - rx * log_ax;
      const double d = u1 - u2;
      const double e = std::exp(-std::fabs(d));
      // ln(1 + e) for e in (0, 1]: rounding 1 + e costs at most ~1e-16 absolute, far below
      // what matters in a sum of log-likelihoods, and std::log is much faster than log1p.
      const double one_plus_e = 1.0 + e;
      lse = std::max(u1, u2) + std::log(one_plus_e);
      w2 = (d >= 0 ? e : 1.0) / one_plus_e;
    }
    const double w1 = 1.0 - w2;
    ll += w * (t.constant[k] + lse);
    g_r += w * (t.tr.digamma(k) + t.log_alpha - w1 * log_at - w2 * log_ax);
    g_alpha += w * (r / alpha - rx * (w1 * inv_at + w2 * inv_ax));
    g_a += w * (-t.tab.digamma(k + shift) + w2 * inv_a);
    g_b += w * (t.tb.digamma(k + shift) - t.tab.digamma(k + shift) - w2 * t.inv_b1[k]);
    if constexpr (kHessian) {
      // ln L = C + ln(e^u1 + e^u2): Hessian = d2C + w1 d2u1 + w2 d2u2 + w1 w2 dd', where
      // d = grad u1 - grad u2 = (ln(alpha+t_x) - ln(alpha+T), (r+x)(1/(alpha+t_x) -
      // 1/(alpha+T)), -1/a, 1/(b+x+o-1)).
      const double tab2 = t.tab.trigamma(k + shift);
      double rr = t.tr.trigamma(k);
      double ral = 1.0 / alpha - (w1 * inv_at + w2 * inv_ax);
      double alal = -r / (alpha * alpha) + rx * (w1 * inv_at * inv_at + w2 * inv_ax * inv_ax);
      double aa = -tab2 - w2 * inv_a * inv_a;
      double ab = -tab2;
      double bb = t.tb.trigamma(k + shift) - tab2 + w2 * t.inv_b1[k] * t.inv_b1[k];
      double ra = 0, rb = 0, ala = 0, alb = 0;
      if (w2 > 0) {
        const double c = w1 * w2;
        const double d_r = log_ax - log_at;
        const double d_al = rx * (inv_ax - inv_at);
        const double d_a = -inv_a;
        const double d_b = t.inv_b1[k];
        rr += c * d_r * d_r;
        ral += c * d_r * d_al;
        ra = c * d_r * d_a;
        rb = c * d_r * d_b;
        alal += c * d_al * d_al;
        ala = c * d_al * d_a;
        alb = c * d_al * d_b;
        aa += c * d_a * d_a;
        ab += c * d_a * d_b;
        bb += c * d_b * d_b;
      }
      h_rr += w * rr;
      h_ral += w * ral;
      h_ra += w * ra;
      h_rb += w * rb;
      h_alal += w * alal;
      h_ala += w * ala;
      h_alb += w * alb;
      h_aa += w * aa;
      h_ab += w * ab;
      h_bb += w * bb;
    }
  }
  return {ll,   g_r,    g_alpha, g_a,   g_b,  h_rr, h_ral, h_ra,
          h_rb, h_alal, h_ala,   h_alb, h_aa, h_ab, h_bb};
}

}  // namespace

double BgGroupLikelihood::Evaluate(std::span<const double> theta, const Groups& data,
                                   std::span<double> grad, std::span<double> hess) const {
  BgTables t;
  t.r = theta[0];
  t.alpha = theta[1];
  t.a = theta[2];
  t.b = theta[3];
  t.o = Offset(variant_);
  t.shift = static_cast<std::size_t>(t.o);
  double max_x = 0;
  for (double x : data.a) max_x = std::max(max_x, x);
  const auto max_k = static_cast<std::size_t>(max_x);
  t.tr.Reset(t.r, max_k);
  t.tb.Reset(t.b, max_k + t.shift);
  t.tab.Reset(t.a + t.b, max_k + t.shift);
  // Per frequency: the constant part of ln L, and ln/inv of b+x+o-1.
  t.constant.resize(max_k + 1);
  t.log_b1.resize(max_k + 1);
  t.inv_b1.resize(max_k + 1);
  t.log_alpha = std::log(t.alpha);
  t.log_a = std::log(t.a);
  for (std::size_t k = 0; k <= max_k; ++k) {
    t.constant[k] =
        t.tr.log(k) + t.r * t.log_alpha + t.tb.log(k + t.shift) - t.tab.log(k + t.shift);
    const double b1 = t.b + static_cast<double>(k) + t.o - 1.0;
    t.log_b1[k] = b1 > 0 ? std::log(b1) : 0.0;
    t.inv_b1[k] = b1 > 0 ? 1.0 / b1 : 0.0;
  }
  // Per distinct time value v (a t_x or a T): ln(alpha + v) and 1 / (alpha + v), so that a
  // group costs one exp and one log1p instead of four transcendental calls.
  const std::size_t values = data.values.size();
  t.log_av.resize(values);
  t.inv_av.resize(values);
  for (std::size_t j = 0; j < values; ++j) {
    t.log_av[j] = std::log(t.alpha + data.values[j]);
    t.inv_av[j] = 1.0 / (t.alpha + data.values[j]);
  }
  const std::size_t n = data.size();
  WINBACK_CHECK(data.b_code.size() == n && data.c_code.size() == n);
  const bool hessian = !hess.empty();
  std::vector<BgPartial> partial(ChunkCount(n, kChunk));
  ForEachChunk(n, kChunk, threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    partial[chunk] =
        hessian ? BgChunk<true>(t, data, begin, end) : BgChunk<false>(t, data, begin, end);
  });
  BgPartial total{};
  for (const BgPartial& p : partial) {
    for (std::size_t j = 0; j < total.size(); ++j) total[j] += p[j];
  }
  for (std::size_t j = 0; j < 4; ++j) grad[j] = total[j + 1];
  if (hessian) {
    // Upper triangle order: (0,0) (0,1) (0,2) (0,3) (1,1) (1,2) (1,3) (2,2) (2,3) (3,3).
    std::size_t m = 5;
    for (std::size_t i = 0; i < 4; ++i) {
      for (std::size_t j = i; j < 4; ++j) {
        hess[i * 4 + j] = total[m];
        hess[j * 4 + i] = total[m];
        ++m;
      }
    }
  }
  return total[0];
}

Result<FitReport> FitBgFamily(BgVariant v, std::string_view model_name, const SummaryTable& data,
                              const FitOptions& options) {
  const int threads = ResolveThreads(options.threads);
  WINBACK_ASSIGN_OR_RETURN(Groups groups, GroupRfm(data, threads));
  std::vector<double> start = options.initial;
  if (start.empty()) start = {1.0, DefaultAlpha(groups), 1.0, 1.0};
  if (start.size() != 4) {
    return InvalidArgumentError(std::string(model_name) + " needs 4 starting values");
  }
  const BgGroupLikelihood ll(v, threads);
  const GroupLogLikelihoodHessian with_hessian =
      [&ll](std::span<const double> theta, const Groups& g, std::span<double> grad,
            std::span<double> hess) { return ll.Evaluate(theta, g, grad, hess); };
  return RunNewtonFit(with_hessian, groups, {"r", "alpha", "a", "b"}, start, options, data.size());
}

}  // namespace winback::models::internal
