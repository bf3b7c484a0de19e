#include <algorithm>
#include <string>
#include <vector>

#include "store/sqlite/aggregate_recompute.h"
#include "store/sqlite/schema.h"

namespace winback::store::sqlite {

Result<DatabaseKind> InspectDatabase(Database& db) {
  DatabaseKind kind;
  Result<std::optional<std::int64_t>> version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) {
    if (version.status().code() == StatusCode::kFailedPrecondition) {  // SQLITE_NOTADB
      return FailedPreconditionError("'" + db.path() +
                                     "' is not a SQLite database, so not a winback store");
    }
    return version.status();
  }
  // PRAGMA user_version is a signed 32-bit integer.
  kind.user_version = static_cast<int>(version->value_or(0));
  WINBACK_ASSIGN_OR_RETURN(Statement tables,
                           db.Prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                                      "name NOT LIKE 'sqlite_%' ORDER BY name"));
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, tables.Step());
    if (!row) break;
    kind.tables.emplace_back(tables.ColumnText(0));
  }
  auto has = [&kind](std::string_view name) {
    return std::binary_search(kind.tables.begin(), kind.tables.end(), name);
  };
  kind.winback = kind.user_version >= 1 && has("customers") && has("imports");
  return kind;
}

Status Migrate(Database& db, int target, const UpgradeNotice& notice) {
  WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> v, db.QueryInt("PRAGMA user_version"));
  const std::int64_t version = v.value_or(0);
  if (version < 0) {
    return FailedPreconditionError("database '" + db.path() + "' has schema version " +
                                   std::to_string(version) +
                                   ", which no winback writes: it is not a winback store");
  }
  if (version > kSchemaVersion) {
    return FailedPreconditionError("database '" + db.path() + "' has schema version " +
                                   std::to_string(version) + ", newer than this winback (" +
                                   std::to_string(kSchemaVersion) + "); upgrade winback");
  }
  const int current = static_cast<int>(version);
  const auto& migrations = Migrations();
  if (notice && current >= 1 && current < target) notice(current, target);
  for (int next = current + 1; next <= target; ++next) {
    const Migration& m = migrations[static_cast<std::size_t>(next - 1)];
    WINBACK_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status s = db.Exec(m.sql);
    if (s.ok()) s = CreateBulkIndexes(db, "orders", next);
    if (s.ok()) s = CreateBulkIndexes(db, "events", next);
    if (s.ok() && m.backfill_aggregates) s = RecomputeAllAggregates(db).status();
    if (s.ok() && m.convert != nullptr) s = m.convert(db);
    if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(next));
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      db.Exec("ROLLBACK").IgnoreError();  // The migration's own error is the one to report.
      return s.WithContext("migrating '" + db.path() + "' to schema version " +
                           std::to_string(next));
    }
  }
  return Status::Ok();
}

}  // namespace winback::store::sqlite
