#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/records.h"

namespace winback::store {

// Writes the scores of one as_of date, one customer at a time, so a run never needs all of
// them in memory. Nothing is visible to readers until Commit(), which replaces that date's
// scores atomically; destroying the writer without Commit() rolls everything back (so does a
// crash). Not thread-safe.
class ScoreWriter {
 public:
  virtual ~ScoreWriter() = default;
  ScoreWriter(const ScoreWriter&) = delete;
  ScoreWriter& operator=(const ScoreWriter&) = delete;

  // Adds one customer's score. Keys must be positive and strictly increasing from call to
  // call; r, f and m must be in 0..5. InvalidArgument otherwise (the writer stays usable);
  // FailedPrecondition after Commit(); Unavailable for I/O errors.
  virtual Status Add(const CustomerScore& score) = 0;

  // Makes the scores durable and visible, replacing any earlier run of the same date. Returns
  // the number of scores written. FailedPrecondition when already committed.
  virtual Result<std::int64_t> Commit() = 0;

 protected:
  ScoreWriter() = default;
};

// Role: the per-customer scores of each scoring run (one run per as_of date). Not
// thread-safe: one thread at a time per store object. Unavailable for I/O errors.
class ScoreStore {
 public:
  virtual ~ScoreStore() = default;
  ScoreStore(const ScoreStore&) = delete;
  ScoreStore& operator=(const ScoreStore&) = delete;

  // Starts replacing the scores as of `as_of`. Scores of other dates are kept, so two runs can
  // be compared. The writer holds the write lock until it is committed or destroyed, and the
  // store object serves no other call meanwhile; readers see the old scores (or none) until
  // Commit(). Unavailable when another connection holds the write lock; FailedPrecondition
  // when the store was opened read-only.
  virtual Result<std::unique_ptr<ScoreWriter>> BeginScores(Date as_of) = 0;

  // Replaces the scores as of `as_of` with `scores` (any key order; each key once) in one
  // transaction: BeginScores, Add in key order, Commit. Needs all scores in memory; a large run
  // streams into BeginScores instead. Errors as BeginScores and ScoreWriter::Add.
  Status WriteScores(Date as_of, std::span<const CustomerScore> scores);

  // The dates that have scores, oldest first.
  virtual Result<std::vector<Date>> ScoreDates() = 0;

  // Calls `fn` for every score as of `as_of` in customer-key order; stops at the first error
  // and returns it. NotFound when no scores exist for that date. The score is valid only
  // during the call.
  virtual Status ForEachScore(Date as_of,
                              const std::function<Status(const CustomerScore&)>& fn) = 0;

  // The score of one customer as of `as_of`: nullopt when that run has no score for the key.
  // NotFound when no scores exist for that date.
  virtual Result<std::optional<CustomerScore>> LoadScore(Date as_of, CustomerKey key) = 0;

 protected:
  ScoreStore() = default;
};

}  // namespace winback::store
