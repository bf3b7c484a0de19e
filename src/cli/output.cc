#include "cli/output.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "core/money.h"

namespace winback::cli {

int ReportError(const Status& status) {
  std::fprintf(stderr, "winback: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return kExitUsage;
    default:
      return kExitFailure;
  }
}

std::string TimeOrDash(const std::optional<Instant>& t) {
  return t ? FormatTimestamp(*t) : std::string("-");
}

ProgressLine::ProgressLine()
    : enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressLine::Update(std::string_view label, std::size_t done, std::size_t total,
                          std::int64_t rows) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (label != label_) {
    if (drawn_) std::fputc('\n', stderr);
    label_ = std::string(label);
    start_ = now;
  } else if (now - last_ < std::chrono::milliseconds(200) && done < total) {
    return;
  }
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double pct =
      total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  const auto rate = secs > 0 ? static_cast<std::int64_t>(static_cast<double>(rows) / secs) : 0;
  fmt::print(stderr, "\r{}  {:5.1f}%  {} rows  {} rows/s   ", label_, pct, FormatCount(rows),
             FormatCount(rate));
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::Finish() {
  if (enabled_ && drawn_) std::fputc('\n', stderr);
  drawn_ = false;
  label_.clear();
}

}  // namespace winback::cli
