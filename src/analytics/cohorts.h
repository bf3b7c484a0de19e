#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/records.h"

namespace winback::analytics {

// One acquisition cohort: the customers whose first completed order fell in one UTC calendar
// month. Column k is calendar month (cohort month + k), k = 0 .. up to the last observed month.
struct CohortRow {
  int year = 0;
  int month = 0;  // 1..12
  std::int64_t customers = 0;
  // Customers of the cohort with at least one completed order in month k (active[0] ==
  // customers); repeat[k] = active[k] / customers for k >= 1 is "share ordering again in
  // month k".
  std::vector<std::int64_t> active;
  // Completed-order revenue of the cohort in month k, in the table's currency.
  std::vector<std::int64_t> revenue_minor;

  std::vector<double> ActiveShare() const;       // active[k] / customers
  std::vector<double> RevenueRetention() const;  // revenue[k] / revenue[0] (empty if 0)
};

struct CohortTable {
  std::string currency;                    // revenue currency
  std::int64_t other_currency_orders = 0;  // completed orders left out of revenue
  std::vector<CohortRow> rows;             // oldest cohort first
  // Some revenue_minor sum passed the int64 range: it stays at the limit instead of wrapping
  // (analytics::AddSaturating), so it is wrong; say so when printing.
  bool revenue_saturated = false;
};

// Builds the cohort table from customers' orders. Only completed orders placed before
// AsOfCutoff(last_day) count; cohorts and months run up to last_day's month. Revenue counts
// orders in `currency` only (orders in other currencies are counted, not converted).
class CohortAccumulator {
 public:
  CohortAccumulator(std::string currency, Date last_day);

  void Add(std::span<const store::OrderPoint> orders);

  // Adds the customers of `other` (same currency and last day), e.g. built on another thread
  // over other customers.
  void Merge(const CohortAccumulator& other);

  CohortTable Finish() const;

 private:
  std::string currency_;
  Date last_day_;
  int last_month_index_;
  std::int64_t other_currency_orders_ = 0;
  bool revenue_saturated_ = false;
  std::map<int, CohortRow> rows_;  // by month index year * 12 + month - 1
  std::vector<std::pair<int, std::int64_t>> scratch_;
};

}  // namespace winback::analytics
