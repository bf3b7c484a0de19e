#include "store/sqlite/sqlite_scores.h"

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "store/sqlite/aggregate_codec.h"
#include "store/sqlite/score_chunk.h"

namespace winback::store::sqlite {
namespace {

constexpr std::int64_t kSmallCacheKiB = 8192;

// Inserts finished chunk blobs on a thread of its own, so that SQLite's B-tree work overlaps
// the ranking, hand-out and encoding of the next chunks (a third of a run's write phase). The
// connection is used only by that thread from Start() until Stop(), which the writer calls
// before it touches the connection again; the store's other calls cannot run meanwhile,
// because the writer holds the write transaction and the caller is busy handing out scores.
class ChunkInserter {
 public:
  // `threaded` false inserts in Push itself, for callers that read the same connection
  // between chunks (the v3 conversion steps a SELECT while it writes).
  ChunkInserter(Statement insert, Date as_of, bool threaded)
      : insert_(std::move(insert)), as_of_(as_of), threaded_(threaded) {}
  ChunkInserter(const ChunkInserter&) = delete;
  ChunkInserter& operator=(const ChunkInserter&) = delete;
  ~ChunkInserter() { Stop().IgnoreError(); }

  // Queues a chunk. Blocks while kMaxQueued chunks wait (bounded memory). Returns the first
  // insert error, after which nothing more is inserted.
  Status Push(std::int64_t chunk, std::string_view blob) {
    if (!threaded_) return Insert(chunk, blob);
    MutexLock lock(&mu_);
    // thread_ is only touched by the caller's thread (Push, Stop), never by Run.
    if (!thread_.joinable()) {
      thread_ = std::thread([this] { Run(); });
    }
    while (queue_.size() >= kMaxQueued && error_.ok()) space_.Wait(&mu_);
    if (!error_.ok()) return error_;
    std::string buffer;
    if (!spare_.empty()) {
      buffer = std::move(spare_.back());
      spare_.pop_back();
    }
    buffer.assign(blob);
    queue_.push_back({chunk, std::move(buffer)});
    ready_.Signal();
    return Status::Ok();
  }

  // Waits until every queued chunk is inserted and ends the thread; the first insert error.
  Status Stop() {
    {
      MutexLock lock(&mu_);
      stopping_ = true;
      ready_.Signal();
    }
    if (thread_.joinable()) thread_.join();
    MutexLock lock(&mu_);
    return error_;
  }

 private:
  static constexpr std::size_t kMaxQueued = 16;

  struct Chunk {
    std::int64_t chunk;
    std::string blob;
  };

  Status Insert(std::int64_t chunk, std::string_view blob) {
    insert_.BindInt(1, as_of_.days());
    insert_.BindInt(2, chunk);
    insert_.BindBlob(3, blob);
    return insert_.Run();
  }

  void Run() EXCLUDES(mu_) {
    mu_.Lock();
    while (true) {
      while (queue_.empty() && !stopping_) ready_.Wait(&mu_);
      if (queue_.empty()) break;  // stopping, all done
      Chunk c = std::move(queue_.front());
      queue_.pop_front();
      mu_.Unlock();
      Status s = Insert(c.chunk, c.blob);
      mu_.Lock();
      spare_.push_back(std::move(c.blob));
      if (!s.ok()) {
        error_ = std::move(s);
        queue_.clear();
        space_.Signal();
        break;
      }
      space_.Signal();
    }
    mu_.Unlock();
  }

  Statement insert_;
  const Date as_of_;
  const bool threaded_;
  Mutex mu_;
  CondVar ready_, space_;
  std::deque<Chunk> queue_ GUARDED_BY(mu_);
  std::vector<std::string> spare_ GUARDED_BY(mu_);  // blobs' buffers, reused
  bool stopping_ GUARDED_BY(mu_) = false;
  Status error_ GUARDED_BY(mu_);
  std::thread thread_;
};

// Writes the chunks of one run inside the caller's transaction: the earlier run of the same
// date is deleted first, the run row is written by Finish().
class RunEncoder {
 public:
  // `threaded`: see ChunkInserter.
  static Result<RunEncoder> Create(Database& db, Date as_of, bool threaded) {
    RunEncoder e(as_of);
    for (const char* sql :
         {"DELETE FROM score_chunks WHERE as_of = ?", "DELETE FROM score_runs WHERE as_of = ?"}) {
      WINBACK_ASSIGN_OR_RETURN(Statement del, db.Prepare(sql));
      del.BindInt(1, as_of.days());
      WINBACK_RETURN_IF_ERROR(del.Run());
    }
    WINBACK_ASSIGN_OR_RETURN(
        Statement insert_chunk,
        db.Prepare("INSERT INTO score_chunks (as_of, chunk, data) VALUES (?,?,?)"));
    e.inserter_ = std::make_unique<ChunkInserter>(std::move(insert_chunk), as_of, threaded);
    WINBACK_ASSIGN_OR_RETURN(
        e.insert_run_,
        db.Prepare("INSERT INTO score_runs (as_of, customers, labels) VALUES (?,?,?)"));
    return e;
  }

  Status Add(const CustomerScore& s) {
    const std::int64_t key = s.key.value();
    if (key <= last_key_) {
      return InvalidArgumentError("score of customer key " + std::to_string(key) +
                                  ": keys must be positive and increasing (previous " +
                                  std::to_string(last_key_) + ")");
    }
    for (int v : {s.r, s.f, s.m}) {
      if (v < 0 || v > 5) {
        return InvalidArgumentError("score of customer key " + std::to_string(key) +
                                    ": RFM score " + std::to_string(v) + " is not in 0..5");
      }
    }
    const std::int64_t chunk = key / kScoreChunkKeys;
    if (encoder_.count() > 0 && chunk != encoder_.chunk()) WINBACK_RETURN_IF_ERROR(Flush());
    if (encoder_.count() == 0) encoder_.Reset(chunk);
    encoder_.Add(s, labels_);
    last_key_ = key;
    ++customers_;
    return Status::Ok();
  }

  // Inserts the last chunk, waits for the inserter and writes the run row.
  Result<std::int64_t> Finish() {
    WINBACK_RETURN_IF_ERROR(Flush());
    WINBACK_RETURN_IF_ERROR(inserter_->Stop());
    const std::string labels = labels_.Encode();
    insert_run_.BindInt(1, as_of_.days());
    insert_run_.BindInt(2, customers_);
    insert_run_.BindBlob(3, labels);
    WINBACK_RETURN_IF_ERROR(insert_run_.Run());
    return customers_;
  }

  // Ends the inserter without writing the run (before a rollback).
  void Abandon() { inserter_->Stop().IgnoreError(); }

 private:
  explicit RunEncoder(Date as_of) : as_of_(as_of) {}

  Status Flush() {
    if (encoder_.count() == 0) return Status::Ok();
    WINBACK_RETURN_IF_ERROR(inserter_->Push(encoder_.chunk(), encoder_.Finish()));
    encoder_.Reset(encoder_.chunk());
    return Status::Ok();
  }

  Date as_of_;
  std::int64_t last_key_ = 0;
  std::int64_t customers_ = 0;
  LabelDictionary labels_;
  ScoreChunkEncoder encoder_;
  std::unique_ptr<ChunkInserter> inserter_;  // a pointer: RunEncoder is returned by value
  Statement insert_run_;
};

class SqliteScoreWriter final : public ScoreWriter {
 public:
  SqliteScoreWriter(Database& db, RunEncoder encoder, std::unique_ptr<ScopedSmallCache> cache)
      : db_(db), encoder_(std::move(encoder)), cache_(std::move(cache)) {}

  ~SqliteScoreWriter() override {
    if (!finished_) {
      encoder_.Abandon();
      db_.Exec("ROLLBACK").IgnoreError();  // Nothing of the run survives.
    }
  }

  Status Add(const CustomerScore& score) override {
    if (finished_) return FailedPreconditionError("score writer already committed");
    return encoder_.Add(score);
  }

  Result<std::int64_t> Commit() override {
    if (finished_) return FailedPreconditionError("score writer already committed");
    WINBACK_ASSIGN_OR_RETURN(std::int64_t n, encoder_.Finish());  // on error: the destructor
    WINBACK_RETURN_IF_ERROR(db_.Exec("COMMIT"));                  // rolls back
    finished_ = true;
    return n;
  }

 private:
  Database& db_;
  RunEncoder encoder_;
  std::unique_ptr<ScopedSmallCache> cache_;
  bool finished_ = false;
};

// The label dictionary of the run as of `as_of`; NotFound when there is none.
Result<LabelDictionary> LoadLabels(Database& db, Date as_of) {
  WINBACK_ASSIGN_OR_RETURN(Statement s,
                           db.Prepare("SELECT labels FROM score_runs WHERE as_of = ?"));
  s.BindInt(1, as_of.days());
  WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFoundError("no scores as of " + as_of.ToString() + " (run winback score)");
  return LabelDictionary::Decode(s.ColumnBlob(0));
}

// Groups consecutive rows (cid, placed_at) of `s` by customer.
Status StreamTimes(Statement& s,
                   const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) {
  std::vector<Instant> group;
  std::int64_t current = 0;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    const std::int64_t cid = row ? s.ColumnInt(0) : -1;
    if (cid != current && !group.empty()) {
      WINBACK_RETURN_IF_ERROR(fn(CustomerKey(current), std::span<const Instant>(group)));
      group.clear();
    }
    if (!row) break;
    current = cid;
    group.push_back(Instant::FromUnixMicros(s.ColumnInt(1)));
  }
  return Status::Ok();
}

// The seeks of CompletedOrderTimes.
Status LookUpTimes(Statement& s, std::span<const CustomerKey> keys, Instant from, Instant to,
                   const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) {
  std::vector<Instant> times;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0 && !(keys[i - 1] < keys[i])) {
      return InvalidArgumentError("CompletedOrderTimes: keys must be strictly increasing");
    }
    s.BindInt(1, keys[i].value());
    s.BindInt(2, from.unix_micros());
    s.BindInt(3, to.unix_micros());
    times.clear();
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      times.push_back(Instant::FromUnixMicros(s.ColumnInt(0)));
    }
    s.Reset();
    WINBACK_RETURN_IF_ERROR(fn(keys[i], std::span<const Instant>(times)));
  }
  return Status::Ok();
}

}  // namespace

ScopedSmallCache::ScopedSmallCache(Database& db) : db_(db) {
  Result<std::optional<std::int64_t>> size = db.QueryInt("PRAGMA cache_size");
  if (!size.ok() || !*size) return;
  // Negative: KiB; positive: pages (of at most 64 KiB).
  const std::int64_t kib = **size < 0 ? -**size : **size * 64;
  if (kib <= kSmallCacheKiB) return;
  if (db.Exec("PRAGMA cache_size = -" + std::to_string(kSmallCacheKiB)).ok()) saved_ = **size;
}

ScopedSmallCache::~ScopedSmallCache() {
  if (saved_) db_.Exec("PRAGMA cache_size = " + std::to_string(*saved_)).IgnoreError();
}

Result<std::int64_t> CustomerKeyLimit(Database& db) {
  WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> max,
                           db.QueryInt("SELECT max(cid) FROM customers"));
  return max.value_or(0) + 1;
}

Status ForEachAggregateSubset(Database& db, KeyRange range, AggregateFields fields,
                              const std::function<Status(const CustomerAggregates&)>& fn) {
  ScopedSmallCache cache(db);
  const bool key_only = fields == AggregateFields::kKey;
  WINBACK_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare(key_only
                     ? "SELECT cid FROM customer_aggregates WHERE cid >= ? AND cid < ? ORDER BY cid"
                     : "SELECT cid, scoring FROM customer_aggregates "
                       "WHERE cid >= ? AND cid < ? ORDER BY cid"));
  s.BindInt(1, range.begin);
  s.BindInt(2, range.end);
  CustomerAggregates a;  // reused: its strings keep their capacity
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    a.key = CustomerKey(s.ColumnInt(0));
    if (!key_only && !DecodeScoringFields(s.ColumnBlob(1), a)) {
      return InternalError("customer_aggregates.scoring of customer key " +
                           std::to_string(a.key.value()) + " in '" + db.path() +
                           "' is missing or corrupt");
    }
    WINBACK_RETURN_IF_ERROR(fn(a));
  }
  return Status::Ok();
}

Status ForEachCompletedOrderTimesInRange(
    Database& db, KeyRange range,
    const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) {
  ScopedSmallCache cache(db);
  // Two integer columns of the covering index; status = 0 is completed.
  WINBACK_ASSIGN_OR_RETURN(
      Statement s, db.Prepare("SELECT cid, placed_at FROM orders INDEXED BY orders_by_customer "
                              "WHERE cid >= ? AND cid < ? AND status = 0 ORDER BY cid, placed_at"));
  s.BindInt(1, range.begin);
  s.BindInt(2, range.end);
  return StreamTimes(s, fn);
}

Status CompletedOrderTimes(Database& db, std::span<const CustomerKey> keys, Instant from,
                           Instant to,
                           const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) {
  ScopedSmallCache cache(db);
  WINBACK_ASSIGN_OR_RETURN(
      Statement s, db.Prepare("SELECT placed_at FROM orders INDEXED BY orders_by_customer "
                              "WHERE cid = ? AND placed_at >= ? AND placed_at < ? AND status = 0 "
                              "ORDER BY placed_at"));
  // One read transaction for all the seeks: outside one, every statement would start its own
  // (checking the WAL each time), which cost more than the seek itself.
  const bool own_transaction = db.autocommit();
  if (own_transaction) WINBACK_RETURN_IF_ERROR(db.Exec("BEGIN"));
  Status status = LookUpTimes(s, keys, from, to, fn);
  if (own_transaction) {
    Status end = db.Exec(status.ok() ? "COMMIT" : "ROLLBACK");
    if (status.ok()) status = end;
  }
  return status;
}

Result<std::unique_ptr<ScoreWriter>> BeginScores(Database& db, Date as_of) {
  auto cache = std::make_unique<ScopedSmallCache>(db);
  WINBACK_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Result<RunEncoder> encoder = RunEncoder::Create(db, as_of, /*threaded=*/true);
  if (!encoder.ok()) {
    db.Exec("ROLLBACK").IgnoreError();  // Report the original error.
    return encoder.status();
  }
  return std::unique_ptr<ScoreWriter>(
      new SqliteScoreWriter(db, *std::move(encoder), std::move(cache)));
}

Result<std::vector<Date>> ScoreDates(Database& db) {
  WINBACK_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT as_of FROM score_runs ORDER BY as_of"));
  std::vector<Date> out;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(Date::FromDays(static_cast<std::int32_t>(s.ColumnInt(0))));
  }
  return out;
}

Status ForEachScore(Database& db, Date as_of,
                    const std::function<Status(const CustomerScore&)>& fn) {
  WINBACK_ASSIGN_OR_RETURN(LabelDictionary labels, LoadLabels(db, as_of));
  WINBACK_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("SELECT chunk, data FROM score_chunks WHERE as_of = ? ORDER BY chunk"));
  s.BindInt(1, as_of.days());
  CustomerScore score;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ScoreChunkDecoder decoder(s.ColumnInt(0), s.ColumnBlob(1), labels);
    while (decoder.Next(score)) WINBACK_RETURN_IF_ERROR(fn(score));
    WINBACK_RETURN_IF_ERROR(decoder.status());
  }
  return Status::Ok();
}

Result<std::optional<CustomerScore>> LoadScore(Database& db, Date as_of, CustomerKey key) {
  WINBACK_ASSIGN_OR_RETURN(LabelDictionary labels, LoadLabels(db, as_of));
  WINBACK_ASSIGN_OR_RETURN(
      Statement s, db.Prepare("SELECT data FROM score_chunks WHERE as_of = ? AND chunk = ?"));
  const std::int64_t chunk = key.value() / kScoreChunkKeys;
  s.BindInt(1, as_of.days());
  s.BindInt(2, chunk);
  WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<CustomerScore>();
  ScoreChunkDecoder decoder(chunk, s.ColumnBlob(0), labels);
  CustomerScore score;
  while (decoder.Next(score)) {
    if (score.key == key) return std::optional<CustomerScore>(std::move(score));
    if (key < score.key) break;
  }
  WINBACK_RETURN_IF_ERROR(decoder.status());
  return std::optional<CustomerScore>();
}

Status ConvertV3Scores(Database& db) {
  WINBACK_ASSIGN_OR_RETURN(
      std::optional<std::int64_t> exists,
      db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'customer_scores'"));
  if (exists.value_or(0) == 0) return Status::Ok();
  {
    WINBACK_ASSIGN_OR_RETURN(
        Statement s,
        db.Prepare("SELECT as_of, cid, recency_days, frequency, monetary_total, monetary_mean, "
                   "currency, tenure_days, r, f, m, segment, grp, lifecycle, inactive, "
                   "inactive_rules, readiness, readiness_reasons, let_go, p_alive, "
                   "expected_purchases_90d, expected_value, clv_12m, churn_risk "
                   "FROM customer_scores ORDER BY as_of, cid"));
    std::optional<RunEncoder> run;
    std::int64_t run_date = 0;
    CustomerScore c;
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      int i = 0;
      const std::int64_t as_of = s.ColumnInt(i++);
      if (!run || as_of != run_date) {
        if (run) WINBACK_RETURN_IF_ERROR(run->Finish().status());
        WINBACK_ASSIGN_OR_RETURN(
            RunEncoder e, RunEncoder::Create(db, Date::FromDays(static_cast<std::int32_t>(as_of)),
                                             /*threaded=*/false));
        run.emplace(std::move(e));
        run_date = as_of;
      }
      c.key = CustomerKey(s.ColumnInt(i++));
      c.recency_days = s.ColumnOptionalInt(i++);
      c.frequency = s.ColumnInt(i++);
      c.monetary_total_minor = s.ColumnInt(i++);
      c.monetary_mean_minor = s.ColumnInt(i++);
      c.currency = s.ColumnText(i++);
      c.tenure_days = s.ColumnOptionalInt(i++);
      c.r = static_cast<int>(s.ColumnInt(i++));
      c.f = static_cast<int>(s.ColumnInt(i++));
      c.m = static_cast<int>(s.ColumnInt(i++));
      c.segment = s.ColumnText(i++);
      c.group = s.ColumnText(i++);
      c.lifecycle = s.ColumnText(i++);
      c.inactive = s.ColumnInt(i++) != 0;
      c.inactive_rules = s.ColumnText(i++);
      c.readiness = s.ColumnReal(i++);
      c.readiness_reasons = s.ColumnText(i++);
      c.let_go = s.ColumnText(i++);
      c.p_alive = s.ColumnOptionalReal(i++);
      c.expected_purchases_90d = s.ColumnOptionalReal(i++);
      c.expected_value_minor = s.ColumnOptionalReal(i++);
      c.clv_12m_minor = s.ColumnOptionalReal(i++);
      c.churn_risk = s.ColumnOptionalReal(i++);
      WINBACK_RETURN_IF_ERROR(
          run->Add(c).WithContext("converting the scores as of " +
                                  Date::FromDays(static_cast<std::int32_t>(as_of)).ToString()));
    }
    if (run) WINBACK_RETURN_IF_ERROR(run->Finish().status());
  }
  return db.Exec("DROP TABLE customer_scores");
}

}  // namespace winback::store::sqlite
