#pragma once

// Expected inter-purchase time and "overdue" score of a customer, from any transaction model
// (all three share the Gamma(r, alpha) purchase rate; times in the data's unit).
//
// Given x repeat purchases in T time units and that the customer is still alive, the
// posterior of the purchase rate is lambda | x, T, alive ~ Gamma(r + x, alpha + T). Then:
//   expected_interpurchase_time = 1 / E[lambda | x, T, alive] = (alpha + T) / (r + x)
//       (the mean gap between purchases at the posterior-mean rate of an active customer);
//   time_since_last_purchase    = T - t_x;
//   overdue_ratio               = (T - t_x) / expected_interpurchase_time
//       (> 1: the customer has been quiet for longer than their usual gap);
//   expected_next_purchase      = t_x + expected_interpurchase_time
//       (time of the expected next order measured from the first purchase, like t_x; the
//       calendar date is first_purchase_date + expected_next_purchase units; it is in the past
//       when overdue_ratio > 1);
//   p_alive                     = the model's P(alive | x, t_x, T): the overdue ratio says
//       how unusual the silence is, P(alive) how likely the customer is still active.

#include "models/summary.h"
#include "models/transaction_model.h"

namespace winback::models {

struct PurchaseTiming {
  double expected_interpurchase_time = 0;
  double time_since_last_purchase = 0;
  double overdue_ratio = 0;
  double expected_next_purchase = 0;
  double p_alive = 0;
};

// Computes the quantities above. `c` must satisfy ValidateRfm. Thread-safe.
PurchaseTiming ComputePurchaseTiming(const TransactionModel& model, const CustomerRfm& c);

}  // namespace winback::models
