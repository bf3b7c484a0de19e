#include "cli/command_helpers.h"

#include <cstdint>
#include <map>

namespace winback::cli {

Result<Date> ParseDateOption(std::string_view option, std::string_view text) {
  Result<Date> d = ParseDate(text);
  if (!d.ok()) {
    return InvalidArgumentError(std::string(option) + ": " + d.status().message());
  }
  return d;
}

Result<std::string> RevenueCurrency(store::Store& store, const std::string& configured) {
  if (!configured.empty()) return configured;
  std::map<std::string, std::int64_t> counts;
  // The packed scoring fields hold both columns read here: decoding one BLOB per customer
  // instead of every aggregate column makes this scan of a million rows several times cheaper.
  WINBACK_RETURN_IF_ERROR(store.ForEachAggregatesInRange(
      store::KeyRange{}, store::AggregateFields::kScoring, [&](const store::CustomerAggregates& a) {
        if (a.orders > 0 && !a.currency.empty()) ++counts[a.currency];
        return Status::Ok();
      }));
  std::string best;
  std::int64_t best_count = 0;
  for (const auto& [code, n] : counts) {
    if (n > best_count) {
      best = code;
      best_count = n;
    }
  }
  return best;
}

}  // namespace winback::cli
