#pragma once

// The persistent store of customers, orders, events, consents, per-customer aggregates and
// scores, as role interfaces behind one backend object:
//
//   ImportStore     (import_store.h)       all-or-nothing imports of files
//   CustomerReader  (customer_reader.h)    one customer's profile, orders and events; ids and
//                                          consents in bulk
//   Scanner         (scanner.h)            whole-store scans for statistics and scoring
//   ScoreStore      (score_store.h)        scoring runs
//   WriteStore      (write_transaction.h)  units of work for writes that are not imports
//                                          (consents, outbox messages, journeys)
//   OutboxStore     (outbox_store.h)       the outbox as the sender sees it (claims, outcomes),
//                                          journeys in bulk
//   ProductReader   (product_reader.h)     the product catalogue
//
// Code that needs one role takes that role (a test fake then implements only it); `Store`
// is every role at once, which a backend implements. Further roles (the outbox, journey state)
// are added the same way. Backends: store/sqlite (embedded, the default); open one with
// OpenStore (open_store.h). Every backend passes the conformance suite in
// store/conformance/store_conformance.h.
//
// Common contract of every role:
// - Times are UTC instants; money is integer minor units beside its ISO 4217 code.
// - Customer keys are dense: the customers of a store have exactly the keys 1..N, N being the
//   number of customers. A new customer gets the key one more than the largest stored key,
//   assigned by the store under the import's write lock; a rolled-back import leaves no gap
//   (its keys are handed out again), and customers are never deleted. Code may therefore keep
//   per-customer data in vectors indexed by key. A server backend must keep this promise too
//   (assign max + 1 under the lock, not a sequence, which leaves gaps).
// - A store object is used from one thread at a time; several objects may be open on one
//   database (one per reading thread).

#include <span>
#include <vector>

#include "store/customer_reader.h"
#include "store/import_store.h"
#include "store/outbox_store.h"
#include "store/product_reader.h"
#include "store/records.h"
#include "store/scanner.h"
#include "store/score_store.h"
#include "store/write_transaction.h"

namespace winback::store {

// Every role of the store, implemented by one backend object.
class Store : public ImportStore,
              public CustomerReader,
              public Scanner,
              public ScoreStore,
              public WriteStore,
              public OutboxStore,
              public ProductReader {
 public:
  ~Store() override = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The schema version of the open database (after any migration).
  virtual int schema_version() const = 0;

  // True when the store was opened read-only (OpenMode::kReadOnly, or an existing database
  // that this process may not write): every write then returns FailedPrecondition.
  virtual bool read_only() const = 0;

 protected:
  Store() = default;
};

// The scanner role of each store, for the parallel scans that take `std::span<Scanner* const>`
// (one store object per reading thread).
inline std::vector<Scanner*> AsScanners(std::span<Store* const> stores) {
  return {stores.begin(), stores.end()};
}

}  // namespace winback::store
