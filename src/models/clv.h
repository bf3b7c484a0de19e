#pragma once

// Batch predictions and discounted customer lifetime value (CLV) for many customers.
//
// Predictions for customer i over a horizon t (time units of the data):
//   p_alive_i            = P(alive at T_i | x_i, t_x_i, T_i)
//   expected_purchases_i = E[Y_i(t) | x_i, t_x_i, T_i]   (repeat purchases in (T_i, T_i + t])
//
// CLV (the convention of the Python library lifetimes): with u = time units per month
// (4.345 for weeks, 30 for days), d = monthly discount rate and H months,
//   CLV_i = sum_{k=1}^{H} v_i * (E[Y_i(k u)] - E[Y_i((k-1) u)]) / (1 + d)^k
// where v_i = E[Z | m_x_i, x_i] is the Gamma-Gamma conditional expected value of one
// transaction (gamma_gamma.h): purchases expected in month k, times their expected value,
// discounted to the end of the calibration period. Currency: that of the monetary values.
//
// How it is computed (the results are the formulas above; only the work is shared):
//   - customers with identical (x, t_x, T) share one evaluation (internal/groups.h: hash
//     grouping over dictionary-encoded columns, split over the threads);
//   - in all three models E[Y_i(t)] = P(alive_i) * g(x_i, T_i; t) with
//     g = TransactionModel::ExpectedPurchasesIfAlive, which does not depend on t_x, so g is
//     evaluated once per distinct (x, T) and P(alive) once per distinct (x, t_x, T):
//       expected_purchases_i = p_alive_i * g(x_i, T_i; t)   (bit for bit the per-customer
//                                                           ConditionalExpectedPurchases)
//       CLV_i = v_i * p_alive_i * D(x_i, T_i),
//       D(x, T) = sum_{k=1}^{H} (g(x, T; k u) - g(x, T; (k-1) u)) / (1 + d)^k,
//     algebraically the sum above; it differs from summing the per-customer differences only
//     by rounding (tested against that sum to 1e-9 relative on random and extreme customers).
// So cost grows with the number of distinct triples and pairs, plus a small per-customer cost
// (validation, grouping, spend value, scatter). Work is split over `threads` threads; results
// do not depend on the thread count.

#include <vector>

#include "core/status.h"
#include "models/gamma_gamma.h"
#include "models/summary.h"
#include "models/transaction_model.h"

namespace winback::models {

struct Predictions {
  std::vector<double> p_alive;
  std::vector<double> expected_purchases;
};

// p_alive and expected_purchases over `horizon` for every row of `data`. Errors:
// InvalidArgument when horizon is negative or not finite, or a row breaks ValidateSummaryTable.
Result<Predictions> PredictCustomers(const TransactionModel& model, const SummaryTable& data,
                                     double horizon, int threads = 1);

struct ClvOptions {
  int months = 12;
  double monthly_discount_rate = 0.01;
  double units_per_month = 4.345;  // weeks per month; 30 when the data is in days
  int threads = 1;
};

struct CustomerValues {
  std::vector<double> expected_value;  // v_i: expected value of one future transaction
  std::vector<double> clv;             // CLV_i over options.months
};

// Expected transaction value and CLV for every row of `data`. Errors: InvalidArgument when
// `data` has no monetary_value column, a row is invalid, months < 1, units_per_month <= 0 or
// monthly_discount_rate <= -1 (or any is not finite); FailedPrecondition when the Gamma-Gamma
// q <= 1 (infinite mean spend, see GammaGammaModel::CheckFiniteMean).
Result<CustomerValues> CustomerLifetimeValues(const TransactionModel& model,
                                              const GammaGammaModel& spend,
                                              const SummaryTable& data, const ClvOptions& options);

}  // namespace winback::models
