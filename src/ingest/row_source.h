#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::ingest {

// The kinds of input file, in the order an import reads them.
enum class FileKind : std::uint8_t { kCustomers, kOrders, kEvents, kProducts };
std::string_view FileKindName(FileKind kind);

enum class FileFormat : std::uint8_t { kCsv, kJsonl };

// What a JSONL value of a column may be, besides a string (CSV fields are all strings).
enum class ColumnValue : std::uint8_t {
  kText,     // A string or a number (kept as written, never through a double).
  kId,       // A string or an integer number (kept as written).
  kConsent,  // A string, a number or true/false.
  kJson,     // A string holding JSON, or the JSON array (items) or object (properties) itself.
};

// The columns of one kind of file, in a fixed order; column i of a RawRow is columns()[i].
struct ColumnSpec {
  std::string_view name;
  bool required;
  ColumnValue value = ColumnValue::kText;
};
const std::vector<ColumnSpec>& ColumnsOf(FileKind kind);
inline constexpr std::size_t kMaxColumns = 24;

// One input row, by column, whatever the file format. Values are views that stay valid until
// the source's next Next() call.
struct RawRow {
  std::int64_t line = 0;
  std::string_view raw;  // The row's bytes, for reject files.
  std::array<std::string_view, kMaxColumns> values{};
  // The column has a value: a non-empty CSV field, a JSON value other than null and "". When
  // false, values[i] is empty.
  std::array<bool, kMaxColumns> has_value{};
  // The column is stated by the input, even without a value: it is in the CSV header, or a key of
  // the JSONL object (null and "" included). A stated column without a value clears a stored
  // one; a column not stated leaves it alone.
  std::array<bool, kMaxColumns> stated{};
};

// A problem with one row, rendered as "file:line: field: message".
struct RowError {
  std::int64_t line = 0;
  std::string field;
  std::string message;
};

// What RowSource::Next() read.
enum class RowRead : std::uint8_t {
  kRow,          // row() holds the next row.
  kBadRow,       // The next row cannot be split into fields: error() says why, row().raw and
                 // row().line say which; reading goes on after it.
  kBadRowFinal,  // As kBadRow, but nothing after it can be read (an unterminated quote).
  kEnd,          // No more rows.
};

// Reads rows of one kind from a CSV or JSONL buffer.
class RowSource {
 public:
  virtual ~RowSource() = default;

  // Reads the CSV header, checks it names every required column, once each, and that it is not
  // the header of another kind of file (more of its columns belong to another kind). For JSONL,
  // does the last check on the keys of the first object. Errors make the whole file unreadable:
  // InvalidArgument with "<line>: <field>: <what>", e.g. "1: header: missing required column
  // 'id'"; the caller prefixes the file's name.
  virtual Status Open() = 0;

  // Reads the next row; row() and error() stay valid until the next call.
  virtual RowRead Next() = 0;
  virtual const RawRow& row() const = 0;
  virtual const RowError& error() const = 0;

  // Names of columns (CSV) or keys (JSONL) in the input that winback does not know, once each,
  // in the order met; they are ignored and reported as warnings. JSONL keys are collected while
  // reading, at most kMaxUnknownColumns of them; unknown_columns_truncated() says whether there
  // were more.
  virtual const std::vector<std::string>& unknown_columns() const = 0;
  virtual bool unknown_columns_truncated() const = 0;

  // The header line, for CSV reject files (empty for JSONL).
  virtual std::string_view header() const = 0;

  // Bytes consumed, for progress.
  virtual std::size_t offset() const = 0;
};

inline constexpr std::size_t kMaxUnknownColumns = 1000;

// `data` must outlive the source.
std::unique_ptr<RowSource> MakeRowSource(FileKind kind, FileFormat format, std::string_view data);

}  // namespace winback::ingest
