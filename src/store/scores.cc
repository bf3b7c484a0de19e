// The backend-independent parts of the scores API of store.h.
#include <algorithm>
#include <vector>

#include "store/scanner.h"
#include "store/score_store.h"

namespace winback::store {

std::vector<KeyRange> KeyRange::Split(std::int64_t limit, int parts) {
  parts = std::max(parts, 1);
  const std::int64_t first = 1;
  const std::int64_t n = std::max<std::int64_t>(limit - first, 0);
  std::vector<KeyRange> out;
  std::int64_t begin = first;
  for (int i = 0; i < parts; ++i) {
    const std::int64_t end = first + n * (i + 1) / parts;
    out.push_back({begin, i + 1 == parts ? std::max(end, limit) : end});
    begin = end;
  }
  return out;
}

Status ScoreStore::WriteScores(Date as_of, std::span<const CustomerScore> scores) {
  std::vector<const CustomerScore*> sorted;
  sorted.reserve(scores.size());
  for (const CustomerScore& s : scores) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const CustomerScore* a, const CustomerScore* b) { return a->key < b->key; });
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<ScoreWriter> writer, BeginScores(as_of));
  for (const CustomerScore* s : sorted) WINBACK_RETURN_IF_ERROR(writer->Add(*s));
  return writer->Commit().status();
}

}  // namespace winback::store
