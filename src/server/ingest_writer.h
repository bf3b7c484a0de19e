#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "server/record_batch.h"
#include "store/store.h"

namespace winback::server {

// What became of one request's records.
struct WriteOutcome {
  // Ok: committed and durable (the store's commit returned; with store::Sync::kFull it was
  // fsync'd). InvalidArgument: `errors` says which records are wrong (an unknown customer),
  // nothing of the request was written. Unavailable: the store failed or the writer is stopping;
  // nothing of the request was written and the request may be retried; or the records were
  // committed but the after-commit hook failed (the message says so), and the request may be
  // retried too (it writes nothing new and runs the hook again).
  Status status;
  std::vector<FieldError> errors;
  // Orders, events and products that were new or changed (a retried request writes 0).
  std::int64_t written = 0;
};

// The single writer of the server, with group commit: request threads call Write(), which
// queues the batch and waits; one writer thread takes every queued batch (up to
// `max_group_requests`), writes them all in one store import session (one transaction: one
// commit, one fsync) and answers each. A batch whose records fail the writer's checks (unknown
// customers) is left out of the group without failing the others; a batch that shares an id
// with an earlier batch of the group waits for the next group (a session writes an id once). If
// the group's commit fails, each batch is retried alone, so one bad batch never fails another.
// Every batch is all or nothing. Thread-safe.
// The records of one committed group, with their customers' keys, for the after-commit hook.
struct CommittedRecords {
  std::vector<std::pair<CustomerKey, const store::OrderRecord*>> orders;
  std::vector<std::pair<CustomerKey, const store::EventRecord*>> events;
};

class IngestWriter {
 public:
  struct Options {
    std::size_t max_group_requests = 256;
    // Tests: the writer takes nothing until Resume(), so that a test can queue a known group.
    bool start_paused = false;
  };
  // Called on the writer thread after each group's commit and before its requests are
  // answered, with the writer's store (no session open) and every record the group wrote
  // (retried ones included): `winback serve` exits journeys on orders here, so a 200 means
  // that is done too. An error answers the group's requests Unavailable (their records stay
  // committed).
  using AfterCommit = std::function<Status(store::Store&, const CommittedRecords&)>;
  // Takes the store it writes through; it is used only by the writer thread.
  IngestWriter(std::unique_ptr<store::Store> store, Options options, AfterCommit after_commit = {});
  ~IngestWriter();  // Stop()s.
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  // Queues `batch` and waits until it is committed or refused. After Stop(): Unavailable.
  WriteOutcome Write(RecordBatch batch) EXCLUDES(mu_);

  // Lets a writer made with start_paused take work.
  void Resume() EXCLUDES(mu_);
  // Batches waiting for the writer (tests).
  std::size_t queued() const EXCLUDES(mu_);

  // Answers what is queued, then ends the writer thread. Idempotent.
  void Stop() EXCLUDES(mu_);

  struct Stats {
    std::int64_t groups = 0;    // Transactions committed.
    std::int64_t requests = 0;  // Batches committed.
    std::int64_t records = 0;   // Records in committed batches.
  };
  Stats stats() const EXCLUDES(mu_);

 private:
  struct Pending;
  void Loop();
  // Writes `group` in one session; false when the session failed as a whole (nothing of it is
  // stored) and the batches must be retried alone. Batches refused on their own are answered.
  bool WriteGroup(std::vector<Pending*>& group, std::vector<Pending*>& deferred);
  void Answer(Pending* p, WriteOutcome outcome) EXCLUDES(mu_);

  std::unique_ptr<store::Store> store_;
  const Options options_;
  const AfterCommit after_commit_;
  mutable Mutex mu_;
  CondVar work_;
  std::deque<Pending*> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool paused_ GUARDED_BY(mu_) = false;
  Stats stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace winback::server
