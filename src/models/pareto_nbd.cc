#include "models/pareto_nbd.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/check.h"
#include "core/parallel.h"
#include "models/internal/fit_driver.h"
#include "models/internal/likelihoods.h"
#include "models/internal/pareto_integral.h"
#include "models/special.h"

namespace winback::models {
namespace {

constexpr std::size_t kChunk = 256;

// The log-likelihood of one customer without the ln (r)_x + r ln alpha + s ln beta part, and
// its derivatives with respect to (r, alpha, s, beta); also the P(alive) weight.
struct Core {
  double log_sum = 0;  // ln[(alpha+T)^-(r+x) (beta+T)^-s + s I]
  double p_alive = 1;  // first term / sum
  double d_r = 0, d_alpha = 0, d_s = 0, d_beta = 0;
};

Core EvaluateCore(const ParetoNbdParams& p, double log_s, double x, double t_x, double t_cal,
                  bool derivatives) {
  Core c;
  const double rx = p.r + x;
  const double log_at = std::log(p.alpha + t_cal);
  const double log_bt = std::log(p.beta + t_cal);
  const double log_first = -rx * log_at - p.s * log_bt;
  if (!(t_cal > t_x)) {
    c.log_sum = log_first;
    if (derivatives) {
      c.d_r = -log_at;
      c.d_alpha = -rx / (p.alpha + t_cal);
      c.d_s = -log_bt;
      c.d_beta = -p.s / (p.beta + t_cal);
    }
    return c;
  }
  const internal::PowerPairIntegral integral =
      internal::ComputePowerPairIntegral(rx, p.alpha, p.s + 1.0, p.beta, t_x, t_cal);
  const double log_second = log_s + integral.log_value;
  const double diff = log_first - log_second;
  const double e = std::exp(-std::fabs(diff));
  c.log_sum = std::max(log_first, log_second) + std::log1p(e);
  const double w1 = diff >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  const double w2 = 1.0 - w1;
  c.p_alive = w1;
  if (derivatives) {
    c.d_r = w1 * -log_at + w2 * integral.d_e1;
    c.d_alpha = w1 * (-rx / (p.alpha + t_cal)) + w2 * integral.d_c1;
    c.d_s = w1 * -log_bt + w2 * (1.0 / p.s + integral.d_e2);
    c.d_beta = w1 * (-p.s / (p.beta + t_cal)) + w2 * integral.d_c2;
  }
  return c;
}

// EvaluateCore for the likelihood: the same quantities, with the per-time logarithms and the
// integral from tables prepared once per parameter point (see ParetoIntegralTables).
Core EvaluateCoreTabled(const ParetoNbdParams& p, double log_s,
                        const internal::ParetoIntegralTables& tables, double x, std::size_t k,
                        std::uint32_t tx_code, std::uint32_t t_code, double t_x, double t_cal) {
  Core c;
  const double rx = p.r + x;
  const double log_at = tables.log_alpha_plus(t_code);
  const double log_bt = tables.log_beta_plus(t_code);
  const double d_alpha_first = -rx * tables.inv_alpha_plus(t_code);
  const double d_beta_first = -p.s * tables.inv_beta_plus(t_code);
  const double log_first = -rx * log_at - p.s * log_bt;
  if (!(t_cal > t_x)) {
    c.log_sum = log_first;
    c.d_r = -log_at;
    c.d_alpha = d_alpha_first;
    c.d_s = -log_bt;
    c.d_beta = d_beta_first;
    return c;
  }
  const internal::PowerPairIntegral integral = tables.Compute(k, tx_code, t_code);
  const double log_second = log_s + integral.log_value;
  const double diff = log_first - log_second;
  const double e = std::exp(-std::fabs(diff));
  c.log_sum = std::max(log_first, log_second) + std::log1p(e);
  const double w1 = (diff >= 0 ? 1.0 : e) / (1.0 + e);
  const double w2 = 1.0 - w1;
  c.p_alive = w1;
  c.d_r = w1 * -log_at + w2 * integral.d_e1;
  c.d_alpha = w1 * d_alpha_first + w2 * integral.d_c1;
  c.d_s = w1 * -log_bt + w2 * (1.0 / p.s + integral.d_e2);
  c.d_beta = w1 * d_beta_first + w2 * integral.d_c2;
  return c;
}

// [1 - exp(-u L)] / u, continuous at u = 0 (value L).
double ExpRatio(double u, double l) {
  const double ul = u * l;
  if (std::fabs(ul) < 1e-10) return l * (1.0 - 0.5 * ul);
  return -std::expm1(-ul) / u;
}

double ParetoProbability(const ParetoNbdParams& p, int n, double t) {
  if (n < 0) return 0.0;
  if (!(t > 0)) return n == 0 ? 1.0 : 0.0;
  const double dn = static_cast<double>(n);
  const double log_coef = LogGamma(p.r + dn) - LogGamma(p.r) - LogGamma(dn + 1.0);
  auto log_nb = [&](double tau) {
    double v = log_coef - p.r * std::log1p(tau / p.alpha);
    if (n > 0) v += dn * std::log(tau / (p.alpha + tau));
    return v;
  };
  const double alive = std::exp(log_nb(t) - p.s * std::log1p(t / p.beta));
  const double log_death = std::log(p.s) + p.s * std::log(p.beta);
  auto integrand = [&](double tau) {
    if (n > 0 && tau <= 0) return 0.0;
    return std::exp(log_death - (p.s + 1.0) * std::log(p.beta + tau) + log_nb(tau));
  };
  return alive + AdaptiveIntegrate(integrand, 0.0, t, 1e-10);
}

class ParetoGroupLikelihood {
 public:
  explicit ParetoGroupLikelihood(int threads) : threads_(threads) {}
  double operator()(std::span<const double> theta, const internal::Groups& data,
                    std::span<double> grad) const {
    const ParetoNbdParams p{theta[0], theta[1], theta[2], theta[3]};
    double max_x = 0;
    for (double x : data.a) max_x = std::max(max_x, x);
    const auto max_k = static_cast<std::size_t>(max_x);
    LogPochhammerTable tr;
    tr.Reset(p.r, max_k);
    const internal::ParetoIntegralTables tables(p.r, p.alpha, p.s, p.beta, max_k, data.values);
    WINBACK_CHECK(data.b_code.size() == data.size() && data.c_code.size() == data.size());
    const double constant = p.r * std::log(p.alpha) + p.s * std::log(p.beta);
    const double d_alpha0 = p.r / p.alpha;
    const double d_beta0 = p.s / p.beta;
    const double log_alpha = std::log(p.alpha);
    const double log_beta = std::log(p.beta);
    const double log_s = std::log(p.s);
    const std::size_t n = data.size();
    std::vector<std::array<double, 5>> partial(ChunkCount(n, kChunk));
    ForEachChunk(n, kChunk, threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      std::array<double, 5> acc = {0, 0, 0, 0, 0};
      for (std::size_t i = begin; i < end; ++i) {
        const double x = data.a[i];
        const auto k = static_cast<std::size_t>(x);
        const double w = data.weight[i];
        const Core c = EvaluateCoreTabled(p, log_s, tables, x, k, data.b_code[i], data.c_code[i],
                                          data.b[i], data.c[i]);
        acc[0] += w * (tr.log(k) + constant + c.log_sum);
        acc[1] += w * (tr.digamma(k) + log_alpha + c.d_r);
        acc[2] += w * (d_alpha0 + c.d_alpha);
        acc[3] += w * (log_beta + c.d_s);
        acc[4] += w * (d_beta0 + c.d_beta);
      }
      partial[chunk] = acc;
    });
    double total = 0;
    for (double& g : grad) g = 0;
    for (const auto& a : partial) {
      total += a[0];
      for (std::size_t j = 0; j < 4; ++j) grad[j] += a[j + 1];
    }
    return total;
  }

 private:
  int threads_;
};

}  // namespace

namespace internal {
GroupLogLikelihood ParetoGroupLogLikelihood(int threads) { return ParetoGroupLikelihood(threads); }
}  // namespace internal

Status ValidateParetoNbdParams(const ParetoNbdParams& p) {
  for (double v : {p.r, p.alpha, p.s, p.beta}) {
    if (!std::isfinite(v) || !(v > 0)) {
      return InvalidArgumentError("Pareto/NBD parameters r, alpha, s, beta must be finite and > 0");
    }
  }
  return Status::Ok();
}

Result<ParetoNbdModel> ParetoNbdModel::Create(const ParetoNbdParams& params) {
  WINBACK_RETURN_IF_ERROR(ValidateParetoNbdParams(params));
  return ParetoNbdModel(params);
}

double ParetoNbdModel::LogLikelihood(const CustomerRfm& c) const {
  const Core core =
      EvaluateCore(params_, std::log(params_.s), c.frequency, c.recency, c.age, false);
  return LogGamma(params_.r + c.frequency) - LogGamma(params_.r) +
         params_.r * std::log(params_.alpha) + params_.s * std::log(params_.beta) + core.log_sum;
}

double ParetoNbdModel::ProbabilityAlive(const CustomerRfm& c) const {
  return EvaluateCore(params_, std::log(params_.s), c.frequency, c.recency, c.age, false).p_alive;
}

double ParetoNbdModel::ExpectedPurchasesIfAlive(double frequency, double age, double t) const {
  if (!(t > 0)) return 0.0;
  // (r+x)/(alpha+T) * (beta+T) [1 - ((beta+T)/(beta+T+t))^(s-1)] / (s-1).
  const double bt = params_.beta + age;
  return (params_.r + frequency) / (params_.alpha + age) * bt *
         ExpRatio(params_.s - 1.0, std::log1p(t / bt));
}

double ParetoNbdModel::ConditionalExpectedPurchases(const CustomerRfm& c, double t) const {
  if (!(t > 0)) return 0.0;
  return ProbabilityAlive(c) * ExpectedPurchasesIfAlive(c.frequency, c.age, t);
}

double ParetoNbdModel::ExpectedPurchases(double t) const {
  if (!(t > 0)) return 0.0;
  return params_.r / params_.alpha * params_.beta *
         ExpRatio(params_.s - 1.0, std::log1p(t / params_.beta));
}

double ParetoNbdModel::ProbabilityOfPurchases(int n, double t) const {
  return ParetoProbability(params_, n, t);
}

double ParetoNbdModel::ConditionalProbabilityOfPurchases(int n, const CustomerRfm& c,
                                                         double t) const {
  if (n < 0) return 0.0;
  const double alive = ProbabilityAlive(c);
  const ParetoNbdParams posterior{params_.r + c.frequency, params_.alpha + c.age, params_.s,
                                  params_.beta + c.age};
  return alive * ParetoProbability(posterior, n, t) + (n == 0 ? 1.0 - alive : 0.0);
}

Result<ParetoNbdFit> FitParetoNbd(const SummaryTable& data, const FitOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(internal::Groups groups,
                           internal::GroupRfm(data, ResolveThreads(options.threads)));
  std::vector<double> start = options.initial;
  if (start.empty()) {
    const double alpha = internal::DefaultAlpha(groups);
    start = {1.0, alpha, 1.0, alpha};
  }
  if (start.size() != 4) return InvalidArgumentError("Pareto/NBD needs 4 starting values");
  const internal::GroupLogLikelihood ll =
      internal::ParetoGroupLogLikelihood(ResolveThreads(options.threads));
  WINBACK_ASSIGN_OR_RETURN(
      FitReport report,
      internal::RunFit(ll, groups, {"r", "alpha", "s", "beta"}, start, options, data.size()));
  WINBACK_ASSIGN_OR_RETURN(ParetoNbdModel model,
                           ParetoNbdModel::Create({report.estimates[0], report.estimates[1],
                                                   report.estimates[2], report.estimates[3]}));
  return ParetoNbdFit{model, std::move(report)};
}

}  // namespace winback::models
