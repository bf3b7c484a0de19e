#include "cli/validators.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <string>
#include <string_view>

namespace winback::cli {
namespace {

// `text` for a message, cut to a readable length.
std::string Quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;
  if (text.size() <= kMax) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMax)) + "...'";
}

}  // namespace

CLI::Validator WholeNumberIn(std::int64_t lo, std::uint64_t hi) {
  const std::string range = "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
  auto check = [lo, hi, range](const std::string& text) -> std::string {
    const bool negative = text.starts_with('-');
    const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return Quoted(text) + " is not a whole number (" + range + ")";
    }
    std::uint64_t magnitude = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
    if (ec != std::errc() || end != digits.data() + digits.size())
      return std::string(range);  // overflow
    if (negative) {
      if (magnitude == 0) return std::string();
      // -magnitude >= lo, for lo < 0: magnitude <= -lo, computed without overflow.
      if (lo >= 0 || magnitude > static_cast<std::uint64_t>(-(lo + 1)) + 1)
        return std::string(range);
      return std::string();
    }
    if (magnitude > hi || (lo > 0 && magnitude < static_cast<std::uint64_t>(lo)))
      return std::string(range);
    return std::string();
  };
  return CLI::Validator(check, "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

}  // namespace winback::cli
