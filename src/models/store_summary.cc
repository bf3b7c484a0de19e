#include "models/store_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>

#include "core/check.h"
#include "core/csv.h"
#include "models/internal/purchase_days.h"

namespace winback::models {

namespace internal {

bool AppendSummaryRow(CustomerKey key, const PurchaseHistory& h, std::int32_t end, double unit,
                      bool holdout, StoreSummary& out) {
  const std::int32_t first = h.days.front().day;
  if (first >= end) {
    ++out.customers_skipped;
    return false;
  }
  double x = 0;
  double value_sum = 0;
  double valued = 0;
  std::int32_t last = first;
  double holdout_x = 0;
  double holdout_value = 0;
  for (std::size_t i = 1; i < h.days.size(); ++i) {
    const PurchaseDay& d = h.days[i];
    if (d.day <= end) {
      x += 1;
      last = d.day;
      if (d.valued) {
        value_sum += d.value;
        valued += 1;
      }
    } else {
      holdout_x += 1;
      holdout_value += d.value;
    }
  }
  out.table.frequency.push_back(x);
  out.table.recency.push_back(static_cast<double>(last - first) / unit);
  out.table.age.push_back(static_cast<double>(end - first) / unit);
  out.table.monetary_value.push_back(valued > 0 ? value_sum / valued : 0.0);
  out.keys.push_back(key);
  out.currencies.push_back(h.currency);
  if (holdout) {
    out.holdout_frequency.push_back(holdout_x);
    out.holdout_value.push_back(holdout_value);
  }
  return true;
}

}  // namespace internal

namespace {

// The checks of SummarizeStore's options; returns the summary's last day (the holdout end, or
// the calibration end without a holdout).
Result<std::int32_t> SummaryLastDay(const StoreSummaryOptions& options) {
  if (!(options.days_per_unit > 0) || !std::isfinite(options.days_per_unit)) {
    return InvalidArgumentError("days per unit must be positive and finite");
  }
  if (options.holdout_end && *options.holdout_end < options.calibration_end) {
    return InvalidArgumentError("holdout end " + options.holdout_end->ToString() +
                                " is before calibration end " + options.calibration_end.ToString());
  }
  return options.holdout_end.value_or(options.calibration_end).days();
}

}  // namespace

Result<StoreSummary> SummarizeStore(store::Store& store, const StoreSummaryOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(const std::int32_t holdout_end, SummaryLastDay(options));
  const std::int32_t end = options.calibration_end.days();
  std::vector<std::string> ids;
  if (options.with_ids) {
    WINBACK_ASSIGN_OR_RETURN(ids, store.CustomerIds());
  }
  StoreSummary out;
  // At most one row per customer: reserving avoids the copies (and twice the memory) of growth.
  if (Result<std::int64_t> limit = store.CustomerKeyLimit(); limit.ok() && *limit > 1) {
    const auto n = static_cast<std::size_t>(*limit - 1);
    out.table.Reserve(n);
    out.table.monetary_value.reserve(n);
    out.keys.reserve(n);
    out.currencies.reserve(n);
    if (options.with_ids) out.table.ids.reserve(n);
  }
  const double unit = options.days_per_unit;
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrders(
      [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
        const internal::PurchaseHistory h = internal::MergePurchaseDays(orders, holdout_end);
        if (h.days.empty()) return Status::Ok();
        if (!internal::AppendSummaryRow(key, h, end, unit, options.holdout_end.has_value(), out)) {
          return Status::Ok();
        }
        if (options.with_ids) {
          const auto index = static_cast<std::size_t>(key.value());
          out.table.ids.push_back(index < ids.size() ? ids[index] : std::to_string(key.value()));
        }
        return Status::Ok();
      }));
  if (options.holdout_end) {
    out.holdout_length = static_cast<double>(holdout_end - end) / unit;
  }
  return out;
}

void PurchaseHistories::Add(CustomerKey key, std::span<const store::OrderPoint> orders) {
  const internal::PurchaseHistory h = internal::MergePurchaseDays(orders, last_day_.days());
  if (h.days.empty()) return;
  keys_.push_back(key);
  currency_.push_back(CurrencyIndex(h.currency));
  for (const internal::PurchaseDay& d : h.days) {
    days_.push_back(d.day);
    values_.push_back(d.value);
    valued_.push_back(d.valued ? 1 : 0);
  }
  ends_.push_back(static_cast<std::uint32_t>(days_.size()));
}

void PurchaseHistories::Append(PurchaseHistories&& next) {
  WINBACK_CHECK(next.last_day_ == last_day_);
  WINBACK_CHECK(keys_.empty() || next.keys_.empty() || keys_.back() < next.keys_.front());
  const auto offset = static_cast<std::uint32_t>(days_.size());
  keys_.insert(keys_.end(), next.keys_.begin(), next.keys_.end());
  for (std::uint32_t end : next.ends_) ends_.push_back(offset + end);
  for (std::uint16_t c : next.currency_) currency_.push_back(CurrencyIndex(next.currencies_[c]));
  days_.insert(days_.end(), next.days_.begin(), next.days_.end());
  values_.insert(values_.end(), next.values_.begin(), next.values_.end());
  valued_.insert(valued_.end(), next.valued_.begin(), next.valued_.end());
  next = PurchaseHistories(last_day_);
}

std::uint16_t PurchaseHistories::CurrencyIndex(const std::string& code) {
  auto it = std::find(currencies_.begin(), currencies_.end(), code);
  if (it == currencies_.end()) it = currencies_.insert(it, code);
  return static_cast<std::uint16_t>(it - currencies_.begin());
}

Result<StoreSummary> PurchaseHistories::Summarize(const StoreSummaryOptions& options) const {
  WINBACK_ASSIGN_OR_RETURN(const std::int32_t last, SummaryLastDay(options));
  if (last != last_day_.days()) {
    return InvalidArgumentError("a summary up to " + Date::FromDays(last).ToString() +
                                " from purchase histories up to " + last_day_.ToString());
  }
  StoreSummary out;
  const std::size_t n = keys_.size();
  out.table.Reserve(n);
  out.table.monetary_value.reserve(n);
  out.keys.reserve(n);
  out.currencies.reserve(n);
  const bool holdout = options.holdout_end.has_value();
  const std::int32_t end = options.calibration_end.days();
  internal::PurchaseHistory h;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < n; ++i) {
    h.days.clear();
    for (std::size_t d = begin; d < ends_[i]; ++d) {
      h.days.push_back({days_[d], values_[d], valued_[d] != 0});
    }
    begin = ends_[i];
    h.currency = currencies_[currency_[i]];
    internal::AppendSummaryRow(keys_[i], h, end, options.days_per_unit, holdout, out);
  }
  if (holdout) out.holdout_length = static_cast<double>(last - end) / options.days_per_unit;
  return out;
}

Status WriteStoreSummaryCsv(const StoreSummary& summary, const std::string& path) {
  WINBACK_ASSIGN_OR_RETURN(CsvWriter out, CsvWriter::Open(path));
  const bool holdout = !summary.holdout_frequency.empty();
  out.Field("id")
      .Field("frequency")
      .Field("recency")
      .Field("T")
      .Field("monetary_value")
      .Field("currency");
  if (holdout) out.Field("holdout_frequency").Field("holdout_value");
  out.EndRow();
  const SummaryTable& t = summary.table;
  for (std::size_t i = 0; i < t.size(); ++i) {
    out.Field(t.ids[i])
        .Number(t.frequency[i])
        .Number(t.recency[i])
        .Number(t.age[i])
        .Number(t.monetary_value[i])
        .Field(summary.currencies[i]);
    if (holdout) out.Number(summary.holdout_frequency[i]).Number(summary.holdout_value[i]);
    out.EndRow();
  }
  return out.Close();
}

}  // namespace winback::models
