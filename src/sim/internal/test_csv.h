#pragma once

// Helpers for the simulator's tests only: read a file, split RFC 4180 CSV (core/csv.h).

#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"

namespace winback::sim::internal {

// The file's bytes; empty when it cannot be read (the test's comparison then fails).
inline std::string ReadFileForTest(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  return text.ok() ? *std::move(text) : std::string();
}

// Splits CSV text into rows of fields with core's CsvReader: quoted fields may hold commas,
// doubled quotes and newlines; rows end in LF or CRLF; empty lines are skipped. Stops at the
// first malformed record.
inline std::vector<std::vector<std::string>> ParseCsvForTest(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  CsvReader reader(text);
  while (true) {
    Result<bool> more = reader.Next();
    if (!more.ok() || !*more) break;
    rows.emplace_back(reader.fields().begin(), reader.fields().end());
  }
  return rows;
}

}  // namespace winback::sim::internal
