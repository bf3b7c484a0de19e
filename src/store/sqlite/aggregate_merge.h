#pragma once

// Keeping customer_aggregates up to date from the new rows of an import alone, without reading
// the customers' stored orders and events (AggregateBuilder::MergeInto).

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "store/aggregate_builder.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

// The rows an import session added for one customer, none of which replaced or changed a
// stored row.
struct AggregateDelta {
  explicit AggregateDelta(std::int64_t customer) : cid(customer), rows(CustomerKey(customer)) {}
  std::int64_t cid;
  AggregateBuilder rows;      // Fed every new order and event of the customer, nothing else.
  bool new_customer = false;  // Inserted by the same session: no stored aggregates row yet.
};

// Brings the customer_aggregates rows of `deltas` (ascending, unique cid; not owned) up to date
// from each stored row and the new rows alone, inside the caller's transaction: one read of the
// stored row by key, AggregateBuilder::MergeInto, and a write only when the row changes (a new
// customer's row is always written). The result is what RecomputeAggregates writes for the
// same customers, byte for byte (aggregate_merge_test.cc checks it on random histories).
// Consumes the builders. Returns the customers it could not merge, ascending: MergeInto's
// cases, and a stored customer without an aggregates row; the caller recomputes them.
Result<std::vector<std::int64_t>> MergeAggregates(Database& db,
                                                  std::span<AggregateDelta* const> deltas);

}  // namespace winback::store::sqlite
