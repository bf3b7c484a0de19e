#pragma once

// The store writes behind the public side of the server (tracking links, the preference
// centre, inbound messages), shared by tracking.cc, preferences.cc and inbound.cc. Each
// function commits before it returns, so a handler answers only after its change is durable.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/mutex.h"
#include "core/status.h"
#include "core/time.h"
#include "core/vocabulary.h"
#include "store/store.h"

namespace winback::server {

// One store object for the public handlers, used by one request at a time (a store object is
// not thread-safe; SQLite serializes writers anyway). Thread-safe.
class SharedStore {
 public:
  explicit SharedStore(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}
  SharedStore(const SharedStore&) = delete;
  SharedStore& operator=(const SharedStore&) = delete;

  // Runs `fn` with the store, holding the lock.
  template <typename Fn>
  auto Run(Fn&& fn) {
    MutexLock lock(&mu_);
    return fn(*store_);
  }

 private:
  Mutex mu_;
  std::unique_ptr<store::Store> store_ GUARDED_BY(mu_);
};

// An event winback records about a customer (an open, a click, an unsubscribe, an inbound
// message). `id` makes it idempotent: recording an id that is already stored writes nothing
// and returns false (a pixel loaded twice, a provider's retried webhook).
struct TrackedEvent {
  std::string id;
  CustomerKey customer;
  EventType type = EventType::kVisit;
  Instant at;
  std::string channel;     // "email", "sms", "whatsapp" or "".
  std::string ref;         // The outbox key the event is about, or "".
  std::string text;        // An inbound message's text.
  std::string properties;  // A compact JSON object, or "".
};

// Records `event` (with the customer's aggregates) unless its id is stored. Returns true when
// it was written. NotFound for an unknown customer; Unavailable when the store is busy.
Result<bool> RecordEvent(store::Store& store, const TrackedEvent& event);

// Withdraws consent on `channel` (Consent::kDenied) and records an unsubscribe event (id
// `event_id`, ref `ref`, reason `reason`), so that planning and sending skip the channel from
// now on (policy.h: Contactable). Returns true when the customer was not unsubscribed from the
// channel before (the first STOP is confirmed, later ones are not). NotFound for an unknown
// customer.
Result<bool> Unsubscribe(store::Store& store, CustomerKey customer, ChannelKind channel,
                         std::string_view event_id, std::string_view ref, std::string_view reason,
                         Instant at);

// Sets consent on `channel` to kGranted (the preference centre's "keep me on the list").
// FailedPrecondition when the customer unsubscribed from the channel: an unsubscribe event is
// final for winback (a new consent comes from the shop's own import). NotFound for an unknown
// customer.
Status GrantConsent(store::Store& store, CustomerKey customer, ChannelKind channel);

// Opts customer `customer` out of `kind` of message at `at` (wanted false) or back in (wanted
// true), committed before it returns: the planner and the sender refuse every campaign of a kind
// opted out of (campaigns/policy.h: WantsKind). Returns true when it changed what was stored
// (opting out twice keeps the first time and returns false). NotFound for an unknown customer.
Result<bool> SetKindPreference(store::Store& store, CustomerKey customer, MessageKind kind,
                               bool wanted, Instant at);

// True when the customer may be messaged on `channel` as far as the customer's own choices go:
// consent granted and no unsubscribe on it.
bool Subscribed(const store::CustomerProfile& profile, ChannelKind channel);

}  // namespace winback::server
