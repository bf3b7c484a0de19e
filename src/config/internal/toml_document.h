#pragma once

#include <string>
#include <string_view>

#include "config/value.h"
#include "core/status.h"

namespace winback::config::internal {

// Parses TOML text into a Value tree (a table), with each value's line; the only user of the
// TOML library (toml++), so that no header of winback sees it. A syntax error is
// InvalidArgument "FILE:LINE: WHAT" with toml++'s description; `file` names the text.
Result<Value> ParseToml(std::string_view text, const std::string& file);

}  // namespace winback::config::internal
