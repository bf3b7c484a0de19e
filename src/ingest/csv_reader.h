#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::ingest {

// A streaming RFC 4180 reader over an in-memory buffer (usually a memory-mapped file).
// Handles quoted fields with embedded commas, quotes ("") and newlines, LF and CRLF line
// ends, a leading UTF-8 byte order mark, and skips empty lines. Fields are views into the
// buffer, or into the reader's own storage for quoted fields that needed unescaping; they stay
// valid until the next call to Next(). The buffer must outlive the reader.
class CsvReader {
 public:
  explicit CsvReader(std::string_view data);

  // Reads the next record. Returns true when a record is available, false at the end of input.
  // Errors are InvalidArgument, with `line()` the line the bad record starts on:
  //  - "unterminated quoted field": the rest of the input cannot be read; Next() then returns
  //    false.
  //  - "quote inside an unquoted field" / "characters after a closing quote": the record is
  //    skipped and the next call continues on the following line.
  // `error_field()` is the 0-based index of the field where the error was found.
  Result<bool> Next();

  const std::vector<std::string_view>& fields() const { return fields_; }
  // The 1-based line on which the current record starts.
  std::int64_t line() const { return line_; }
  // The bytes of the current record, without its line end.
  std::string_view raw() const { return raw_; }
  // Bytes consumed so far, for progress reports.
  std::size_t offset() const { return pos_; }
  std::size_t error_field() const { return error_field_; }

 private:
  Status SkipToLineEnd(std::string message);

  std::string_view data_;
  std::size_t pos_ = 0;
  std::size_t record_start_ = 0;
  std::int64_t next_line_ = 1;
  std::int64_t line_ = 0;
  std::string_view raw_;
  std::size_t error_field_ = 0;
  std::vector<std::string_view> fields_;
  // Unescaped quoted fields: (field index, offset in scratch_, length).
  struct Pending {
    std::size_t field;
    std::size_t offset;
    std::size_t length;
  };
  std::vector<Pending> pending_;
  std::string scratch_;
};

}  // namespace winback::ingest
