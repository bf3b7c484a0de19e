#include "analytics/revenue.h"

#include <algorithm>
#include <limits>

namespace winback::analytics {

bool AddSaturating(std::int64_t& total, std::int64_t minor) {
  if (!__builtin_add_overflow(total, minor, &total)) return false;
  total = minor > 0 ? std::numeric_limits<std::int64_t>::max()
                    : std::numeric_limits<std::int64_t>::min();
  return true;
}

void MoneySum::Add(std::int64_t minor) {
  if (AddSaturating(minor_, minor)) saturated_ = true;
}

void MoneySum::Add(const MoneySum& other) {
  Add(other.minor_);
  saturated_ = saturated_ || other.saturated_;
}

void RevenueByCurrency::Add(const store::CustomerAggregates& a) {
  if (a.orders <= 0 || a.currency.empty()) return;
  CurrencyRevenue& row = by_currency_[a.currency];
  if (row.currency.empty()) row.currency = a.currency;
  ++row.customers;
  row.revenue.Add(a.revenue_minor);
}

std::vector<CurrencyRevenue> RevenueByCurrency::Totals() const {
  std::vector<CurrencyRevenue> out;
  out.reserve(by_currency_.size());
  for (const auto& [code, row] : by_currency_) out.push_back(row);
  // The map is alphabetical; a stable sort keeps that order among equal counts.
  std::stable_sort(out.begin(), out.end(), [](const CurrencyRevenue& a, const CurrencyRevenue& b) {
    return a.customers > b.customers;
  });
  return out;
}

Result<std::vector<CurrencyRevenue>> ComputeRevenueByCurrency(store::Scanner& store) {
  RevenueByCurrency revenue;
  // The packed scoring fields hold every column read here: decoding one BLOB per customer
  // instead of every aggregate column makes this scan of a million rows several times cheaper.
  WINBACK_RETURN_IF_ERROR(store.ForEachAggregatesInRange(
      store::KeyRange{}, store::AggregateFields::kScoring, [&](const store::CustomerAggregates& a) {
        revenue.Add(a);
        return Status::Ok();
      }));
  return revenue.Totals();
}

Result<std::string> RevenueCurrency(store::Scanner& store, const std::string& configured) {
  if (!configured.empty()) return configured;
  WINBACK_ASSIGN_OR_RETURN(const std::vector<CurrencyRevenue> totals,
                           ComputeRevenueByCurrency(store));
  if (totals.empty()) return std::string();
  return totals.front().currency;
}

}  // namespace winback::analytics
