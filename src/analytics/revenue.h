#pragma once

// Revenue across customers. Each customer's revenue is in their main currency
// (store::CustomerAggregates); no exchange rates are guessed, so sums over customers are kept
// per currency and amounts in different currencies are never added together.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/records.h"
#include "store/scanner.h"

namespace winback::analytics {

// total += minor, except that a result beyond the int64 range stays at the limit it passed;
// returns whether it did (the total is then too small, or too large for a negative excess).
bool AddSaturating(std::int64_t& total, std::int64_t minor);

// A sum of minor units that never wraps: a total beyond the int64 range stays at the limit it
// passed and saturated() says so (printing it as a number would then understate it). Value
// type.
class MoneySum {
 public:
  void Add(std::int64_t minor);
  // Adds another sum (saturated when either is, or when the total overflows).
  void Add(const MoneySum& other);

  std::int64_t minor() const { return minor_; }
  bool saturated() const { return saturated_; }

 private:
  std::int64_t minor_ = 0;
  bool saturated_ = false;
};

// The buyers of one currency and their revenue.
struct CurrencyRevenue {
  std::string currency;        // ISO 4217 code
  std::int64_t customers = 0;  // customers with a completed order whose main currency it is
  MoneySum revenue;            // the completed-order revenue of those customers
};

// Revenue summed per main currency over the customers added.
class RevenueByCurrency {
 public:
  // Counts a customer with at least one completed order (others are ignored): their revenue
  // goes to the total of their main currency.
  void Add(const store::CustomerAggregates& a);

  // One row per currency, most customers first (ties: alphabetical). Empty when nobody has
  // ordered.
  std::vector<CurrencyRevenue> Totals() const;

 private:
  std::map<std::string, CurrencyRevenue> by_currency_;
};

// Revenue per currency over every customer of the store (RevenueByCurrency::Totals). Reads the
// packed scoring fields of the aggregates once. Errors: whatever the store returns.
Result<std::vector<CurrencyRevenue>> ComputeRevenueByCurrency(store::Scanner& store);

// The revenue currency of the money columns (segments, cohorts, report): `configured` when set
// ([rates] currency), else the main currency of most customers (ties: alphabetical). Empty when
// nobody has ordered. Errors: whatever the store returns.
Result<std::string> RevenueCurrency(store::Scanner& store, const std::string& configured);

}  // namespace winback::analytics
