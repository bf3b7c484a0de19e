#include "models/purchase_timing.h"

namespace winback::models {

PurchaseTiming ComputePurchaseTiming(const TransactionModel& model, const CustomerRfm& c) {
  PurchaseTiming t;
  t.expected_interpurchase_time = (model.alpha() + c.age) / (model.r() + c.frequency);
  t.time_since_last_purchase = c.age - c.recency;
  t.overdue_ratio = t.time_since_last_purchase / t.expected_interpurchase_time;
  t.expected_next_purchase = c.recency + t.expected_interpurchase_time;
  t.p_alive = model.ProbabilityAlive(c);
  return t;
}

}  // namespace winback::models
