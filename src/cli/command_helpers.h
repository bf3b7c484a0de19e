#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace winback::cli {

// Helpers shared by the analytics commands.

// Parses a --as-of / --from / --to value; InvalidArgument naming the option.
Result<Date> ParseDateOption(std::string_view option, std::string_view text);

}  // namespace winback::cli
