#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "store/import_store.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

// Starts an import on `db` (ImportStore::BeginImport): takes the write lock (BEGIN IMMEDIATE),
// logs the batch and prepares the session's statements. On error nothing is left open. `db`
// must outlive the session and serve nothing else until it ends.
Result<std::unique_ptr<ImportSession>> BeginSqliteImport(Database& db,
                                                         std::string_view description);

}  // namespace winback::store::sqlite
