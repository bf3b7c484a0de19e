#include "analytics/cohorts.h"

#include <algorithm>

#include "analytics/customer_metrics.h"
#include "analytics/revenue.h"
#include "core/check.h"

namespace winback::analytics {
namespace {

int MonthIndex(Date d) { return d.year() * 12 + d.month() - 1; }

}  // namespace

std::vector<double> CohortRow::ActiveShare() const {
  std::vector<double> out;
  if (customers == 0) return out;
  for (std::int64_t a : active)
    out.push_back(static_cast<double>(a) / static_cast<double>(customers));
  return out;
}

std::vector<double> CohortRow::RevenueRetention() const {
  std::vector<double> out;
  if (revenue_minor.empty() || revenue_minor[0] == 0) return out;
  for (std::int64_t r : revenue_minor) {
    out.push_back(static_cast<double>(r) / static_cast<double>(revenue_minor[0]));
  }
  return out;
}

CohortAccumulator::CohortAccumulator(std::string currency, Date last_day)
    : currency_(std::move(currency)),
      last_day_(last_day),
      last_month_index_(MonthIndex(last_day)) {}

void CohortAccumulator::Add(std::span<const store::OrderPoint> orders) {
  const Instant cutoff = AsOfCutoff(last_day_);
  scratch_.clear();  // (month index, revenue in currency_)
  for (const store::OrderPoint& o : orders) {
    if (o.status != OrderStatus::kCompleted || o.placed_at >= cutoff) continue;
    const int month = MonthIndex(UtcDate(o.placed_at));
    std::int64_t revenue = 0;
    if (o.currency == currency_) {
      revenue = o.amount_minor;
    } else {
      ++other_currency_orders_;
    }
    scratch_.emplace_back(month, revenue);
  }
  if (scratch_.empty()) return;
  std::sort(scratch_.begin(), scratch_.end());
  const int cohort = scratch_.front().first;
  CohortRow& row = rows_[cohort];
  if (row.customers == 0) {
    row.year = cohort / 12;
    row.month = cohort % 12 + 1;
    const std::size_t width = static_cast<std::size_t>(last_month_index_ - cohort) + 1;
    row.active.assign(width, 0);
    row.revenue_minor.assign(width, 0);
  }
  ++row.customers;
  int previous = -1;
  for (const auto& [month, revenue] : scratch_) {
    const auto k = static_cast<std::size_t>(month - cohort);
    if (month != previous) ++row.active[k];
    if (AddSaturating(row.revenue_minor[k], revenue)) revenue_saturated_ = true;
    previous = month;
  }
}

void CohortAccumulator::Merge(const CohortAccumulator& other) {
  WINBACK_CHECK(other.currency_ == currency_ && other.last_day_ == last_day_);
  other_currency_orders_ += other.other_currency_orders_;
  revenue_saturated_ = revenue_saturated_ || other.revenue_saturated_;
  for (const auto& [cohort, theirs] : other.rows_) {
    CohortRow& row = rows_[cohort];
    if (row.customers == 0) {
      row = theirs;
      continue;
    }
    row.customers += theirs.customers;
    for (std::size_t k = 0; k < row.active.size(); ++k) {
      row.active[k] += theirs.active[k];
      if (AddSaturating(row.revenue_minor[k], theirs.revenue_minor[k])) {
        revenue_saturated_ = true;
      }
    }
  }
}

CohortTable CohortAccumulator::Finish() const {
  CohortTable t;
  t.currency = currency_;
  t.other_currency_orders = other_currency_orders_;
  t.revenue_saturated = revenue_saturated_;
  for (const auto& [index, row] : rows_) t.rows.push_back(row);
  return t;
}

}  // namespace winback::analytics
