#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

// The schema version this binary writes. Version N is reached by applying migrations 1..N in
// order; the version is recorded in PRAGMA user_version.
inline constexpr int kSchemaVersion = 5;

// Called once before an existing database (schema version >= 1) is upgraded, with its version
// and the target, so that a command can say why opening takes a while (a migration may
// recompute every customer's aggregates: about 20 s per million customers).
using UpgradeNotice = std::function<void(int from, int to)>;

// Upgrades `db` to `target` (default: kSchemaVersion), each migration in its own transaction.
// A database newer than this binary gives FailedPrecondition; it is never downgraded.
Status Migrate(Database& db, int target = kSchemaVersion, const UpgradeNotice& notice = {});

// The fields of an order that its customer's aggregates read.
struct AggregateOrder {
  std::int64_t cid = 0;
  std::int64_t placed_at_us = 0;
  std::int64_t amount_minor = 0;
  std::int32_t utc_offset_minutes = 0;
  std::uint8_t status = 0;  // OrderStatus
  char currency[3] = {};    // ISO 4217: always three letters.
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

// A secondary index that a bulk load drops and rebuilds.
struct BulkIndex {
  const char* name;
  const char* create_sql;
};
// The bulk-loadable indexes of "orders" or "events" (empty for other tables).
const std::vector<BulkIndex>& BulkIndexes(std::string_view table);
// Creates / drops the bulk-loadable indexes of `table` (in the caller's transaction).
Status CreateBulkIndexes(Database& db, std::string_view table);
Status DropBulkIndexes(Database& db, std::string_view table);

}  // namespace winback::store::sqlite
