#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace winback::store::sqlite {

class RowBatch;

// A prepared statement. Bind* use 1-based parameter indexes, Column* 0-based columns.
// Move-only; finalized on destruction.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // False for the statement of empty SQL (and a default-constructed one): nothing to run.
  bool valid() const { return stmt_ != nullptr; }

  void BindInt(int index, std::int64_t value);
  void BindText(int index, std::string_view value);  // Not copied: must outlive Step().
  void BindNull(int index);
  // Binds NULL for an empty string.
  void BindTextOrNull(int index, std::string_view value);
  void BindOptionalInt(int index, std::optional<std::int64_t> value);
  void BindReal(int index, double value);
  void BindBlob(int index, std::string_view bytes);  // Not copied: must outlive Step().
  // The argument of winback_rows(?) (row_batch.h). Not copied: must outlive Step().
  void BindRows(int index, const RowBatch& rows);

  // Advances: true when a row is available, false when done. Busy databases give Unavailable.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  // Resets for re-execution and clears bindings.
  void Reset();

  bool IsNull(int column) const;
  std::int64_t ColumnInt(int column) const;
  std::optional<std::int64_t> ColumnOptionalInt(int column) const;
  std::string_view ColumnText(int column) const;
  // The bytes of a BLOB (or TEXT) column; valid until the next Step() or Reset().
  std::string_view ColumnBlob(int column) const;
  double ColumnReal(int column) const;
  std::optional<double> ColumnOptionalReal(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// How Database::Open opens a file.
enum class Access : std::uint8_t {
  kCreate,     // Read-write, creating the file when absent.
  kReadWrite,  // Read-write; the file must exist. SQLite falls back to read-only when the
               // file cannot be written (see Database::read_only()).
  kReadOnly,   // Read-only; the file must exist.
  kImmutable,  // Read-only, and SQLite assumes no one changes the file: needs no -shm file,
               // so a WAL database in a read-only directory can be read. The -wal file is
               // ignored, so use it only when there is none.
};

// When a connection's writes go to the disk.
enum class Writeback : std::uint8_t {
  kAtSync,  // When SQLite syncs the file (or the kernel decides to).
  kPaced,   // In slices as they are written (paced_vfs.h): for a writer beside the ingest log.
};

// An open SQLite connection. Move-only; closed on destruction.
class Database {
 public:
  // Opens `path`; ":memory:" gives a private in-memory database. Busy databases are waited
  // for up to 5 s (PRAGMA busy_timeout changes it).
  static Result<Database> Open(const std::string& path, Access access = Access::kCreate,
                               Writeback writeback = Writeback::kAtSync);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Executes one or more statements without results.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // The statement of `sql`, prepared on its first use and kept until the connection closes: for
  // statements run once per message or per call, so that a call does no SQL parsing. The
  // pointer stays valid as long as the connection. The caller must not use one cached statement
  // twice at once and must reset it when done (StatementReset), so that it keeps no read
  // snapshot and no bindings.
  Result<Statement*> Cached(std::string_view sql);
  // Runs a query returning a single integer (or nullopt for NULL / no row).
  Result<std::optional<std::int64_t>> QueryInt(std::string_view sql);

  // Rows changed by the most recent INSERT, UPDATE or DELETE (sqlite3_changes64).
  std::int64_t changes();
  // Rowid of the most recent successful INSERT on this connection.
  std::int64_t last_insert_rowid();
  // True when no transaction is open (sqlite3_get_autocommit).
  bool autocommit();
  // True when the connection cannot write the database (sqlite3_db_readonly).
  bool read_only();

  const std::string& path() const { return path_; }
  Writeback writeback() const { return writeback_; }
  sqlite3* handle() { return db_; }

 private:
  Database(sqlite3* db, std::string path, Writeback writeback)
      : db_(db), path_(std::move(path)), writeback_(writeback) {}
  sqlite3* db_ = nullptr;
  std::string path_;
  Writeback writeback_ = Writeback::kAtSync;
  // Cached(): by SQL text. Finalized before the connection closes.
  std::map<std::string, Statement, std::less<>> cached_;
};

// Resets a statement (Statement::Reset) when it goes out of scope: the companion of
// Database::Cached.
class StatementReset {
 public:
  explicit StatementReset(Statement& s) : s_(s) {}
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;
  ~StatementReset() { s_.Reset(); }

 private:
  Statement& s_;
};

// Maps an SQLite (extended) result code to a Status: BUSY/LOCKED and I/O errors ->
// Unavailable, a UNIQUE or PRIMARY KEY constraint -> AlreadyExists, a file that is not a
// database (NOTADB) -> FailedPrecondition, others -> Internal.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace winback::store::sqlite
