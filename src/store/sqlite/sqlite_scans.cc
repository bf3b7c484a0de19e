// Scanner of the SQLite store (scanner.h). The scoring reads are in sqlite_scores.cc.
#include <string>
#include <vector>

#include "store/sqlite/aggregate_rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_scores.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace winback::store::sqlite {
namespace {

// Extends `range` to include the time `us` (microseconds).
void Widen(TimeRange& range, std::int64_t us) {
  const Instant t = Instant::FromUnixMicros(us);
  if (!range.first || t < *range.first) range.first = t;
  if (!range.last || t > *range.last) range.last = t;
}

// Runs `s` (rows ordered by cid in column 0), groups consecutive rows of one customer with
// `read`, and hands each group to `fn`.
template <typename Point, typename Fn, typename Read>
Status StreamByCustomer(Statement& s, const Fn& fn, const Read& read) {
  std::vector<Point> group;
  std::int64_t current = 0;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    const std::int64_t cid = row ? s.ColumnInt(0) : -1;
    if (cid != current && !group.empty()) {
      WINBACK_RETURN_IF_ERROR(fn(CustomerKey(current), std::span<const Point>(group)));
      group.clear();
    }
    if (!row) break;
    current = cid;
    read(s, group.emplace_back());
  }
  return Status::Ok();
}

}  // namespace

Result<StoreStats> SqliteStore::Stats() {
  StoreStats st;
  st.schema_version = sqlite::kSchemaVersion;
  auto count = [&](const char* sql) -> Result<std::int64_t> {
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> v, db_.QueryInt(sql));
    return v.value_or(0);
  };
  WINBACK_ASSIGN_OR_RETURN(st.customers, count("SELECT count(*) FROM customers"));
  WINBACK_ASSIGN_OR_RETURN(st.order_items, count("SELECT count(*) FROM order_items"));
  WINBACK_ASSIGN_OR_RETURN(st.consents_granted,
                           count("SELECT count(*) FROM consents WHERE state = 1"));
  WINBACK_ASSIGN_OR_RETURN(st.imports, count("SELECT count(*) FROM imports"));
  // One pass over each covering (cid, time) index, counting in C++: separate count, min and
  // max subqueries and a GROUP BY type (a sort of every event) took 14 s for 2.3M orders and
  // 7.4M events.
  WINBACK_ASSIGN_OR_RETURN(Statement orders, db_.Prepare("SELECT placed_at, status FROM orders "
                                                         "INDEXED BY orders_by_customer"));
  TimeRange order_times;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, orders.Step());
    if (!row) break;
    ++st.orders;
    if (orders.ColumnInt(1) == static_cast<std::int64_t>(OrderStatus::kCompleted)) {
      ++st.completed_orders;
    }
    Widen(order_times, orders.ColumnInt(0));
  }
  st.first_order_at = order_times.first;
  st.last_order_at = order_times.last;
  WINBACK_ASSIGN_OR_RETURN(
      Statement events, db_.Prepare("SELECT at, type FROM events INDEXED BY events_by_customer"));
  TimeRange event_times;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, events.Step());
    if (!row) break;
    ++st.events;
    const std::int64_t t = events.ColumnInt(1);
    if (t >= 0 && t < kEventTypeCount) ++st.events_by_type[t];
    Widen(event_times, events.ColumnInt(0));
  }
  st.first_event_at = event_times.first;
  st.last_event_at = event_times.last;
  return st;
}

Result<TimeRange> SqliteStore::OrderTimeRange() {
  WINBACK_ASSIGN_OR_RETURN(Statement s,
                           db_.Prepare("SELECT min(placed_at), max(placed_at) FROM orders "
                                       "INDEXED BY orders_by_customer"));
  WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
  TimeRange range;
  if (row) {
    range.first = OptionalInstant(s.ColumnOptionalInt(0));
    range.last = OptionalInstant(s.ColumnOptionalInt(1));
  }
  return range;
}

Status SqliteStore::ForEachAggregates(const std::function<Status(const CustomerAggregates&)>& fn) {
  return ForEachAggregatesInRange(KeyRange{}, AggregateFields::kAll, fn);
}

Status SqliteStore::ForEachAggregatesInRange(
    KeyRange range, AggregateFields fields,
    const std::function<Status(const CustomerAggregates&)>& fn) {
  if (fields != AggregateFields::kAll) {
    return ForEachAggregateSubset(db_, range, fields, fn);  // sqlite_scores.cc
  }
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string(kSelectAggregates) +
                                                    " WHERE cid >= ? AND cid < ? ORDER BY cid"));
  s.BindInt(1, range.begin);
  s.BindInt(2, range.end);
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool r, s.Step());
    if (!r) break;
    WINBACK_RETURN_IF_ERROR(fn(ReadAggregates(s)));
  }
  return Status::Ok();
}

Status SqliteStore::ForEachCustomerOrders(
    const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) {
  return ForEachCustomerOrdersInRange(KeyRange{}, fn);
}

Status SqliteStore::ForEachCustomerOrdersInRange(
    KeyRange range, const std::function<Status(CustomerKey, std::span<const OrderPoint>)>& fn) {
  ScopedSmallCache cache(db_);  // one pass: the pages are not read again
  // Reads only the covering index orders_by_customer.
  WINBACK_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("SELECT cid, placed_at, utc_offset, amount, currency, status "
                               "FROM orders INDEXED BY orders_by_customer "
                               "WHERE cid >= ? AND cid < ? ORDER BY cid, placed_at"));
  s.BindInt(1, range.begin);
  s.BindInt(2, range.end);
  return StreamByCustomer<OrderPoint>(s, fn, [](const Statement& row, OrderPoint& o) {
    o.placed_at = Instant::FromUnixMicros(row.ColumnInt(1));
    o.utc_offset_minutes = static_cast<std::int32_t>(row.ColumnInt(2));
    o.amount_minor = row.ColumnInt(3);
    o.currency = row.ColumnText(4);
    o.status = static_cast<OrderStatus>(row.ColumnInt(5));
  });
}

Status SqliteStore::ForEachCustomerEvents(
    const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) {
  return ForEachCustomerEventsInRange(KeyRange{}, fn);
}

Status SqliteStore::ForEachCustomerEventsInRange(
    KeyRange range, const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) {
  return StreamEvents(range, "", fn);
}

Status SqliteStore::ForEachCustomerEventsOfTypes(
    std::span<const EventType> types,
    const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) {
  if (types.empty()) return Status::Ok();
  std::string filter = " AND type IN (";
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i > 0) filter += ", ";
    filter += std::to_string(static_cast<int>(types[i]));
  }
  filter += ")";
  return StreamEvents(KeyRange{}, filter, fn);
}

// The events of the customers in `range`, with `filter` (SQL after the key range) applied.
Status SqliteStore::StreamEvents(
    KeyRange range, std::string_view filter,
    const std::function<Status(CustomerKey, std::span<const EventPoint>)>& fn) {
  ScopedSmallCache cache(db_);  // one pass: the pages are not read again
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT cid, at, type, channel, reason, score "
                                                    "FROM events INDEXED BY events_by_customer "
                                                    "WHERE cid >= ? AND cid < ?" +
                                                    std::string(filter) + " ORDER BY cid, at"));
  s.BindInt(1, range.begin);
  s.BindInt(2, range.end);
  return StreamByCustomer<EventPoint>(s, fn, [](const Statement& row, EventPoint& e) {
    e.at = Instant::FromUnixMicros(row.ColumnInt(1));
    e.type = static_cast<EventType>(row.ColumnInt(2));
    e.channel = row.ColumnText(3);
    e.reason = row.ColumnText(4);
    e.score = row.ColumnOptionalInt(5);
  });
}

Result<std::int64_t> SqliteStore::CustomerKeyLimit() { return sqlite::CustomerKeyLimit(db_); }

Status SqliteStore::ForEachCompletedOrderTimesInRange(
    KeyRange range, const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) {
  return sqlite::ForEachCompletedOrderTimesInRange(db_, range, fn);
}

Status SqliteStore::CompletedOrderTimes(
    std::span<const CustomerKey> keys, Instant from, Instant to,
    const std::function<Status(CustomerKey, std::span<const Instant>)>& fn) {
  return sqlite::CompletedOrderTimes(db_, keys, from, to, fn);
}

Status SqliteStore::ForEachCustomerOrderItemsInRange(
    KeyRange range, const std::function<Status(CustomerKey, std::span<const OrderItemPoint>)>& fn) {
  // orders_by_customer gives the completed orders of the range in (cid, placed_at) order and
  // their oid (the rowid every index holds); each order's items are one seek into order_items.
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(R"sql(
    SELECT o.cid, o.placed_at, i.sku, i.quantity, i.price
    FROM orders o INDEXED BY orders_by_customer JOIN order_items i ON i.oid = o.oid
    WHERE o.cid >= ?1 AND o.cid < ?2 AND o.status = ?3
    ORDER BY o.cid, o.placed_at, o.oid, i.line)sql"));
  s.BindInt(1, range.begin);
  s.BindInt(2, range.end);
  s.BindInt(3, static_cast<std::int64_t>(OrderStatus::kCompleted));
  return StreamByCustomer<OrderItemPoint>(s, fn, [](Statement& row, OrderItemPoint& p) {
    p.placed_at = Instant::FromUnixMicros(row.ColumnInt(1));
    p.sku.assign(row.ColumnText(2));
    p.quantity = row.ColumnInt(3);
    p.price_minor = row.ColumnInt(4);
  });
}

}  // namespace winback::store::sqlite
