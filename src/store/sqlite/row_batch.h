#pragma once

// Rows built in C++ and written by one SQL statement per batch instead of one per row.
//
// Every Database registers the table-valued function `winback_rows`, which yields the rows
// of a RowBatch bound to its argument as columns c0, c1, ...:
//
//   Statement s = db.Prepare("INSERT INTO t (a, b) SELECT c0, c1 FROM winback_rows(?1)");
//   RowBatch batch(2);
//   batch.Int(7); batch.Text("x");   // one row: the cells of a row in column order
//   s.BindRows(1, batch);
//   s.Run();
//
// Why: SQLite's fixed cost per statement execution (the program's prologue and epilogue,
// opening and closing cursors, the statement savepoint an INSERT OR REPLACE takes) is several
// times the cost of writing a small row. Measured on the project machine: 400k
// customer_aggregates rows by INSERT OR REPLACE take 7.8 us a row one statement each, 2.6 us
// a row as one INSERT ... SELECT; 1M order inserts with their commit and checkpoint take
// 3.72-3.94 s one statement each, 2.47-2.87 s through batches of 4,096
// (bench/ingest/sqlite_floor_bench, numbers in bench/ingest/RESULTS.md).
//
// A cell is an integer, a real, text, a blob or NULL; text and blobs are copied into the batch.
// Columns a batch does not have read as NULL. The batch must outlive the statement's Step.

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct sqlite3;

namespace winback::store::sqlite {

class RowBatch {
 public:
  // The most columns a batch can have (winback_rows declares c0 .. c39).
  static constexpr int kMaxColumns = 40;

  // `columns` in [1, kMaxColumns].
  explicit RowBatch(int columns);

  int columns() const { return columns_; }
  // Complete rows so far.
  std::size_t rows() const { return cells_.size() / static_cast<std::size_t>(columns_); }
  bool empty() const { return cells_.empty(); }
  // True when every started row has all its cells.
  bool complete() const { return cells_.size() % static_cast<std::size_t>(columns_) == 0; }
  // Forgets the rows, keeps the memory.
  void Clear();

  // Append the next cell of the row being built.
  void Int(std::int64_t v) { cells_.push_back(Cell{v, 0, Kind::kInt}); }
  void Real(double v) { cells_.push_back(Cell{std::bit_cast<std::int64_t>(v), 0, Kind::kReal}); }
  void Null() { cells_.push_back(Cell{0, 0, Kind::kNull}); }
  void Text(std::string_view v) { AddBytes(Kind::kText, v); }
  void Blob(std::string_view v) { AddBytes(Kind::kBlob, v); }
  // NULL for an empty string, as Statement::BindTextOrNull.
  void TextOrNull(std::string_view v) {
    if (v.empty()) {
      Null();
    } else {
      Text(v);
    }
  }
  void OptionalInt(std::optional<std::int64_t> v) {
    if (v) {
      Int(*v);
    } else {
      Null();
    }
  }

 private:
  friend class RowBatchReader;
  enum class Kind : std::uint8_t { kNull, kInt, kReal, kText, kBlob };
  struct Cell {
    std::int64_t value;  // The integer, the bits of the real, or the offset in bytes_.
    std::uint32_t size;  // Bytes of text and blobs.
    Kind kind;
  };
  void AddBytes(Kind kind, std::string_view v);

  int columns_;
  std::vector<Cell> cells_;
  std::string bytes_;
};

class Statement;

// Binds `rows` as ?1 of `insert` (a statement reading winback_rows(?1)), runs it, resets it,
// and clears the batch. An empty batch runs nothing.
Status FlushRows(Statement& insert, RowBatch& rows);

// "c0, c1, ..., c<n-1>": the select list of an n-column batch.
std::string RowBatchColumns(int n);

// Registers winback_rows on `db` (Database::Open does it). Returns an SQLite result code.
int RegisterRowBatchModule(sqlite3* db);

// The pointer type tag of sqlite3_bind_pointer for a RowBatch.
inline constexpr const char* kRowBatchPointerType = "winback::RowBatch";

}  // namespace winback::store::sqlite
