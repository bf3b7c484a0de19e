#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "store/store.h"

namespace winback::server {

// Reading stores for the request threads: a store object is used by one thread at a time
// (store.h), so each request borrows one and gives it back. Stores are opened on first need
// (OpenMode::kMustExist at `location`) and kept; at most `max_open` exist, further borrowers
// wait. Thread-safe.
class StorePool {
 public:
  StorePool(std::string location, std::size_t max_open);

  // A borrowed store, returned to the pool when destroyed.
  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<store::Store> store)
        : pool_(pool), store_(std::move(store)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    store::Store& operator*() const { return *store_; }
    store::Store* operator->() const { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<store::Store> store_;
  };

  // Errors of OpenStore (NotFound, FailedPrecondition, Unavailable).
  Result<Lease> Borrow() EXCLUDES(mu_);

 private:
  void Return(std::unique_ptr<store::Store> store) EXCLUDES(mu_);

  const std::string location_;
  const std::size_t max_open_;
  Mutex mu_;
  CondVar returned_;
  std::vector<std::unique_ptr<store::Store>> idle_ GUARDED_BY(mu_);
  std::size_t open_ GUARDED_BY(mu_) = 0;
};

}  // namespace winback::server
