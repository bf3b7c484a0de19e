#include "models/internal/fit_driver.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "models/internal/validate.h"
#include "models/optimizer.h"

namespace winback::models::internal {
namespace {

constexpr double kMaxLogParameter = 35.0;  // parameters stay within e^-35 .. e^35
// Newton fits (cheap iterations, few of them) warm-start only on large inputs; BFGS fits, whose
// many early iterations are spent far from the optimum, already on moderate ones.
constexpr std::size_t kNewtonWarmStartThreshold = 50'000;
constexpr std::size_t kNewtonWarmStartTarget = 20'000;
constexpr std::size_t kBfgsWarmStartThreshold = 4'000;
constexpr std::size_t kBfgsWarmStartTarget = 2'000;

// The mean negative log-likelihood per customer as a function of log(theta).
Objective MakeObjective(const GroupLogLikelihood& ll, const Groups& data, double total_weight,
                        int& evaluations) {
  return [&ll, &data, total_weight, &evaluations](std::span<const double> z,
                                                  std::span<double> grad) -> double {
    ++evaluations;
    const std::size_t k = z.size();
    std::vector<double> theta(k);
    for (std::size_t i = 0; i < k; ++i) {
      if (!(std::fabs(z[i]) <= kMaxLogParameter)) {
        return std::numeric_limits<double>::infinity();
      }
      theta[i] = std::exp(z[i]);
    }
    std::vector<double> g(k, 0.0);
    const double value = ll(theta, data, g);
    for (std::size_t i = 0; i < k; ++i) grad[i] = -g[i] * theta[i] / total_weight;
    return -value / total_weight;
  };
}

// The mean negative log-likelihood per customer as a function of z = log(theta), with
//   d f/d z_i = -theta_i g_i / W,
//   d2 f/(d z_i d z_j) = -(theta_i theta_j H_ij + [i = j] theta_i g_i) / W,
// g and H the gradient and Hessian of the log-likelihood in theta, W the total weight.
ObjectiveWithHessian MakeObjectiveWithHessian(const GroupLogLikelihoodHessian& ll,
                                              const Groups& data, double total_weight,
                                              int& evaluations) {
  return [&ll, &data, total_weight, &evaluations](std::span<const double> z, std::span<double> grad,
                                                  std::span<double> hess) -> double {
    ++evaluations;
    const std::size_t k = z.size();
    std::vector<double> theta(k);
    for (std::size_t i = 0; i < k; ++i) {
      if (!(std::fabs(z[i]) <= kMaxLogParameter)) {
        return std::numeric_limits<double>::infinity();
      }
      theta[i] = std::exp(z[i]);
    }
    std::vector<double> g(k, 0.0);
    std::vector<double> h(hess.empty() ? 0 : k * k, 0.0);
    const double value = ll(theta, data, g, h);
    for (std::size_t i = 0; i < k; ++i) grad[i] = -g[i] * theta[i] / total_weight;
    if (!hess.empty()) {
      for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
          hess[i * k + j] =
              -(theta[i] * theta[j] * h[i * k + j] + (i == j ? theta[i] * g[i] : 0.0)) /
              total_weight;
        }
      }
    }
    return -value / total_weight;
  };
}

FitReport StartReport(std::vector<std::string> names, const Groups& data, std::size_t customers) {
  FitReport report;
  report.parameter_names = std::move(names);
  report.customers = customers;
  report.distinct = data.size();
  return report;
}

Status CheckStart(const std::vector<double>& start, double total_weight) {
  for (double v : start) {
    if (!(v > 0) || !std::isfinite(v)) {
      return InvalidArgumentError("starting values must be positive and finite");
    }
  }
  if (!(total_weight > 0)) return InvalidArgumentError("no customers to fit");
  return Status::Ok();
}

// Estimates, log-likelihood and convergence from the minimiser's result.
void FillEstimates(const MinimizeResult& result, double total_weight, FitReport& report) {
  const std::size_t k = result.x.size();
  report.iterations = result.iterations;
  report.converged = result.converged;
  report.message = result.message;
  report.log_likelihood = -result.value * total_weight;
  report.estimates.resize(k);
  for (std::size_t i = 0; i < k; ++i) report.estimates[i] = std::exp(result.x[i]);
  report.standard_errors.assign(k, std::numeric_limits<double>::quiet_NaN());
}

// Standard errors from the Hessian of the mean negative log-likelihood in log(theta).
void FillStandardErrors(std::vector<double> hessian, double total_weight, FitReport& report) {
  const std::size_t k = report.estimates.size();
  for (double& v : hessian) v *= total_weight;
  Result<std::vector<double>> cov_log = InvertSymmetricPositiveDefinite(hessian, k);
  if (!cov_log.ok()) {
    report.message += "; Hessian not positive definite, no standard errors";
    return;
  }
  report.covariance.resize(k * k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      report.covariance[i * k + j] =
          (*cov_log)[i * k + j] * report.estimates[i] * report.estimates[j];
    }
    report.standard_errors[i] = std::sqrt(report.covariance[i * k + i]);
  }
}

std::vector<double> LogOf(const std::vector<double>& v) {
  std::vector<double> z(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) z[i] = std::log(v[i]);
  return z;
}

double TotalWeight(const Groups& g) {
  return std::accumulate(g.weight.begin(), g.weight.end(), 0.0);
}

// What both drivers start from: the report's header, the total weight, the starting point in
// log-parameters and the minimiser's options.
struct FitStart {
  FitReport report;
  double total_weight;
  std::vector<double> z;
  MinimizeOptions mopts;
};

Result<FitStart> BeginFit(std::vector<std::string> names, const Groups& data,
                          const std::vector<double>& start, const FitOptions& options,
                          std::size_t customers) {
  FitStart b{StartReport(std::move(names), data, customers), TotalWeight(data), {}, {}};
  WINBACK_RETURN_IF_ERROR(CheckStart(start, b.total_weight));
  b.z = LogOf(start);
  b.mopts.max_iterations = options.max_iterations;
  b.mopts.gradient_tolerance = options.gradient_tolerance;
  return b;
}

}  // namespace

Result<FitReport> RunFit(const GroupLogLikelihood& ll, const Groups& data,
                         std::vector<std::string> names, const std::vector<double>& start,
                         const FitOptions& options, std::size_t customers) {
  WINBACK_ASSIGN_OR_RETURN(FitStart begin,
                           BeginFit(std::move(names), data, start, options, customers));
  FitReport& report = begin.report;
  const double total_weight = begin.total_weight;
  std::vector<double>& z = begin.z;
  MinimizeOptions& mopts = begin.mopts;

  int evaluations = 0;
  if (options.warm_start && data.size() > kBfgsWarmStartThreshold) {
    const Groups sub = Subsample(data, data.size() / kBfgsWarmStartTarget);
    const double sub_weight = TotalWeight(sub);
    const Objective sub_objective = MakeObjective(ll, sub, sub_weight, evaluations);
    MinimizeOptions sub_opts = mopts;
    sub_opts.gradient_tolerance = std::max(1e-7, options.gradient_tolerance);
    Result<MinimizeResult> warm = MinimizeBfgs(sub_objective, z, sub_opts);
    if (warm.ok() && warm->converged) {
      z = warm->x;
      mopts.initial_inverse_hessian = warm->inverse_hessian;
    }
  }

  const Objective objective = MakeObjective(ll, data, total_weight, evaluations);
  WINBACK_ASSIGN_OR_RETURN(MinimizeResult result, MinimizeBfgs(objective, z, mopts));
  FillEstimates(result, total_weight, report);
  if (options.standard_errors) {
    FillStandardErrors(NumericalHessian(objective, result.x, 1e-4), total_weight, report);
  }
  report.evaluations = evaluations;
  return std::move(report);
}

Result<FitReport> RunNewtonFit(const GroupLogLikelihoodHessian& ll, const Groups& data,
                               std::vector<std::string> names, const std::vector<double>& start,
                               const FitOptions& options, std::size_t customers) {
  WINBACK_ASSIGN_OR_RETURN(FitStart begin,
                           BeginFit(std::move(names), data, start, options, customers));
  FitReport& report = begin.report;
  const double total_weight = begin.total_weight;
  std::vector<double>& z = begin.z;
  MinimizeOptions& mopts = begin.mopts;

  int evaluations = 0;
  if (options.warm_start && data.size() > kNewtonWarmStartThreshold) {
    const Groups sub = Subsample(data, data.size() / kNewtonWarmStartTarget);
    const double sub_weight = TotalWeight(sub);
    MinimizeOptions sub_opts = mopts;
    sub_opts.gradient_tolerance = std::max(1e-6, options.gradient_tolerance);
    Result<MinimizeResult> warm =
        MinimizeNewton(MakeObjectiveWithHessian(ll, sub, sub_weight, evaluations), z, sub_opts);
    if (warm.ok() && warm->converged) z = warm->x;
  }

  WINBACK_ASSIGN_OR_RETURN(
      MinimizeResult result,
      MinimizeNewton(MakeObjectiveWithHessian(ll, data, total_weight, evaluations), z, mopts));
  FillEstimates(result, total_weight, report);
  if (options.standard_errors) FillStandardErrors(result.hessian, total_weight, report);
  report.evaluations = evaluations;
  return std::move(report);
}

Result<Groups> GroupRfm(const SummaryTable& table, int threads) {
  if (table.size() == 0) return InvalidArgumentError("no customers to fit");
  WINBACK_RETURN_IF_ERROR(ValidateSummaryTableParallel(table, threads));
  Groups groups = GroupTriples(table.frequency, table.recency, table.age, {}, false, threads);
  double repeat = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) repeat += groups.a[i] * groups.weight[i];
  if (!(repeat > 0)) {
    return InvalidArgumentError(
        "no customer has a repeat purchase (all frequencies are 0): the model cannot be fitted");
  }
  return groups;
}

double DefaultAlpha(const Groups& rfm) {
  double x = 0;
  double t = 0;
  for (std::size_t i = 0; i < rfm.size(); ++i) {
    x += rfm.a[i] * rfm.weight[i];
    t += rfm.c[i] * rfm.weight[i];
  }
  const double alpha = x > 0 ? t / x : 1.0;
  return std::isfinite(alpha) && alpha > 0 ? alpha : 1.0;
}

}  // namespace winback::models::internal
