// optimizer_bench: the hand-written minimisers of src/models/optimizer.h against NLopt's
// gradient-based local algorithms on the two fits the issue names, from the same start and on
// the same objective (the mean negative log-likelihood per customer in log-parameters, as
// internal/fit_driver.cc minimises it), without the warm start on a subsample:
//   BG/NBD on 1,000,000 simulated customers (ours: Newton on the analytic Hessian),
//   Pareto/NBD on the CDNOW master file, 23,570 customers (ours: BFGS, strong-Wolfe search).
// For each: wall time, objective evaluations, the log-likelihood reached and the largest
// gradient component there (exactness), and the estimates. Prints a table; not a Google
// Benchmark binary because each run is one fit and the quality columns matter as much as time.
// Usage: optimizer_bench [CDNOW_DIR] (options starting with - are ignored, for bench/run.sh)

#include <nlopt.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "models/btyd_sim.h"
#include "models/cdnow.h"
#include "models/internal/bg_family.h"
#include "models/internal/fit_driver.h"
#include "models/internal/likelihoods.h"
#include "models/optimizer.h"

namespace winback::models {
namespace {

constexpr int kThreads = 2;
constexpr double kTolerance = 1e-8;  // FitOptions::gradient_tolerance

struct Problem {
  std::string name;
  internal::Groups groups;
  double weight = 0;
  std::vector<double> start;  // natural scale
  internal::GroupLogLikelihood ll;
  internal::GroupLogLikelihoodHessian ll_hessian;  // empty: gradient only
};

struct Outcome {
  std::string method;
  double seconds = 0;
  int evaluations = 0;
  double log_likelihood = 0;
  double max_gradient = 0;  // of the mean objective in log-parameters
  std::vector<double> estimates;
  std::string note;
};

// f(z) = -ll(exp z) / W and its gradient in z.
double Evaluate(const Problem& p, std::span<const double> z, std::span<double> grad) {
  std::vector<double> theta(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) {
    if (!(std::fabs(z[i]) <= 35.0)) return std::numeric_limits<double>::infinity();
    theta[i] = std::exp(z[i]);
  }
  std::vector<double> g(z.size(), 0.0);
  const double value = p.ll(theta, p.groups, g);
  for (std::size_t i = 0; i < z.size(); ++i) grad[i] = -g[i] * theta[i] / p.weight;
  return -value / p.weight;
}

Outcome Finish(const Problem& p, std::string method, std::span<const double> z, double seconds,
               int evaluations) {
  Outcome o;
  o.method = std::move(method);
  o.seconds = seconds;
  o.evaluations = evaluations;
  std::vector<double> grad(z.size());
  o.log_likelihood = -Evaluate(p, z, grad) * p.weight;
  for (double g : grad) o.max_gradient = std::max(o.max_gradient, std::fabs(g));
  for (double v : z) o.estimates.push_back(std::exp(v));
  return o;
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::vector<double> LogStart(const Problem& p) {
  std::vector<double> z;
  for (double v : p.start) z.push_back(std::log(v));
  return z;
}

Outcome Ours(const Problem& p) {
  int evaluations = 0;
  MinimizeOptions mo;
  mo.gradient_tolerance = kTolerance;
  const auto t0 = std::chrono::steady_clock::now();
  Result<MinimizeResult> r = InternalError("not run");
  std::string method;
  if (p.ll_hessian) {
    method = "ours: Newton (analytic Hessian)";
    const ObjectiveWithHessian f = [&](std::span<const double> z, std::span<double> grad,
                                       std::span<double> hess) {
      ++evaluations;
      const std::size_t k = z.size();
      std::vector<double> theta(k);
      for (std::size_t i = 0; i < k; ++i) {
        if (!(std::fabs(z[i]) <= 35.0)) return std::numeric_limits<double>::infinity();
        theta[i] = std::exp(z[i]);
      }
      std::vector<double> g(k, 0.0), h(k * k, 0.0);
      const double value = p.ll_hessian(theta, p.groups, g, hess.empty() ? std::span<double>() : h);
      for (std::size_t i = 0; i < k; ++i) grad[i] = -g[i] * theta[i] / p.weight;
      if (!hess.empty()) {
        for (std::size_t i = 0; i < k; ++i) {
          for (std::size_t j = 0; j < k; ++j) {
            hess[i * k + j] =
                -(theta[i] * theta[j] * h[i * k + j] + (i == j ? theta[i] * g[i] : 0.0)) / p.weight;
          }
        }
      }
      return -value / p.weight;
    };
    r = MinimizeNewton(f, LogStart(p), mo);
  } else {
    method = "ours: BFGS (strong Wolfe)";
    const Objective f = [&](std::span<const double> z, std::span<double> grad) {
      ++evaluations;
      return Evaluate(p, z, grad);
    };
    r = MinimizeBfgs(f, LogStart(p), mo);
  }
  const double seconds = Since(t0);
  if (!r.ok()) {
    Outcome o;
    o.method = method;
    o.note = r.status().message();
    return o;
  }
  Outcome o = Finish(p, method, r->x, seconds, evaluations);
  o.note = r->message;
  return o;
}

struct NloptData {
  const Problem* problem;
  int evaluations = 0;
};

double NloptObjective(unsigned n, const double* z, double* grad, void* data) {
  auto* d = static_cast<NloptData*>(data);
  ++d->evaluations;
  std::vector<double> g(n);
  const double v = Evaluate(*d->problem, std::span<const double>(z, n), g);
  if (grad != nullptr) std::copy(g.begin(), g.end(), grad);
  return std::isfinite(v) ? v : std::numeric_limits<double>::max();
}

Outcome Nlopt(const Problem& p, nlopt_algorithm algorithm, const char* name) {
  std::vector<double> z = LogStart(p);
  const auto n = static_cast<unsigned>(z.size());
  nlopt_opt opt = nlopt_create(algorithm, n);
  NloptData data{&p};
  nlopt_set_min_objective(opt, NloptObjective, &data);
  // As tight as NLopt allows: stop on relative changes at rounding level, or 2,000 evaluations.
  nlopt_set_ftol_rel(opt, 1e-15);
  nlopt_set_xtol_rel(opt, 1e-12);
  nlopt_set_maxeval(opt, 2000);
  std::vector<double> lower(n, -35.0), upper(n, 35.0);
  nlopt_set_lower_bounds(opt, lower.data());
  nlopt_set_upper_bounds(opt, upper.data());
  double value = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const nlopt_result rc = nlopt_optimize(opt, z.data(), &value);
  const double seconds = Since(t0);
  nlopt_destroy(opt);
  Outcome o = Finish(p, std::string("NLopt ") + name, z, seconds, data.evaluations);
  o.note = "nlopt result " + std::to_string(static_cast<int>(rc));
  return o;
}

void Print(const Problem& p, const std::vector<Outcome>& outcomes) {
  std::printf("== %s (%zu distinct inputs, %.0f customers)\n", p.name.c_str(), p.groups.size(),
              p.weight);
  std::printf("%-36s %9s %6s %20s %10s  %s\n", "method", "seconds", "evals", "log-likelihood",
              "max|grad|", "estimates");
  for (const Outcome& o : outcomes) {
    std::string est;
    for (double v : o.estimates) est += (est.empty() ? "" : ", ") + std::to_string(v);
    std::printf("%-36s %9.3f %6d %20.10f %10.2e  %s (%s)\n", o.method.c_str(), o.seconds,
                o.evaluations, o.log_likelihood, o.max_gradient, est.c_str(), o.note.c_str());
  }
}

void Run(const Problem& p) {
  std::vector<Outcome> outcomes;
  outcomes.push_back(Ours(p));
  outcomes.push_back(Nlopt(p, NLOPT_LD_LBFGS, "LD_LBFGS"));
  outcomes.push_back(Nlopt(p, NLOPT_LD_TNEWTON_PRECOND_RESTART, "LD_TNEWTON_PRECOND_RESTART"));
  outcomes.push_back(Nlopt(p, NLOPT_LD_SLSQP, "LD_SLSQP"));
  outcomes.push_back(Nlopt(p, NLOPT_LD_VAR2, "LD_VAR2"));
  Print(p, outcomes);
}

}  // namespace
}  // namespace winback::models

int main(int argc, char** argv) {
  using namespace winback::models;  // NOLINT: a program's main
  const std::string cdnow = argc > 1 && argv[1][0] != '-'
                                ? argv[1]
                                : std::string(WINBACK_SOURCE_DIR) + "/../shared/data/cdnow";
  {
    SimulationOptions o;
    o.customers = 1'000'000;
    o.time_resolution = 1.0 / 7.0;
    o.seed = 11;
    const SummaryTable data = SimulateBgNbd({0.243, 4.414, 0.793, 2.426}, o).value();
    Problem p;
    p.name = "BG/NBD, 1M simulated customers";
    p.groups = internal::GroupRfm(data, kThreads).value();
    for (double w : p.groups.weight) p.weight += w;
    p.start = {1.0, internal::DefaultAlpha(p.groups), 1.0, 1.0};
    const internal::BgGroupLikelihood bg(internal::BgVariant::kBg, kThreads);
    p.ll = [bg](std::span<const double> t, const internal::Groups& g, std::span<double> grad) {
      return bg(t, g, grad);
    };
    p.ll_hessian = [bg](std::span<const double> t, const internal::Groups& g,
                        std::span<double> grad,
                        std::span<double> hess) { return bg.Evaluate(t, g, grad, hess); };
    Run(p);
  }
  const std::string master = cdnow + "/CDNOW_master.txt";
  if (!std::filesystem::exists(master)) {
    std::printf("CDNOW master file not found: %s\n", master.c_str());
    return 0;
  }
  {
    auto records = ReadCdnowTransactions(master, CdnowLayout::kMaster).value();
    const SummaryTable data =
        SummarizeTransactions(records, CdnowCalibrationOptions()).value().calibration;
    Problem p;
    p.name = "Pareto/NBD, CDNOW master";
    p.groups = internal::GroupRfm(data, kThreads).value();
    for (double w : p.groups.weight) p.weight += w;
    const double alpha = internal::DefaultAlpha(p.groups);
    p.start = {1.0, alpha, 1.0, alpha};
    p.ll = internal::ParetoGroupLogLikelihood(kThreads);
    Run(p);
  }
  return 0;
}
