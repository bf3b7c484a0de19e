#pragma once

// Real-time journeys in `winback serve`:
//
//   - ExitJourneysOnOrders: an order committed through the API ends, at once, the customer's
//     journeys that end on an order (win-back, long-inactive, cart) and cancels their pending
//     messages, before the request is answered (IngestWriter's after-commit hook).
//   - JourneyLoop: a background thread that plans (as of the current UTC day) and sends due
//     messages on an interval, and plans the customers of a just-committed `cart_abandoned` or
//     `ticket_resolved` event at once. What one step does (score, plan, send) is injected: the
//     cli passes the code `winback run` uses, so the server never has a second planner.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "campaigns/campaign_config.h"
#include "core/ids.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace winback::server {

// A completed order just committed: whose, which, and when it was placed.
struct OrderArrival {
  CustomerKey customer;
  std::string order_id;
  Instant placed_at;
};

// What ExitJourneysOnOrders changed.
struct OrderExitCounts {
  std::int64_t journeys_exited = 0;     // Active journeys that became exited.
  std::int64_t messages_cancelled = 0;  // Pending messages that became cancelled.
};

// For each arrival: every journey of the customer whose campaign (in `settings`) has a trigger
// that ends on an order (campaigns::ExitsOnOrder: winback, long_inactive, cart_abandoned) and
// that the customer entered before the order was placed
//   - loses its pending messages: planned, retry, or claimed by a sender and not yet in flight,
//     become cancelled (OutboxStore::CancelMessage), detail "ordered: order ID at TIME"; a
//     message a sender has already marked in flight is left to it (it may be on the wire);
//   - when active, or completed (every step planned) with a message cancelled just now,
//     becomes exited with reason "ordered" (campaigns::kOrderedExitReason, what the planner
//     records for an order) and exited_at = the order's time.
// Journeys of campaigns no longer configured, holdout records and messages of journeys entered
// after the order are left alone. Idempotent: a retried order changes nothing more.
// Each cancel commits on its own and the exited journeys commit in one WriteTransaction after
// them (the import session that wrote the order cannot hold outbox writes); a failure between
// them leaves journeys that the next plan exits and messages the sender cancels at send time
// (it cancels a message whose customer ordered after it was planned). Store errors pass
// through. Uses `store` from the calling thread only.
Result<OrderExitCounts> ExitJourneysOnOrders(store::Store& store,
                                             const campaigns::CampaignSettings& settings,
                                             std::span<const OrderArrival> arrivals);

// What one step of the loop is asked to do.
struct LoopStep {
  // True: plan everyone as of the current UTC day (the interval came round, or a
  // feature_shipped event asked for it). False: plan only `customers`.
  bool everyone = true;
  std::vector<CustomerKey> customers;  // Sorted, unique; empty when `everyone`.
};

// What one step did.
struct LoopStepResult {
  std::int64_t planned = 0;  // New messages in the outbox.
  std::int64_t sent = 0;     // Messages delivered.
  double seconds = 0;        // Wall time of the step, filled in by the loop.
};

// One step: plan and send. `stopping` turns true when the loop is asked to stop; a step checks
// it between send batches and returns early, having returned its claims.
using LoopStepFunction = std::function<Result<LoopStepResult>(
    const LoopStep& step, const std::function<bool()>& stopping)>;

// The background plan-and-send loop of `winback serve`. One thread runs one step at a time:
//   - a full step (everyone) at start and then every `interval_seconds` after the previous full
//     step began;
//   - as soon as PlanCustomers() names customers, a step for them (keys that arrive during a
//     step are gathered for the next one, so a burst of events costs one step);
//   - as soon as PlanEveryone() asks, a full step.
// A failed step is reported through `on_error` (the cli prints it) and retried at the next
// interval; the loop keeps running. Thread-safe.
class JourneyLoop {
 public:
  struct Options {
    std::int64_t interval_seconds = 300;  // >= 1.
    // Called after each step, from the loop's thread.
    std::function<void(const LoopStep&, const Result<LoopStepResult>&)> on_step;
  };
  JourneyLoop(LoopStepFunction step, Options options);
  ~JourneyLoop();  // Stop()s.
  JourneyLoop(const JourneyLoop&) = delete;
  JourneyLoop& operator=(const JourneyLoop&) = delete;

  // Starts the thread; the first full step begins at once.
  void Start() EXCLUDES(mu_);

  // Asks for a step that plans these customers, as soon as the current step (if any) ends.
  void PlanCustomers(std::span<const CustomerKey> customers) EXCLUDES(mu_);
  // Asks for a full step as soon as the current step (if any) ends.
  void PlanEveryone() EXCLUDES(mu_);

  // Lets the current step end (its send stops after the batch in hand and returns its claims),
  // then ends the thread. Requests not yet begun are dropped: the next full step, or
  // `winback run`, plans them. Idempotent.
  void Stop() EXCLUDES(mu_);

  struct Stats {
    std::int64_t steps = 0;  // Steps finished, failed ones included.
    std::int64_t failed = 0;
    std::int64_t planned = 0;
    std::int64_t sent = 0;
  };
  Stats stats() const EXCLUDES(mu_);

 private:
  void Loop();

  const LoopStepFunction step_;
  const Options options_;
  mutable Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool everyone_ GUARDED_BY(mu_) = true;  // The first step is a full one.
  std::vector<CustomerKey> customers_ GUARDED_BY(mu_);
  Stats stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace winback::server
