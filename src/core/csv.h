#pragma once

// One small CSV utility (RFC 4180) for every module outside ingest: a reader over text in memory
// and a writer to a file or standard output. Fields are separated by commas; a field may be
// quoted with '"', a doubled quote inside a quoted field is one quote, and a quoted field may
// hold commas and line breaks. Records end in LF or CRLF.

#include <cstddef>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback {

// Reads a whole file into memory with one read. Errors: NotFound when it cannot be opened,
// Unavailable when reading fails.
Result<std::string> ReadFileToString(const std::string& path);

// The bytes of a file, mapped read-only into memory (no copy, nothing zeroed), or read with
// ReadFileToString when the file cannot be mapped (a pipe, an empty file). Resource object:
// movable, not copyable; text() stays valid while the object lives. Errors: as ReadFileToString.
class FileContents {
 public:
  static Result<FileContents> Open(const std::string& path);

  FileContents(FileContents&& other) noexcept;
  FileContents& operator=(FileContents&& other) = delete;
  FileContents(const FileContents&) = delete;
  FileContents& operator=(const FileContents&) = delete;
  ~FileContents();

  std::string_view text() const;

 private:
  FileContents() = default;
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::string buffer_;
};

// Splits CSV text held by the caller into records. A UTF-8 byte order mark at the start and
// empty lines are skipped. Fields are views: an unquoted field points into the text; a quoted
// field with a doubled quote is unescaped into a buffer owned by the reader, reused from record
// to record, so reading allocates nothing per record once the buffers have grown. Views stay
// valid until the next call of Next(). Not thread-safe; the text must outlive the reader.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // Moves to the next record. Returns false at the end of the text. Errors: InvalidArgument
  // "<line>: <what>" for an unterminated quoted field or a character after a closing quote,
  // where <line> is the line on which the record starts (1-based).
  Result<bool> Next();

  // The fields of the current record.
  std::span<const std::string_view> fields() const { return fields_; }
  // The 1-based line on which the current record starts.
  std::size_t line() const { return record_line_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  std::vector<std::string_view> fields_;
  std::string unescaped_;
  std::vector<std::pair<std::size_t, std::size_t>> unescaped_spans_;
};

// Parses a whole field as a finite double ("2", "30.43", "1e3", leading '+' and surrounding
// spaces or tabs allowed). Returns nullopt for anything else.
std::optional<double> ParseCsvDouble(std::string_view text);

// Appends `field` to `out`, quoted when it holds a comma, quote, CR or LF.
void AppendCsvField(std::string& out, std::string_view field);

// Appends `value` with `significant` significant digits to `out`: the bytes printf's
// %.<significant>g writes (the number as CsvWriter::Number(value, significant) writes it).
void AppendCsvNumber(std::string& out, double value, int significant);

// Writes CSV records to a file (or to standard output for the path "-"), buffered. Rows are
// built field by field and end with EndRow(); Close() flushes and reports any write error.
// Resource object: movable, not copyable. Not thread-safe.
class CsvWriter {
 public:
  // Opens `path` for writing ("-" is standard output). Errors: Unavailable "cannot write <path>".
  static Result<CsvWriter> Open(const std::string& path);

  CsvWriter(CsvWriter&& other) noexcept;
  CsvWriter& operator=(CsvWriter&& other) = delete;
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;
  ~CsvWriter();

  // Adds a text field, quoted as needed.
  CsvWriter& Field(std::string_view text);
  // Adds a number in the shortest form that reads back to the same double.
  CsvWriter& Number(double value);
  // Adds a number with `significant` significant digits (printf %.<significant>g).
  CsvWriter& Number(double value, int significant);
  // Appends text that is already CSV (whole rows, each ending in '\n', e.g. built with
  // AppendCsvField and AppendCsvNumber on other threads) as it is. Call only between rows.
  CsvWriter& Rows(std::string_view csv);
  // Adds a whole header or row of text fields and ends the row.
  CsvWriter& Row(std::span<const std::string_view> fields);
  // Ends the current row.
  CsvWriter& EndRow();

  // Flushes and closes the file. Errors: Unavailable "error writing <path>".
  Status Close();

 private:
  CsvWriter(std::FILE* file, std::string path);
  void Separator();
  void FlushIfFull();

  std::FILE* file_ = nullptr;
  std::string path_;
  std::string buffer_;
  bool row_started_ = false;
  bool failed_ = false;
};

}  // namespace winback
