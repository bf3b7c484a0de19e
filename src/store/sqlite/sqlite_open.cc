// Opening the SQLite store: what the file at a path is, and whether it may be written.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace winback::store {
namespace {

using sqlite::Access;
using sqlite::Database;
using sqlite::DatabaseKind;

// Settings of every connection. WAL lets readers run beside an import; NORMAL sync is
// crash-safe in WAL mode. Sorts (index builds at the end of a bulk import) may use a second
// core.
constexpr const char* kSettings =
    "PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144; "
    "PRAGMA threads = 2;";
constexpr const char* kWriterSettings = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

// True when this process may write `path` and create files beside it (WAL mode keeps a -wal and
// a -shm file next to the database).
bool Writable(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  return ::access(path.c_str(), W_OK) == 0 && ::access(dir.c_str(), W_OK) == 0;
}

// Size of `path` in bytes, or -1 when it does not exist.
std::int64_t FileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<std::int64_t>(st.st_size);
}

// Why `kind` (of the database at `path`) is not a winback store.
Status NotAWinbackStore(const std::string& path, const DatabaseKind& kind) {
  if (kind.user_version < 0) {
    return FailedPreconditionError("'" + path + "' has schema version " +
                                   std::to_string(kind.user_version) +
                                   ", which no winback writes: it is not a winback store");
  }
  std::string tables;
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < kind.tables.size() && i < kShown; ++i) {
    if (i > 0) tables += ", ";
    tables += kind.tables[i];
  }
  if (kind.tables.size() > kShown) {
    tables += ", ... (" + std::to_string(kind.tables.size()) + " in all)";
  }
  if (tables.empty()) tables = "none";
  return FailedPreconditionError(
      "'" + path + "' is a SQLite database but not a winback store (tables: " + tables +
      "; user_version " + std::to_string(kind.user_version) + "); refusing to use it");
}

// Opens a file that exists, read-only. A WAL database in a directory this process may not
// write cannot get its -shm file; it is then opened immutable, which is only right when there
// is no -wal file with commits in it.
Result<Database> OpenReadOnly(const std::string& path, Result<DatabaseKind>& kind) {
  WINBACK_ASSIGN_OR_RETURN(Database db, Database::Open(path, Access::kReadOnly));
  kind = sqlite::InspectDatabase(db);
  if (kind.ok() || kind.status().code() != StatusCode::kUnavailable) return db;
  if (FileSize(path + "-wal") > 0) {
    return UnavailableError("cannot read '" + path + "' (" + kind.status().message() +
                            "): its -wal file holds commits, and this process may not create "
                            "the -shm file beside it; open it once with write access");
  }
  WINBACK_ASSIGN_OR_RETURN(Database immutable, Database::Open(path, Access::kImmutable));
  kind = sqlite::InspectDatabase(immutable);
  return immutable;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode,
                                               const UpgradeNoticeFn& upgrade_notice, Sync sync) {
  const std::string writer_settings =
      std::string(kWriterSettings) + (sync == Sync::kFull ? " PRAGMA synchronous = FULL;" : "");
  if (path == ":memory:") {  // A new, private database: create its schema whatever the mode.
    WINBACK_ASSIGN_OR_RETURN(Database db, Database::Open(path, Access::kCreate));
    WINBACK_RETURN_IF_ERROR(db.Exec(writer_settings + kSettings));
    WINBACK_RETURN_IF_ERROR(sqlite::Migrate(db, sqlite::kSchemaVersion, upgrade_notice));
    return std::unique_ptr<Store>(new sqlite::SqliteStore(std::move(db)));
  }
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && mode != OpenMode::kCreateIfMissing) {
    return NotFoundError("no winback database at '" + path +
                         "' (run `winback import` or `winback demo` first, or pass --db)");
  }
  if (exists && S_ISDIR(st.st_mode)) {
    return FailedPreconditionError("'" + path + "' is a directory, not a winback store");
  }
  Result<DatabaseKind> kind = InternalError("not inspected");
  std::optional<Database> db;
  if (mode == OpenMode::kReadOnly || (mode == OpenMode::kMustExist && !Writable(path))) {
    WINBACK_ASSIGN_OR_RETURN(db, OpenReadOnly(path, kind));
  } else {
    // A writer that syncs every commit is the server's, beside its ingest log: its writes go
    // to the disk in slices, so that a log sync never waits behind a whole commit (paced_vfs.h).
    WINBACK_ASSIGN_OR_RETURN(
        db, Database::Open(
                path, mode == OpenMode::kCreateIfMissing ? Access::kCreate : Access::kReadWrite,
                sync == Sync::kFull ? sqlite::Writeback::kPaced : sqlite::Writeback::kAtSync));
    kind = sqlite::InspectDatabase(*db);
  }
  WINBACK_RETURN_IF_ERROR(kind.status());
  const bool fresh = kind->user_version == 0 && kind->tables.empty();
  if (!kind->winback && !(fresh && mode == OpenMode::kCreateIfMissing)) {
    if (fresh) {
      return FailedPreconditionError(
          "'" + path +
          "' is an empty database, not a winback store yet (run `winback import` or "
          "`winback demo` first, or pass --db)");
    }
    return NotAWinbackStore(path, *kind);
  }
  // SQLite opens a file it may not write read-only even when asked for read-write.
  const bool read_only = db->read_only();
  WINBACK_RETURN_IF_ERROR(
      db->Exec(read_only ? std::string(kSettings) : writer_settings + kSettings));
  if (read_only) {
    if (kind->user_version > sqlite::kSchemaVersion) {
      return sqlite::Migrate(*db);  // Says which versions, and writes nothing.
    }
    if (kind->user_version < sqlite::kSchemaVersion) {
      return FailedPreconditionError(
          "'" + path + "' has schema version " + std::to_string(kind->user_version) +
          " and needs an upgrade to " + std::to_string(sqlite::kSchemaVersion) +
          ", but it is open read-only; run a winback command once with write access to it");
    }
  } else {
    WINBACK_RETURN_IF_ERROR(sqlite::Migrate(*db, sqlite::kSchemaVersion, upgrade_notice));
  }
  if (sync == Sync::kFull && !read_only) {
    // A writer that fsyncs every commit checkpoints on a thread of its own, so that no commit
    // waits for a checkpoint (wal_checkpointer.h).
    WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::WalCheckpointer> checkpointer,
                             sqlite::WalCheckpointer::Start(*db, {}));
    return std::unique_ptr<Store>(new sqlite::SqliteStore(std::move(*db), std::move(checkpointer)));
  }
  return std::unique_ptr<Store>(new sqlite::SqliteStore(std::move(*db)));
}

}  // namespace winback::store
