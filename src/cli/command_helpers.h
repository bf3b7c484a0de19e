#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace winback::cli {

// Helpers shared by the analytics commands.

// Parses a --as-of / --from / --to value; InvalidArgument naming the option.
Result<Date> ParseDateOption(std::string_view option, std::string_view text);

// The revenue currency: `configured` when set, else the main currency of most customers
// (ties: alphabetical). Empty when nobody has ordered.
// FIXME(#13): a business rule; it moves to analytics with the scoring module.
Result<std::string> RevenueCurrency(store::Store& store, const std::string& configured);

}  // namespace winback::cli
