#pragma once

// Options and report shared by every model's maximum-likelihood fit.
//
// All fits maximise the summed log-likelihood over customers on the logarithms of the
// parameters (so every parameter stays positive), with analytic gradients: BG/NBD and MBG/NBD
// by Newton's method on their analytic Hessian, Pareto/NBD and Gamma-Gamma by BFGS
// (optimizer.h). Customers with identical inputs ((x, t_x, T), or (x, m_x) for Gamma-Gamma)
// are evaluated once with a count weight. Standard errors come from the inverse of the
// observed information (the Hessian of the negative log-likelihood in log-parameters: the
// analytic one for BG/NBD and MBG/NBD, central differences of the analytic gradient for the
// others), mapped to the natural scale with the delta method:
//   Cov(theta) = diag(theta) Cov(log theta) diag(theta).

#include <cstddef>
#include <string>
#include <vector>

namespace winback::models {

struct FitOptions {
  // Worker threads for validation, grouping and the likelihood (0 = one per hardware thread).
  // Results do not depend on the thread count (fixed chunking, ordered reduction; grouping
  // merges its blocks in order).
  int threads = 1;
  int max_iterations = 500;
  // Convergence: max |d/d log(theta) of the mean log-likelihood per customer| <= tolerance.
  // 1e-8 moves the log-likelihood by far less than 1e-6 and the estimates by far less than
  // their standard errors; tighter values mostly spend line-search steps on rounding noise.
  double gradient_tolerance = 1e-8;
  bool standard_errors = true;
  // On many distinct inputs, first fit an unbiased 1-in-k subsample of the distinct inputs
  // and start the full fit from its estimate (and, for BFGS, its curvature): Newton fits on
  // more than 50,000 distinct inputs (subsample of about 20,000), BFGS fits on more than
  // 4,000 (subsample of about 2,000). Saves most full-data iterations; the optimum reached is
  // the same.
  bool warm_start = true;
  // Starting values on the natural scale in the model's parameter order; empty = a default
  // derived from the data.
  std::vector<double> initial;
};

struct FitReport {
  std::vector<std::string> parameter_names;  // literature order, e.g. r, alpha, a, b
  std::vector<double> estimates;
  std::vector<double> standard_errors;  // NaN when not computed or the Hessian is not PD
  std::vector<double> covariance;       // row-major, natural scale; empty when unavailable
  double log_likelihood = 0;            // summed over customers
  int iterations = 0;                   // optimiser iterations of the full-data fit
  int evaluations = 0;                  // likelihood + gradient evaluations, all stages
  bool converged = false;
  std::string message;        // why the optimiser stopped
  std::size_t customers = 0;  // rows used
  std::size_t distinct = 0;   // distinct inputs evaluated
};

}  // namespace winback::models
