#pragma once

#include <optional>
#include <string_view>

#include "models/summary.h"

namespace winback::models::internal {

// The parallel pass of ParseSummaryCsv (summary.h), on `workers` threads: for a text without
// any '"', the table the general parser reads; nullopt when the text does not qualify or holds
// anything the general parser reports as an error (that parser then runs and names it).
std::optional<SummaryTable> ParseSummaryCsvParallel(std::string_view text, int workers);

}  // namespace winback::models::internal
