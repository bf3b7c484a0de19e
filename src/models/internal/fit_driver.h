#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "models/fit.h"
#include "models/internal/groups.h"
#include "models/summary.h"

namespace winback::models::internal {

// The summed weighted log-likelihood of `data` at natural parameters `theta`, writing
// d(log-likelihood)/d(theta) into `grad`. Non-finite for infeasible theta.
using GroupLogLikelihood = std::function<double(std::span<const double> theta, const Groups& data,
                                                std::span<double> grad)>;

// Maximises `ll` over log(theta) from `start` (natural scale) as described in models/fit.h and
// fills a FitReport (estimates, standard errors, log-likelihood, counts). `customers` is the
// number of rows behind `data`. Errors: InvalidArgument when the likelihood is not finite at
// the start; the report says converged = false when the optimiser gave up.
Result<FitReport> RunFit(const GroupLogLikelihood& ll, const Groups& data,
                         std::vector<std::string> names, const std::vector<double>& start,
                         const FitOptions& options, std::size_t customers);

// The log-likelihood and its gradient as above and, when `hess` is not empty, its Hessian with
// respect to theta (k x k, row-major).
using GroupLogLikelihoodHessian =
    std::function<double(std::span<const double> theta, const Groups& data, std::span<double> grad,
                         std::span<double> hess)>;

// As RunFit, by Newton's method on the analytic Hessian (MinimizeNewton) in log(theta), with
// the same warm start on large inputs; the standard errors come from the exact Hessian at the
// optimum, at no extra evaluation.
Result<FitReport> RunNewtonFit(const GroupLogLikelihoodHessian& ll, const Groups& data,
                               std::vector<std::string> names, const std::vector<double>& start,
                               const FitOptions& options, std::size_t customers);

// Validates `table` (ValidateSummaryTable) and groups its distinct (x, t_x, T). Errors:
// InvalidArgument for an empty table, a bad row, or a table without any repeat purchase (the
// drop-out process is then not identified). Grouping uses up to `threads` threads.
Result<Groups> GroupRfm(const SummaryTable& table, int threads = 1);

// A starting purchase-rate scale: alpha such that r / alpha (with r = 1) is the pooled
// repeat-purchase rate sum(x) / sum(T).
double DefaultAlpha(const Groups& rfm);

}  // namespace winback::models::internal
