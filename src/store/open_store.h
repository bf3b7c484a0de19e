#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace winback::store {

// How OpenStore treats the database at the location.
enum class OpenMode : std::uint8_t {
  // Read-write: creates the database and its schema when absent, and upgrades an older winback
  // store (import, simulate, demo).
  kCreateIfMissing,
  // An existing winback store: NotFound when absent; never creates anything. An older schema is
  // upgraded when the database can be written; a database this process may not write (a
  // read-only file or directory) is opened read-only instead (read commands, score).
  kMustExist,
  // As kMustExist, but never writes: no upgrade, no journal mode change, writes return
  // FailedPrecondition.
  kReadOnly,
};

// Called before an existing database of an older schema version is upgraded, with the two
// versions: upgrading may recompute every customer's aggregates (about 20 s per million).
using UpgradeNoticeFn = std::function<void(int from, int to)>;

// When a commit is on disk.
enum class Sync : std::uint8_t {
  // A crash of the process never loses a commit; a power loss may roll back the last ones
  // (SQLite: WAL with synchronous=NORMAL). The default: imports, scoring, planning.
  kNormal,
  // Every commit is fsync'd before it returns (SQLite: synchronous=FULL), for a server that
  // acknowledges each write as durable.
  kFull,
};

struct OpenOptions {
  OpenMode mode = OpenMode::kCreateIfMissing;
  UpgradeNoticeFn upgrade_notice;  // May be empty.
  Sync sync = Sync::kNormal;       // Ignored for read-only opens.
};

// Opens the store at `location`:
// - a file path: the SQLite store in that file (store/sqlite/sqlite_store.h);
// - ":memory:": a private, empty in-memory SQLite store, gone when closed (every mode creates
//   its schema: there is nothing else it could be);
// - "postgresql://..." or "postgres://...": not supported by this build yet.
// Errors: InvalidArgument for an empty location, an unknown scheme ("x://") or PostgreSQL;
// NotFound for a missing file unless kCreateIfMissing; FailedPrecondition for a file that is
// not a winback store (not SQLite, another application's SQLite database, an empty file
// outside kCreateIfMissing; the message says what it is), a store written by a newer winback,
// or an older store that a read-only open cannot upgrade; Unavailable for I/O errors.
// Never creates, upgrades or writes a database that is not a winback store. Thread-safe.
Result<std::unique_ptr<Store>> OpenStore(std::string_view location,
                                         const OpenOptions& options = {});

}  // namespace winback::store
