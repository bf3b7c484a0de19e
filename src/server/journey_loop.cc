#include "server/journey_loop.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "campaigns/journey_engine.h"

namespace winback::server {
namespace {

using store::Journey;
using store::JourneyState;
using store::MessageStatus;
using store::OutboxMessage;

// A message no sender has handed over yet: cancelling it keeps it from ever going out.
bool Pending(const OutboxMessage& m) {
  return m.status == MessageStatus::kPlanned || m.status == MessageStatus::kRetry ||
         (m.status == MessageStatus::kSending && !m.in_flight);
}

}  // namespace

Result<OrderExitCounts> ExitJourneysOnOrders(store::Store& store,
                                             const campaigns::CampaignSettings& settings,
                                             std::span<const OrderArrival> arrivals) {
  OrderExitCounts counts;
  // The earliest order per customer decides: every journey entered before it ends.
  std::map<std::int64_t, const OrderArrival*> first;
  for (const OrderArrival& a : arrivals) {
    auto [it, added] = first.emplace(a.customer.value(), &a);
    if (!added && a.placed_at < it->second->placed_at) it->second = &a;
  }
  std::vector<Journey> exited;
  for (const auto& [key, order] : first) {
    WINBACK_ASSIGN_OR_RETURN(std::vector<Journey> journeys, store.LoadJourneys(order->customer));
    // The journeys the order ends: active or completed (every step planned, the last message
    // perhaps not yet sent), entered before the order.
    std::vector<const Journey*> ended;
    for (const Journey& j : journeys) {
      const campaigns::Campaign* c = settings.FindCampaign(j.campaign);
      if (c == nullptr || !campaigns::ExitsOnOrder(c->trigger)) continue;
      if (j.state != JourneyState::kActive && j.state != JourneyState::kCompleted) continue;
      if (j.entered_at < order->placed_at) ended.push_back(&j);
    }
    if (ended.empty()) continue;
    auto journey_of = [&](const OutboxMessage& m) -> const Journey* {
      for (const Journey* j : ended) {
        if (j->campaign == m.campaign && j->occurrence == m.occurrence) return j;
      }
      return nullptr;
    };
    std::vector<std::pair<std::int64_t, const Journey*>> cancel;
    store::MessageFilter filter;
    filter.customer = order->customer;
    WINBACK_RETURN_IF_ERROR(store.ForEachMessage(filter, [&](const OutboxMessage& m) {
      if (!Pending(m)) return Status::Ok();
      if (const Journey* j = journey_of(m)) cancel.emplace_back(m.id, j);
      return Status::Ok();
    }));
    const std::string reason = std::string(campaigns::kOrderedExitReason) + ": order " +
                               order->order_id + " at " + FormatTimestamp(order->placed_at);
    std::vector<const Journey*> cut_short;  // Completed journeys whose message was cancelled.
    for (const auto& [id, j] : cancel) {
      Status s = store.CancelMessage(id, reason);
      if (s.ok()) {
        ++counts.messages_cancelled;
        cut_short.push_back(j);
      } else if (s.code() != StatusCode::kFailedPrecondition) {
        // FailedPrecondition: a sender marked it in flight meanwhile; it is on its way.
        return s;
      }
    }
    for (const Journey* j : ended) {
      const bool cut = std::find(cut_short.begin(), cut_short.end(), j) != cut_short.end();
      if (j->state != JourneyState::kActive && !cut) continue;
      Journey e = *j;
      e.state = JourneyState::kExited;
      e.exit_reason = std::string(campaigns::kOrderedExitReason);
      e.exited_at = order->placed_at;
      e.next_due_at.reset();
      exited.push_back(std::move(e));
    }
  }
  if (!exited.empty()) {
    WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::WriteTransaction> tx, store.BeginWrite());
    for (const Journey& j : exited) WINBACK_RETURN_IF_ERROR(tx->PutJourney(j));
    WINBACK_RETURN_IF_ERROR(tx->Commit());
    counts.journeys_exited = static_cast<std::int64_t>(exited.size());
  }
  return counts;
}

JourneyLoop::JourneyLoop(LoopStepFunction step, Options options)
    : step_(std::move(step)), options_(std::move(options)) {}

JourneyLoop::~JourneyLoop() { Stop(); }

void JourneyLoop::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void JourneyLoop::PlanCustomers(std::span<const CustomerKey> customers) {
  if (customers.empty()) return;
  MutexLock lock(&mu_);
  customers_.insert(customers_.end(), customers.begin(), customers.end());
  wake_.SignalAll();
}

void JourneyLoop::PlanEveryone() {
  MutexLock lock(&mu_);
  everyone_ = true;
  wake_.SignalAll();
}

void JourneyLoop::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

JourneyLoop::Stats JourneyLoop::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

void JourneyLoop::Loop() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::seconds(std::max<std::int64_t>(1, options_.interval_seconds));
  Clock::time_point next_full = Clock::now();
  const std::function<bool()> stopping = [this] {
    MutexLock lock(&mu_);
    return stopping_;
  };
  while (true) {
    LoopStep step;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && !everyone_ && customers_.empty() && Clock::now() < next_full) {
        wake_.WaitFor(
            &mu_, std::chrono::duration_cast<std::chrono::milliseconds>(next_full - Clock::now()) +
                      std::chrono::milliseconds(1));
      }
      if (stopping_) return;
      step.everyone = everyone_ || Clock::now() >= next_full;
      everyone_ = false;
      if (step.everyone) {
        customers_.clear();  // The full plan covers them.
      } else {
        step.customers = std::move(customers_);
        customers_.clear();
        std::sort(step.customers.begin(), step.customers.end(),
                  [](CustomerKey a, CustomerKey b) { return a.value() < b.value(); });
        step.customers.erase(std::unique(step.customers.begin(), step.customers.end()),
                             step.customers.end());
      }
    }
    if (step.everyone) next_full = Clock::now() + interval;
    const Clock::time_point began = Clock::now();
    Result<LoopStepResult> result = step_(step, stopping);
    if (result.ok()) {
      result->seconds = std::chrono::duration<double>(Clock::now() - began).count();
    }
    {
      MutexLock lock(&mu_);
      ++stats_.steps;
      if (result.ok()) {
        stats_.planned += result->planned;
        stats_.sent += result->sent;
      } else {
        ++stats_.failed;
      }
    }
    if (options_.on_step) options_.on_step(step, result);
  }
}

}  // namespace winback::server
