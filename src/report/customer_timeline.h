#pragma once

// A customer's timeline: orders, events (visits, notes, calls, tickets, reviews, ...) and outbox
// messages as one list by time (article 003's customer history), as `winback customer ID` and
// the dashboard's customer page show it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "report/customer_view.h"

namespace winback::report {

// One line of a customer's timeline.
struct TimelineEntry {
  enum class Kind : std::uint8_t { kOrder, kEvent, kMessage };
  Kind kind = Kind::kOrder;
  std::size_t index = 0;  // Into CustomerView::orders, events or messages, by kind.
  Instant at;  // Orders and events: when they happened; messages: sent_at, else scheduled_at.
  std::int32_t utc_offset_minutes = 0;  // Of the order, event or message: for local times.
  std::string label;                    // "order", the event type's name, or "message".
  std::string id;                       // The order's or event's id, the message's key.
  std::string detail;  // One line for people: amount and status (and items); the event's
                       // fields; the message's campaign, step, channel, status, offer, coupon.
};

// The orders, events and messages of `view` by time; equal times keep that order (orders, then
// events, then messages, each as stored). Entries refer to `view` by index.
std::vector<TimelineEntry> CustomerTimeline(const CustomerView& view);

}  // namespace winback::report
