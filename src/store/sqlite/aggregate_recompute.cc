#include "store/sqlite/aggregate_recompute.h"

#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/aggregate_builder.h"
#include "store/sqlite/aggregate_codec.h"
#include "store/sqlite/row_batch.h"

namespace winback::store::sqlite {
namespace {

void AddInstant(RowBatch& row, std::optional<Instant> t) {
  row.OptionalInt(t ? std::optional<std::int64_t>(t->unix_micros()) : std::nullopt);
}

// The columns of customer_aggregates in the order AddAggregates writes them.
constexpr const char* kAggregateColumns =
    "cid, scoring, first_order_at, last_order_at, orders, refunded_orders, cancelled_orders, "
    "purchase_days, revenue, currency, other_currency_orders, last_email_engagement_at, "
    "last_sms_engagement_at, last_whatsapp_engagement_at, last_visit_at, last_chat_at, "
    "complaints, last_complaint_at, tickets_opened, tickets_satisfied, tickets_unsatisfied, "
    "referrals, reviews, review_score_sum, carts_abandoned, last_cart_abandoned_at, "
    "payment_defaults, feature_requests, exit_reason, exit_at, unsubscribed_channels, "
    "bounced_channels, last_activity_at";
constexpr int kAggregateColumnCount = 33;
// Customers per INSERT OR REPLACE of their aggregates.
constexpr std::size_t kAggregateBatch = 1024;

// Appends one row of kAggregateColumns. `scoring` is scratch space for the packed scoring
// fields, reused across rows.
void AddAggregates(RowBatch& row, const CustomerAggregates& a, std::string& scoring) {
  row.Int(a.key.value());
  EncodeScoringFields(a, scoring);
  row.Blob(scoring);
  AddInstant(row, a.first_order_at);
  AddInstant(row, a.last_order_at);
  row.Int(a.orders);
  row.Int(a.refunded_orders);
  row.Int(a.cancelled_orders);
  row.Int(a.purchase_days);
  row.Int(a.revenue_minor);
  row.TextOrNull(a.currency);
  row.Int(a.other_currency_orders);
  for (const auto& t : a.last_engagement_at) AddInstant(row, t);
  AddInstant(row, a.last_visit_at);
  AddInstant(row, a.last_chat_at);
  row.Int(a.complaints);
  AddInstant(row, a.last_complaint_at);
  row.Int(a.tickets_opened);
  row.Int(a.tickets_satisfied);
  row.Int(a.tickets_unsatisfied);
  row.Int(a.referrals);
  row.Int(a.reviews);
  row.Int(a.review_score_sum);
  row.Int(a.carts_abandoned);
  AddInstant(row, a.last_cart_abandoned_at);
  row.Int(a.payment_defaults);
  row.Int(a.feature_requests);
  row.TextOrNull(a.exit_reason);
  AddInstant(row, a.exit_at);
  row.Int(a.unsubscribed_channels);
  row.Int(a.bounced_channels);
  AddInstant(row, a.last_activity_at);
}

// The rows of one table (orders or events) for an ascending list of customers. With many
// customers it runs one statement over the whole key range of the (cid, time) index, a
// sequential read; with few, it seeks each customer through the same index. Either way rows
// arrive in (cid, time) order.
class CustomerRows {
 public:
  // `columns` start with cid; `table` has a (cid, `time`) index that covers them.
  static Result<CustomerRows> Open(Database& db, std::span<const std::int64_t> cids,
                                   std::string_view columns, std::string_view table,
                                   std::string_view time) {
    CustomerRows rows;
    const std::int64_t lo = cids.front();
    const std::int64_t hi = cids.back();
    // Dense enough that reading the customers in between costs less than a seek per customer
    // (a seek reads about as many pages as eight customers' rows).
    rows.scan_ = static_cast<std::int64_t>(cids.size()) * 8 >= hi - lo + 1;
    std::string sql = "SELECT " + std::string(columns) + " FROM " + std::string(table);
    sql += rows.scan_ ? " WHERE cid BETWEEN ?1 AND ?2 ORDER BY cid, " : " WHERE cid = ?1 ORDER BY ";
    sql += time;
    WINBACK_ASSIGN_OR_RETURN(rows.stmt_, db.Prepare(sql));
    if (rows.scan_) {
      rows.stmt_.BindInt(1, lo);
      rows.stmt_.BindInt(2, hi);
      WINBACK_ASSIGN_OR_RETURN(rows.have_, rows.stmt_.Step());
    }
    return rows;
  }

  // Calls `add(stmt)` for each row of customer `cid`; customers must come in ascending order.
  template <typename Add>
  Status ForCustomer(std::int64_t cid, const Add& add) {
    if (!scan_) {
      stmt_.BindInt(1, cid);
      have_ = false;
    }
    while (true) {
      if (!scan_ || !have_ || stmt_.ColumnInt(0) > cid) {
        if (scan_) return Status::Ok();
        WINBACK_ASSIGN_OR_RETURN(bool row, stmt_.Step());
        if (!row) {
          stmt_.Reset();
          return Status::Ok();
        }
        add(stmt_);
        continue;
      }
      if (stmt_.ColumnInt(0) == cid) add(stmt_);
      WINBACK_ASSIGN_OR_RETURN(have_, stmt_.Step());
    }
  }

 private:
  Statement stmt_;
  bool scan_ = false;
  bool have_ = false;
};

// Keys per statement copying the idle template (below).
constexpr std::size_t kIdleBatch = 4096;

// A statement that writes, for each key of winback_rows(?1), a copy of the aggregates of
// customer `template_cid` under that key. The copied values are SQL literals (quote()): an
// INSERT that selects from its own table would first copy the whole SELECT to a temporary
// table.
Result<Statement> PrepareIdleCopy(Database& db, std::int64_t template_cid) {
  const std::string_view columns = kAggregateColumns;
  std::string literals;
  for (std::size_t at = std::strlen("cid, "); at < columns.size();) {
    std::size_t end = columns.find(", ", at);
    if (end == std::string_view::npos) end = columns.size();
    if (!literals.empty()) literals += " || ', ' || ";
    literals += "quote(" + std::string(columns.substr(at, end - at)) + ")";
    at = end + 2;
  }
  WINBACK_ASSIGN_OR_RETURN(
      Statement row, db.Prepare("SELECT " + literals + " FROM customer_aggregates WHERE cid = " +
                                std::to_string(template_cid)));
  WINBACK_ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found)
    return InternalError("aggregates of customer " + std::to_string(template_cid) +
                         " vanished while being copied");
  return db.Prepare("INSERT OR REPLACE INTO customer_aggregates (" + std::string(columns) +
                    ") SELECT c0, " + std::string(row.ColumnText(0)) + " FROM winback_rows(?1)");
}

}  // namespace

AggregateWriter::AggregateWriter(Statement* insert)
    : insert_(insert), batch_(kAggregateColumnCount) {}

Result<AggregateWriter> AggregateWriter::Create(Database& db) {
  WINBACK_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Cached(std::string("INSERT OR REPLACE INTO customer_aggregates (") + kAggregateColumns +
                ") SELECT " + RowBatchColumns(kAggregateColumnCount) + " FROM winback_rows(?1)"));
  return AggregateWriter(insert);
}

Status AggregateWriter::Add(const CustomerAggregates& a) {
  AddAggregates(batch_, a, scoring_);
  if (batch_.rows() == kAggregateBatch) return Flush();
  return Status::Ok();
}

Status AggregateWriter::Flush() { return FlushRows(*insert_, batch_); }

Result<std::int64_t> RecomputeAggregates(Database& db, std::span<const std::int64_t> cids,
                                         std::optional<std::span<const AggregateOrder>> known) {
  if (cids.empty()) return 0;
  std::optional<CustomerRows> orders;
  if (!known) {
    WINBACK_ASSIGN_OR_RETURN(
        orders, CustomerRows::Open(db, cids, "cid, placed_at, utc_offset, amount, currency, status",
                                   "orders", "placed_at"));
  }
  std::size_t next_known = 0;
  WINBACK_ASSIGN_OR_RETURN(
      CustomerRows events,
      CustomerRows::Open(db, cids, "cid, type, at, channel, reason, score", "events", "at"));
  // One INSERT OR REPLACE per kAggregateBatch customers (row_batch.h: a statement per row
  // cost three times as much).
  WINBACK_ASSIGN_OR_RETURN(AggregateWriter writer, AggregateWriter::Create(db));
  // Customers without a single order or event (those of a first customers file) share one row
  // but their key: the first is written in full, the others copy it, one column per batch row
  // instead of 33.
  std::optional<std::int64_t> idle_template;
  RowBatch idle(1);
  Statement copy_idle;
  for (const std::int64_t cid : cids) {
    AggregateBuilder builder{CustomerKey(cid)};
    bool active = false;
    if (orders) {
      WINBACK_RETURN_IF_ERROR(orders->ForCustomer(cid, [&builder, &active](const Statement& o) {
        active = true;
        builder.AddOrder(Instant::FromUnixMicros(o.ColumnInt(1)),
                         static_cast<std::int32_t>(o.ColumnInt(2)), o.ColumnInt(3), o.ColumnText(4),
                         static_cast<OrderStatus>(o.ColumnInt(5)));
      }));
    } else {
      for (; next_known < known->size() && (*known)[next_known].cid <= cid; ++next_known) {
        const AggregateOrder& o = (*known)[next_known];
        if (o.cid < cid) continue;  // Not a customer asked for.
        active = true;
        builder.AddOrder(Instant::FromUnixMicros(o.placed_at_us), o.utc_offset_minutes,
                         o.amount_minor, std::string_view(o.currency, 3),
                         static_cast<OrderStatus>(o.status));
      }
    }
    WINBACK_RETURN_IF_ERROR(events.ForCustomer(cid, [&builder, &active](const Statement& e) {
      active = true;
      builder.AddEvent(static_cast<EventType>(e.ColumnInt(1)),
                       Instant::FromUnixMicros(e.ColumnInt(2)), e.ColumnText(3), e.ColumnText(4),
                       e.ColumnOptionalInt(5));
    }));
    if (!active && idle_template) {
      idle.Int(cid);
      if (idle.rows() == kIdleBatch) WINBACK_RETURN_IF_ERROR(FlushRows(copy_idle, idle));
      continue;
    }
    WINBACK_RETURN_IF_ERROR(writer.Add(builder.Finish()));
    if (!active) {  // The template: written now, so that the copies can read it.
      WINBACK_RETURN_IF_ERROR(writer.Flush());
      idle_template = cid;
      WINBACK_ASSIGN_OR_RETURN(copy_idle, PrepareIdleCopy(db, cid));
    }
  }
  WINBACK_RETURN_IF_ERROR(writer.Flush());
  if (idle_template) WINBACK_RETURN_IF_ERROR(FlushRows(copy_idle, idle));
  return static_cast<std::int64_t>(cids.size());
}

Result<std::int64_t> RecomputeAllAggregates(Database& db) {
  std::vector<std::int64_t> cids;
  WINBACK_ASSIGN_OR_RETURN(Statement all, db.Prepare("SELECT cid FROM customers ORDER BY cid"));
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    cids.push_back(all.ColumnInt(0));
  }
  return RecomputeAggregates(db, cids);
}

}  // namespace winback::store::sqlite
