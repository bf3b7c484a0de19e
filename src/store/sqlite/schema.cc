#include "store/sqlite/schema.h"

#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "store/aggregate_builder.h"
#include "store/sqlite/aggregate_codec.h"
#include "store/sqlite/row_batch.h"
#include "store/sqlite/sqlite_scores.h"

namespace winback::store::sqlite {
namespace {

// Times are INTEGER microseconds since 1970-01-01T00:00:00Z; dates are INTEGER days since
// 1970-01-01; money is INTEGER minor units beside an ISO 4217 code; enums are small INTEGERs
// (store/records.h). `batch` is the import that last wrote a row. Every table carries the
// customer key `cid`, the future distribution key for a sharded PostgreSQL store.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE customers (
  cid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  email TEXT, phone TEXT, first_name TEXT, last_name TEXT,
  birth_date INTEGER, birth_year INTEGER, gender TEXT, education TEXT,
  country TEXT, region TEXT, city TEXT, time_zone TEXT, language TEXT,
  signup_at INTEGER, preferred_channel TEXT, referred_by TEXT,
  batch INTEGER NOT NULL
);
CREATE TABLE consents (
  cid INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  state INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  PRIMARY KEY (cid, channel)
) WITHOUT ROWID;
CREATE TABLE orders (
  oid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  cid INTEGER NOT NULL,
  placed_at INTEGER NOT NULL,
  utc_offset INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status INTEGER NOT NULL,
  items_hash INTEGER NOT NULL,
  batch INTEGER NOT NULL
);
CREATE TABLE order_items (
  oid INTEGER NOT NULL,
  line INTEGER NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  price INTEGER NOT NULL,
  PRIMARY KEY (oid, line)
) WITHOUT ROWID;
CREATE TABLE events (
  eid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  cid INTEGER NOT NULL,
  type INTEGER NOT NULL,
  at INTEGER NOT NULL,
  utc_offset INTEGER NOT NULL,
  channel TEXT, reason TEXT, score INTEGER, value INTEGER, currency TEXT,
  ref TEXT, text TEXT, properties TEXT,
  batch INTEGER NOT NULL
);
-- The indexes of orders and events are created from BulkIndexes() below.
CREATE TABLE imports (
  batch INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  customers_written INTEGER NOT NULL DEFAULT 0,
  orders_written INTEGER NOT NULL DEFAULT 0,
  events_written INTEGER NOT NULL DEFAULT 0
);
)sql";

// Version 2: per-customer aggregates, backfilled from the rows already stored (by migration 5,
// which rebuilds the table).
constexpr const char* kMigration2 = R"sql(
CREATE TABLE customer_aggregates (
  cid INTEGER PRIMARY KEY,
  first_order_at INTEGER, last_order_at INTEGER,
  orders INTEGER NOT NULL, refunded_orders INTEGER NOT NULL, cancelled_orders INTEGER NOT NULL,
  purchase_days INTEGER NOT NULL,
  revenue INTEGER NOT NULL, currency TEXT, other_currency_orders INTEGER NOT NULL,
  last_email_engagement_at INTEGER, last_sms_engagement_at INTEGER,
  last_whatsapp_engagement_at INTEGER,
  last_visit_at INTEGER, last_chat_at INTEGER,
  complaints INTEGER NOT NULL, last_complaint_at INTEGER,
  tickets_opened INTEGER NOT NULL, tickets_satisfied INTEGER NOT NULL,
  tickets_unsatisfied INTEGER NOT NULL,
  referrals INTEGER NOT NULL, reviews INTEGER NOT NULL, review_score_sum INTEGER NOT NULL,
  carts_abandoned INTEGER NOT NULL, last_cart_abandoned_at INTEGER,
  payment_defaults INTEGER NOT NULL, feature_requests INTEGER NOT NULL,
  exit_reason TEXT, exit_at INTEGER,
  unsubscribed_channels INTEGER NOT NULL, bounced_channels INTEGER NOT NULL
);
)sql";

// Version 3: per-customer scores by as_of date (days since the epoch), kept for every date so
// that runs can be compared. Money in minor units of `currency`; times in days.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE customer_scores (
  as_of INTEGER NOT NULL,
  cid INTEGER NOT NULL,
  recency_days INTEGER, frequency INTEGER NOT NULL,
  monetary_total INTEGER NOT NULL, monetary_mean INTEGER NOT NULL, currency TEXT,
  tenure_days INTEGER,
  r INTEGER NOT NULL, f INTEGER NOT NULL, m INTEGER NOT NULL,
  segment TEXT, grp TEXT, lifecycle TEXT,
  inactive INTEGER NOT NULL, inactive_rules TEXT,
  readiness REAL NOT NULL, readiness_reasons TEXT, let_go TEXT,
  p_alive REAL, expected_purchases_90d REAL, expected_value REAL, clv_12m REAL, churn_risk REAL,
  PRIMARY KEY (as_of, cid)
) WITHOUT ROWID;
)sql";

// Version 4: (1) customer_aggregates.last_activity_at, the latest order or event of the
// customer: scoring as of a date on or after it reads the aggregates instead of the streams;
// (2) scores stored per run in chunks of 1024 customers (sqlite_scores.h): writing a million
// scores as a million rows took 10 s, as a thousand chunks well under one. The v3 scores are
// converted by ConvertV3Scores, which then drops customer_scores.
constexpr const char* kMigration4 = R"sql(
ALTER TABLE customer_aggregates ADD COLUMN last_activity_at INTEGER;
CREATE TABLE score_runs (
  as_of INTEGER PRIMARY KEY,
  customers INTEGER NOT NULL,
  labels BLOB NOT NULL
);
CREATE TABLE score_chunks (
  as_of INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (as_of, chunk)
);
)sql";

// Version 5: customer_aggregates.scoring, the fields scoring reads packed in one BLOB
// (aggregate_codec.h), so that a scan decodes one column per customer instead of 23. The table
// is rebuilt with `scoring` right after the key, because SQLite reaches a column by walking the
// record header of every column before it (the 34th column cost a sixth of the scan), and
// backfilled like every aggregate change. Every column is written by name (WriteAggregates).
constexpr const char* kMigration5 = R"sql(
DROP TABLE customer_aggregates;
CREATE TABLE customer_aggregates (
  cid INTEGER PRIMARY KEY,
  scoring BLOB NOT NULL,
  first_order_at INTEGER, last_order_at INTEGER,
  orders INTEGER NOT NULL, refunded_orders INTEGER NOT NULL, cancelled_orders INTEGER NOT NULL,
  purchase_days INTEGER NOT NULL,
  revenue INTEGER NOT NULL, currency TEXT, other_currency_orders INTEGER NOT NULL,
  last_email_engagement_at INTEGER, last_sms_engagement_at INTEGER,
  last_whatsapp_engagement_at INTEGER,
  last_visit_at INTEGER, last_chat_at INTEGER,
  complaints INTEGER NOT NULL, last_complaint_at INTEGER,
  tickets_opened INTEGER NOT NULL, tickets_satisfied INTEGER NOT NULL,
  tickets_unsatisfied INTEGER NOT NULL,
  referrals INTEGER NOT NULL, reviews INTEGER NOT NULL, review_score_sum INTEGER NOT NULL,
  carts_abandoned INTEGER NOT NULL, last_cart_abandoned_at INTEGER,
  payment_defaults INTEGER NOT NULL, feature_requests INTEGER NOT NULL,
  exit_reason TEXT, exit_at INTEGER,
  unsubscribed_channels INTEGER NOT NULL, bounced_channels INTEGER NOT NULL,
  last_activity_at INTEGER
);
)sql";

struct Migration {
  const char* sql;
  // Recompute every customer's aggregates after the SQL. Only the last migration that changes
  // customer_aggregates does it, because RecomputeAggregates writes the current columns.
  bool backfill_aggregates;
  // A step in C++ after the SQL and the backfill, or null.
  Status (*convert)(Database& db);
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {{kMigration1, false, nullptr},
                                              {kMigration2, false, nullptr},
                                              {kMigration3, false, nullptr},
                                              {kMigration4, false, ConvertV3Scores},
                                              {kMigration5, true, nullptr}};
  return kAll;
}

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

}  // namespace

// The secondary indexes of the bulk-loadable tables. They are dropped while an import fills an
// empty table and built once at the end: building an index from sorted keys is several times
// faster than inserting a million random keys one by one. orders_by_customer and
// events_by_customer cover the columns the aggregates read, so RecomputeAggregates never
// touches the tables themselves.
const std::vector<BulkIndex>& BulkIndexes(std::string_view table) {
  static const std::vector<BulkIndex> kOrders = {
      {"orders_by_id", "CREATE UNIQUE INDEX orders_by_id ON orders (id)"},
      {"orders_by_customer",
       "CREATE INDEX orders_by_customer ON orders (cid, placed_at, utc_offset, amount, currency, "
       "status)"}};
  static const std::vector<BulkIndex> kEvents = {
      {"events_by_id", "CREATE UNIQUE INDEX events_by_id ON events (id)"},
      {"events_by_customer",
       "CREATE INDEX events_by_customer ON events (cid, at, type, channel, reason, score)"}};
  static const std::vector<BulkIndex> kNone;
  if (table == "orders") return kOrders;
  if (table == "events") return kEvents;
  return kNone;
}

Status CreateBulkIndexes(Database& db, std::string_view table) {
  for (const BulkIndex& index : BulkIndexes(table)) {
    WINBACK_RETURN_IF_ERROR(db.Exec(index.create_sql));
  }
  return Status::Ok();
}

Status DropBulkIndexes(Database& db, std::string_view table) {
  for (const BulkIndex& index : BulkIndexes(table)) {
    WINBACK_RETURN_IF_ERROR(db.Exec(std::string("DROP INDEX ") + index.name));
  }
  return Status::Ok();
}

namespace {

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
  WINBACK_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare(std::string("INSERT OR REPLACE INTO customer_aggregates (") + kAggregateColumns +
                 ") SELECT " + RowBatchColumns(kAggregateColumnCount) + " FROM winback_rows(?1)"));
  RowBatch batch(kAggregateColumnCount);
  std::string scoring;
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
    AddAggregates(batch, builder.Finish(), scoring);
    if (!active) {  // The template: written now, so that the copies can read it.
      WINBACK_RETURN_IF_ERROR(FlushRows(insert, batch));
      idle_template = cid;
      WINBACK_ASSIGN_OR_RETURN(copy_idle, PrepareIdleCopy(db, cid));
    }
    if (batch.rows() == kAggregateBatch) WINBACK_RETURN_IF_ERROR(FlushRows(insert, batch));
  }
  WINBACK_RETURN_IF_ERROR(FlushRows(insert, batch));
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

Status Migrate(Database& db, int target, const UpgradeNotice& notice) {
  WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> v, db.QueryInt("PRAGMA user_version"));
  const int current = static_cast<int>(v.value_or(0));
  if (current > kSchemaVersion) {
    return FailedPreconditionError("database '" + db.path() + "' has schema version " +
                                   std::to_string(current) + ", newer than this winback (" +
                                   std::to_string(kSchemaVersion) + "); upgrade winback");
  }
  const auto& migrations = Migrations();
  if (notice && current >= 1 && current < target) notice(current, target);
  for (int next = current + 1; next <= target; ++next) {
    const Migration& m = migrations[static_cast<std::size_t>(next - 1)];
    WINBACK_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status s = db.Exec(m.sql);
    if (s.ok() && next == 1) s = CreateBulkIndexes(db, "orders");
    if (s.ok() && next == 1) s = CreateBulkIndexes(db, "events");
    if (s.ok() && m.backfill_aggregates) s = RecomputeAllAggregates(db).status();
    if (s.ok() && m.convert != nullptr) s = m.convert(db);
    if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(next));
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      db.Exec("ROLLBACK").IgnoreError();  // The migration's own error is the one to report.
      return s.WithContext("migrating '" + db.path() + "' to schema version " +
                           std::to_string(next));
    }
  }
  return Status::Ok();
}

}  // namespace winback::store::sqlite
