#pragma once

// One customer as `winback customer ID` and the dashboard's customer page show them: profile,
// consents and aggregates, orders, events, outbox messages, the campaign journeys and the
// scores of the latest saved scoring run, read here once for the command line and the server.
// customer_timeline.h orders them into one timeline.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace winback::report {

struct CustomerView {
  store::CustomerProfile profile;
  std::vector<store::OrderRecord> orders;  // Oldest first, items included.
  std::vector<store::EventRecord> events;  // Oldest first.
  std::vector<store::OutboxMessage> messages;
  std::vector<store::Journey> journeys;
  std::optional<Date> score_date;             // The latest saved scoring run, if any ...
  std::optional<store::CustomerScore> score;  // ... and this customer's score in it.
};

// Loads customer `id` (the external id) from `store`. NotFound when no customer has that id;
// the store's errors (Unavailable) as they come.
Result<CustomerView> LoadCustomerView(store::Store& store, std::string_view id);

}  // namespace winback::report
