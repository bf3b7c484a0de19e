#pragma once

// Calibration summaries (x, t_x, T, m_x) of every customer in the store: the literature's
// calibration summary (summary.h), computed from the store's orders.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "models/summary.h"
#include "store/store.h"

namespace winback::models {

struct StoreSummaryOptions {
  // Last day of the calibration period, inclusive, compared with each order's LOCAL day.
  Date calibration_end;
  // 7: times in weeks (the CDNOW literature); 1: in days.
  double days_per_unit = 7.0;
  // When set, also count each customer's purchase days in (calibration_end, holdout_end].
  std::optional<Date> holdout_end;
  // Whether to fill table.ids with the external customer ids (reads every id first). Without
  // them the rows are identified by `keys` alone, which saves ~64 bytes per customer.
  bool with_ids = true;
};

// The summary plus what identifies each row.
struct StoreSummary {
  // One row per customer whose first completed order is before calibration_end (a customer
  // whose first order is ON calibration_end has T = 0 and is left out, as in
  // SummarizeTransactions), in customer-key order. ids are the external customer ids;
  // monetary_value is the mean value of the x repeat purchase days in major units (dollars,
  // not cents) of the customer's main currency (0 when x = 0).
  SummaryTable table;
  std::vector<CustomerKey> keys;        // store key of each row
  std::vector<std::string> currencies;  // main currency of each row (ISO 4217)
  // Filled only with options.holdout_end: purchase days and their value in the holdout period.
  std::vector<double> holdout_frequency;
  std::vector<double> holdout_value;
  double holdout_length = 0;  // (holdout_end - calibration_end) in time units
  // Customers with a completed order up to max(calibration_end, holdout_end) left out of
  // `table` because their first one is on or after calibration_end (customers whose first
  // order is later still are not counted).
  std::int64_t customers_skipped = 0;
};

// Summarises the store as of options.calibration_end. Only completed orders count; orders on
// the same local day (the day on the wall clock where the order was placed) are merged into one
// purchase and their values added. x = number of distinct purchase days after the first, up to
// calibration_end; t_x = (last purchase day - first purchase day) / days_per_unit; T =
// (calibration_end - first purchase day) / days_per_unit. The main currency is the one most of
// the customer's orders up to calibration_end use (ties: the earliest order's); orders in other
// currencies count as purchases, and m_x is the mean over the repeat days that have an order in
// the main currency. One sequential pass over ForEachCustomerOrders; memory grows with the
// number of customers, not of orders.
// Errors: InvalidArgument when days_per_unit is not positive and finite or holdout_end is before
// calibration_end; whatever the store returns (e.g. Unavailable).
Result<StoreSummary> SummarizeStore(store::Store& store, const StoreSummaryOptions& options);

// Every customer's completed orders merged into purchase days up to one last day (local days,
// as SummarizeStore counts them), kept compactly (13 bytes per purchase day, 14 per customer)
// so that several summaries can be computed from one read of the orders: the report needs two,
// and reads the orders once for its scores, rates and cohorts too. Add customers in increasing
// key order; parts filled on several threads are joined with Append, in key order. Not
// thread-safe.
class PurchaseHistories {
 public:
  explicit PurchaseHistories(Date last_day) : last_day_(last_day) {}

  Date last_day() const { return last_day_; }
  std::size_t customers() const { return keys_.size(); }

  // One customer's orders, all statuses, oldest first (as Store::ForEachCustomerOrders streams
  // them); a key greater than every key added before. A customer without a completed order up
  // to last_day() is not kept.
  void Add(CustomerKey key, std::span<const store::OrderPoint> orders);

  // Moves the customers of `next` (same last day, every key greater than these) after these.
  void Append(PurchaseHistories&& next);

  // What SummarizeStore(store, options) returns for the orders added, except that table.ids is
  // never filled (options.with_ids is ignored). The last day of the summary,
  // options.holdout_end or else options.calibration_end, must be last_day(): a customer's main
  // currency is counted over the orders up to it.
  // Errors: InvalidArgument as SummarizeStore, and when the summary's last day is not
  // last_day().
  Result<StoreSummary> Summarize(const StoreSummaryOptions& options) const;

 private:
  // The index of `code` in currencies_, added when new.
  std::uint16_t CurrencyIndex(const std::string& code);

  Date last_day_;
  std::vector<CustomerKey> keys_;
  std::vector<std::uint32_t> ends_;      // end of each customer's days in days_, values_, valued_
  std::vector<std::uint16_t> currency_;  // index into currencies_
  std::vector<std::string> currencies_;
  std::vector<std::int32_t> days_;
  std::vector<double> values_;
  std::vector<std::uint8_t> valued_;
};

// Writes `summary` as CSV with the header id,frequency,recency,T,monetary_value,currency (plus
// holdout_frequency,holdout_value when present), readable by ReadSummaryCsv and
// `winback fit --summary`. Numbers are printed in the shortest form that reads back exactly; ids
// are quoted when needed. `path` "-" writes to standard output. Errors: Unavailable when the file
// cannot be written.
Status WriteStoreSummaryCsv(const StoreSummary& summary, const std::string& path);

}  // namespace winback::models
