#include "models/internal/validate.h"

#include <algorithm>
#include <vector>

#include "core/parallel.h"

namespace winback::models::internal {

Status ValidateSummaryTableParallel(const SummaryTable& table, int threads) {
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  const std::size_t n = table.size();
  if (table.recency.size() != n || table.age.size() != n ||
      (!table.ids.empty() && table.ids.size() != n) ||
      (!table.monetary_value.empty() && table.monetary_value.size() != n)) {
    return ValidateSummaryTable(table);  // the column-length error
  }
  std::vector<char> bad(ChunkCount(n, kChunk), 0);
  ForEachChunk(n, kChunk, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    bool ok = true;
    for (std::size_t i = begin; i < end; ++i) ok &= SummaryRowIsValid(table, i);
    bad[chunk] = ok ? 0 : 1;
  });
  if (std::find(bad.begin(), bad.end(), 1) == bad.end()) return Status::Ok();
  return ValidateSummaryTable(table);
}

}  // namespace winback::models::internal
