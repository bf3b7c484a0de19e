#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/records.h"

namespace winback::store {

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

// Role: whole-store scans for statistics, analytics and scoring. Every scan visits customers
// in key order and stops at the first error `fn` returns, returning it; spans passed to `fn`
// are valid only during the call. Unavailable for I/O errors.
//
// Threads: one thread at a time per store object. A scan is split across threads with the
// *InRange methods and one store object per thread, opened on the same database; each reads
// its own snapshot, so readers running beside an import may see it at different points.
class Scanner {
 public:
  virtual ~Scanner() = default;
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Row counts, time ranges and event counts by type: one pass over the orders and one over
  // the events.
  virtual Result<StoreStats> Stats() = 0;

  // The first and last order time (any status), without the event pass of Stats().
  virtual Result<TimeRange> OrderTimeRange() = 0;

  // One more than the largest customer key; 1 when there are no customers. Keys are dense
  // (store.h), so this is the number of customers plus one, and every key in [1, limit) is a
  // customer's.
  virtual Result<std::int64_t> CustomerKeyLimit() = 0;

  // Calls `fn` for the aggregates of every customer in key order.
  virtual Status ForEachAggregates(const std::function<Status(const CustomerAggregates&)>& fn) = 0;

  // As ForEachAggregates, for the customers in `range`, filling `fields`. Every customer has
  // an aggregate row (all zero before their first order or event).
  virtual Status ForEachAggregatesInRange(
      KeyRange range, AggregateFields fields,
      const std::function<Status(const CustomerAggregates&)>& fn) = 0;

  // Streams every customer's orders (all statuses), oldest first, in customer-key order;
  // customers without orders are skipped. Memory of one customer at a time.
  virtual Status ForEachCustomerOrders(
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) = 0;
  virtual Status ForEachCustomerOrdersInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) = 0;

  // As ForEachCustomerOrders, for events.
  virtual Status ForEachCustomerEvents(
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) = 0;
  virtual Status ForEachCustomerEventsInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) = 0;

  // As ForEachCustomerEvents, for the events of `types` only; customers without one are
  // skipped. The store filters while it scans, so a rare type costs a fraction of the full
  // stream (exit surveys: 1.3 s instead of 3 s for 7.4M events).
  virtual Status ForEachCustomerEventsOfTypes(
      std::span<const EventType> types,
      const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) = 0;

  // Streams the times of every completed order, oldest first, per customer in key order;
  // customers without a completed order are skipped. The cheapest way through the whole
  // purchase history (rates, cohorts).
  virtual Status ForEachCompletedOrderTimesInRange(
      KeyRange range, const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) = 0;

  // Streams the item lines of every customer's completed orders, oldest order first (ties by
  // the order's store position, lines in file order), per customer in key order, for the
  // customers in `range`; customers without an item line are skipped. Memory of one customer
  // at a time.
  virtual Status ForEachCustomerOrderItemsInRange(
      KeyRange range,
      const std::function<Status(CustomerKey, std::span<const OrderItemPoint>)>& fn) = 0;

  // The completed orders placed in [from, to) that carried a coupon code, ordered by
  // (placed_at, order id). Reads only orders with a coupon (an index of them), so it costs the
  // redemptions, not the orders.
  virtual Result<std::vector<CouponRedemption>> CouponRedemptions(Instant from, Instant to) = 0;

  // The events (any type) whose `ref` names a message of `campaign`: ref starts with
  // "CAMPAIGN/", the prefix of the campaign's outbox keys. Ordered by (ref, at, the event's
  // store position). Whether the outbox holds a message with that key is the caller's to check
  // (an event may be imported before, or without, its message). One range read of an index of
  // the events that carry a ref: costs the campaign's events, not the store's. InvalidArgument
  // for an empty campaign name or one holding '/'.
  virtual Status ForEachCampaignMessageEvent(
      std::string_view campaign, const std::function<Status(const MessageEvent&)>& fn) = 0;

  // For each customer of `keys` (strictly increasing), the times of their completed orders in
  // [from, to), oldest first. `fn` is called once per key, with an empty span when there are
  // none. One index seek per key: for a few customers out of many.
  virtual Status CompletedOrderTimes(
      std::span<const CustomerKey> keys, Instant from, Instant to,
      const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) = 0;

 protected:
  Scanner() = default;
};

}  // namespace winback::store
