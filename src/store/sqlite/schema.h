#pragma once

// The schema of the SQLite store: what each version's DDL is, the secondary indexes a bulk load
// rebuilds, and the upgrade of a database from its version to the current one (migrate.cc).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

// The schema version this binary writes. Version N is reached by applying migrations 1..N in
// order; the version is recorded in PRAGMA user_version.
inline constexpr int kSchemaVersion = 9;

// One step of the schema, from version N - 1 to N.
struct Migration {
  const char* sql;
  // Recompute every customer's aggregates after the SQL. Only the last migration that changes
  // customer_aggregates does it, because RecomputeAggregates writes the current columns.
  bool backfill_aggregates;
  // A step in C++ after the SQL and the backfill, or null.
  Status (*convert)(Database& db);
};

// Migrations()[N - 1] leads to version N, for N in 1..kSchemaVersion.
const std::vector<Migration>& Migrations();

// What a database is, before anything is written to it (InspectDatabase).
struct DatabaseKind {
  int user_version = 0;
  // The names of its tables, sorted; empty for a new (or empty) file.
  std::vector<std::string> tables;
  // Its user_version is a schema version (1 or more) and it has the tables every version of
  // the winback store has (customers, imports).
  bool winback = false;
};

// Reads what `db` is: its user_version and tables. FailedPrecondition for a file that is not a
// SQLite database.
Result<DatabaseKind> InspectDatabase(Database& db);

// Called once before an existing database (schema version >= 1) is upgraded, with its version
// and the target, so that a command can say why opening takes a while (a migration may
// recompute every customer's aggregates: about 20 s per million customers).
using UpgradeNotice = std::function<void(int from, int to)>;

// Upgrades `db` to `target` (default: kSchemaVersion), each migration in its own transaction.
// A database newer than this binary gives FailedPrecondition; it is never downgraded. So does
// a negative user_version, which no winback writes.
Status Migrate(Database& db, int target = kSchemaVersion, const UpgradeNotice& notice = {});

// A secondary index that a bulk load drops and rebuilds.
struct BulkIndex {
  const char* name;
  const char* create_sql;
  int version;  // The schema version that introduced it: its migration creates it.
};
// The bulk-loadable indexes of "orders" or "events" (empty for other tables).
const std::vector<BulkIndex>& BulkIndexes(std::string_view table);
// Creates / drops the bulk-loadable indexes of `table` (in the caller's transaction);
// CreateBulkIndexes with `only_version` > 0 creates only those that version introduced (a
// migration).
Status CreateBulkIndexes(Database& db, std::string_view table, int only_version = 0);
Status DropBulkIndexes(Database& db, std::string_view table);

}  // namespace winback::store::sqlite
