#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/open_store.h"
#include "store/store.h"

namespace winback::store {

// Opens the SQLite store at `path` (":memory:" for a private in-memory store), as OpenStore
// (open_store.h) describes for each mode. The database runs in WAL mode with
// synchronous=NORMAL: a crash never corrupts it or leaves half an import, though the very last
// commit before a power loss may be rolled back; with Sync::kFull (synchronous=FULL) every
// commit is fsync'd before it returns. A winback store is a SQLite database whose
// user_version is its schema version (1 or more) and which has the customers and imports
// tables. Errors as OpenStore. Prefer OpenStore outside store/ and tests of this backend.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               OpenMode mode = OpenMode::kCreateIfMissing,
                                               const UpgradeNoticeFn& upgrade_notice = {},
                                               Sync sync = Sync::kNormal);

}  // namespace winback::store
