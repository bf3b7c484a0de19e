// The SQLite store's writes (imports, units of work) and its scores; the reads are in
// sqlite_customer_reads.cc and sqlite_scans.cc, the opening in sqlite_open.cc.
#include <string>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_import_session.h"
#include "store/sqlite/sqlite_scores.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/sqlite/sqlite_write_transaction.h"

namespace winback::store::sqlite {

int SqliteStore::schema_version() const { return kSchemaVersion; }

Status SqliteStore::CheckCanWrite(std::string_view what) {
  if (read_only_) {
    return FailedPreconditionError("cannot " + std::string(what) + ": '" + db_.path() +
                                   "' is open read-only");
  }
  if (!db_.autocommit()) {
    return FailedPreconditionError("cannot " + std::string(what) +
                                   ": this store already has an import, score run or write "
                                   "transaction open");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ImportSession>> SqliteStore::BeginImport(std::string_view description) {
  WINBACK_RETURN_IF_ERROR(CheckCanWrite("import"));
  return BeginSqliteImport(db_, description);
}

Result<std::unique_ptr<WriteTransaction>> SqliteStore::BeginWrite() {
  WINBACK_RETURN_IF_ERROR(CheckCanWrite("write"));
  return BeginSqliteWrite(db_);
}

Result<std::unique_ptr<ScoreWriter>> SqliteStore::BeginScores(Date as_of) {
  WINBACK_RETURN_IF_ERROR(CheckCanWrite("write scores"));
  return sqlite::BeginScores(db_, as_of);
}

Result<std::vector<Date>> SqliteStore::ScoreDates() { return sqlite::ScoreDates(db_); }

Status SqliteStore::ForEachScore(Date as_of,
                                 const std::function<Status(const CustomerScore&)>& fn) {
  return sqlite::ForEachScore(db_, as_of, fn);
}

Result<std::optional<CustomerScore>> SqliteStore::LoadScore(Date as_of, CustomerKey key) {
  return sqlite::LoadScore(db_, as_of, key);
}

}  // namespace winback::store::sqlite
