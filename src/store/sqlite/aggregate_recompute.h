#pragma once

// Recomputing the per-customer aggregates (customer_aggregates) from the stored orders and
// events, for an import's customers or, after a schema change, for all.

#include <cstdint>
#include <optional>
#include <span>

#include "core/status.h"
#include "store/records.h"
#include "store/sqlite/row_batch.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

// The fields of an order that its customer's aggregates read.
struct AggregateOrder {
  std::int64_t cid = 0;
  std::int64_t placed_at_us = 0;
  std::int64_t amount_minor = 0;
  std::int32_t utc_offset_minutes = 0;
  std::uint8_t status = 0;  // OrderStatus
  char currency[3] = {};    // ISO 4217: always three letters.
};

// Writes whole customer_aggregates rows (INSERT OR REPLACE) in batches: Add() queues a row and
// writes the batch when it is full, Flush() writes what is queued. Used inside the caller's
// transaction; the statement is the connection's cached one.
class AggregateWriter {
 public:
  static Result<AggregateWriter> Create(Database& db);
  Status Add(const CustomerAggregates& a);
  Status Flush();

 private:
  explicit AggregateWriter(Statement* insert);
  Statement* insert_;
  RowBatch batch_;
  std::string scoring_;  // Scratch for the packed scoring fields, reused across rows.
};

// Recomputes customer_aggregates for the customers `cids` (ascending, unique, existing).
// Returns the number of aggregate rows written. Runs inside the caller's transaction.
// When `orders` is given (sorted by cid), it is every order of those customers and the orders
// table is not read: a bulk load that filled the empty table knows them already.
Result<std::int64_t> RecomputeAggregates(
    Database& db, std::span<const std::int64_t> cids,
    std::optional<std::span<const AggregateOrder>> orders = std::nullopt);
// The same for every customer.
Result<std::int64_t> RecomputeAllAggregates(Database& db);

}  // namespace winback::store::sqlite
