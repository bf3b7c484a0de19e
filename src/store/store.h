#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "store/records.h"

namespace winback::store {

// Counts of what one import session wrote. A row is "written" when it was new or changed;
// re-importing identical rows writes nothing.
struct ImportCounts {
  std::int64_t customers_written = 0;
  std::int64_t orders_written = 0;
  std::int64_t events_written = 0;
  std::int64_t aggregates_updated = 0;
};

// One all-or-nothing import: every write goes into a single database transaction that Commit()
// makes durable. Destroying the session without Commit() rolls everything back, and so does a
// crash or kill at any point, so the store is always either before or after the whole import.
// Not thread-safe: use from one thread.
class ImportSession {
 public:
  virtual ~ImportSession() = default;
  ImportSession(const ImportSession&) = delete;
  ImportSession& operator=(const ImportSession&) = delete;

  // Inserts the customer, or updates the stored one with the same id when any field differs.
  // Consents that the record states (not kUnknown) replace the stored ones; unstated consents
  // are left as they are. Returns the customer's key.
  virtual Result<CustomerKey> UpsertCustomer(const CustomerRecord& customer) = 0;

  // The key of the stored customer with external id `id`, or nullopt.
  virtual Result<std::optional<CustomerKey>> FindCustomer(std::string_view id) = 0;

  // Inserts the order, or updates the stored order with the same id when anything differs
  // (moving it to another customer included). `customer` must be the key of
  // order.customer_id. Returns true when a row was written.
  virtual Result<bool> UpsertOrder(CustomerKey customer, const OrderRecord& order) = 0;

  // As UpsertOrder, for events.
  virtual Result<bool> UpsertEvent(CustomerKey customer, const EventRecord& event) = 0;

  // Recomputes the aggregates of every customer this session touched, then commits. After
  // Commit() the session is finished; further calls return FailedPrecondition.
  virtual Result<ImportCounts> Commit() = 0;

 protected:
  ImportSession() = default;
};

// Row counts and the time range of the data.
struct StoreStats {
  int schema_version = 0;
  std::int64_t customers = 0;
  std::int64_t orders = 0;
  std::int64_t completed_orders = 0;
  std::int64_t order_items = 0;
  std::int64_t events = 0;
  std::int64_t consents_granted = 0;
  std::int64_t imports = 0;
  std::optional<Instant> first_order_at;
  std::optional<Instant> last_order_at;
  std::optional<Instant> first_event_at;
  std::optional<Instant> last_event_at;
  // Event counts by type, indexed by EventType.
  std::int64_t events_by_type[kEventTypeCount] = {};
};

// A customer with its aggregates.
struct CustomerProfile {
  CustomerKey key;
  CustomerRecord record;
  CustomerAggregates aggregates;
};

// The persistent store of customers, orders, events, consents and per-customer aggregates.
// Implementations: store/sqlite (embedded, the default). All times are UTC instants; money is
// integer minor units. A Store is used from one thread at a time.
class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The schema version of the open database (after any migration).
  virtual int schema_version() const = 0;

  // Starts an import. `description` (e.g. the file names) is recorded with the batch.
  // Returns Unavailable when another writer holds the database.
  virtual Result<std::unique_ptr<ImportSession>> BeginImport(std::string_view description) = 0;

  virtual Result<StoreStats> Stats() = 0;

  // NotFound when no customer has external id `id`.
  virtual Result<CustomerProfile> LoadCustomer(std::string_view id) = 0;

  // A customer's orders (items included) and events, oldest first.
  virtual Result<std::vector<OrderRecord>> LoadOrders(CustomerKey customer) = 0;
  virtual Result<std::vector<EventRecord>> LoadEvents(CustomerKey customer) = 0;

  // Calls `fn` for the aggregates of every customer in key order; stops at the first error.
  virtual Status ForEachAggregates(
      const std::function<Status(const CustomerAggregates&)>& fn) = 0;

  // Streams every customer's orders (all statuses), oldest first, in customer-key order;
  // customers without orders are skipped. The span is valid only during the call. Reads the
  // covering per-customer index: one sequential pass, memory of one customer at a time.
  virtual Status ForEachCustomerOrders(
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) = 0;

  // As ForEachCustomerOrders, for events.
  virtual Status ForEachCustomerEvents(
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) = 0;

  // The external id of every customer, indexed by key (ids[key] ; index 0 unused, keys that
  // do not exist are empty).
  virtual Result<std::vector<std::string>> CustomerIds() = 0;

  // Replaces the scores as of `as_of` with `scores` in one transaction. Scores of other dates
  // are kept, so two runs can be compared.
  virtual Status WriteScores(Date as_of, std::span<const CustomerScore> scores) = 0;

  // The dates that have scores, oldest first.
  virtual Result<std::vector<Date>> ScoreDates() = 0;

  // Calls `fn` for every score as of `as_of` in customer-key order. NotFound when no scores
  // exist for that date.
  virtual Status ForEachScore(Date as_of,
                              const std::function<Status(const CustomerScore&)>& fn) = 0;

 protected:
  Store() = default;
};

}  // namespace winback::store
