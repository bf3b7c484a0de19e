#include "server/ingest_writer.h"

#include <algorithm>
#include <string>

#include "core/thread_priority.h"
#include "fmt/core.h"

namespace winback::server {

struct IngestWriter::Pending {
  RecordBatch batch;
  std::string body;        // What the log keeps (logged mode).
  std::int64_t seq = 0;    // The log's seq once logged; 0 in the synchronous mode.
  bool early = false;      // Answered when logged: written = every event.
  bool has_waiter = true;  // A request waits for `outcome` (not so for recovered entries).
  bool finished = false;   // Finish() ran (applier thread only).
  // Set once, under mu_; the request returns when it is set.
  std::optional<WriteOutcome> outcome;
  CondVar answered;
};

namespace {

// How many nice steps the applier runs below the request threads (logged mode).
constexpr int kApplierNice = 10;
// How long the applier lets answered batches gather before a store transaction (logged mode).
constexpr std::chrono::milliseconds kApplyGather{50};

// The ids a batch writes, by kind; two batches of one session must not share one.
std::vector<std::string> IdsOf(const RecordBatch& b) {
  std::vector<std::string> ids;
  ids.reserve(b.size());
  for (const auto& r : b.customers) ids.push_back("c:" + r.id);
  for (const auto& r : b.orders) ids.push_back("o:" + r.id);
  for (const auto& r : b.events) ids.push_back("e:" + r.id);
  for (const auto& r : b.products) ids.push_back("p:" + r.sku);
  return ids;
}

FieldError UnknownCustomer(std::size_t index, const std::string& customer_id) {
  return FieldError{index, "customer_id",
                    "no customer '" + customer_id + "' in the store or in this request"};
}

// Adds (+1) or removes (-1) one count of each key.
void Count(std::unordered_map<std::string, int>& counts, const std::string& key, int delta) {
  if (delta > 0) {
    ++counts[key];
    return;
  }
  auto it = counts.find(key);
  if (it != counts.end() && --it->second <= 0) counts.erase(it);
}

}  // namespace

IngestWriter::IngestWriter(std::unique_ptr<store::Store> store, Options options,
                           AfterCommit after_commit)
    : IngestWriter(std::move(store), nullptr, std::nullopt, options, std::move(after_commit)) {
  Start();
}

IngestWriter::IngestWriter(std::unique_ptr<store::Store> store,
                           std::unique_ptr<store::Store> reader, std::optional<IngestLog> log,
                           Options options, AfterCommit after_commit)
    : store_(std::move(store)),
      reader_(std::move(reader)),
      log_(std::move(log)),
      options_(options),
      after_commit_(std::move(after_commit)) {}

Result<std::unique_ptr<IngestWriter>> IngestWriter::WithLog(std::unique_ptr<store::Store> store,
                                                            std::unique_ptr<store::Store> reader,
                                                            IngestLog log, Options options,
                                                            AfterCommit after_commit) {
  std::unique_ptr<IngestWriter> w(new IngestWriter(
      std::move(store), std::move(reader), std::move(log), options, std::move(after_commit)));
  WINBACK_RETURN_IF_ERROR(w->Recover());
  w->Start();
  return w;
}

void IngestWriter::Start() {
  {
    MutexLock lock(&mu_);
    paused_ = options_.start_paused;
    committer_done_ = !log_.has_value();
  }
  if (log_) committer_ = std::thread([this] { CommitLoop(); });
  applier_ = std::thread([this] { ApplyLoop(); });
}

IngestWriter::~IngestWriter() { Stop(); }

void IngestWriter::Resume() {
  MutexLock lock(&mu_);
  paused_ = false;
  apply_.SignalAll();
}

std::size_t IngestWriter::queued() const {
  MutexLock lock(&mu_);
  return apply_queue_.size();
}

void IngestWriter::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    work_.SignalAll();
    apply_.SignalAll();
    applied_.SignalAll();
  }
  if (committer_.joinable()) committer_.join();
  if (applier_.joinable()) applier_.join();
  if (log_) {
    std::int64_t through = 0;
    bool all_applied = false;
    {
      MutexLock lock(&mu_);
      through = last_logged_;
      all_applied = unapplied_.empty();
    }
    if (all_applied && through > 0) {
      if (Status s = log_->Trim(through); !s.ok()) {
        fmt::print(stderr,
                   "winback serve: ingest log: {} (it is applied again at the next start)\n",
                   s.message());
      }
    }
  }
}

IngestWriter::Stats IngestWriter::stats() const {
  MutexLock lock(&mu_);
  Stats s = stats_;
  s.pending_records = pending_records_;
  return s;
}

WriteOutcome IngestWriter::Write(RecordBatch batch, std::string body) {
  auto p = std::make_shared<Pending>();
  p->batch = std::move(batch);
  if (log_) p->body = std::move(body);
  MutexLock lock(&mu_);
  if (stopping_) return WriteOutcome{UnavailableError("the server is stopping"), {}, 0};
  if (log_) {
    queue_.push_back(p);
    work_.Signal();
  } else {
    apply_queue_.push_back(p);
    apply_.Signal();
  }
  while (!p->outcome) p->answered.Wait(&mu_);
  return std::move(*p->outcome);
}

bool IngestWriter::WaitApplied(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(&mu_);
  const std::int64_t target = last_logged_;
  while (!unapplied_.empty() && *unapplied_.begin() <= target) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || stopping_) return false;
    applied_.WaitFor(&mu_, deadline - now);
  }
  return true;
}

void IngestWriter::Answer(Pending* p, WriteOutcome outcome) {
  MutexLock lock(&mu_);
  if ((p->outcome || !p->has_waiter) && !outcome.status.ok()) {
    // No request hears of it (answered when logged, or left by an earlier run): say it here.
    fmt::print(
        stderr, "winback serve: ingest log entry {} was not applied: {}\n", p->seq,
        outcome.errors.empty() ? outcome.status.message() : outcome.errors.front().ToString());
  }
  if (p->outcome) return;
  p->outcome = std::move(outcome);
  p->answered.Signal();
}

std::vector<IngestWriter::PendingPtr> IngestWriter::Check(std::vector<PendingPtr>& group) {
  // Held throughout: an id leaves the overlay only after its batch is committed to the store, so
  // an id not in the overlay now is found by the store reads below if it was ever logged.
  MutexLock lock(&overlay_mu_);
  // What only the store can answer, for the whole group: one read for the customers not known
  // yet, one for the event ids not logged.
  std::vector<std::string_view> customer_ids;
  std::vector<std::string_view> event_ids;
  std::unordered_set<std::string_view> asked;
  auto ask = [&](const std::string& id) {
    if (known_customers_.contains(id) || pending_customers_.contains(id)) return;
    if (asked.insert(id).second) customer_ids.push_back(id);
  };
  for (const PendingPtr& p : group) {
    const RecordBatch& b = p->batch;
    for (const auto& o : b.orders) ask(o.customer_id);
    for (const auto& e : b.events) {
      ask(e.customer_id);
      if (b.kind == ingest::FileKind::kEvents && !pending_events_.contains(e.id)) {
        event_ids.push_back(e.id);
      }
    }
  }
  Result<std::vector<std::optional<CustomerKey>>> keys = reader_->FindCustomerKeys(customer_ids);
  Result<std::vector<bool>> stored =
      keys.ok() ? reader_->HasEvents(event_ids) : Result<std::vector<bool>>(keys.status());
  if (!stored.ok()) {
    // The store could not be read: the applier checks every batch itself.
    for (PendingPtr& p : group) p->early = false;
    return group;
  }
  std::unordered_set<std::string_view> unknown;
  for (std::size_t i = 0; i < customer_ids.size(); ++i) {
    if (!(*keys)[i]) {
      unknown.insert(customer_ids[i]);
      continue;
    }
    if (known_customers_.size() >= 1'000'000) known_customers_.clear();
    known_customers_.emplace(customer_ids[i]);
  }
  std::unordered_set<std::string_view> stored_ids;
  for (std::size_t i = 0; i < event_ids.size(); ++i) {
    if ((*stored)[i]) stored_ids.insert(event_ids[i]);
  }

  std::vector<PendingPtr> to_log;
  std::unordered_set<std::string_view> early_ids;  // Event ids of this group's early batches.
  for (PendingPtr& p : group) {
    const RecordBatch& b = p->batch;
    WriteOutcome refused;
    for (std::size_t i = 0; i < b.orders.size(); ++i) {
      if (unknown.contains(b.orders[i].customer_id)) {
        refused.errors.push_back(UnknownCustomer(i, b.orders[i].customer_id));
      }
    }
    // A batch of events is answered once logged when none of its ids is stored or logged, so
    // that `written` counts every event.
    bool early = b.kind == ingest::FileKind::kEvents;
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      const store::EventRecord& e = b.events[i];
      if (unknown.contains(e.customer_id))
        refused.errors.push_back(UnknownCustomer(i, e.customer_id));
      early = early && !pending_events_.contains(e.id) && !early_ids.contains(e.id) &&
              !stored_ids.contains(e.id);
    }
    if (!refused.errors.empty()) {
      refused.status = InvalidArgumentError("records refer to unknown customers");
      Answer(p.get(), std::move(refused));
      continue;
    }
    p->early = early;
    if (early) {
      for (const auto& e : b.events) early_ids.insert(e.id);
    }
    to_log.push_back(p);
  }
  return to_log;
}

void IngestWriter::CommitLoop() {
  while (true) {
    std::vector<PendingPtr> group;
    std::int64_t trim_through = 0;
    {
      MutexLock lock(&mu_);
      while ((queue_.empty() ||
              pending_records_ >= static_cast<std::int64_t>(options_.max_pending_records)) &&
             !stopping_) {
        if (queue_.empty()) {
          work_.Wait(&mu_);
        } else {
          applied_.Wait(&mu_);  // Back-pressure: the applier is behind.
        }
      }
      if (queue_.empty()) {
        committer_done_ = true;
        apply_.SignalAll();
        return;
      }
      while (!queue_.empty() && group.size() < options_.max_group_requests) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      trim_through = unapplied_.empty() ? last_logged_ : *unapplied_.begin() - 1;
    }
    std::vector<PendingPtr> to_log = Check(group);
    if (to_log.empty()) continue;
    std::vector<IngestLog::Entry> entries;
    entries.reserve(to_log.size());
    for (const PendingPtr& p : to_log) {
      entries.push_back(IngestLog::Entry{0, static_cast<int>(p->batch.kind), p->body});
    }
    if (Status s = log_->Append(entries, trim_through); !s.ok()) {
      for (const PendingPtr& p : to_log) {
        Answer(p.get(), WriteOutcome{UnavailableError("the ingest log could not be written (" +
                                                      s.message() + "); retry later"),
                                     {},
                                     0});
      }
      continue;
    }
    {
      MutexLock lock(&overlay_mu_);
      for (const PendingPtr& p : to_log) {
        for (const auto& e : p->batch.events) Count(pending_events_, e.id, +1);
        for (const auto& c : p->batch.customers) Count(pending_customers_, c.id, +1);
      }
    }
    std::vector<Pending*> early;
    {
      MutexLock lock(&mu_);
      ++stats_.log_commits;
      for (std::size_t i = 0; i < to_log.size(); ++i) {
        PendingPtr& p = to_log[i];
        p->seq = entries[i].seq;
        p->body.clear();
        p->body.shrink_to_fit();
        last_logged_ = std::max(last_logged_, p->seq);
        unapplied_.insert(p->seq);
        pending_records_ += static_cast<std::int64_t>(p->batch.size());
        if (p->early) early.push_back(p.get());
        apply_queue_.push_back(std::move(p));
      }
      stats_.early_answers += static_cast<std::int64_t>(early.size());
      apply_.Signal();
    }
    for (Pending* p : early) {
      Answer(p, WriteOutcome{Status::Ok(), {}, static_cast<std::int64_t>(p->batch.events.size())});
    }
  }
}

Status IngestWriter::WriteGroup(std::vector<Pending*>& group, std::vector<Pending*>& deferred) {
  WINBACK_ASSIGN_OR_RETURN(
      std::unique_ptr<store::ImportSession> session,
      store_->BeginImport("winback serve: " + std::to_string(group.size()) + " requests"));
  store::ImportSession& s = *session;
  std::unordered_set<std::string> ids_in_group;
  std::unordered_map<std::string, std::optional<CustomerKey>> customers;
  std::vector<std::pair<Pending*, WriteOutcome>> written;
  CommittedRecords records;
  auto resolve = [&](const std::string& id) -> Result<std::optional<CustomerKey>> {
    auto it = customers.find(id);
    if (it != customers.end()) return it->second;
    WINBACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> key, s.FindCustomer(id));
    customers.emplace(id, key);
    return key;
  };
  for (Pending* p : group) {
    const RecordBatch& b = p->batch;
    std::vector<std::string> ids = IdsOf(b);
    bool conflict = false;
    for (const std::string& id : ids) conflict = conflict || ids_in_group.contains(id);
    if (conflict) {
      deferred.push_back(p);
      continue;
    }
    // Resolve every customer first, so that a batch naming an unknown one writes nothing.
    WriteOutcome outcome;
    std::vector<CustomerKey> keys;
    auto check = [&](std::size_t index, const std::string& customer_id) -> Status {
      WINBACK_ASSIGN_OR_RETURN(std::optional<CustomerKey> key, resolve(customer_id));
      if (!key) {
        outcome.errors.push_back(UnknownCustomer(index, customer_id));
        keys.emplace_back(0);
      } else {
        keys.push_back(*key);
      }
      return Status::Ok();
    };
    for (std::size_t i = 0; i < b.orders.size(); ++i) {
      WINBACK_RETURN_IF_ERROR(check(i, b.orders[i].customer_id));
    }
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      WINBACK_RETURN_IF_ERROR(check(i, b.events[i].customer_id));
    }
    if (!outcome.errors.empty()) {
      outcome.status = InvalidArgumentError("records refer to unknown customers");
      Answer(p, std::move(outcome));
      continue;
    }
    for (const auto& c : b.customers) {
      WINBACK_ASSIGN_OR_RETURN(CustomerKey key, s.UpsertCustomer(c));
      customers[c.id] = key;
    }
    for (std::size_t i = 0; i < b.orders.size(); ++i) {
      WINBACK_ASSIGN_OR_RETURN(bool w, s.UpsertOrder(keys[i], b.orders[i]));
      outcome.written += w ? 1 : 0;
    }
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      WINBACK_ASSIGN_OR_RETURN(bool w, s.UpsertEvent(keys[b.orders.size() + i], b.events[i]));
      outcome.written += w ? 1 : 0;
    }
    for (const auto& pr : b.products) {
      WINBACK_ASSIGN_OR_RETURN(bool w, s.UpsertProduct(pr));
      outcome.written += w ? 1 : 0;
    }
    for (std::string& id : ids) ids_in_group.insert(std::move(id));
    for (std::size_t i = 0; i < b.orders.size(); ++i) {
      records.orders.emplace_back(keys[i], &b.orders[i]);
    }
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      records.events.emplace_back(keys[b.orders.size() + i], &b.events[i]);
    }
    written.emplace_back(p, std::move(outcome));
  }
  if (written.empty()) return Status::Ok();
  WINBACK_RETURN_IF_ERROR(s.Commit().status());
  session.reset();  // Ends the session, so that the hook may write.
  {
    MutexLock lock(&mu_);
    ++stats_.groups;
    for (auto& [p, outcome] : written) {
      ++stats_.requests;
      stats_.records += static_cast<std::int64_t>(p->batch.size());
    }
  }
  if (after_commit_) {
    if (Status hook = after_commit_(*store_, records); !hook.ok()) {
      for (auto& [p, outcome] : written) {
        Answer(p, WriteOutcome{UnavailableError("the records were committed, but updating the "
                                                "journeys failed (" +
                                                hook.message() + "); retrying the request is safe"),
                               {},
                               0});
      }
      return Status::Ok();
    }
  }
  // The bookkeeping first, so that an answered request finds its records applied everywhere
  // (the pending count, WaitApplied).
  std::vector<Pending*> done;
  for (auto& [p, outcome] : written) done.push_back(p);
  Finish(done);
  for (auto& [p, outcome] : written) Answer(p, std::move(outcome));
  return Status::Ok();
}

void IngestWriter::Finish(const std::vector<Pending*>& batches) {
  std::vector<Pending*> done;
  for (Pending* p : batches) {
    if (!p->finished) done.push_back(p);
    p->finished = true;
  }
  if (done.empty()) return;
  if (log_) {
    MutexLock lock(&overlay_mu_);
    for (Pending* p : done) {
      for (const auto& e : p->batch.events) Count(pending_events_, e.id, -1);
      for (const auto& c : p->batch.customers) Count(pending_customers_, c.id, -1);
    }
  }
  MutexLock lock(&mu_);
  for (Pending* p : done) {
    if (p->seq == 0) continue;
    unapplied_.erase(p->seq);
    pending_records_ -= static_cast<std::int64_t>(p->batch.size());
  }
  applied_.SignalAll();
}

void IngestWriter::ApplyLoop() {
  // With a log, no request waits on this thread but the few that are not answered once
  // logged: it takes whatever CPU the request threads and the committer leave.
  if (log_) LowerThisThreadPriority(kApplierNice);
  while (true) {
    std::vector<PendingPtr> group;
    {
      MutexLock lock(&mu_);
      while ((apply_queue_.empty() || paused_) && !(stopping_ && committer_done_)) {
        apply_.Wait(&mu_);
      }
      if (apply_queue_.empty()) return;  // Stopping, and everything is applied.
      // With a log, batches answered already can wait a little for others to join them: fewer,
      // larger store transactions share more pages (less to write per event) and take the
      // cores from the request threads less often. Not when a request waits on the store.
      if (log_) {
        const auto until = std::chrono::steady_clock::now() + kApplyGather;
        auto records = [&] {
          std::size_t n = 0;
          for (const PendingPtr& p : apply_queue_) n += p->batch.size();
          return n;
        };
        auto someone_waits = [&] {
          return std::any_of(apply_queue_.begin(), apply_queue_.end(),
                             [](const PendingPtr& p) { return !p->early; });
        };
        while (!stopping_ && !someone_waits() && records() < options_.max_apply_records) {
          const auto now = std::chrono::steady_clock::now();
          if (now >= until) break;
          apply_.WaitFor(&mu_, until - now);
        }
      }
      std::size_t records = 0;
      while (!apply_queue_.empty()) {
        const std::size_t next = apply_queue_.front()->batch.size();
        if (log_ ? !group.empty() && records + next > options_.max_apply_records
                 : group.size() >= options_.max_group_requests) {
          break;
        }
        records += next;
        group.push_back(std::move(apply_queue_.front()));
        apply_queue_.pop_front();
      }
    }
    std::vector<Pending*> attempt;
    for (const PendingPtr& p : group) attempt.push_back(p.get());
    std::vector<Pending*> deferred;
    std::vector<Pending*> retry;
    if (!WriteGroup(attempt, deferred).ok()) {
      // The session failed as a whole and rolled back: each batch alone, so that one batch's
      // failure is its own.
      deferred.clear();
      for (Pending* p : attempt) {
        std::vector<Pending*> one{p};
        std::vector<Pending*> none;
        Status alone = WriteGroup(one, none);
        if (alone.ok()) continue;
        if (log_ && alone.code() == StatusCode::kUnavailable) {
          // Logged, so it must be applied: a waiting request learns of the delay, the batch
          // stays queued (its retry by the client writes nothing new once it is applied).
          if (p->has_waiter && !p->early) {
            Answer(p, WriteOutcome{UnavailableError("the store is busy (" + alone.message() +
                                                    "); the request is logged and will be "
                                                    "applied, retrying it is safe"),
                                   {},
                                   0});
          }
          retry.push_back(p);
        } else {
          Answer(p, WriteOutcome{UnavailableError("the store refused the write (" +
                                                  alone.message() + "); retry later"),
                                 {},
                                 0});
        }
      }
    }
    std::vector<Pending*> done;
    for (Pending* p : attempt) {
      if (std::find(deferred.begin(), deferred.end(), p) == deferred.end() &&
          std::find(retry.begin(), retry.end(), p) == retry.end()) {
        done.push_back(p);
      }
    }
    Finish(done);
    std::vector<Pending*> again = deferred;
    again.insert(again.end(), retry.begin(), retry.end());
    if (!again.empty()) {
      MutexLock lock(&mu_);
      // Back to the front, in their order (log order is kept for batches that wait).
      std::vector<PendingPtr> back;
      for (PendingPtr& p : group) {
        if (std::find(again.begin(), again.end(), p.get()) != again.end()) {
          back.push_back(std::move(p));
        }
      }
      for (auto it = back.rbegin(); it != back.rend(); ++it) apply_queue_.push_front(*it);
      if (!retry.empty()) {
        apply_.WaitFor(&mu_, std::chrono::milliseconds(200));  // The store is busy: back off.
      }
    }
  }
}

Status IngestWriter::Recover() {
  std::vector<PendingPtr> entries;
  std::int64_t last = 0;
  WINBACK_RETURN_IF_ERROR(log_->ForEach([&](const IngestLog::Entry& e) -> Status {
    last = std::max(last, e.seq);
    const int kinds = static_cast<int>(ingest::FileKind::kProducts);
    ParsedBatch parsed = e.kind >= 0 && e.kind <= kinds
                             ? ParseRecordBatch(static_cast<ingest::FileKind>(e.kind), e.body)
                             : ParsedBatch{{}, {FieldError{0, "body", "unknown kind"}}};
    if (!parsed.errors.empty()) {
      // Only a body that parsed is logged; a change of the parser may refuse an old one.
      fmt::print(stderr, "winback serve: ingest log entry {} no longer parses ({}); skipped\n",
                 e.seq, parsed.errors.front().ToString());
      return Status::Ok();
    }
    auto p = std::make_shared<Pending>();
    p->batch = std::move(parsed.batch);
    p->seq = e.seq;
    p->has_waiter = false;
    entries.push_back(std::move(p));
    return Status::Ok();
  }));
  // Registered as logged batches are, so that applying them undoes it (Finish).
  {
    MutexLock overlay(&overlay_mu_);
    for (const PendingPtr& p : entries) {
      for (const auto& e : p->batch.events) Count(pending_events_, e.id, +1);
      for (const auto& c : p->batch.customers) Count(pending_customers_, c.id, +1);
    }
    MutexLock lock(&mu_);
    for (const PendingPtr& p : entries) {
      unapplied_.insert(p->seq);
      pending_records_ += static_cast<std::int64_t>(p->batch.size());
    }
  }
  // In groups, as the applier would; nothing is answered (no one waits).
  std::size_t next = 0;
  while (next < entries.size()) {
    std::vector<Pending*> group;
    std::size_t records = 0;
    while (next < entries.size() &&
           (group.empty() || records + entries[next]->batch.size() <= options_.max_apply_records)) {
      records += entries[next]->batch.size();
      group.push_back(entries[next++].get());
    }
    while (!group.empty()) {
      std::vector<Pending*> deferred;
      Status s = WriteGroup(group, deferred);
      if (!s.ok()) {
        return Status(s.code(), "applying the ingest log " + log_->path() + " (" +
                                    std::to_string(entries.size()) + " entries left by an " +
                                    "earlier run): " + s.message() +
                                    "; nothing is lost, they are applied at the next start");
      }
      group = std::move(deferred);
    }
  }
  std::vector<Pending*> all;
  for (const PendingPtr& p : entries) all.push_back(p.get());
  Finish(all);  // Those refused too.
  if (last > 0) WINBACK_RETURN_IF_ERROR(log_->Trim(last));
  MutexLock lock(&mu_);
  stats_.recovered = static_cast<std::int64_t>(entries.size());
  last_logged_ = last;
  return Status::Ok();
}

}  // namespace winback::server
