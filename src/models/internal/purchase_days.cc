#include "models/internal/purchase_days.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "core/money.h"

namespace winback::models::internal {
namespace {

double MinorScale(std::string_view code) {
  Result<Currency> c = Currency::FromCode(code);
  int exponent = c.ok() ? c->exponent() : 2;
  double scale = 1;
  while (exponent-- > 0) scale *= 10;
  return scale;
}

}  // namespace

std::int32_t LocalDay(const store::OrderPoint& order) {
  const std::int64_t local =
      order.placed_at.unix_seconds() + std::int64_t{order.utc_offset_minutes} * 60;
  const std::int64_t day = local >= 0 ? local / 86'400 : -((-local + 86'399) / 86'400);
  return static_cast<std::int32_t>(day);
}

PurchaseHistory MergePurchaseDays(std::span<const store::OrderPoint> orders,
                                  std::int32_t last_day) {
  PurchaseHistory out;
  // Main currency: most orders, ties to the earliest (orders arrive oldest first).
  struct Tally {
    std::string_view code;
    std::int64_t count;
    std::size_t first;
  };
  std::vector<Tally> tallies;
  std::vector<std::pair<std::int32_t, std::size_t>> picked;  // (local day, order index)
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const store::OrderPoint& o = orders[i];
    if (o.status != OrderStatus::kCompleted) continue;
    const std::int32_t day = LocalDay(o);
    if (day > last_day) continue;
    picked.emplace_back(day, i);
    auto it = std::find_if(tallies.begin(), tallies.end(),
                           [&](const Tally& t) { return t.code == o.currency; });
    if (it == tallies.end()) {
      tallies.push_back({o.currency, 1, i});
    } else {
      ++it->count;
    }
  }
  if (picked.empty()) return out;
  const Tally* best = &tallies.front();
  for (const Tally& t : tallies) {
    if (t.count > best->count || (t.count == best->count && t.first < best->first)) best = &t;
  }
  out.currency = std::string(best->code);
  out.orders = static_cast<std::int64_t>(picked.size());
  const double scale = MinorScale(out.currency);
  std::sort(picked.begin(), picked.end());
  for (const auto& [day, index] : picked) {
    if (out.days.empty() || out.days.back().day != day) out.days.push_back({day, 0.0, false});
    const store::OrderPoint& o = orders[index];
    if (o.currency == out.currency) {
      out.days.back().value += static_cast<double>(o.amount_minor) / scale;
      out.days.back().valued = true;
    }
  }
  return out;
}

}  // namespace winback::models::internal
