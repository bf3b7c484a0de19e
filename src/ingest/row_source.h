#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::ingest {

// The three kinds of input file.
enum class FileKind : std::uint8_t { kCustomers, kOrders, kEvents };
std::string_view FileKindName(FileKind kind);

enum class FileFormat : std::uint8_t { kCsv, kJsonl };

// The columns of one kind of file, in a fixed order; column i of a RawRow is columns()[i].
struct ColumnSpec {
  std::string_view name;
  bool required;
};
const std::vector<ColumnSpec>& ColumnsOf(FileKind kind);
inline constexpr std::size_t kMaxColumns = 24;

// One input row, by column, whatever the file format. Values are views that stay valid until
// the source's next Next() call. An absent value (empty CSV field, JSON null or missing key) is
// an empty view with present = false.
struct RawRow {
  std::int64_t line = 0;
  std::string_view raw;  // The row's bytes, for reject files.
  std::array<std::string_view, kMaxColumns> values{};
  std::array<bool, kMaxColumns> present{};
};

// A problem with one row, rendered as "file:line: field: message".
struct RowError {
  std::int64_t line = 0;
  std::string field;
  std::string message;
};

// Reads rows of one kind from a CSV or JSONL buffer.
class RowSource {
 public:
  virtual ~RowSource() = default;

  // Parses the header (CSV) and checks the required columns. A header error makes the whole
  // file unreadable: InvalidArgument with "line 1: header: ...".
  virtual Status Open() = 0;

  // Reads the next row into `row`. Returns true when a row was read, false at the end. A row
  // that cannot be split into fields yields a RowError in *error and true, so the caller can
  // count it and go on; `fatal` is set when nothing after it can be read.
  virtual bool Next(RawRow& row, RowError& error, bool& has_error, bool& fatal) = 0;

  // Names of columns present in the input that winback does not know (reported as warnings).
  virtual const std::vector<std::string>& unknown_columns() const = 0;

  // The header line, for CSV reject files (empty for JSONL).
  virtual std::string_view header() const = 0;

  // Bytes consumed, for progress.
  virtual std::size_t offset() const = 0;
};

// `data` must outlive the source.
std::unique_ptr<RowSource> MakeRowSource(FileKind kind, FileFormat format, std::string_view data);

}  // namespace winback::ingest
