#include "models/gamma_gamma.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "core/parallel.h"
#include "models/internal/fit_driver.h"
#include "models/internal/likelihoods.h"
#include "models/special.h"

namespace winback::models {
namespace {

constexpr std::size_t kChunk = 4096;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Groups: a = x, b = m_x.
class GammaGammaGroupLikelihood {
 public:
  explicit GammaGammaGroupLikelihood(int threads) : threads_(threads) {}
  double operator()(std::span<const double> theta, const internal::Groups& data,
                    std::span<double> grad) const {
    const double p = theta[0];
    const double q = theta[1];
    const double g = theta[2];
    double max_x = 0;
    for (double x : data.a) max_x = std::max(max_x, x);
    const auto max_k = static_cast<std::size_t>(max_x);
    // Per frequency x: ln Gamma(px+q) - ln Gamma(px) and its digamma counterparts.
    std::vector<char> present(max_k + 1, 0);
    for (double x : data.a) present[static_cast<std::size_t>(x)] = 1;
    std::vector<double> log_ratio(max_k + 1, 0.0), psi_pq(max_k + 1, 0.0), psi_p(max_k + 1, 0.0);
    for (std::size_t k = 1; k <= max_k; ++k) {
      if (!present[k]) continue;
      const double px = p * static_cast<double>(k);
      log_ratio[k] = LogGamma(px + q) - LogGamma(px);
      psi_pq[k] = Digamma(px + q);
      psi_p[k] = Digamma(px);
    }
    const double constant = -LogGamma(q) + q * std::log(g);
    const double psi_q = Digamma(q);
    const double log_g = std::log(g);
    const std::size_t n = data.size();
    std::vector<std::array<double, 4>> partial(ChunkCount(n, kChunk));
    ForEachChunk(n, kChunk, threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      std::array<double, 4> acc = {0, 0, 0, 0};
      for (std::size_t i = begin; i < end; ++i) {
        const double x = data.a[i];
        const double m = data.b[i];
        const auto k = static_cast<std::size_t>(x);
        const double w = data.weight[i];
        const double px = p * x;
        const double log_m = std::log(m);
        const double log_x = std::log(x);
        const double log_gxm = std::log(g + x * m);
        acc[0] +=
            w * (log_ratio[k] + constant + (px - 1.0) * log_m + px * log_x - (px + q) * log_gxm);
        acc[1] += w * x * (psi_pq[k] - psi_p[k] + log_m + log_x - log_gxm);
        acc[2] += w * (psi_pq[k] - psi_q + log_g - log_gxm);
        acc[3] += w * (q / g - (px + q) / (g + x * m));
      }
      partial[chunk] = acc;
    });
    double total = 0;
    for (double& v : grad) v = 0;
    for (const auto& a : partial) {
      total += a[0];
      for (std::size_t j = 0; j < 3; ++j) grad[j] += a[j + 1];
    }
    return total;
  }

 private:
  int threads_;
};

}  // namespace

namespace internal {
GroupLogLikelihood GammaGammaGroupLogLikelihood(int threads) {
  return GammaGammaGroupLikelihood(threads);
}
}  // namespace internal

Status ValidateGammaGammaParams(const GammaGammaParams& params) {
  for (double v : {params.p, params.q, params.gamma}) {
    if (!std::isfinite(v) || !(v > 0)) {
      return InvalidArgumentError("Gamma-Gamma parameters p, q, gamma must be finite and > 0");
    }
  }
  return Status::Ok();
}

Result<GammaGammaModel> GammaGammaModel::Create(const GammaGammaParams& params) {
  WINBACK_RETURN_IF_ERROR(ValidateGammaGammaParams(params));
  return GammaGammaModel(params);
}

double GammaGammaModel::LogLikelihood(double x, double m_x) const {
  const double px = params_.p * x;
  return LogGamma(px + params_.q) - LogGamma(px) - LogGamma(params_.q) +
         params_.q * std::log(params_.gamma) + (px - 1.0) * std::log(m_x) + px * std::log(x) -
         (px + params_.q) * std::log(params_.gamma + x * m_x);
}

double GammaGammaModel::PopulationMeanValue() const {
  return params_.q > 1.0 ? params_.p * params_.gamma / (params_.q - 1.0) : kInf;
}

Status GammaGammaModel::CheckFiniteMean() const {
  if (params_.q > 1.0) return Status::Ok();
  return FailedPreconditionError("gamma-gamma q <= 1: the mean spend is infinite");
}

Result<GammaGammaFit> FitGammaGamma(const SummaryTable& data, const FitOptions& options) {
  if (!data.has_monetary_value()) {
    return InvalidArgumentError("the summary has no monetary_value column");
  }
  WINBACK_RETURN_IF_ERROR(ValidateSummaryTable(data));
  std::vector<double> x, m, zero;
  std::size_t repeat_buyers = 0;
  for (std::size_t i = 0; i < data.size(); ++i)
    if (data.frequency[i] > 0) ++repeat_buyers;
  x.reserve(repeat_buyers);
  m.reserve(repeat_buyers);
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data.frequency[i] <= 0) continue;
    if (!(data.monetary_value[i] > 0)) {
      std::string where = "row " + std::to_string(i);
      if (data.has_ids()) where += " (id " + data.ids[i] + ")";
      return InvalidArgumentError(where + ": monetary value must be > 0 when frequency > 0");
    }
    x.push_back(data.frequency[i]);
    m.push_back(data.monetary_value[i]);
  }
  if (x.empty()) {
    return InvalidArgumentError("no customer has a repeat purchase: nothing to fit");
  }
  zero.assign(x.size(), 0.0);
  const internal::Groups groups = internal::GroupTriples(x, m, zero, {}, false);
  std::vector<double> start = options.initial;
  if (start.empty()) {
    double sum = 0;
    for (double v : m) sum += v;
    start = {1.0, 3.0, 2.0 * sum / static_cast<double>(m.size())};
  }
  if (start.size() != 3) return InvalidArgumentError("Gamma-Gamma needs 3 starting values");
  const internal::GroupLogLikelihood ll =
      internal::GammaGammaGroupLogLikelihood(ResolveThreads(options.threads));
  WINBACK_ASSIGN_OR_RETURN(FitReport report, internal::RunFit(ll, groups, {"p", "q", "gamma"},
                                                              start, options, x.size()));
  WINBACK_ASSIGN_OR_RETURN(
      GammaGammaModel model,
      GammaGammaModel::Create({report.estimates[0], report.estimates[1], report.estimates[2]}));
  return GammaGammaFit{model, std::move(report)};
}

}  // namespace winback::models
