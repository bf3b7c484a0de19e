#pragma once

// Everything the planner knows about one customer as of the planning date, gathered from the
// store in bulk (planner.cc) so that deciding is a pure function of it (journey_engine.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/time.h"
#include "store/outbox_store.h"
#include "store/records.h"

namespace winback::campaigns {

// One event that can start a journey (cart, ticket, feature), with the reference that keeps one
// event from starting two journeys.
struct TriggerEvent {
  EventType type = EventType::kVisit;
  Instant at;
  std::string ref;  // The event's id (a cart, a ticket) or, for features, the feature name.
};

struct CustomerState {
  CustomerKey key;
  store::CustomerRecord record;  // Profile and consents.
  store::CustomerAggregates aggregates;
  std::optional<store::CustomerScore> score;  // The latest scoring run on or before as_of.
  TimeZone zone;                              // record.time_zone, or the policy's default.
  // Completed orders, oldest first: times and amounts (in their currency).
  std::vector<Instant> order_times;
  std::vector<std::int64_t> order_amounts_minor;
  std::vector<std::string> order_currencies;
  std::vector<TriggerEvent> events;  // Trigger events within the lookback, oldest first.
  // Features shipped (by name) that this customer asked for or left over, with the ship time.
  std::vector<TriggerEvent> shipped_features;
  std::optional<int> best_hour;  // Local hour of most past engagement, when the history shows one.
  std::string favourite_category;
  std::vector<store::Journey> journeys;  // All of the customer's journeys.
  std::vector<Instant> scheduled;        // Their outbox messages that count for the cap, sorted.
  // The kinds of message they opted out of (store::KindOptOut), bit k = MessageKind k
  // (policy.h: KindBit).
  std::uint32_t opted_out_kinds = 0;
};

}  // namespace winback::campaigns
