#include "cli/command_helpers.h"

#include <cstdint>
#include <map>

namespace winback::cli {

Result<Date> ParseDateOption(std::string_view option, std::string_view text) {
  Result<Date> d = ParseDate(text);
  if (!d.ok()) {
    return InvalidArgumentError(std::string(option) + ": " + d.status().message());
  }
  return d;
}

}  // namespace winback::cli
