#include "store/sqlite/row_batch.h"

#include <sqlite3.h>

#include <cstring>
#include <string>

#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {

RowBatch::RowBatch(int columns) : columns_(columns) {
  if (columns_ < 1) columns_ = 1;
  if (columns_ > kMaxColumns) columns_ = kMaxColumns;
}

void RowBatch::Clear() {
  cells_.clear();
  bytes_.clear();
}

void RowBatch::AddBytes(Kind kind, std::string_view v) {
  cells_.push_back(
      Cell{static_cast<std::int64_t>(bytes_.size()), static_cast<std::uint32_t>(v.size()), kind});
  bytes_.append(v);
}

Status FlushRows(Statement& insert, RowBatch& rows) {
  if (rows.empty()) return Status::Ok();
  insert.BindRows(1, rows);
  Status s = insert.Run();
  insert.Reset();
  rows.Clear();
  return s;
}

std::string RowBatchColumns(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += "c" + std::to_string(i);
  }
  return out;
}

// The virtual table behind winback_rows: eponymous only (no CREATE VIRTUAL TABLE), read only,
// one hidden column `batch` that takes the bound pointer.
class RowBatchReader {
 public:
  static constexpr int kBatchColumn = RowBatch::kMaxColumns;

  struct Cursor {
    sqlite3_vtab_cursor base;  // First: SQLite casts between the two.
    const RowBatch* batch;
    std::size_t row;
  };

  static int Connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
    const std::string schema =
        "CREATE TABLE x(" + RowBatchColumns(RowBatch::kMaxColumns) + ", batch HIDDEN)";
    const int rc = sqlite3_declare_vtab(db, schema.c_str());
    if (rc != SQLITE_OK) return rc;
    auto* vtab = static_cast<sqlite3_vtab*>(sqlite3_malloc(sizeof(sqlite3_vtab)));
    if (vtab == nullptr) return SQLITE_NOMEM;
    std::memset(vtab, 0, sizeof *vtab);
    *out = vtab;
    return SQLITE_OK;
  }

  static int Disconnect(sqlite3_vtab* vtab) {
    sqlite3_free(vtab);
    return SQLITE_OK;
  }

  // The only plan: the batch argument given as an equality on the hidden column.
  static int BestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
    bool seen = false;
    for (int i = 0; i < info->nConstraint; ++i) {
      const auto& c = info->aConstraint[i];
      if (c.iColumn != kBatchColumn || c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
      seen = true;
      if (!c.usable) continue;
      info->aConstraintUsage[i].argvIndex = 1;
      info->aConstraintUsage[i].omit = 1;
      info->estimatedCost = 1.0;
      info->estimatedRows = 4096;
      return SQLITE_OK;
    }
    if (seen) return SQLITE_CONSTRAINT;  // Try another join order.
    sqlite3_free(vtab->zErrMsg);
    vtab->zErrMsg = sqlite3_mprintf("winback_rows needs its batch argument: winback_rows(?)");
    return SQLITE_ERROR;
  }

  static int Open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    auto* cursor = static_cast<Cursor*>(sqlite3_malloc(sizeof(Cursor)));
    if (cursor == nullptr) return SQLITE_NOMEM;
    std::memset(cursor, 0, sizeof *cursor);
    *out = &cursor->base;
    return SQLITE_OK;
  }

  static int Close(sqlite3_vtab_cursor* cursor) {
    sqlite3_free(cursor);
    return SQLITE_OK;
  }

  static int Filter(sqlite3_vtab_cursor* base, int, const char*, int argc, sqlite3_value** argv) {
    auto* cursor = reinterpret_cast<Cursor*>(base);
    cursor->row = 0;
    cursor->batch =
        argc == 1
            ? static_cast<const RowBatch*>(sqlite3_value_pointer(argv[0], kRowBatchPointerType))
            : nullptr;
    if (cursor->batch != nullptr && !cursor->batch->complete()) {
      sqlite3_free(base->pVtab->zErrMsg);
      base->pVtab->zErrMsg = sqlite3_mprintf("winback_rows: the last row of the batch is short");
      return SQLITE_ERROR;
    }
    return SQLITE_OK;
  }

  static int Next(sqlite3_vtab_cursor* base) {
    ++reinterpret_cast<Cursor*>(base)->row;
    return SQLITE_OK;
  }

  static int Eof(sqlite3_vtab_cursor* base) {
    const auto* cursor = reinterpret_cast<const Cursor*>(base);
    return cursor->batch == nullptr || cursor->row >= cursor->batch->rows();
  }

  static int Column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int column) {
    const auto* cursor = reinterpret_cast<const Cursor*>(base);
    const RowBatch& batch = *cursor->batch;
    if (column >= batch.columns_) {
      sqlite3_result_null(ctx);
      return SQLITE_OK;
    }
    const RowBatch::Cell& cell =
        batch.cells_[cursor->row * static_cast<std::size_t>(batch.columns_) +
                     static_cast<std::size_t>(column)];
    switch (cell.kind) {
      case RowBatch::Kind::kNull:
        sqlite3_result_null(ctx);
        break;
      case RowBatch::Kind::kInt:
        sqlite3_result_int64(ctx, cell.value);
        break;
      case RowBatch::Kind::kReal:
        sqlite3_result_double(ctx, std::bit_cast<double>(cell.value));
        break;
      case RowBatch::Kind::kText:
        sqlite3_result_text(ctx, batch.bytes_.data() + cell.value, static_cast<int>(cell.size),
                            SQLITE_STATIC);
        break;
      case RowBatch::Kind::kBlob:
        sqlite3_result_blob(ctx, batch.bytes_.data() + cell.value, static_cast<int>(cell.size),
                            SQLITE_STATIC);
        break;
    }
    return SQLITE_OK;
  }

  static int Rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
    *rowid = static_cast<sqlite3_int64>(reinterpret_cast<const Cursor*>(base)->row);
    return SQLITE_OK;
  }

  static const sqlite3_module kModule;
};

const sqlite3_module RowBatchReader::kModule = {
    /*iVersion=*/0,
    /*xCreate=*/nullptr,  // Eponymous only.
    /*xConnect=*/Connect,
    /*xBestIndex=*/BestIndex,
    /*xDisconnect=*/Disconnect,
    /*xDestroy=*/nullptr,
    /*xOpen=*/Open,
    /*xClose=*/Close,
    /*xFilter=*/Filter,
    /*xNext=*/Next,
    /*xEof=*/Eof,
    /*xColumn=*/Column,
    /*xRowid=*/Rowid,
    /*xUpdate=*/nullptr,
    /*xBegin=*/nullptr,
    /*xSync=*/nullptr,
    /*xCommit=*/nullptr,
    /*xRollback=*/nullptr,
    /*xFindFunction=*/nullptr,
    /*xRename=*/nullptr,
    /*xSavepoint=*/nullptr,
    /*xRelease=*/nullptr,
    /*xRollbackTo=*/nullptr,
    /*xShadowName=*/nullptr,
};

int RegisterRowBatchModule(sqlite3* db) {
  return sqlite3_create_module(db, "winback_rows", &RowBatchReader::kModule, nullptr);
}

}  // namespace winback::store::sqlite
