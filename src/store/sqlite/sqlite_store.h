#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace winback::store {

enum class OpenMode : std::uint8_t {
  kCreateIfMissing,  // Create the file and schema when absent (import, simulate, demo).
  kMustExist,        // NotFound when the file is absent (read-only commands).
};

// Opens the SQLite store at `path` (":memory:" for a private in-memory store), migrating its
// schema to the current version. The database runs in WAL mode with synchronous=NORMAL: a
// crash never corrupts it or leaves half an import, though the very last commit before a power
// loss may be rolled back. NotFound for a missing file under kMustExist; FailedPrecondition for
// a database written by a newer winback; Unavailable for I/O errors.
// Called before an existing database of an older schema version is upgraded, with the two
// versions: upgrading may recompute every customer's aggregates (about 20 s per million).
using UpgradeNoticeFn = std::function<void(int from, int to)>;

// `upgrade_notice` is called before an older database is upgraded.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               OpenMode mode = OpenMode::kCreateIfMissing,
                                               const UpgradeNoticeFn& upgrade_notice = {});

}  // namespace winback::store
