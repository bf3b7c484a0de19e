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
using GroupLogLikelihood = std::function<double(std::span<const double> theta,
                                                const Groups& data, std::span<double> grad)>;

// Maximises `ll` over log(theta) from `start` (natural scale) as described in models/fit.h and
// fills a FitReport (estimates, standard errors, log-likelihood, counts). `customers` is the
// number of rows behind `data`. Errors: InvalidArgument when the likelihood is not finite at
// the start; the report says converged = false when the optimiser gave up.
Result<FitReport> RunFit(const GroupLogLikelihood& ll, const Groups& data,
                         std::vector<std::string> names, std::vector<double> start,
                         const FitOptions& options, std::size_t customers);

// Validates `table` (ValidateSummaryTable) and groups its distinct (x, t_x, T). Errors:
// InvalidArgument for an empty table, a bad row, or a table without any repeat purchase (the
// drop-out process is then not identified).
Result<Groups> GroupRfm(const SummaryTable& table);

// A starting purchase-rate scale: alpha such that r / alpha (with r = 1) is the pooled
// repeat-purchase rate sum(x) / sum(T).
double DefaultAlpha(const Groups& rfm);

}  // namespace winback::models::internal
