#include "server/store_pool.h"

#include "store/open_store.h"

namespace winback::server {

StorePool::StorePool(std::string location, std::size_t max_open)
    : location_(std::move(location)), max_open_(max_open == 0 ? 1 : max_open) {}

StorePool::Lease::~Lease() {
  if (pool_ != nullptr && store_) pool_->Return(std::move(store_));
}

Result<StorePool::Lease> StorePool::Borrow() {
  {
    MutexLock lock(&mu_);
    while (idle_.empty() && open_ >= max_open_) returned_.Wait(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<store::Store> s = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(s));
    }
    ++open_;
  }
  Result<std::unique_ptr<store::Store>> opened =
      store::OpenStore(location_, store::OpenOptions{.mode = store::OpenMode::kMustExist, .upgrade_notice = {}, .sync = store::Sync::kNormal});
  if (!opened.ok()) {
    MutexLock lock(&mu_);
    --open_;
    returned_.Signal();
    return opened.status();
  }
  return Lease(this, std::move(opened).value());
}

void StorePool::Return(std::unique_ptr<store::Store> store) {
  MutexLock lock(&mu_);
  idle_.push_back(std::move(store));
  returned_.Signal();
}

}  // namespace winback::server
