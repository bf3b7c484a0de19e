#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace winback::report {

// Everything winback knows about one customer: what `winback customer ID` prints and
// `GET /v1/customers/{id}` returns.
struct CustomerView {
  store::CustomerProfile profile;  // Record, consents and aggregates.
  std::vector<store::OrderRecord> orders;
  std::vector<store::EventRecord> events;
  std::vector<store::OutboxMessage> messages;  // The customer's outbox messages.
  std::vector<store::Journey> journeys;
  // The kinds of message the customer opted out of in the preference centre, in kind order.
  std::vector<store::KindOptOut> kind_opt_outs;
  // The scores of the latest `winback score` run, when there is one and it scored the customer.
  std::optional<Date> score_date;
  std::optional<store::CustomerScore> score;
};

// Loads the view of customer `id`. NotFound when there is no such customer; Unavailable for
// store errors.
Result<CustomerView> LoadCustomerView(store::Store& store, std::string_view id);

// The view as one JSON document (indented by 2): the profile's fields, "consent",
// "opted_out_kinds" ({"kind": "offers", "at": TIME} per kind of message opted out of; [] for
// none), "aggregates", "score" (null when not scored), "journeys" and "timeline" (orders, events
// and messages by time; a message at the time it was sent, else when it is due).
std::string CustomerViewJson(const CustomerView& view);

}  // namespace winback::report
