#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite/paced_vfs.h"
#include "store/sqlite/row_batch.h"

namespace winback::store::sqlite {

namespace {

// The status of SQLite result code `rc`, with message `msg`.
Status SqliteStatus(int rc, std::string msg) {
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExistsError(std::move(msg));
  }
  const int primary = rc & 0xff;
  if (primary == SQLITE_NOTADB) return FailedPreconditionError(std::move(msg));
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return UnavailableError(msg + " (another process is writing; retry)");
  }
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN ||
      primary == SQLITE_READONLY || primary == SQLITE_PERM) {
    return UnavailableError(std::move(msg));
  }
  return InternalError(std::move(msg));
}

}  // namespace

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  return SqliteStatus(rc,
                      std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::BindRows(int index, const RowBatch& rows) {
  // winback_rows only reads the batch; SQLite's pointer interface takes a non-const pointer.
  sqlite3_bind_pointer(stmt_, index, const_cast<RowBatch*>(&rows), kRowBatchPointerType, nullptr);
}

void Statement::BindInt(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value));
}

void Statement::BindText(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void Statement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }

void Statement::BindTextOrNull(int index, std::string_view value) {
  if (value.empty()) {
    BindNull(index);
  } else {
    BindText(index, value);
  }
}

void Statement::BindOptionalInt(int index, std::optional<std::int64_t> value) {
  if (value) {
    BindInt(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::BindReal(int index, double value) { sqlite3_bind_double(stmt_, index, value); }

void Statement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

std::string_view Statement::ColumnBlob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (p == nullptr) return {};
  const int n = sqlite3_column_bytes(stmt_, column);
  return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

double Statement::ColumnReal(int column) const { return sqlite3_column_double(stmt_, column); }

std::optional<double> Statement::ColumnOptionalReal(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnReal(column);
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "sqlite step");
}

Status Statement::Run() {
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::ColumnInt(int column) const {
  return static_cast<std::int64_t>(sqlite3_column_int64(stmt_, column));
}

std::optional<std::int64_t> Statement::ColumnOptionalInt(int column) const {
  // One column call instead of two (type, then value): each takes the connection's API path.
  sqlite3_value* v = sqlite3_column_value(stmt_, column);
  if (sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
  return static_cast<std::int64_t>(sqlite3_value_int64(v));
}

std::string_view Statement::ColumnText(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  const int n = sqlite3_column_bytes(stmt_, column);
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

Result<Database> Database::Open(const std::string& path, Access access, Writeback writeback) {
  // Memory statistics take a global mutex on every allocation; winback never reads them.
  static const int kConfigured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)kConfigured;  // SQLITE_MISUSE if the library was already initialised: harmless.
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  std::string name = path;
  switch (access) {
    case Access::kCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case Access::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Access::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Access::kImmutable: {
      flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
      // A URI's path escapes '%', '?' and '#'.
      name = "file:";
      for (const char c : path) {
        if (c == '%' || c == '?' || c == '#') {
          constexpr const char* kHex = "0123456789ABCDEF";
          name += '%';
          name += kHex[static_cast<unsigned char>(c) >> 4];
          name += kHex[static_cast<unsigned char>(c) & 0xf];
        } else {
          name += c;
        }
      }
      name += "?immutable=1";
      break;
    }
  }
  const int rc = sqlite3_open_v2(name.c_str(), &db, flags,
                                 writeback == Writeback::kPaced ? PacedVfsName() : nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "cannot open database '" + path + "'");
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  // From the first read on: a WAL database that another connection is opening at the same
  // moment is busy while that connection recovers its WAL index (SQLITE_BUSY_RECOVERY), and
  // the opener's first query (PRAGMA user_version) must wait for it, not fail. The store's
  // settings (sqlite_open.cc) set the same timeout again.
  sqlite3_busy_timeout(db, 5000);
  if (const int module = RegisterRowBatchModule(db); module != SQLITE_OK) {
    Status s = SqliteError(db, module, "cannot register winback_rows on '" + path + "'");
    sqlite3_close(db);
    return s;
  }
  return Database(db, path, writeback);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      writeback_(other.writeback_),
      cached_(std::move(other.cached_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    cached_.clear();
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    writeback_ = other.writeback_;
    cached_ = std::move(other.cached_);
  }
  return *this;
}

Database::~Database() {
  cached_.clear();
  sqlite3_close_v2(db_);
}

Result<Statement*> Database::Cached(std::string_view sql) {
  if (auto it = cached_.find(sql); it != cached_.end()) return &it->second;
  WINBACK_ASSIGN_OR_RETURN(Statement s, Prepare(sql));
  return &cached_.emplace(std::string(sql), std::move(s)).first->second;
}

Status Database::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteStatus(rc, "sqlite exec: " + msg);
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteError(db_, rc, "sqlite prepare '" + std::string(sql.substr(0, 60)) + "'");
  }
  return Statement(db_, stmt);
}

std::int64_t Database::changes() { return static_cast<std::int64_t>(sqlite3_changes64(db_)); }

std::int64_t Database::last_insert_rowid() {
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

bool Database::autocommit() { return sqlite3_get_autocommit(db_) != 0; }

bool Database::read_only() { return sqlite3_db_readonly(db_, "main") == 1; }

Result<std::optional<std::int64_t>> Database::QueryInt(std::string_view sql) {
  WINBACK_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  WINBACK_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::int64_t>();
  return stmt.ColumnOptionalInt(0);
}

}  // namespace winback::store::sqlite
