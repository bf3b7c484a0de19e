#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace winback::cli {

// Prints "winback: <message>" for a failed status on stderr and returns its exit code:
// 2 for InvalidArgument / NotFound / FailedPrecondition (bad input or usage), 1 otherwise.
int ReportError(const Status& status);

// An instant as RFC 3339 UTC, or "-" when absent.
std::string TimeOrDash(const std::optional<Instant>& t);

// A one-line progress meter on stderr, drawn only when stderr is a terminal, at most every
// 200 ms: "<label>  45%  1,234,567 rows  612,345 rows/s". Finish() ends the line.
class ProgressLine {
 public:
  ProgressLine();
  void Update(std::string_view label, std::size_t done, std::size_t total, std::int64_t rows);
  void Finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  std::string label_;
};

}  // namespace winback::cli
