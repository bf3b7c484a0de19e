#pragma once

#include <cstdint>
#include <functional>
#include <limits>
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

  // At least the number of stored customers, in constant time.
  virtual Result<std::int64_t> CustomerCountBound() = 0;

  // Calls fn(id, key) for every stored customer, this session's included: one scan, for
  // resolving the customers of a large file instead of a FindCustomer per customer.
  virtual Status ForEachCustomer(
      const std::function<void(std::string_view id, CustomerKey key)>& fn) = 0;

  // Inserts the order, or updates the stored order with the same id when anything differs
  // (moving it to another customer included). `customer` must be the key of
  // order.customer_id. Returns true when a row was written.
  virtual Result<bool> UpsertOrder(CustomerKey customer, const OrderRecord& order) = 0;

  // A hint that about `n` orders follow, so that the store can size its buffers once instead
  // of growing them. Only a hint: more or fewer may come.
  virtual void ExpectOrders(std::int64_t n) { (void)n; }

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

// The earliest and latest of some times; both absent when there are none.
struct TimeRange {
  std::optional<Instant> first;
  std::optional<Instant> last;
};

// A customer with its aggregates.
struct CustomerProfile {
  CustomerKey key;
  CustomerRecord record;
  CustomerAggregates aggregates;
};

// A half-open range [begin, end) of customer keys, to split a scan across threads.
struct KeyRange {
  std::int64_t begin = 0;
  std::int64_t end = std::numeric_limits<std::int64_t>::max();

  bool Contains(CustomerKey key) const { return begin <= key.value() && key.value() < end; }
  // Splits [1, limit) into `parts` (>= 1) ranges of nearly equal size, in key order.
  static std::vector<KeyRange> Split(std::int64_t limit, int parts);
};

// Which fields of CustomerAggregates a scan fills; the others keep their defaults. Decoding
// fewer columns is most of what makes a scan of a million rows cheaper.
enum class AggregateFields : std::uint8_t {
  kAll,
  // What scoring reads: key, first/last order, orders, refunded and cancelled orders,
  // purchase days, revenue, currency, other-currency orders, last engagement per channel, last
  // visit and chat, complaints, satisfied and unsatisfied tickets, referrals, payment
  // defaults, exit reason and time, unsubscribed channels, last activity.
  kScoring,
  kKey,  // only the key: which customers exist
};

// Writes the scores of one as_of date, one customer at a time, so a run never needs all of
// them in memory. Nothing is visible to readers until Commit(), which replaces that date's
// scores atomically; destroying the writer without Commit() rolls everything back (so does a
// crash). Not thread-safe.
class ScoreWriter {
 public:
  virtual ~ScoreWriter() = default;
  ScoreWriter(const ScoreWriter&) = delete;
  ScoreWriter& operator=(const ScoreWriter&) = delete;

  // Adds one customer's score. Keys must be positive and strictly increasing from call to
  // call; r, f and m must be in 0..5. InvalidArgument otherwise (the writer stays usable);
  // FailedPrecondition after Commit(); Unavailable for I/O errors.
  virtual Status Add(const CustomerScore& score) = 0;

  // Makes the scores durable and visible, replacing any earlier run of the same date. Returns
  // the number of scores written. FailedPrecondition when already committed.
  virtual Result<std::int64_t> Commit() = 0;

 protected:
  ScoreWriter() = default;
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

  // Row counts, time ranges and event counts by type: one pass over the orders and one over
  // the events.
  virtual Result<StoreStats> Stats() = 0;

  // The first and last order time (any status), without the event pass of Stats().
  virtual Result<TimeRange> OrderTimeRange() = 0;

  // NotFound when no customer has external id `id`.
  virtual Result<CustomerProfile> LoadCustomer(std::string_view id) = 0;

  // A customer's orders (items included) and events, oldest first.
  virtual Result<std::vector<OrderRecord>> LoadOrders(CustomerKey customer) = 0;
  virtual Result<std::vector<EventRecord>> LoadEvents(CustomerKey customer) = 0;

  // Calls `fn` for the aggregates of every customer in key order; stops at the first error.
  virtual Status ForEachAggregates(const std::function<Status(const CustomerAggregates&)>& fn) = 0;

  // Streams every customer's orders (all statuses), oldest first, in customer-key order;
  // customers without orders are skipped. The span is valid only during the call. Reads the
  // covering per-customer index: one sequential pass, memory of one customer at a time.
  virtual Status ForEachCustomerOrders(
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) = 0;

  // As ForEachCustomerOrders, for events.
  virtual Status ForEachCustomerEvents(
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) = 0;

  // As ForEachCustomerEvents, for the events of `types` only; customers without one are
  // skipped. The store filters while it scans, so a rare type costs a fraction of the full
  // stream (exit surveys: 1.3 s instead of 3 s for 7.4M events).
  virtual Status ForEachCustomerEventsOfTypes(
      std::span<const EventType> types,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) = 0;

  // The external id of every customer, indexed by key (ids[key] ; index 0 unused, keys that
  // do not exist are empty).
  virtual Result<std::vector<std::string>> CustomerIds() = 0;

  // ---- Reads for scoring (see src/analytics/scorer.h) ----
  //
  // The *InRange methods read one key range, so a scan can be split across threads: one Store
  // per thread, opened on the same database (SQLite in WAL mode allows concurrent readers;
  // each Store reads its own snapshot, so readers running beside an import may see it at
  // different points). The SQLite store reads these scans with a small page cache.

  // One more than the largest customer key; 1 when there are no customers. Every customer's
  // key is in [1, limit).
  virtual Result<std::int64_t> CustomerKeyLimit() = 0;

  // As ForEachAggregates, for the customers in `range`, filling `fields`. Every customer has
  // an aggregate row (all zero before their first order or event).
  virtual Status ForEachAggregatesInRange(
      KeyRange range, AggregateFields fields,
      const std::function<Status(const CustomerAggregates&)>& fn) = 0;

  // As ForEachCustomerOrders / ForEachCustomerEvents, for the customers in `range`.
  virtual Status ForEachCustomerOrdersInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) = 0;
  virtual Status ForEachCustomerEventsInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) = 0;

  // Streams the times of every completed order, oldest first, per customer in key order;
  // customers without a completed order are skipped. Integer columns only: the cheapest way
  // through the whole purchase history (rates, cohorts). The span is valid during the call.
  virtual Status ForEachCompletedOrderTimesInRange(
      KeyRange range, const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) = 0;

  // For each customer of `keys` (strictly increasing), the times of their completed orders in
  // [from, to), oldest first. `fn` is called once per key, with an empty span when there are
  // none. One index seek per key: for a few customers out of many.
  virtual Status CompletedOrderTimes(
      std::span<const CustomerKey> keys, Instant from, Instant to,
      const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) = 0;

  // ---- Scores ----

  // Starts replacing the scores as of `as_of`. Scores of other dates are kept, so two runs can
  // be compared. The writer holds the write lock until it is committed or destroyed; readers
  // see the old scores (or none) until Commit(). Unavailable when another writer holds the
  // database.
  virtual Result<std::unique_ptr<ScoreWriter>> BeginScores(Date as_of) = 0;

  // Replaces the scores as of `as_of` with `scores` (any key order; each key once) in one
  // transaction: BeginScores, Add in key order, Commit. Needs all scores in memory; a large run
  // streams into BeginScores instead.
  Status WriteScores(Date as_of, std::span<const CustomerScore> scores);

  // The dates that have scores, oldest first.
  virtual Result<std::vector<Date>> ScoreDates() = 0;

  // Calls `fn` for every score as of `as_of` in customer-key order. NotFound when no scores
  // exist for that date. The score is valid only during the call.
  virtual Status ForEachScore(Date as_of,
                              const std::function<Status(const CustomerScore&)>& fn) = 0;

  // The score of one customer as of `as_of`: nullopt when that run has no score for the key.
  // NotFound when no scores exist for that date.
  virtual Result<std::optional<CustomerScore>> LoadScore(Date as_of, CustomerKey key) = 0;

 protected:
  Store() = default;
};

}  // namespace winback::store
