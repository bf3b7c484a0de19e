#include "server/ingest_log.h"

#include <utility>

namespace winback::server {

using store::sqlite::Database;
using store::sqlite::Statement;
using store::sqlite::StatementReset;

Result<IngestLog> IngestLog::Open(const std::string& path) {
  WINBACK_ASSIGN_OR_RETURN(Database db, Database::Open(path, store::sqlite::Access::kCreate));
  // EXCLUSIVE before WAL: the connection keeps the file locked from its first write until it
  // closes, and needs no -shm file. No waiting: a lock held by another process is an error.
  Status st = db.Exec(
      "PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; "
      "PRAGMA synchronous = FULL;"
      "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind "
      "INTEGER NOT NULL, body BLOB NOT NULL); COMMIT;");
  if (!st.ok()) {
    if (st.code() == StatusCode::kUnavailable) {
      return FailedPreconditionError("the ingest log " + path +
                                     " is held by another process (is another `winback serve` "
                                     "running on this store?)");
    }
    return Status(st.code(), "the ingest log " + path + ": " + st.message());
  }
  return IngestLog(std::move(db), path);
}

Status IngestLog::Append(std::span<Entry> entries, std::int64_t trim_through) {
  WINBACK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(Statement * trim, db_.Cached("DELETE FROM entries WHERE seq <= ?1"));
    {
      StatementReset reset(*trim);
      trim->BindInt(1, trim_through);
      WINBACK_RETURN_IF_ERROR(trim->Run());
    }
    WINBACK_ASSIGN_OR_RETURN(Statement * insert,
                             db_.Cached("INSERT INTO entries (kind, body) VALUES (?1, ?2)"));
    for (Entry& e : entries) {
      StatementReset reset(*insert);
      insert->BindInt(1, e.kind);
      insert->BindBlob(2, e.body);
      WINBACK_RETURN_IF_ERROR(insert->Run());
      e.seq = db_.last_insert_rowid();
    }
    return db_.Exec("COMMIT");
  };
  Status st = body();
  if (!st.ok()) {
    if (!db_.autocommit()) (void)db_.Exec("ROLLBACK");
    for (Entry& e : entries) e.seq = 0;
  }
  return st;
}

Status IngestLog::ForEach(const std::function<Status(const Entry&)>& fn) {
  WINBACK_ASSIGN_OR_RETURN(Statement s,
                           db_.Prepare("SELECT seq, kind, body FROM entries ORDER BY seq"));
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    WINBACK_RETURN_IF_ERROR(fn(Entry{s.ColumnInt(0), static_cast<int>(s.ColumnInt(1)),
                                     s.ColumnBlob(2)}));
  }
}

Status IngestLog::Trim(std::int64_t through) {
  std::span<Entry> none;
  return Append(none, through);
}

}  // namespace winback::server
