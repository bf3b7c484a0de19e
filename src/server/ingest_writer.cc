#include "server/ingest_writer.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace winback::server {

struct IngestWriter::Pending {
  RecordBatch batch;
  std::optional<WriteOutcome> outcome;  // Set once, under mu_.
  CondVar answered;                     // Signalled when `outcome` is set.
};

IngestWriter::IngestWriter(std::unique_ptr<store::Store> store, Options options,
                           AfterCommit after_commit)
    : store_(std::move(store)), options_(options), after_commit_(std::move(after_commit)) {
  {
    MutexLock lock(&mu_);
    paused_ = options.start_paused;
  }
  thread_ = std::thread([this] { Loop(); });
}

void IngestWriter::Resume() {
  MutexLock lock(&mu_);
  paused_ = false;
  work_.SignalAll();
}

std::size_t IngestWriter::queued() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

IngestWriter::~IngestWriter() { Stop(); }

void IngestWriter::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    work_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

IngestWriter::Stats IngestWriter::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

WriteOutcome IngestWriter::Write(RecordBatch batch) {
  Pending p;
  p.batch = std::move(batch);
  MutexLock lock(&mu_);
  if (stopping_) return WriteOutcome{UnavailableError("the server is stopping"), {}, 0};
  queue_.push_back(&p);
  work_.Signal();
  while (!p.outcome) p.answered.Wait(&mu_);
  return std::move(*p.outcome);
}

void IngestWriter::Answer(Pending* p, WriteOutcome outcome) {
  MutexLock lock(&mu_);
  if (outcome.status.ok()) {
    ++stats_.requests;
    stats_.records += static_cast<std::int64_t>(p->batch.size());
  }
  p->outcome = std::move(outcome);
  p->answered.Signal();
}

namespace {

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

}  // namespace

bool IngestWriter::WriteGroup(std::vector<Pending*>& group, std::vector<Pending*>& deferred) {
  Result<std::unique_ptr<store::ImportSession>> session =
      store_->BeginImport("winback serve: " + std::to_string(group.size()) + " requests");
  if (!session.ok()) {
    for (Pending* p : group) Answer(p, WriteOutcome{session.status(), {}, 0});
    group.clear();
    return true;
  }
  store::ImportSession& s = **session;
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
        outcome.errors.push_back(
            FieldError{index, "customer_id",
                       "no customer '" + customer_id + "' in the store or in this request"});
        keys.emplace_back(0);
      } else {
        keys.push_back(*key);
      }
      return Status::Ok();
    };
    Status st = Status::Ok();
    for (std::size_t i = 0; i < b.orders.size() && st.ok(); ++i)
      st = check(i, b.orders[i].customer_id);
    for (std::size_t i = 0; i < b.events.size() && st.ok(); ++i)
      st = check(i, b.events[i].customer_id);
    if (!st.ok()) return false;
    if (!outcome.errors.empty()) {
      outcome.status = InvalidArgumentError("records refer to unknown customers");
      Answer(p, std::move(outcome));
      continue;
    }
    for (const auto& c : b.customers) {
      Result<CustomerKey> key = s.UpsertCustomer(c);
      if (!key.ok()) return false;
      customers[c.id] = *key;
    }
    for (std::size_t i = 0; i < b.orders.size(); ++i) {
      Result<bool> w = s.UpsertOrder(keys[i], b.orders[i]);
      if (!w.ok()) return false;
      outcome.written += *w ? 1 : 0;
    }
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      Result<bool> w = s.UpsertEvent(keys[i], b.events[i]);
      if (!w.ok()) return false;
      outcome.written += *w ? 1 : 0;
    }
    for (const auto& pr : b.products) {
      Result<bool> w = s.UpsertProduct(pr);
      if (!w.ok()) return false;
      outcome.written += *w ? 1 : 0;
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
  if (written.empty()) return true;
  Result<store::ImportCounts> committed = s.Commit();
  if (!committed.ok()) return false;
  (*session).reset();  // Ends the session, so that the hook may write.
  {
    MutexLock lock(&mu_);
    ++stats_.groups;
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
      return true;
    }
  }
  for (auto& [p, outcome] : written) Answer(p, std::move(outcome));
  return true;
}

void IngestWriter::Loop() {
  while (true) {
    std::vector<Pending*> group;
    {
      MutexLock lock(&mu_);
      while ((queue_.empty() || paused_) && !stopping_) work_.Wait(&mu_);
      if (queue_.empty()) return;  // Stopping, and everything is answered.
      while (!queue_.empty() && group.size() < options_.max_group_requests) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    std::vector<Pending*> deferred;
    std::vector<Pending*> attempt = group;
    if (!WriteGroup(attempt, deferred)) {
      // The session failed as a whole and rolled back: each batch alone, so that one batch's
      // failure is its own. Answered batches are skipped.
      deferred.clear();
      for (Pending* p : group) {
        {
          MutexLock lock(&mu_);
          if (p->outcome) continue;
        }
        std::vector<Pending*> one{p};
        std::vector<Pending*> none;
        if (!WriteGroup(one, none)) {
          Answer(p,
                 WriteOutcome{UnavailableError("the store refused the write; retry later"), {}, 0});
        }
      }
    }
    if (!deferred.empty()) {
      MutexLock lock(&mu_);
      for (auto it = deferred.rbegin(); it != deferred.rend(); ++it) queue_.push_front(*it);
    }
  }
}

}  // namespace winback::server
