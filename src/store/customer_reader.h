#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "core/vocabulary.h"
#include "store/records.h"
#include "store/scanner.h"

namespace winback::store {

// A customer with its aggregates.
struct CustomerProfile {
  CustomerKey key;
  CustomerRecord record;
  CustomerAggregates aggregates;
};

// One stated consent: what the customer said about being contacted on `channel`. Consents
// never stated (kUnknown) are not stored.
struct ConsentEntry {
  CustomerKey key;
  ChannelKind channel = ChannelKind::kEmail;
  Consent consent = Consent::kUnknown;

  friend bool operator==(const ConsentEntry&, const ConsentEntry&) = default;
};

// A customer's opt-out of one kind of message (the preference centre): no campaign of that
// kind may message them until they opt in again. `at` is when they opted out (the first time,
// when they said it twice). Kept apart from the customer's imported record: re-importing a
// customer never changes it.
struct KindOptOut {
  CustomerKey key;
  MessageKind kind = MessageKind::kOffers;
  Instant at;

  friend bool operator==(const KindOptOut&, const KindOptOut&) = default;
};

// Role: reading customers one at a time (profiles, their orders and events) and the lookups a
// planner needs in bulk (ids, consents). Reads see committed data only. Not thread-safe: one
// thread at a time per store object. Unavailable for I/O errors.
class CustomerReader {
 public:
  virtual ~CustomerReader() = default;
  CustomerReader(const CustomerReader&) = delete;
  CustomerReader& operator=(const CustomerReader&) = delete;

  // The customer with external id `id`, with its consents and aggregates (all zero before its
  // first order or event). NotFound when no customer has that id.
  virtual Result<CustomerProfile> LoadCustomer(std::string_view id) = 0;

  // As LoadCustomer, by key. NotFound when no customer has that key.
  virtual Result<CustomerProfile> LoadCustomerByKey(CustomerKey key) = 0;

  // A customer's orders (items included) and events, oldest first; empty for a key without
  // any (an unknown key included).
  virtual Result<std::vector<OrderRecord>> LoadOrders(CustomerKey customer) = 0;
  virtual Result<std::vector<EventRecord>> LoadEvents(CustomerKey customer) = 0;

  // The external id of every customer, indexed by key: ids[key], index 0 unused. Keys are
  // dense (store.h), so every entry from 1 on is a customer's id.
  virtual Result<std::vector<std::string>> CustomerIds() = 0;

  // Calls `fn` for every customer with a key in `range`, in key order, with its record and
  // consents (not its aggregates: Scanner::ForEachAggregatesInRange streams those in the same
  // order). Stops at the first error and returns it. One scan: for a planner that reads every
  // customer.
  virtual Status ForEachCustomerInRange(
      KeyRange range, const std::function<Status(CustomerKey, const CustomerRecord&)>& fn) = 0;

  // Calls `fn` for every stated consent, in (key, channel) order; stops at the first error and
  // returns it. One scan: for a planner that needs every customer's consents, instead of a
  // LoadCustomer per customer.
  virtual Status ForEachConsent(const std::function<Status(const ConsentEntry&)>& fn) = 0;

  // The kinds of message customer `key` opted out of, in kind order; empty for a customer
  // without any (an unknown key included).
  virtual Result<std::vector<KindOptOut>> LoadKindOptOuts(CustomerKey key) = 0;

  // Calls `fn` for every stored opt-out, in (key, kind) order; stops at the first error and
  // returns it. One scan: for a planner that needs every customer's opt-outs.
  virtual Status ForEachKindOptOut(const std::function<Status(const KindOptOut&)>& fn) = 0;

  // The key of the customer whose phone is `phone` (E.164, as imported: "+905551234567"), or
  // nullopt; the lowest key when several share it. Reads the customers table without an index:
  // for one inbound message at a time, not for bulk use.
  virtual Result<std::optional<CustomerKey>> FindCustomerByPhone(std::string_view phone) = 0;

  // For each of `ids` (external customer ids), the customer's key or nullopt: one index lookup
  // each, all in one read of the store (one snapshot, its locks taken once), for checking the
  // customers of incoming records (LoadCustomer reads the whole profile).
  virtual Result<std::vector<std::optional<CustomerKey>>> FindCustomerKeys(
      std::span<const std::string_view> ids) = 0;

  // For each of `ids`, whether an event with that id is stored: as FindCustomerKeys.
  virtual Result<std::vector<bool>> HasEvents(std::span<const std::string_view> ids) = 0;

 protected:
  CustomerReader() = default;
};

}  // namespace winback::store
