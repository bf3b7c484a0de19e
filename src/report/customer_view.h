#pragma once

// One customer as `winback customer ID` and the dashboard's customer page show them: profile,
// consents and aggregates, the scores of the latest saved scoring run, the campaign journeys,
// and one timeline of orders, events and outbox messages. Gathered here once so that the
// command line and the server read and order it the same way.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace winback::report {

// One line of a customer's timeline.
struct TimelineEntry {
  enum class Kind : std::uint8_t { kOrder, kEvent, kMessage };
  Kind kind = Kind::kOrder;
  std::size_t index = 0;  // Into CustomerView::orders, events or messages, by kind.
  Instant at;             // Orders and events: when placed; messages: sent_at, else scheduled_at.
  std::int32_t utc_offset_minutes = 0;  // Of the order, event or message: for local times.
  std::string label;   // "order", the event type's name ("ticket_opened"), or "message".
  std::string id;      // The order's or event's id, the message's idempotency key.
  std::string detail;  // One line for people: amount and status, the event's fields, the
                       // message's campaign, step, channel, status, offer and coupon.
};

struct CustomerView {
  store::CustomerProfile profile;
  std::vector<store::OrderRecord> orders;  // Oldest first, items included.
  std::vector<store::EventRecord> events;  // Oldest first.
  std::vector<store::OutboxMessage> messages;
  std::vector<store::Journey> journeys;
  std::optional<Date> score_date;             // The latest saved scoring run, if any ...
  std::optional<store::CustomerScore> score;  // ... and this customer's score in it.
  std::vector<TimelineEntry> timeline;        // Orders, events and messages by time (stable).
};

// Loads customer `id` (the external id) from `store`. NotFound when no customer has that id;
// the store's errors (Unavailable) as they come.
Result<CustomerView> LoadCustomerView(store::Store& store, std::string_view id);

// "12.50 EUR" for minor units in an ISO 4217 currency; the bare number for an unknown code.
std::string FormatMinorWithCode(std::int64_t minor, const std::string& code);

}  // namespace winback::report
