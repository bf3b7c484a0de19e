#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

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
  std::int64_t products_written = 0;
  std::int64_t aggregates_updated = 0;
};

// One all-or-nothing import: every write goes into a single database transaction that Commit()
// makes durable. Destroying the session without Commit() rolls everything back, and so does a
// crash or kill at any point, so the store is always either before or after the whole import.
// The session holds the store's write lock from BeginImport until it is committed or
// destroyed. Not thread-safe: use from one thread. Every method returns FailedPrecondition
// after Commit(), and Unavailable for I/O errors.
class ImportSession {
 public:
  virtual ~ImportSession() = default;
  ImportSession(const ImportSession&) = delete;
  ImportSession& operator=(const ImportSession&) = delete;

  // Inserts the customer, or updates the stored one with the same id. A new customer gets the
  // next dense key (store.h: one more than the largest key). On an update, the fields that
  // `customer.present` states replace the stored ones (an empty one clears it); the others keep
  // their stored values. Consents that the record states (not kUnknown) replace the stored ones;
  // unstated consents are left as they are. Returns the customer's key.
  virtual Result<CustomerKey> UpsertCustomer(const CustomerRecord& customer) = 0;

  // The key of the stored customer with external id `id` (this session's included), or nullopt.
  virtual Result<std::optional<CustomerKey>> FindCustomer(std::string_view id) = 0;

  // At least the number of stored customers, in constant time.
  virtual Result<std::int64_t> CustomerCountBound() = 0;

  // Calls fn(id, key) for every stored customer, this session's included, in no particular
  // order: one scan, for resolving the customers of a large file instead of a FindCustomer per
  // customer.
  virtual Status ForEachCustomer(
      const std::function<void(std::string_view id, CustomerKey key)>& fn) = 0;

  // Inserts the order, or updates the stored order with the same id when anything differs
  // (moving it to another customer included). On an update, status and items keep their
  // stored values unless `order.present` states them. `customer` must be the key of
  // order.customer_id. Returns true when a row was written. Within one session an order id
  // may be written once only: a second write may fail the commit (Internal).
  virtual Result<bool> UpsertOrder(CustomerKey customer, const OrderRecord& order) = 0;

  // A hint that about `n` orders follow, so that the store can size its buffers once instead
  // of growing them. Only a hint: more or fewer may come.
  virtual void ExpectOrders(std::int64_t n) { (void)n; }

  // As UpsertOrder, for events; the optional fields that `event.present` does not state keep
  // their stored values on an update.
  virtual Result<bool> UpsertEvent(CustomerKey customer, const EventRecord& event) = 0;

  // Inserts the product, or updates the stored product with the same sku when anything differs:
  // name, and the optional fields `product.present` states (an empty one clears it); the others
  // keep their stored values. Returns true when a row was written. Within one session a sku
  // may be written more than once (the last write wins). Products belong to no customer and
  // touch no aggregates.
  virtual Result<bool> UpsertProduct(const ProductRecord& product) = 0;

  // Recomputes the aggregates of every customer this session touched, then commits. After
  // Commit() the session is finished. Internal when one id was written twice in the session.
  virtual Result<ImportCounts> Commit() = 0;

 protected:
  ImportSession() = default;
};

// Role: bulk imports of customers, orders, events and products.
class ImportStore {
 public:
  virtual ~ImportStore() = default;
  ImportStore(const ImportStore&) = delete;
  ImportStore& operator=(const ImportStore&) = delete;

  // Starts an import. `description` (e.g. the file names) is recorded with the batch when it
  // commits. Unavailable when another connection holds the write lock (after a wait of up to
  // 5 s); FailedPrecondition when the store was opened read-only or this store already has a
  // session, score run or write transaction open. The store must outlive the session.
  virtual Result<std::unique_ptr<ImportSession>> BeginImport(std::string_view description) = 0;

 protected:
  ImportStore() = default;
};

}  // namespace winback::store
