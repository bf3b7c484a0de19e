#pragma once

// Reading whole rows of customer_aggregates (every column; sqlite_scores.h reads the packed
// scoring subset).

#include <cstdint>
#include <optional>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/records.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

// "SELECT <every column> FROM customer_aggregates", for ReadAggregates; a WHERE may follow.
extern const char* const kSelectAggregates;

// The aggregates in the current row of a statement of kSelectAggregates.
CustomerAggregates ReadAggregates(const Statement& s);

// The aggregates of customer `key`; all zero when it has no row.
Result<CustomerAggregates> LoadAggregates(Database& db, CustomerKey key);

// A time stored as microseconds, or nullopt for NULL.
inline std::optional<Instant> OptionalInstant(std::optional<std::int64_t> us) {
  if (!us) return std::nullopt;
  return Instant::FromUnixMicros(*us);
}

}  // namespace winback::store::sqlite
