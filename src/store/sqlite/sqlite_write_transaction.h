#pragma once

#include <memory>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"
#include "store/write_transaction.h"

namespace winback::store::sqlite {

// Starts a unit of work on `db` (WriteStore::BeginWrite): takes the write lock (BEGIN
// IMMEDIATE). `db` must outlive the transaction and serve nothing else until it ends.
Result<std::unique_ptr<WriteTransaction>> BeginSqliteWrite(Database& db);

}  // namespace winback::store::sqlite
