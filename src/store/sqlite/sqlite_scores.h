#pragma once

// The scoring reads and the scores of the SQLite store (the "Reads for scoring" and "Scores"
// parts of store.h), as functions over the store's connection. Scores are stored per run (one
// as_of date): a score_runs row with the label dictionary and one score_chunks row per 1024
// customer keys (score_chunk.h has the format).
//
// Scans and score writes run with a small page cache (8 MiB): each page is read or written
// once, so the store's usual cache (256 MiB per connection) would only keep a copy of what was
// streamed, up to 100 bytes per customer during a score run.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace winback::store::sqlite {

// Shrinks the connection's page cache to 8 MiB (when it is bigger) for its lifetime, then
// restores it: for a scan or a bulk write, which touch each page once.
class ScopedSmallCache {
 public:
  explicit ScopedSmallCache(Database& db);
  ~ScopedSmallCache();
  ScopedSmallCache(const ScopedSmallCache&) = delete;
  ScopedSmallCache& operator=(const ScopedSmallCache&) = delete;

 private:
  Database& db_;
  std::optional<std::int64_t> saved_;
};

// The functions below implement the Store methods of the same names (store.h) on `db`.

Result<std::int64_t> CustomerKeyLimit(Database& db);

// ForEachAggregatesInRange for fields kScoring and kKey.
Status ForEachAggregateSubset(Database& db, KeyRange range, AggregateFields fields,
                              const std::function<Status(const CustomerAggregates&)>& fn);

Status ForEachCompletedOrderTimesInRange(
    Database& db, KeyRange range,
    const std::function<Status(CustomerKey, std::span<const Instant>)>& fn);

Status CompletedOrderTimes(Database& db, std::span<const CustomerKey> keys, Instant from,
                           Instant to,
                           const std::function<Status(CustomerKey, std::span<const Instant>)>& fn);

// `db` must outlive the writer. The writer inserts finished chunks on a thread of its own
// through `db`, so between BeginScores and the writer's Commit (or destruction) nothing else
// may use `db`: a Store that began a run serves no other call until the run ends. Other
// connections to the same database may read meanwhile (they see the previous run).
Result<std::unique_ptr<ScoreWriter>> BeginScores(Database& db, Date as_of);

Result<std::vector<Date>> ScoreDates(Database& db);

Status ForEachScore(Database& db, Date as_of,
                    const std::function<Status(const CustomerScore&)>& fn);

Result<std::optional<CustomerScore>> LoadScore(Database& db, Date as_of, CustomerKey key);

// Step of migration 4, inside its transaction: converts the rows of the version 3 table
// customer_scores into score runs and drops the table. Errors of the data (e.g. an R score
// outside 0..5) fail the migration.
Status ConvertV3Scores(Database& db);

}  // namespace winback::store::sqlite
