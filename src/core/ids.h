#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace winback {

// A strongly typed integer key, so a customer key cannot be passed where an order key is
// expected. `Tag` is an incomplete type that only names the kind of key.
template <typename Tag>
class StrongId {
 public:
  constexpr StrongId() = default;
  constexpr explicit StrongId(std::int64_t value) : value_(value) {}
  constexpr std::int64_t value() const { return value_; }
  friend constexpr auto operator<=>(StrongId, StrongId) = default;

 private:
  std::int64_t value_ = 0;
};

// The store's internal key of a customer. Keys are dense, a promise of every store backend
// (store/store.h): the N customers of a store have exactly the keys 1..N, with no gaps even
// after a rolled-back import, so per-customer data may live in vectors indexed by key. External
// ids, as the business writes them in its files, are strings and live in the customers table.
using CustomerKey = StrongId<struct CustomerKeyTag>;
// The store's internal key of an import batch; every row records the batch that last wrote it.
using BatchId = StrongId<struct BatchIdTag>;

}  // namespace winback

template <typename Tag>
struct std::hash<winback::StrongId<Tag>> {
  std::size_t operator()(winback::StrongId<Tag> id) const noexcept {
    return std::hash<std::int64_t>()(id.value());
  }
};
