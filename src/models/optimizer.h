#pragma once

// Small minimisers for the few-parameter likelihoods of the BTYD models: quasi-Newton (BFGS with
// a strong-Wolfe line search, Nocedal & Wright 2006, algorithms 6.1, 3.5 and 3.6) when only the
// gradient is known, Newton's method (with a backtracking line search and a diagonal shift that
// keeps the model Hessian positive definite, N&W section 3.4) when the Hessian is known too;
// plus the Hessian and covariance helpers used for standard errors.

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace winback::models {

// An objective: returns f(x) and writes the gradient into `grad` (same size as x). A point
// outside the feasible region returns +infinity or NaN; the line search then steps back.
using Objective = std::function<double(std::span<const double> x, std::span<double> grad)>;

// An objective with its Hessian: returns f(x), writes the gradient into `grad` and, when `hess`
// is not empty, the n x n Hessian (row-major) into `hess`.
using ObjectiveWithHessian = std::function<double(std::span<const double> x, std::span<double> grad,
                                                  std::span<double> hess)>;

struct MinimizeOptions {
  int max_iterations = 500;
  // Converged when max_i |df/dx_i| <= gradient_tolerance.
  double gradient_tolerance = 1e-9;
  // A single step never moves any coordinate by more than this (the coordinates are
  // log-parameters in the models: 5 is a factor e^5 ~ 148).
  double max_step = 5.0;
  // Optional starting inverse Hessian, row-major n x n (e.g. from a fit on a subsample).
  std::vector<double> initial_inverse_hessian;
};

struct MinimizeResult {
  std::vector<double> x;
  double value = 0;
  std::vector<double> gradient;
  int iterations = 0;
  int evaluations = 0;
  bool converged = false;
  std::string message;                  // why it stopped
  std::vector<double> inverse_hessian;  // the final BFGS approximation, row-major (BFGS only)
  std::vector<double> hessian;          // the exact Hessian at x, row-major (Newton only)
};

// Minimises `f` from `x0`. Returns InvalidArgument when f(x0) or its gradient is not finite.
// Stops at convergence, at max_iterations, or when no step decreases f any more; `converged`
// and `message` tell which (a stall with max |gradient| <= 1e3 * tolerance counts as
// converged: the objective is flat to rounding there).
Result<MinimizeResult> MinimizeBfgs(const Objective& f, std::vector<double> x0,
                                    const MinimizeOptions& options = {});

// Minimises `f` by Newton's method from `x0`: the step solves (H + lambda I) d = -g with the
// smallest lambda >= 0 (0, then growing by factors of 10) for which H + lambda I has a Cholesky
// factor, capped at options.max_step per coordinate, and is shortened by backtracking until
// f decreases by at least 1e-4 of the predicted amount (Armijo). Near the minimum the steps
// are pure Newton steps (quadratic convergence). Same stopping rules, errors and result as
// MinimizeBfgs, with `hessian` = the Hessian at the returned x (initial_inverse_hessian is
// ignored).
Result<MinimizeResult> MinimizeNewton(const ObjectiveWithHessian& f, std::vector<double> x0,
                                      const MinimizeOptions& options = {});

// The Hessian of f at x by central differences of the analytic gradient with step `h`
// (symmetrised), row-major n x n. Costs 2n gradient evaluations.
std::vector<double> NumericalHessian(const Objective& f, std::span<const double> x, double h);

// Inverts a symmetric positive definite n x n matrix (row-major) by Cholesky factorisation
// (Eigen::LLT); the result is symmetrised.
// Returns FailedPrecondition when the matrix is not positive definite.
Result<std::vector<double>> InvertSymmetricPositiveDefinite(std::span<const double> m,
                                                            std::size_t n);

}  // namespace winback::models
