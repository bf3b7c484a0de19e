#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "server/ingest_log.h"
#include "server/record_batch.h"
#include "store/store.h"

namespace winback::server {

// What became of one request's records.
struct WriteOutcome {
  // Ok: committed and durable (the store's commit returned, with store::Sync::kFull fsync'd;
  // or, with a log, the log's commit returned and the batch will be applied). InvalidArgument:
  // `errors` says which records are wrong (an unknown customer), nothing of the request was
  // written. Unavailable: the store failed or the writer is stopping; nothing of the request was
  // written and the request may be retried; or the records were committed but the after-commit hook
  // failed (the message says so), and the request may be retried too (it writes nothing new and
  // runs the hook again).
  Status status;
  std::vector<FieldError> errors;
  // Orders, events and products that were new or changed (a retried request writes 0).
  std::int64_t written = 0;
};

// The records of one committed group, with their customers' keys, for the after-commit hook.
struct CommittedRecords {
  std::vector<std::pair<CustomerKey, const store::OrderRecord*>> orders;
  std::vector<std::pair<CustomerKey, const store::EventRecord*>> events;
};

// The single writer of the server, with group commit, in one of two modes.
//
// Without a log (the synchronous mode): request threads call Write(), which queues the batch
// and waits; one applier thread takes every queued batch (up to `max_group_requests`), writes
// them all in one store import session (one transaction: one commit, one fsync) and answers
// each. A 200 then means the records are in the store.
//
// With a log (IngestLog, what `winback serve` uses): a committer thread takes every queued
// batch, checks what can be checked without writing the store (the customers the records name
// exist, in the store or in a logged batch; whether each event id is new), appends the group to
// the log in one transaction (one fsync of a few appended pages) and hands it to the applier,
// which writes the store as above but in groups of up to `max_apply_records`. A batch of events
// that are all new is answered as soon as it is logged: it is durable, will be applied (a crash
// before that applies it at the next start), and its answer is known (every new event is
// written). Every other batch (customers, orders, products, events that repeat a stored or
// logged id) is answered after it is applied, with the store's own counts, and orders after the
// after-commit hook too. Reads that must see every answered write call WaitApplied() first.
// This takes the store's page writes (indexes, aggregates: two random pages per event) off the
// path of a request and shares them between the many requests of a larger transaction.
//
// In both modes: a batch whose records fail the writer's checks (unknown customers) writes
// nothing and gets InvalidArgument without failing the others; a batch that shares an id with
// an earlier batch of the group waits for the next group (a session writes an id once). If a
// group's commit fails, each batch is retried alone, so one bad batch never fails another.
// Every batch is all or nothing. Thread-safe.
class IngestWriter {
 public:
  struct Options {
    std::size_t max_group_requests = 256;
    // With a log: the most records one store transaction applies (enough for a group to share
    // index and aggregate pages; few enough that an order queued behind it waits a fraction of
    // a second), and the most records logged and not yet applied before new requests wait for
    // the applier (back-pressure).
    std::size_t max_apply_records = 10'000;
    std::size_t max_pending_records = 200'000;
    // Tests: the applier takes nothing until Resume(), so that a test can queue a known group.
    bool start_paused = false;
  };
  // Called on the applier thread after each group's commit and before its requests are
  // answered, with the writer's store (no session open) and every record the group wrote
  // (retried ones included): `winback serve` exits journeys on orders here, so a 200 for an
  // order means that is done too. An error answers the group's waiting requests Unavailable
  // (their records stay committed).
  using AfterCommit = std::function<Status(store::Store&, const CommittedRecords&)>;

  // The synchronous mode. Takes the store it writes through; only the applier thread uses it.
  IngestWriter(std::unique_ptr<store::Store> store, Options options, AfterCommit after_commit = {});

  // The logged mode: `reader` is a second store object on the same database for the
  // committer's checks. First applies what `log` holds from an earlier run (a crash left it
  // there), then starts. Errors: the log cannot be read, or the store refuses its entries
  // (nothing is lost: they stay in the log for the next start).
  static Result<std::unique_ptr<IngestWriter>> WithLog(std::unique_ptr<store::Store> store,
                                                       std::unique_ptr<store::Store> reader,
                                                       IngestLog log, Options options,
                                                       AfterCommit after_commit = {});

  ~IngestWriter();  // Stop()s.
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  // Queues `batch` and waits until it is committed (logged or applied, see above) or refused.
  // `body` is the request body the batch was parsed from (ParseRecordBatch(batch.kind, body)
  // gives it back): what the log keeps. After Stop(): Unavailable.
  WriteOutcome Write(RecordBatch batch, std::string body = {}) EXCLUDES(mu_);

  // Waits until every batch answered before the call is in the store (at most `timeout`; false
  // when it timed out, e.g. while the store refuses writes). At once without a log.
  bool WaitApplied(std::chrono::milliseconds timeout = std::chrono::seconds(5)) EXCLUDES(mu_);

  // Lets a writer made with start_paused apply.
  void Resume() EXCLUDES(mu_);
  // Batches waiting for the applier (tests).
  std::size_t queued() const EXCLUDES(mu_);

  // Answers and applies what is queued, then ends the threads (and empties the log). Idempotent.
  void Stop() EXCLUDES(mu_);

  struct Stats {
    std::int64_t groups = 0;           // Store transactions committed.
    std::int64_t requests = 0;         // Batches applied.
    std::int64_t records = 0;          // Records in applied batches.
    std::int64_t log_commits = 0;      // Log transactions (logged mode).
    std::int64_t early_answers = 0;    // Batches answered when logged (logged mode).
    std::int64_t recovered = 0;        // Log entries of an earlier run applied at the start.
    std::int64_t pending_records = 0;  // Logged, not yet applied (now).
  };
  Stats stats() const EXCLUDES(mu_);

 private:
  struct Pending;
  using PendingPtr = std::shared_ptr<Pending>;
  IngestWriter(std::unique_ptr<store::Store> store, std::unique_ptr<store::Store> reader,
               std::optional<IngestLog> log, Options options, AfterCommit after_commit);
  void Start();
  void CommitLoop();
  void ApplyLoop();
  // Classifies a committer group: refuses batches naming unknown customers, marks the batches
  // that can be answered once logged. Returns the batches to log.
  std::vector<PendingPtr> Check(std::vector<PendingPtr>& group) EXCLUDES(overlay_mu_);
  // Writes `group` in one session. Not ok when the session failed as a whole (nothing of it is
  // stored) and the batches must be retried alone. Batches refused on their own are answered;
  // batches sharing an id with an earlier one go to `deferred`.
  Status WriteGroup(std::vector<Pending*>& group, std::vector<Pending*>& deferred);
  // Sets a batch's outcome and wakes its request (once).
  void Answer(Pending* p, WriteOutcome outcome) EXCLUDES(mu_);
  // Bookkeeping after batches are applied (or dropped): the overlay and the applied seqs. Once
  // per batch (later calls skip it).
  void Finish(const std::vector<Pending*>& batches) EXCLUDES(mu_, overlay_mu_);
  // Applies everything the log holds (before the threads start).
  Status Recover();

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Store> reader_;  // Committer thread only.
  std::optional<IngestLog> log_;          // Committer thread only (and Recover, Stop).
  const Options options_;
  const AfterCommit after_commit_;

  mutable Mutex mu_;
  CondVar work_;                                  // Requests queued, or stopping.
  CondVar apply_;                                 // Batches to apply, or stopping, or resumed.
  CondVar applied_;                               // Batches applied (WaitApplied, back-pressure).
  std::deque<PendingPtr> queue_ GUARDED_BY(mu_);  // For the committer (logged mode).
  std::deque<PendingPtr> apply_queue_ GUARDED_BY(mu_);  // For the applier.
  std::set<std::int64_t> unapplied_ GUARDED_BY(mu_);    // Logged seqs not yet applied.
  std::int64_t last_logged_ GUARDED_BY(mu_) = 0;
  std::int64_t pending_records_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool committer_done_ GUARDED_BY(mu_) = false;
  bool paused_ GUARDED_BY(mu_) = false;
  Stats stats_ GUARDED_BY(mu_);

  // What is logged and not yet applied, for the committer's checks: ids with their number of
  // logged batches. An id leaves after the applier's commit, so a check that misses it here
  // finds it in the store.
  Mutex overlay_mu_;
  std::unordered_map<std::string, int> pending_events_ GUARDED_BY(overlay_mu_);
  std::unordered_map<std::string, int> pending_customers_ GUARDED_BY(overlay_mu_);
  // Customers known to exist (customers are never deleted). Committer thread only.
  std::unordered_set<std::string> known_customers_;

  std::thread committer_;
  std::thread applier_;
};

}  // namespace winback::server
