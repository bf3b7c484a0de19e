#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/row_source.h"
#include "store/store.h"

namespace winback::ingest {

struct ImportFile {
  FileKind kind = FileKind::kCustomers;
  std::string path;
  // Taken from the extension (.csv; .jsonl or .ndjson) when absent.
  std::optional<FileFormat> format;
};

// Progress of the file being read: bytes consumed of its size, rows read so far.
using ImportProgressFn = std::function<void(const ImportFile& file, std::size_t bytes_done,
                                            std::size_t bytes_total, std::int64_t rows)>;

struct ImportOptions {
  // Any subset of customers, orders, events and products; read in that order, whatever the
  // order here, so orders and events may refer to customers of the same import.
  std::vector<ImportFile> files;
  // Import the good rows of files with bad ones, writing the bad rows to `rejects_dir`.
  // Otherwise any bad row makes the whole import write nothing.
  bool allow_partial = false;
  std::string rejects_dir = "rejects";
  // How many error messages to keep in the report (all are counted).
  std::size_t max_listed_errors = 20;
  ImportProgressFn progress;  // Called about every 64k rows; may be empty.
};

struct FileReport {
  ImportFile file;
  FileFormat format = FileFormat::kCsv;  // As read: given, or taken from the extension.
  std::int64_t rows = 0;                 // Data rows read.
  std::int64_t rejected = 0;             // Rows with an error.
  std::int64_t written = 0;              // New or changed rows stored.
  // Columns (CSV) or keys (JSONL) not in the format, ignored: once each, in the order met, at
  // most kMaxUnknownColumns; unknown_columns_truncated when there were more.
  std::vector<std::string> unknown_columns;
  bool unknown_columns_truncated = false;
  // Rows rejected under allow_partial, same format, in the rejects directory under the input's
  // base name ("<kind>-<base name>" when two inputs share one).
  std::string rejects_path;
  std::string rejects_errors_path;  // One "file:line: field: message" per rejected row.
};

struct ImportReport {
  std::vector<FileReport> files;
  // "file:line: field: what is wrong" (the file as given), the first max_listed_errors of them.
  std::vector<std::string> errors;
  std::int64_t error_count = 0;
  // False when errors stopped the import (nothing was written).
  bool committed = false;
  store::ImportCounts counts;
  double seconds = 0;
};

// Validates and imports the files into `store` in one transaction (see ImportSession): a
// crash, a kill or an error leaves the store exactly as before. Row errors do not make this
// fail: they are in the report, and `committed` says whether anything was stored. Returns
// InvalidArgument for a file that cannot be read at all (missing, unreadable header, two files
// of one kind, a header that belongs to another kind of file: "orders.csv:1: header: looks like
// an orders file (id,customer_id,...), not customers"), Unavailable for I/O or database errors.
Result<ImportReport> Import(store::Store& store, const ImportOptions& options);

}  // namespace winback::ingest
